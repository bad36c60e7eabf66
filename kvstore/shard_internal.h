// The shard's internals, shared by its three source files (not part of the public API):
//   shard.cc         start, preload and recovery, the slots' data, client commands
//   shard_legacy.cc  the legacy migration's SETSLOT, GETKEYSINSLOT, MIGRATE and RESTORE
//   shard_move.cc    the snapshot and grant methods (source and target sides)
// kvstore/shard.h has the contract.
#ifndef DDC_KVSTORE_SHARD_INTERNAL_H_
#define DDC_KVSTORE_SHARD_INTERNAL_H_

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/durable/hash_table.h"
#include "common/lincheck/kv_model.h"
#include "kvstore/command.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/retry.h"
#include "kvstore/shard.h"
#include "kvstore/slot.h"
#include "kvstore/slot_table.h"
#include "kvstore/waiters.h"
#include "kvstore/ycsb.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::kvstore::shard_internal {

using durable::PageHashTable;

// Each slot's table starts as small as the table allows: one bucket and a few pool blocks, so
// the 16,384 slots of a cluster cost little before they hold data.
inline durable::PageHashTableOptions SlotTableOptions() {
  durable::PageHashTableOptions options;
  options.initial_buckets = 1;
  options.initial_pool_blocks = 4;
  return options;
}

inline constexpr int64_t kDirectoryEntryBytes = 16;  // root u64 | epoch u64
// A directory entry whose root has this bit set records a slot this shard handed over: the low
// 32 bits are the new owner, the epoch is the handover's. A standby learns the handovers its
// victim made from it (a retried MoveSlots for a batch already handed over is answered, not
// refused), and answers MOVED for those slots.
inline constexpr uint64_t kHandedOverMarker = uint64_t{1} << 63;
inline constexpr Duration kMappedSampleInterval = Milliseconds(1);

inline std::string DirectoryName(absl::string_view shard) {
  return absl::StrCat("kvstore/", shard, "/directory");
}

inline KvReply ErrorReply(absl::string_view error) {
  KvReply reply;
  reply.set_kind(ERROR);
  reply.set_error(std::string(error));
  return reply;
}

inline AdminReply AdminError(absl::string_view error) {
  AdminReply reply;
  reply.set_error(std::string(error));
  return reply;
}

enum class Pause { kNone, kWrites, kAll };

struct Slot {
  bool owned = false;
  uint64_t epoch = 0;
  ProcessId moved_to = kNoProcess;  // where this shard handed the slot, for MOVED
  uint64_t moved_epoch = 0;
  ProcessId migrating_to = kNoProcess;    // legacy source
  ProcessId importing_from = kNoProcess;  // legacy target
  uint64_t import_job = 0;                // snapshot target: the job staging this slot
  Pause pause = Pause::kNone;
  // restored_at: the send time of the last RESTORE applied to this slot. Sends of one slot's
  // RESTOREs are sequential, so an older or equal send time is a late or duplicated copy.
  Time restored_at = -1;
  // orphan_root (a standby's recovery): the victim granted this slot's pages away, but its
  // directory never recorded the handover; a retried MoveSlots sends the root to the target.
  uint64_t orphan_root = 0;
  bool tracking = false;        // snapshot source: record changed keys
  std::set<std::string> dirty;  // the change stream still to send, in key order
  std::unique_ptr<PageHashTable> table;
};

class Shard {
 public:
  Shard(Process& self, ShardConfig config, ClusterObserver* observer)
      : self_(self), config_(std::move(config)), observer_(observer), slots_(kSlotCount) {}

  // Start resolves the shard ids and registers the handlers; Create makes a fresh shard (the
  // directory, the preload) and Recover rebuilds one from a stolen directory.
  absl::Status Start();
  asio::awaitable<absl::Status> Create();
  asio::awaitable<absl::Status> Recover();

