// A shard of the store: a process on a CE that owns a set of slots and serves commands for
// them. Each slot's data, its hash table and its values, is a PageHashTable of its own in the
// shard's ME pages (created on the slot's first write), so a slot is a set of pages.
//
// Serving. Commands, MIGRATE batches and snapshot chunks run one at a time under the shard's
// mutex, as Redis's one thread runs them. A command for a slot the shard does not own gets
// MOVED (with the new owner and epoch when the shard handed the slot over itself); a slot in
// legacy migration answers ASK for keys it no longer has; a paused slot makes writers (and, in a
// grant, readers) wait until the handover is over, after which they get MOVED.
//
// Migration roles (the coordinator drives them, see migration.h):
//   legacy    SetSlotRequest, GetKeysInSlotRequest, MigrateRequest (source -> target
//             RestoreRequest, holding the mutex, so MIGRATE blocks the source as in Redis)
//   snapshot  MoveSlotsRequest(SNAPSHOT) at the source: ImportRequest BEGIN, a snapshot of each
//             slot and the change stream as RestoreRequests, a write pause for the last changes,
//             ImportRequest FINISH with the new epoch; CancelMoveRequest aborts it
//   grant     MoveSlotsRequest(GRANT) at the source: pause the slots, Grant their pages, and
//             SlotHandover (the tables' roots and the new epoch); the target opens the tables
//
// Failure (exposed mode). The shard keeps a directory in its own pages: for every slot it owns,
// the table's root and the epoch. A standby (RunShardStandby) registered with the rack monitor
// steals all of the shard's pages when the shard's CE dies, assumes its identity and serves the
// slots from the directory; clients keep calling the same id.
#ifndef DDC_KVSTORE_SHARD_H_
#define DDC_KVSTORE_SHARD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "kvstore/observer.h"
#include "platform/process.h"

namespace ddc::kvstore {

struct ShardConfig {
  std::string name;                      // this shard's process name
  std::vector<std::string> shard_names;  // every shard, in slot-table order
  std::string coordinator;               // told ShardReady after the preload
  int initial_shards = 3;                // the first initial_shards own the slots evenly
  // Preload: the records 0..record_count-1 whose slots the shard owns at start.
  int64_t record_count = 0;
  int64_t value_bytes = 1024;
  Duration command_cpu = Microseconds(1);  // CPU charged per command
  // Migration calls to the target and the readiness message are retried every call_timeout
  // until answered or give_up_after has passed (kvstore/retry.h).
  Duration call_timeout = Seconds(2);
  Duration give_up_after = kInfiniteDuration;
  std::string trust_group = "kvstore";
};

asio::awaitable<absl::Status> RunShard(Process& self, ShardConfig config,
                                       ClusterObserver* observer);

// RunShardStandby waits (exposed mode) for the rack monitor's notice that `config.name`'s CE
// died, then steals the shard's pages, assumes its identity and serves its slots. In transparent
// mode it returns at once: that mode's choice is documented in README.md (the slots are lost).
asio::awaitable<absl::Status> RunShardStandby(Process& self, ShardConfig config,
                                              ClusterObserver* observer);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_SHARD_H_
