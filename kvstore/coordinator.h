// The coordinator holds the authoritative slot table and runs the rebalancing schedule:
//
//   1. wait until every shard has loaded its slots (ShardReady); answer SlotTableRequests only
//      from then on, so clients start on a ready cluster;
//   2. after warmup, move the plan's slots with the configured MigrationDriver, learning each
//      handover into the table with its new epoch (optionally cancelling after cancel_after);
//   3. after cooldown, tell the clients to stop (ClusterObserver::stop).
//
// Plans (PlanMoves): scale out moves a quarter of the slots from the first three shards to the
// fourth, taking the top of each source's range; scale in moves the fourth shard's slots to the
// other three in three contiguous pieces; split moves the lower half of the first shard's range
// (the hot range of the experiment) to the fourth shard; none moves nothing (a capacity run).
#ifndef DDC_KVSTORE_COORDINATOR_H_
#define DDC_KVSTORE_COORDINATOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "kvstore/migration.h"
#include "kvstore/observer.h"
#include "kvstore/slot_table.h"
#include "platform/process.h"

namespace ddc::kvstore {

enum class Plan { kNone, kScaleOut, kScaleIn, kSplit };

absl::StatusOr<Plan> ParsePlan(absl::string_view name);  // none, scale-out, scale-in, split
absl::string_view PlanName(Plan plan);
// InitialShards is how many shards own slots before `plan` runs (4 for scale in, else 3).
int InitialShards(Plan plan);
// PlanMoves lists the moves of `plan` over `table` for `shards` (at least four).
absl::StatusOr<std::vector<SlotMove>> PlanMoves(Plan plan, const SlotTable& table,
                                                const std::vector<ProcessId>& shards);

struct CoordinatorConfig {
  std::vector<std::string> shard_names;
  Plan plan = Plan::kNone;
  MigrationOptions migration;
  Duration warmup = Milliseconds(20);
  Duration cooldown = Milliseconds(20);
  std::optional<Duration> cancel_after;  // from the start of the rebalancing
  // target_override, when set, replaces every move's target (a test of bad input: a target
  // that is not a shard).
  std::optional<ProcessId> target_override;
};

asio::awaitable<absl::Status> RunCoordinator(Process& self, CoordinatorConfig config,
                                             ClusterObserver* observer);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_COORDINATOR_H_