 private:
  ProcessId me() const { return self_.identity(); }
  RetryPolicy Retry() const {
    return {.timeout = config_.call_timeout, .give_up_after = config_.give_up_after};
  }
  bool IsShard(uint32_t id) const {
    return std::find(shards_.begin(), shards_.end(), ProcessId{id}) != shards_.end();
  }
  absl::Status CheckTarget(uint32_t target) const {
    if (!IsShard(target)) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration to a nonexistent shard (process ", target, ")"));
    }
    if (ProcessId{target} == me()) {
      return absl::InvalidArgumentError("migration to the shard that owns the slot");
    }
    return absl::OkStatus();
  }

  // ---- Data ----
  asio::awaitable<absl::StatusOr<PageHashTable*>> EnsureTable(int slot);
  asio::awaitable<absl::StatusOr<std::optional<std::string>>> Lookup(int slot,
                                                                     const std::string& key);
  asio::awaitable<absl::Status> Store(int slot, const std::string& key,
                                      const std::optional<std::string>& value);
  asio::awaitable<absl::StatusOr<std::vector<durable::TableEntry>>> Entries(int slot);
  asio::awaitable<absl::Status> DropTable(int slot);
  // WriteDirectory makes the directory entries of slots [first, last] durable, from the slots'
  // state, in one write and one flush.
  asio::awaitable<absl::Status> WriteDirectory(int first, int last);
  asio::awaitable<absl::Status> WriteDirectory(const std::vector<int>& slots);
  asio::awaitable<absl::StatusOr<KvReply>> Execute(const KvRequest& request, int slot);
  asio::awaitable<absl::StatusOr<KvReply>> Decide(const KvRequest& request, int slot);
  asio::awaitable<absl::StatusOr<int>> PresentKeys(const KvRequest& request, int slot);
  void Acquire(int slot, uint64_t epoch);
  void Release(int slot, ProcessId to, uint64_t epoch);
  void SampleMapped(bool force);

  // ---- Handlers ----
  asio::awaitable<absl::Status> OnCommand(Received<KvRequest> in);
  asio::awaitable<absl::Status> OnSetSlot(Received<SetSlotRequest> in);
  asio::awaitable<absl::Status> OnGetKeys(Received<GetKeysInSlotRequest> in);
  asio::awaitable<absl::Status> OnMigrate(Received<MigrateRequest> in);
  asio::awaitable<absl::Status> OnRestore(Received<RestoreRequest> in);
  asio::awaitable<absl::Status> OnImport(Received<ImportRequest> in);
  asio::awaitable<absl::Status> OnMoveSlots(Received<MoveSlotsRequest> in);
  asio::awaitable<absl::Status> OnCancel(Received<CancelMoveRequest> in);
  asio::awaitable<absl::Status> OnHandover(Received<SlotHandover> in);

  // MoveSlots validates a MoveSlots request and moves its batch; an error reply is a refusal.
  asio::awaitable<absl::StatusOr<AdminReply>> MoveSlots(const MoveSlotsRequest& request);
  asio::awaitable<absl::StatusOr<AdminReply>> MoveBySnapshot(const MoveSlotsRequest& request);
  asio::awaitable<absl::StatusOr<AdminReply>> MoveByGrant(const MoveSlotsRequest& request);
  // GrantTo grants `regions` to the process that holds `target`'s pages (its standby, after a
  // takeover).
  asio::awaitable<absl::Status> GrantTo(const std::vector<Region>& regions, ProcessId target);
  // SendEntries streams `entries` of `slot` to the target in chunks; counts into `stats`.
  asio::awaitable<absl::Status> SendEntries(const MoveSlotsRequest& request, int slot,
                                            std::vector<KeyValue> entries, Time started,
                                            AdminReply& stats);
  asio::awaitable<absl::Status> CallTarget(ProcessId target, RestoreRequest restore,
                                           AdminReply& stats);
  // CollectChanges takes the slots' change streams: the current value of every dirty key.
  asio::awaitable<absl::StatusOr<std::map<int, std::vector<KeyValue>>>> CollectChanges(
      const std::vector<int>& slots, int64_t& count);
  asio::awaitable<void> Throttle(Time started, int64_t bytes, int64_t max_bytes_per_s);

  Process& self_;
  const ShardConfig config_;
  ClusterObserver* const observer_;
  std::vector<ProcessId> shards_;
  std::vector<Slot> slots_;
  AsyncMutex mutex_;
  WaitQueue unpaused_;
  Region directory_;
  std::set<uint64_t> cancelled_jobs_;
  // MoveSlots outcomes by job (nullopt while running): a retried or duplicated MoveSlots gets
  // the outcome of the first, or in_progress.
  std::map<uint64_t, std::optional<AdminReply>> move_jobs_;
  // Snapshot imports finished or aborted here: a late BEGIN must not open them again.
  std::set<uint64_t> closed_imports_;
  Time last_sample_ = -kMappedSampleInterval;
};

}  // namespace ddc::kvstore::shard_internal

#endif  // DDC_KVSTORE_SHARD_INTERNAL_H_
