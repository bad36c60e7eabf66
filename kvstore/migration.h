// Rebalancing: moving slots from one shard to another, by three methods behind one interface.
//
//   legacy    (transparent copy baseline 1) Redis Cluster's resharding, as redis-cli drives it:
//             per slot, SETSLOT IMPORTING at the target and MIGRATING at the source, then
//             GETKEYSINSLOT and MIGRATE batches of keys_per_batch keys (each MIGRATE a round trip
//             from the source to the target, blocking the source), then SETSLOT NODE at both.
//             Clients meet ASK redirects for keys already moved and TRYAGAIN for multi-key
//             commands split by the move. Round trips per slot: 4 + 3 * ceil(keys / batch), and
//             5 for an empty slot (its one GETKEYSINSLOT finds nothing); the published estimate
//             is slots x (3 keys/batch + 4).
//   snapshot  (transparent copy baseline 2) atomic slot migration in the style of Valkey 9 and
//             Redis 8.4: per batch of slots_per_batch slots, the source streams a snapshot and
//             then the change stream to the target, pauses writes to the batch for the last
//             changes and hands ownership over with a new epoch. Clients see no ASK.
//   grant     (exposed) per batch, the source pauses the slots, grants the pages of their tables
//             to the target and sends it the tables' roots with a new epoch; nothing is copied.
//
// A MigrationDriver moves one SlotMove (slots from a source to a target); the coordinator runs
// the plan's moves one after another. After every handover the driver calls `on_moved` with the
// slots, the new owner and the new epoch (taken from `next_epoch`), and updates the progress.
// Cancel() stops a migration at the next point where no slot is half moved: for snapshot at the
// next chunk (the target drops what it staged), for grant and legacy before the next batch or
// slot. max_bytes_per_s limits the copy rate (for grant, the granted page bytes per second).
#ifndef DDC_KVSTORE_MIGRATION_H_
#define DDC_KVSTORE_MIGRATION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "kvstore/kvstore.pb.h"
#include "kvstore/observer.h"
#include "platform/process.h"

namespace ddc::kvstore {

struct SlotMove {
  std::vector<int> slots;
  ProcessId source = kNoProcess;
  ProcessId target = kNoProcess;
};

struct MigrationOptions {
  Method method = GRANT;
  int keys_per_batch = 10;              // legacy: keys per MIGRATE (redis-cli's --cluster-pipeline)
  int slots_per_batch = 64;             // snapshot and grant: slots handed over together
  int64_t bytes_per_chunk = 256 << 10;  // snapshot: bytes per RestoreRequest
  int64_t max_bytes_per_s = 0;          // 0: unlimited
  // Every call is retried after call_timeout (lost messages, a paused or stolen peer) until it
  // is answered or give_up_after has passed since its first attempt.
  Duration call_timeout = Seconds(10);
  Duration give_up_after = kInfiniteDuration;
};

absl::Status ValidateMigrationOptions(const MigrationOptions& options);

// MigrationControl is shared by a running migration and whoever may cancel it.
class MigrationControl {
 public:
  void RequestCancel() { cancel_requested_ = true; }
  bool cancel_requested() const { return cancel_requested_; }
  // The source and job of the batch in flight (snapshot), for the canceller's CancelMoveRequest.
  ProcessId active_source = kNoProcess;
  uint64_t active_job = 0;

 private:
  bool cancel_requested_ = false;
};

using OnMoved =
    std::function<void(const std::vector<int>& slots, ProcessId target, uint64_t epoch)>;
using NextEpoch = std::function<uint64_t()>;

class MigrationDriver {
 public:
  virtual ~MigrationDriver() = default;
  virtual Method method() const = 0;
  // Move moves `move` and returns OK, CANCELLED when cancelled (the slots moved so far stay
  // moved, the others stay at the source), or the error that stopped it (INVALID_ARGUMENT for a
  // target that is not a shard, refused by the source before anything changed).
  virtual asio::awaitable<absl::Status> Move(Process& self, const SlotMove& move,
                                             const NextEpoch& next_epoch, const OnMoved& on_moved,
                                             MigrationControl& control,
                                             MigrationProgress& progress) = 0;
};

absl::StatusOr<std::unique_ptr<MigrationDriver>> MakeMigrationDriver(MigrationOptions options);

// LegacyAnalyticRoundTrips is the published estimate slots x (3 keys/batch + 4), with keys the
// mean keys per slot.
double LegacyAnalyticRoundTrips(int64_t slots, int64_t keys, int keys_per_batch);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_MIGRATION_H_
