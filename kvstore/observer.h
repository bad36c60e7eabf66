// ClusterObserver is what a run of the store shows its harness and tests: readiness, the audit
// of slot ownership, mapped memory, and the progress of the rebalancing. Processes write it (the
// simulator is single-threaded); the harness reads it between events, as primary_backup's
// Outcome is read. Nothing in the store's logic reads it back except the stop flag.
#ifndef DDC_KVSTORE_OBSERVER_H_
#define DDC_KVSTORE_OBSERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kvstore/slot.h"
#include "platform/types.h"

namespace ddc::kvstore {

// MigrationProgress is a rebalancing's progress, updated after every handover.
struct MigrationProgress {
  int64_t slots_total = 0;
  int64_t slots_moved = 0;
  int64_t keys_moved = 0;
  int64_t bytes_moved = 0;  // key and value bytes copied, or page bytes granted
  int64_t round_trips = 0;  // request/reply exchanges the migration made
  int64_t wire_bytes = 0;   // bytes the migration's messages put on the network
  int64_t retries = 0;      // calls sent again after a timeout or a connection reset
  int64_t pauses = 0;       // write pauses (snapshot, grant) or blocking MIGRATE calls (legacy)
  Duration longest_pause = 0;
  Duration total_pause = 0;
  double analytic_round_trips = 0;  // legacy: slots x (3 keys/batch + 4)
  bool cancelled = false;
  Time started_at = -1;
  Time finished_at = -1;
};

struct ClusterObserver {
  // Readiness: shards that finished their preload, and the keys they hold.
  int shards_ready = 0;
  int64_t preloaded_keys = 0;
  int64_t preloaded_bytes = 0;
  Time ready_at = -1;

  // Ownership audit: every acquisition of a slot must carry an epoch larger than any earlier
  // acquisition of that slot, so no two shards own it at the same epoch. The one exception is
  // the same identity taking it again at the same epoch: a standby that stole a dead shard's
  // pages and speaks as that shard.
  std::vector<uint64_t> last_epoch = std::vector<uint64_t>(kSlotCount, 0);
  std::vector<uint32_t> last_owner = std::vector<uint32_t>(kSlotCount, 0);
  absl::Status ownership = absl::OkStatus();
  int64_t acquisitions = 0;
  void RecordOwnership(int slot, uint64_t epoch, ProcessId shard) {
    ++acquisitions;
    const bool same_identity = epoch == last_epoch[slot] && Index(shard) == last_owner[slot];
    if (epoch <= last_epoch[slot] && !same_identity && ownership.ok()) {
      ownership = absl::InternalError(absl::StrCat(
          "slot ", slot, " acquired by shard ", Index(shard), " at epoch ", epoch, " after shard ",
          last_owner[slot], " acquired it at epoch ", last_epoch[slot]));
    }
    if (epoch > last_epoch[slot]) {
      last_epoch[slot] = epoch;
      last_owner[slot] = Index(shard);
    }
  }

  // Mapped memory: the bytes of ME pages each shard holds, sampled at preload and around every
  // migration batch, and the largest sum seen.
  std::map<uint32_t, int64_t> mapped_bytes;
  int64_t peak_mapped_bytes = 0;
  void RecordMapped(ProcessId shard, int64_t bytes) {
    mapped_bytes[Index(shard)] = bytes;
    int64_t sum = 0;
    for (const auto& [id, b] : mapped_bytes) sum += b;
    if (sum > peak_mapped_bytes) peak_mapped_bytes = sum;
  }

  MigrationProgress progress;
  // migration is how the rebalancing ended: OK, CANCELLED, ABORTED when slots were abandoned
  // (abandoned_slots: a shard of their move stopped answering; they stayed where they were, or
  // half moved, see kvstore/README.md), or the error that stopped it.
  absl::Status migration = absl::OkStatus();
  std::vector<int> abandoned_slots;
  // on_phase, when set, is called at "rebalance-start" and "rebalance-end" (the harness samples
  // the rack's counters there).
  std::function<void(const std::string&)> on_phase;

  // Shard failure.
  Time takeover_at = -1;
  int64_t slots_recovered = 0;
  int64_t slots_lost = 0;

  // stop tells clients to finish (set by the coordinator when its schedule is over).
  bool stop = false;
  int clients_done = 0;
};

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_OBSERVER_H_
