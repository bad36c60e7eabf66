#include "kvstore/shard.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/durable/hash_table.h"
#include "common/lincheck/kv_model.h"
#include "kvstore/command.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/slot.h"
#include "kvstore/slot_table.h"
#include "kvstore/waiters.h"
#include "kvstore/ycsb.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {
namespace {

using durable::PageHashTable;

// Each slot's table starts as small as the table allows: one bucket and a few pool blocks, so
// the 16,384 slots of a cluster cost little before they hold data.
durable::PageHashTableOptions SlotTableOptions() {
  durable::PageHashTableOptions options;
  options.initial_buckets = 1;
  options.initial_pool_blocks = 4;
  return options;
}

constexpr int64_t kDirectoryEntryBytes = 16;  // root u64 | epoch u64
constexpr Duration kMappedSampleInterval = Milliseconds(1);

std::string DirectoryName(absl::string_view shard) {
  return absl::StrCat("kvstore/", shard, "/directory");
}

KvReply ErrorReply(absl::string_view error) {
  KvReply reply;
  reply.set_kind(ERROR);
  reply.set_error(std::string(error));
  return reply;
}

AdminReply AdminError(absl::string_view error) {
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

  asio::awaitable<absl::StatusOr<AdminReply>> MoveBySnapshot(const MoveSlotsRequest& request);
  asio::awaitable<absl::StatusOr<AdminReply>> MoveByGrant(const MoveSlotsRequest& request);
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
  Time last_sample_ = -kMappedSampleInterval;
};

absl::Status Shard::Start() {
  for (const std::string& name : config_.shard_names) {
    std::optional<ProcessId> id = self_.FindProcess(name);
    if (!id) return absl::NotFoundError(absl::StrCat("shard process ", name, " not found"));
    shards_.push_back(*id);
  }
  self_.Serve<KvRequest>([this](Received<KvRequest> in) { return OnCommand(std::move(in)); });
  self_.Serve<SetSlotRequest>(
      [this](Received<SetSlotRequest> in) { return OnSetSlot(std::move(in)); });
  self_.Serve<GetKeysInSlotRequest>(
      [this](Received<GetKeysInSlotRequest> in) { return OnGetKeys(std::move(in)); });
  self_.Serve<MigrateRequest>(
      [this](Received<MigrateRequest> in) { return OnMigrate(std::move(in)); });
  self_.Serve<RestoreRequest>(
      [this](Received<RestoreRequest> in) { return OnRestore(std::move(in)); });
  self_.Serve<ImportRequest>(
      [this](Received<ImportRequest> in) { return OnImport(std::move(in)); });
  self_.Serve<MoveSlotsRequest>(
      [this](Received<MoveSlotsRequest> in) { return OnMoveSlots(std::move(in)); });
  self_.Serve<CancelMoveRequest>(
      [this](Received<CancelMoveRequest> in) { return OnCancel(std::move(in)); });
  self_.Serve<SlotHandover>(
      [this](Received<SlotHandover> in) { return OnHandover(std::move(in)); });
  // The OS's notice of a grant: the SlotHandover that follows it carries what the shard needs.
  self_.Serve<platform::GrantNotice>(
      [](Received<platform::GrantNotice>) -> asio::awaitable<absl::Status> {
        co_return absl::OkStatus();
      });
  return absl::OkStatus();
}

asio::awaitable<absl::Status> Shard::Create() {
  DDC_CO_ASSIGN_OR_RETURN(directory_,
                          co_await self_.memory().Allocate(kSlotCount * kDirectoryEntryBytes));
  DDC_CO_RETURN_IF_ERROR(
      co_await self_.memory().Publish(DirectoryName(config_.name), directory_.base));
  if (self_.mode() == Mode::kExposed) {
    DDC_CO_RETURN_IF_ERROR(
        co_await self_.memory().JoinTrustGroup(config_.trust_group, config_.trust_group));
  }
  const SlotTable initial = SlotTable::Even(
      std::vector<ProcessId>(shards_.begin(), shards_.begin() + config_.initial_shards), 1);
  co_await mutex_.Lock(self_);
  for (int slot = 0; slot < kSlotCount; ++slot) {
    if (initial.owner(slot).shard == me()) {
      Acquire(slot, initial.owner(slot).epoch);
    }
  }
  DDC_CO_RETURN_IF_ERROR(co_await WriteDirectory(0, kSlotCount - 1));
  int64_t keys = 0;
  int64_t bytes = 0;
  for (int64_t record = 0; record < config_.record_count; ++record) {
    std::string key = RecordKey(record);
    const int slot = KeySlot(key);
    if (!slots_[slot].owned) continue;
    std::string value = RecordValue(key, 0, config_.value_bytes);
    DDC_CO_RETURN_IF_ERROR(co_await Store(slot, key, value));
    ++keys;
    bytes += static_cast<int64_t>(key.size() + value.size());
  }
  mutex_.Unlock();
  SampleMapped(true);
  observer_->preloaded_keys += keys;
  observer_->preloaded_bytes += bytes;
  if (++observer_->shards_ready == static_cast<int>(shards_.size())) {
    observer_->ready_at = self_.Now();
  }
  const std::optional<ProcessId> coordinator = self_.FindProcess(config_.coordinator);
  if (!coordinator) {
    co_return absl::NotFoundError(absl::StrCat("coordinator ", config_.coordinator, " not found"));
  }
  co_return self_.Send(*coordinator, ShardReady());
}

asio::awaitable<absl::Status> Shard::Recover() {
  DDC_CO_ASSIGN_OR_RETURN(const VirtAddr base,
                          co_await self_.memory().Lookup(DirectoryName(config_.name)));
  directory_ = {base, kSlotCount * kDirectoryEntryBytes};
  DDC_CO_ASSIGN_OR_RETURN(const std::string bytes,
                          co_await self_.memory().Read(directory_.base, directory_.length));
  co_await mutex_.Lock(self_);
  for (int slot = 0; slot < kSlotCount; ++slot) {
    uint64_t root = 0;
    uint64_t epoch = 0;
    std::memcpy(&root, bytes.data() + slot * kDirectoryEntryBytes, 8);
    std::memcpy(&epoch, bytes.data() + slot * kDirectoryEntryBytes + 8, 8);
    if (epoch == 0) continue;
    if (root != 0) {
      absl::StatusOr<PageHashTable> table = co_await PageHashTable::Open(self_.memory(), root);
      if (!table.ok()) {
        // The slot's pages are not the victim's any more (it died between granting them away
        // and clearing its directory): the grantee serves them.
        ++observer_->slots_lost;
        continue;
      }
      slots_[slot].table = std::make_unique<PageHashTable>(*std::move(table));
    }
    Acquire(slot, epoch);
    ++observer_->slots_recovered;
  }
  mutex_.Unlock();
  SampleMapped(true);
  co_return absl::OkStatus();
}

void Shard::Acquire(int slot, uint64_t epoch) {
  Slot& s = slots_[slot];
  s.owned = true;
  s.epoch = epoch;
  s.moved_to = kNoProcess;
  s.importing_from = kNoProcess;
  s.migrating_to = kNoProcess;
  s.import_job = 0;
  observer_->RecordOwnership(slot, epoch, me());
}

void Shard::Release(int slot, ProcessId to, uint64_t epoch) {
  Slot& s = slots_[slot];
  s.owned = false;
  s.moved_to = to;
  s.moved_epoch = epoch;
  s.migrating_to = kNoProcess;
  s.tracking = false;
  s.dirty.clear();
}

void Shard::SampleMapped(bool force) {
  if (!force && self_.Now() - last_sample_ < kMappedSampleInterval) return;
  last_sample_ = self_.Now();
  int64_t bytes = 0;
  for (const Region& region : self_.memory().Regions()) bytes += region.length;
  observer_->RecordMapped(me(), bytes);
}

// ---- Data ----

asio::awaitable<absl::StatusOr<PageHashTable*>> Shard::EnsureTable(int slot) {
  Slot& s = slots_[slot];
  if (s.table == nullptr) {
    DDC_CO_ASSIGN_OR_RETURN(PageHashTable table,
                            co_await PageHashTable::Create(self_.memory(), SlotTableOptions()));
    s.table = std::make_unique<PageHashTable>(std::move(table));
    if (s.owned) DDC_CO_RETURN_IF_ERROR(co_await WriteDirectory(slot, slot));
  }
  co_return s.table.get();
}

asio::awaitable<absl::Status> Shard::WriteDirectory(int first, int last) {
  std::string entries;
  entries.reserve((last - first + 1) * kDirectoryEntryBytes);
  for (int slot = first; slot <= last; ++slot) {
    const Slot& s = slots_[slot];
    const uint64_t root = s.owned && s.table != nullptr ? s.table->root() : 0;
    const uint64_t epoch = s.owned ? s.epoch : 0;
    entries.append(reinterpret_cast<const char*>(&root), 8);
    entries.append(reinterpret_cast<const char*>(&epoch), 8);
  }
  const Region region =
      directory_.Sub(first * kDirectoryEntryBytes, static_cast<int64_t>(entries.size()));
  DDC_CO_RETURN_IF_ERROR(co_await self_.memory().Write(region.base, entries));
  co_return co_await self_.memory().Flush(region);
}

asio::awaitable<absl::Status> Shard::WriteDirectory(const std::vector<int>& slots) {
  if (slots.empty()) co_return absl::OkStatus();
  const auto [low, high] = std::minmax_element(slots.begin(), slots.end());
  co_return co_await WriteDirectory(*low, *high);
}

asio::awaitable<absl::StatusOr<std::optional<std::string>>> Shard::Lookup(int slot,
                                                                          const std::string& key) {
  PageHashTable* table = slots_[slot].table.get();
  if (table == nullptr) co_return std::nullopt;
  absl::StatusOr<std::string> value = co_await table->Get(key);
  if (absl::IsNotFound(value.status())) co_return std::nullopt;
  if (!value.ok()) co_return value.status();
  co_return std::optional<std::string>(*std::move(value));
}

asio::awaitable<absl::Status> Shard::Store(int slot, const std::string& key,
                                           const std::optional<std::string>& value) {
  if (!value) {
    PageHashTable* table = slots_[slot].table.get();
    if (table == nullptr) co_return absl::OkStatus();
    absl::Status deleted = co_await table->Delete(key);
    co_return absl::IsNotFound(deleted) ? absl::OkStatus() : deleted;
  }
  DDC_CO_ASSIGN_OR_RETURN(PageHashTable * table, co_await EnsureTable(slot));
  co_return co_await table->Put(key, *value);
}

asio::awaitable<absl::StatusOr<std::vector<durable::TableEntry>>> Shard::Entries(int slot) {
  PageHashTable* table = slots_[slot].table.get();
  if (table == nullptr) co_return std::vector<durable::TableEntry>{};
  DDC_CO_ASSIGN_OR_RETURN(std::vector<durable::TableEntry> entries, co_await table->Scan());
  std::sort(
      entries.begin(), entries.end(),
      [](const durable::TableEntry& a, const durable::TableEntry& b) { return a.key < b.key; });
  co_return entries;
}

asio::awaitable<absl::Status> Shard::DropTable(int slot) {
  Slot& s = slots_[slot];
  if (s.table == nullptr) co_return absl::OkStatus();
  const std::vector<Region> regions = s.table->Regions();
  s.table.reset();
  for (const Region& region : regions) {
    DDC_CO_RETURN_IF_ERROR(co_await self_.memory().Free(region));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<KvReply>> Shard::Execute(const KvRequest& request, int slot) {
  KvReply reply;
  switch (request.command()) {
    case GET: {
      DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value,
                              co_await Lookup(slot, request.args(0)));
      if (value) {
        reply.set_kind(VALUE);
        reply.set_value(*std::move(value));
      } else {
        reply.set_kind(NIL);
      }
      break;
    }
    case SET:
      DDC_CO_RETURN_IF_ERROR(co_await Store(slot, request.args(0), request.args(1)));
      reply.set_kind(OK);
      break;
    case DEL: {
      DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value,
                              co_await Lookup(slot, request.args(0)));
      if (value) DDC_CO_RETURN_IF_ERROR(co_await Store(slot, request.args(0), std::nullopt));
      reply.set_kind(INTEGER);
      reply.set_integer(value ? 1 : 0);
      break;
    }
    case INCR: {
      DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value,
                              co_await Lookup(slot, request.args(0)));
      std::optional<int64_t> current = value ? lincheck::ParseInteger(*value) : int64_t{0};
      if (!current) co_return ErrorReply("ERR value is not an integer or out of range");
      if (*current == std::numeric_limits<int64_t>::max()) {
        co_return ErrorReply("ERR increment or decrement would overflow");
      }
      const int64_t next = *current + 1;
      DDC_CO_RETURN_IF_ERROR(co_await Store(slot, request.args(0), absl::StrCat(next)));
      reply.set_kind(INTEGER);
      reply.set_integer(next);
      break;
    }
    case MGET: {
      reply.set_kind(ARRAY);
      for (const std::string& key : request.args()) {
        DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value, co_await Lookup(slot, key));
        OptionalValue* out = reply.add_values();
        if (value) out->set_value(*std::move(value));
      }
      break;
    }
    case SCAN: {
      DDC_CO_ASSIGN_OR_RETURN(std::vector<durable::TableEntry> entries, co_await Entries(slot));
      reply.set_kind(KEYS);
      for (durable::TableEntry& entry : entries) reply.add_keys(std::move(entry.key));
      break;
    }
    default:
      co_return ErrorReply("ERR unknown command");
  }
  if (IsWrite(request.command()) && slots_[slot].tracking) {
    slots_[slot].dirty.insert(request.args(0));
  }
  co_return reply;
}

asio::awaitable<absl::StatusOr<int>> Shard::PresentKeys(const KvRequest& request, int slot) {
  int present = 0;
  for (const std::string& key : request.args()) {
    DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value, co_await Lookup(slot, key));
    if (value) ++present;
  }
  co_return present;
}

asio::awaitable<absl::StatusOr<KvReply>> Shard::Decide(const KvRequest& request, int slot) {
  const Slot& s = slots_[slot];
  KvReply redirect;
  redirect.set_slot(slot);
  if (s.owned && s.migrating_to != kNoProcess && request.command() != SCAN) {
    // Legacy migration, source side: serve keys still here; send the client to the target for
    // keys already moved (or never here); a multi-key command split by the move must wait.
    DDC_CO_ASSIGN_OR_RETURN(const int present, co_await PresentKeys(request, slot));
    if (present == request.args_size() || (request.command() != MGET && present > 0)) {
      co_return co_await Execute(request, slot);
    }
    if (present == 0) {
      redirect.set_kind(ASK);
      redirect.set_shard(Index(s.migrating_to));
      co_return redirect;
    }
    redirect.set_kind(TRYAGAIN);
    co_return redirect;
  }
  if (s.owned) co_return co_await Execute(request, slot);
  if (s.importing_from != kNoProcess && request.asking()) {
    if (request.command() == MGET) {
      DDC_CO_ASSIGN_OR_RETURN(const int present, co_await PresentKeys(request, slot));
      if (present != request.args_size()) {
        redirect.set_kind(TRYAGAIN);
        co_return redirect;
      }
    }
    co_return co_await Execute(request, slot);
  }
  redirect.set_kind(MOVED);
  if (s.moved_to != kNoProcess) {
    redirect.set_shard(Index(s.moved_to));
    redirect.set_epoch(s.moved_epoch);
  }
  co_return redirect;
}

// ---- Handlers ----

asio::awaitable<absl::Status> Shard::OnCommand(Received<KvRequest> in) {
  absl::StatusOr<int> slot = CommandSlot(*in);
  if (!slot.ok()) co_return self_.Reply(in.envelope(), ErrorReply(slot.status().message()));
  co_await self_.Compute(config_.command_cpu);
  const bool write = IsWrite(in->command());
  for (;;) {
    co_await mutex_.Lock(self_);
    const Pause pause = slots_[*slot].pause;
    if (pause == Pause::kAll || (pause == Pause::kWrites && write)) {
      mutex_.Unlock();
      co_await unpaused_.Wait(self_);
      continue;
    }
    absl::StatusOr<KvReply> reply = co_await Decide(*in, *slot);
    mutex_.Unlock();
    if (!reply.ok()) co_return reply.status();
    co_return self_.Reply(in.envelope(), *std::move(reply));
  }
}

asio::awaitable<absl::Status> Shard::OnSetSlot(Received<SetSlotRequest> in) {
  const SetSlotRequest& request = *in;
  if (request.slot() >= static_cast<uint32_t>(kSlotCount)) {
    co_return self_.Reply(in.envelope(),
                          AdminError(absl::StrCat("slot ", request.slot(), " out of range")));
  }
  const int slot = static_cast<int>(request.slot());
  co_await mutex_.Lock(self_);
  Slot& s = slots_[slot];
  std::string error;
  switch (request.state()) {
    case IMPORTING:
      if (s.owned) {
        error = absl::StrCat("slot ", slot, " is already mine");
      } else if (!IsShard(request.peer())) {
        error = absl::StrCat("import from a nonexistent shard (process ", request.peer(), ")");
      } else {
        s.importing_from = ProcessId{request.peer()};
      }
      break;
    case MIGRATING:
      if (!s.owned) {
        error = absl::StrCat("slot ", slot, " is not mine");
      } else if (absl::Status target = CheckTarget(request.peer()); !target.ok()) {
        error = std::string(target.message());
      } else {
        s.migrating_to = ProcessId{request.peer()};
      }
      break;
    case NODE:
      if (!IsShard(request.peer())) {
        error = absl::StrCat("slot owner is a nonexistent shard (process ", request.peer(), ")");
      } else if (request.epoch() <= s.epoch && ProcessId{request.peer()} == me()) {
        error = absl::StrCat("epoch ", request.epoch(), " is not newer than ", s.epoch);
      } else if (ProcessId{request.peer()} == me()) {
        Acquire(slot, request.epoch());
        absl::Status written = co_await WriteDirectory(slot, slot);
        if (!written.ok()) {
          mutex_.Unlock();
          co_return written;
        }
      } else {
        const bool was_owner = s.owned;
        Release(slot, ProcessId{request.peer()}, request.epoch());
        s.importing_from = kNoProcess;
        if (was_owner) {
          absl::Status dropped = co_await WriteDirectory(slot, slot);
          if (dropped.ok()) dropped = co_await DropTable(slot);
          if (!dropped.ok()) {
            mutex_.Unlock();
            co_return dropped;
          }
        }
      }
      break;
    case STABLE:
      s.migrating_to = kNoProcess;
      s.importing_from = kNoProcess;
      break;
    default:
      error = "unknown SETSLOT state";
  }
  mutex_.Unlock();
  SampleMapped(false);
  co_return self_.Reply(in.envelope(), error.empty() ? AdminReply() : AdminError(error));
}

asio::awaitable<absl::Status> Shard::OnGetKeys(Received<GetKeysInSlotRequest> in) {
  if (in->slot() >= static_cast<uint32_t>(kSlotCount)) {
    co_return self_.Reply(in.envelope(), AdminError("slot out of range"));
  }
  co_await mutex_.Lock(self_);
  absl::StatusOr<std::vector<durable::TableEntry>> entries = co_await Entries(in->slot());
  mutex_.Unlock();
  DDC_CO_RETURN_IF_ERROR(entries.status());
  AdminReply reply;
  for (const durable::TableEntry& entry : *entries) {
    if (reply.keys_size() >= static_cast<int>(in->count())) break;
    reply.add_keys(entry.key);
  }
  co_return self_.Reply(in.envelope(), reply);
}

asio::awaitable<absl::Status> Shard::CallTarget(ProcessId target, RestoreRequest restore,
                                                AdminReply& stats) {
  const int64_t request_bytes = static_cast<int64_t>(restore.ByteSizeLong());
  DDC_CO_ASSIGN_OR_RETURN(
      Received<AdminReply> reply,
      co_await self_.Call<AdminReply>(target, std::move(restore), config_.call_timeout));
  stats.set_round_trips(stats.round_trips() + 1);
  stats.set_wire_bytes(stats.wire_bytes() + request_bytes + reply.envelope().wire_bytes());
  if (reply->has_error()) co_return absl::AbortedError(reply->error());
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Shard::OnMigrate(Received<MigrateRequest> in) {
  const MigrateRequest& request = *in;
  if (request.slot() >= static_cast<uint32_t>(kSlotCount)) {
    co_return self_.Reply(in.envelope(), AdminError("slot out of range"));
  }
  if (absl::Status target = CheckTarget(request.target()); !target.ok()) {
    co_return self_.Reply(in.envelope(), AdminError(target.message()));
  }
  const int slot = static_cast<int>(request.slot());
  // MIGRATE holds the shard for the whole exchange with the target, as Redis's MIGRATE blocks
  // its server: nothing else runs on the source meanwhile.
  co_await mutex_.Lock(self_);
  const Time locked_at = self_.Now();
  AdminReply stats;
  RestoreRequest restore;
  restore.set_slot(slot);
  std::vector<std::string> moved;
  absl::Status status = absl::OkStatus();
  for (const std::string& key : request.keys()) {
    absl::StatusOr<std::optional<std::string>> value = co_await Lookup(slot, key);
    if (!value.ok()) {
      status = value.status();
      break;
    }
    if (!*value) continue;
    KeyValue* entry = restore.add_entries();
    entry->set_key(key);
    stats.set_bytes_moved(stats.bytes_moved() +
                          static_cast<int64_t>(key.size() + (*value)->size()));
    entry->set_value(std::move(**value));
    moved.push_back(key);
  }
  std::string refused;
  if (status.ok() && !moved.empty()) {
    absl::Status sent = co_await CallTarget(ProcessId{request.target()}, std::move(restore), stats);
    if (sent.ok()) {
      for (const std::string& key : moved) {
        status = co_await Store(slot, key, std::nullopt);
        if (!status.ok()) break;
      }
    } else {
      refused = absl::StrCat("MIGRATE to ", request.target(), ": ", sent.ToString());
    }
  }
  stats.set_pause_ns(self_.Now() - locked_at);
  mutex_.Unlock();
  DDC_CO_RETURN_IF_ERROR(status);
  if (!refused.empty()) co_return self_.Reply(in.envelope(), AdminError(refused));
  stats.set_keys_moved(static_cast<int64_t>(moved.size()));
  co_return self_.Reply(in.envelope(), stats);
}

asio::awaitable<absl::Status> Shard::OnRestore(Received<RestoreRequest> in) {
  const RestoreRequest& request = *in;
  if (request.slot() >= static_cast<uint32_t>(kSlotCount)) {
    co_return self_.Reply(in.envelope(), AdminError("slot out of range"));
  }
  const int slot = static_cast<int>(request.slot());
  co_await mutex_.Lock(self_);
  const Slot& s = slots_[slot];
  const bool expected =
      request.job() == 0 ? s.importing_from == in.envelope().from() : s.import_job == request.job();
  if (!expected) {
    mutex_.Unlock();
    co_return self_.Reply(in.envelope(),
                          AdminError(absl::StrCat("slot ", slot, " is not being imported from ",
                                                  Index(in.envelope().from()))));
  }
  absl::Status status = absl::OkStatus();
  for (const KeyValue& entry : request.entries()) {
    std::optional<std::string> value;
    if (entry.has_value()) value = entry.value();
    status = co_await Store(slot, entry.key(), value);
    if (!status.ok()) break;
  }
  mutex_.Unlock();
  DDC_CO_RETURN_IF_ERROR(status);
  SampleMapped(false);
  co_return self_.Reply(in.envelope(), AdminReply());
}

asio::awaitable<absl::Status> Shard::OnImport(Received<ImportRequest> in) {
  const ImportRequest& request = *in;
  co_await mutex_.Lock(self_);
  std::string error;
  for (uint32_t slot : request.slots()) {
    if (slot >= static_cast<uint32_t>(kSlotCount)) {
      error = "slot out of range";
    } else if (request.phase() == ImportRequest::BEGIN &&
               (slots_[slot].owned || slots_[slot].import_job != 0)) {
      error = absl::StrCat("slot ", slot, " is mine or already being imported");
    } else if (request.phase() != ImportRequest::BEGIN &&
               slots_[slot].import_job != request.job()) {
      error = absl::StrCat("slot ", slot, " is not being imported by job ", request.job());
    } else if (request.phase() == ImportRequest::FINISH && request.epoch() <= slots_[slot].epoch) {
      error = absl::StrCat("epoch ", request.epoch(), " is not newer than ", slots_[slot].epoch);
    }
    if (!error.empty()) break;
  }
  absl::Status status = absl::OkStatus();
  if (error.empty()) {
    for (uint32_t slot : request.slots()) {
      Slot& s = slots_[slot];
      switch (request.phase()) {
        case ImportRequest::BEGIN:
          s.import_job = request.job();
          break;
        case ImportRequest::FINISH:
          Acquire(static_cast<int>(slot), request.epoch());
          break;
        case ImportRequest::ABORT:
          s.import_job = 0;
          status = co_await DropTable(static_cast<int>(slot));
          break;
        default:
          error = "unknown import phase";
      }
      if (!status.ok() || !error.empty()) break;
    }
    if (status.ok() && error.empty() && request.phase() == ImportRequest::FINISH) {
      status =
          co_await WriteDirectory(std::vector<int>(request.slots().begin(), request.slots().end()));
    }
  }
  mutex_.Unlock();
  DDC_CO_RETURN_IF_ERROR(status);
  co_return self_.Reply(in.envelope(), error.empty() ? AdminReply() : AdminError(error));
}

asio::awaitable<absl::Status> Shard::OnCancel(Received<CancelMoveRequest> in) {
  cancelled_jobs_.insert(in->job());
  co_return self_.Reply(in.envelope(), AdminReply());
}

asio::awaitable<absl::Status> Shard::OnMoveSlots(Received<MoveSlotsRequest> in) {
  const MoveSlotsRequest& request = *in;
  std::string error;
  if (absl::Status target = CheckTarget(request.target()); !target.ok()) {
    error = std::string(target.message());
  } else if (request.slots().empty()) {
    error = "no slots to move";
  } else if (request.method() != SNAPSHOT && request.method() != GRANT) {
    error = "MoveSlots: the method must be SNAPSHOT or GRANT";
  }
  co_await mutex_.Lock(self_);
  for (uint32_t slot : request.slots()) {
    if (!error.empty()) break;
    if (slot >= static_cast<uint32_t>(kSlotCount)) {
      error = "slot out of range";
    } else if (const Slot& s = slots_[slot];
               !s.owned || s.migrating_to != kNoProcess || s.pause != Pause::kNone || s.tracking) {
      error = absl::StrCat("slot ", slot, " is not mine or is already moving");
    } else if (request.epoch() <= s.epoch) {
      error = absl::StrCat("epoch ", request.epoch(), " is not newer than ", s.epoch);
    }
  }
  mutex_.Unlock();
  if (!error.empty()) co_return self_.Reply(in.envelope(), AdminError(error));
  // Two statements, not a conditional expression with a co_await in each branch: GCC 12
  // miscompiles that form (the handler's envelope was lost; see the report).
  absl::StatusOr<AdminReply> reply;
  if (request.method() == SNAPSHOT) {
    reply = co_await MoveBySnapshot(request);
  } else {
    reply = co_await MoveByGrant(request);
  }
  if (!reply.ok()) co_return reply.status();
  SampleMapped(true);
  co_return self_.Reply(in.envelope(), *std::move(reply));
}

asio::awaitable<void> Shard::Throttle(Time started, int64_t bytes, int64_t max_bytes_per_s) {
  if (max_bytes_per_s <= 0) co_return;
  const Time due = started + static_cast<Duration>(static_cast<double>(bytes) * 1e9 /
                                                   static_cast<double>(max_bytes_per_s));
  if (due > self_.Now()) co_await self_.Sleep(due - self_.Now());
}

asio::awaitable<absl::Status> Shard::SendEntries(const MoveSlotsRequest& request, int slot,
                                                 std::vector<KeyValue> entries, Time started,
                                                 AdminReply& stats) {
  const int64_t chunk_bytes = std::max<int64_t>(request.bytes_per_chunk(), 1);
  size_t next = 0;
  while (next < entries.size()) {
    if (cancelled_jobs_.count(request.job())) co_return absl::CancelledError("cancelled");
    RestoreRequest chunk;
    chunk.set_slot(slot);
    chunk.set_job(request.job());
    int64_t bytes = 0;
    while (next < entries.size() && (bytes == 0 || bytes < chunk_bytes)) {
      bytes += static_cast<int64_t>(entries[next].key().size() + entries[next].value().size());
      *chunk.add_entries() = std::move(entries[next]);
      ++next;
    }
    const int64_t keys = chunk.entries_size();
    DDC_CO_RETURN_IF_ERROR(
        co_await CallTarget(ProcessId{request.target()}, std::move(chunk), stats));
    stats.set_keys_moved(stats.keys_moved() + keys);
    stats.set_bytes_moved(stats.bytes_moved() + bytes);
    co_await Throttle(started, stats.bytes_moved(), request.max_bytes_per_s());
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::map<int, std::vector<KeyValue>>>> Shard::CollectChanges(
    const std::vector<int>& slots, int64_t& count) {
  std::map<int, std::vector<KeyValue>> changes;
  count = 0;
  for (int slot : slots) {
    std::set<std::string> dirty;
    dirty.swap(slots_[slot].dirty);
    for (const std::string& key : dirty) {
      DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> value, co_await Lookup(slot, key));
      KeyValue entry;
      entry.set_key(key);
      if (value) entry.set_value(*std::move(value));
      changes[slot].push_back(std::move(entry));
      ++count;
    }
  }
  co_return changes;
}

asio::awaitable<absl::StatusOr<AdminReply>> Shard::MoveBySnapshot(const MoveSlotsRequest& request) {
  const ProcessId target{request.target()};
  const std::vector<int> slots(request.slots().begin(), request.slots().end());
  const Time started = self_.Now();
  AdminReply stats;
  ImportRequest begin;
  begin.set_job(request.job());
  begin.mutable_slots()->CopyFrom(request.slots());
  begin.set_phase(ImportRequest::BEGIN);
  const int64_t begin_bytes = static_cast<int64_t>(begin.ByteSizeLong());
  absl::StatusOr<Received<AdminReply>> opened =
      co_await self_.Call<AdminReply>(target, std::move(begin), config_.call_timeout);
  if (!opened.ok()) co_return opened.status();
  stats.set_round_trips(1);
  stats.set_wire_bytes(begin_bytes + opened->envelope().wire_bytes());
  if ((*opened)->has_error()) co_return AdminError((*opened)->error());

  // The snapshot: each slot's entries at one instant (under the mutex), with change tracking
  // switched on at that same instant, so every later write is in the change stream.
  absl::Status status = absl::OkStatus();
  for (int slot : slots) {
    co_await mutex_.Lock(self_);
    absl::StatusOr<std::vector<durable::TableEntry>> entries = co_await Entries(slot);
    if (entries.ok()) {
      slots_[slot].tracking = true;
      slots_[slot].dirty.clear();
    }
    mutex_.Unlock();
    if (!entries.ok()) co_return entries.status();
    std::vector<KeyValue> out;
    out.reserve(entries->size());
    for (durable::TableEntry& entry : *entries) {
      KeyValue kv;
      kv.set_key(std::move(entry.key));
      kv.set_value(std::move(entry.value));
      out.push_back(std::move(kv));
    }
    status = co_await SendEntries(request, slot, std::move(out), started, stats);
    if (!status.ok()) break;
  }
  // The change stream: send what changed meanwhile until little is left.
  constexpr int kCatchUpRounds = 4;
  constexpr int64_t kSmallDelta = 32;
  for (int round = 0; status.ok() && round < kCatchUpRounds; ++round) {
    int64_t count = 0;
    co_await mutex_.Lock(self_);
    absl::StatusOr<std::map<int, std::vector<KeyValue>>> changes =
        co_await CollectChanges(slots, count);
    mutex_.Unlock();
    if (!changes.ok()) co_return changes.status();
    for (auto& [slot, entries] : *changes) {
      status = co_await SendEntries(request, slot, std::move(entries), started, stats);
      if (!status.ok()) break;
    }
    if (count <= kSmallDelta) break;
  }
  // The write pause: the last changes and the handover.
  Time paused_at = -1;
  if (status.ok()) {
    co_await mutex_.Lock(self_);
    paused_at = self_.Now();
    for (int slot : slots) slots_[slot].pause = Pause::kWrites;
    int64_t count = 0;
    absl::StatusOr<std::map<int, std::vector<KeyValue>>> changes =
        co_await CollectChanges(slots, count);
    mutex_.Unlock();
    if (!changes.ok()) co_return changes.status();
    for (auto& [slot, entries] : *changes) {
      status = co_await SendEntries(request, slot, std::move(entries), started, stats);
      if (!status.ok()) break;
    }
  }
  if (status.ok() && cancelled_jobs_.count(request.job()))
    status = absl::CancelledError("cancelled");
  ImportRequest finish;
  finish.set_job(request.job());
  finish.mutable_slots()->CopyFrom(request.slots());
  finish.set_phase(status.ok() ? ImportRequest::FINISH : ImportRequest::ABORT);
  finish.set_epoch(request.epoch());
  const int64_t finish_bytes = static_cast<int64_t>(finish.ByteSizeLong());
  absl::StatusOr<Received<AdminReply>> finished =
      co_await self_.Call<AdminReply>(target, std::move(finish), config_.call_timeout);
  if (finished.ok()) {
    stats.set_round_trips(stats.round_trips() + 1);
    stats.set_wire_bytes(stats.wire_bytes() + finish_bytes + finished->envelope().wire_bytes());
    if ((*finished)->has_error() && status.ok()) {
      status = absl::AbortedError((*finished)->error());
    }
  } else if (status.ok()) {
    status = finished.status();
  }
  // Hand the slots over (or keep them, when cancelled or refused) and lift the pause.
  co_await mutex_.Lock(self_);
  absl::Status dropped = absl::OkStatus();
  for (int slot : slots) {
    Slot& s = slots_[slot];
    s.pause = Pause::kNone;
    s.tracking = false;
    s.dirty.clear();
    if (!status.ok()) continue;
    Release(slot, target, request.epoch());
    if (dropped.ok()) dropped = co_await DropTable(slot);
  }
  if (dropped.ok() && status.ok()) dropped = co_await WriteDirectory(slots);
  mutex_.Unlock();
  unpaused_.WakeAll();
  cancelled_jobs_.erase(request.job());
  DDC_CO_RETURN_IF_ERROR(dropped);
  if (paused_at >= 0) stats.set_pause_ns(self_.Now() - paused_at);
  if (!status.ok()) co_return AdminError(status.ToString());
  co_return stats;
}

asio::awaitable<absl::StatusOr<AdminReply>> Shard::MoveByGrant(const MoveSlotsRequest& request) {
  const ProcessId target{request.target()};
  AdminReply stats;
  if (cancelled_jobs_.count(request.job())) {
    cancelled_jobs_.erase(request.job());
    co_return AdminError("CANCELLED: cancelled");
  }
  // Pause the slots for readers and writers alike (their pages change hands), after every
  // command in flight (they hold the mutex), and clear them from the directory first, so a
  // standby never opens pages that are on their way out.
  co_await mutex_.Lock(self_);
  const Time paused_at = self_.Now();
  std::vector<Region> regions;
  SlotHandover handover;
  handover.set_epoch(request.epoch());
  handover.set_source(Index(me()));
  absl::Status status = absl::OkStatus();
  for (uint32_t slot : request.slots()) {
    Slot& s = slots_[slot];
    s.pause = Pause::kAll;
    handover.add_slots(slot);
    handover.add_roots(s.table == nullptr ? 0 : s.table->root());
    if (s.table != nullptr) {
      for (const Region& region : s.table->Regions()) {
        regions.push_back(region);
        stats.set_bytes_moved(stats.bytes_moved() + region.length);
      }
    }
  }
  mutex_.Unlock();
  if (!regions.empty()) status = co_await self_.memory().Grant(regions, target);
  if (status.ok()) {
    const int64_t handover_bytes = static_cast<int64_t>(handover.ByteSizeLong());
    absl::StatusOr<Received<AdminReply>> reply =
        co_await self_.Call<AdminReply>(target, std::move(handover), config_.call_timeout);
    if (!reply.ok()) co_return reply.status();  // the pages are the target's now
    stats.set_round_trips(1);
    stats.set_wire_bytes(handover_bytes + reply->envelope().wire_bytes());
    if ((*reply)->has_error()) co_return absl::InternalError((*reply)->error());
  }
  co_await mutex_.Lock(self_);
  for (uint32_t slot : request.slots()) {
    Slot& s = slots_[slot];
    s.pause = Pause::kNone;
    if (!status.ok()) continue;
    s.table.reset();
    Release(static_cast<int>(slot), target, request.epoch());
  }
  if (status.ok()) {
    absl::Status cleared =
        co_await WriteDirectory(std::vector<int>(request.slots().begin(), request.slots().end()));
    if (!cleared.ok()) {
      mutex_.Unlock();
      co_return cleared;
    }
  }
  mutex_.Unlock();
  unpaused_.WakeAll();
  stats.set_pause_ns(self_.Now() - paused_at);
  stats.set_keys_moved(0);
  if (!status.ok()) co_return AdminError(status.ToString());
  co_return stats;
}

asio::awaitable<absl::Status> Shard::OnHandover(Received<SlotHandover> in) {
  const SlotHandover& handover = *in;
  std::string error;
  if (handover.slots_size() != handover.roots_size()) error = "slots and roots differ in number";
  co_await mutex_.Lock(self_);
  for (int i = 0; error.empty() && i < handover.slots_size(); ++i) {
    const uint32_t slot = handover.slots(i);
    if (slot >= static_cast<uint32_t>(kSlotCount)) {
      error = "slot out of range";
    } else if (slots_[slot].owned || handover.epoch() <= slots_[slot].epoch) {
      error = absl::StrCat("slot ", slot, " is mine or the epoch is old");
    }
  }
  absl::Status status = absl::OkStatus();
  for (int i = 0; error.empty() && status.ok() && i < handover.slots_size(); ++i) {
    const int slot = static_cast<int>(handover.slots(i));
    if (handover.roots(i) != 0) {
      absl::StatusOr<PageHashTable> table =
          co_await PageHashTable::Open(self_.memory(), handover.roots(i));
      if (!table.ok()) {
        status = table.status();
        break;
      }
      slots_[slot].table = std::make_unique<PageHashTable>(*std::move(table));
    }
    Acquire(slot, handover.epoch());
  }
  if (status.ok() && error.empty()) {
    status =
        co_await WriteDirectory(std::vector<int>(handover.slots().begin(), handover.slots().end()));
  }
  mutex_.Unlock();
  DDC_CO_RETURN_IF_ERROR(status);
  SampleMapped(true);
  co_return self_.Reply(in.envelope(), error.empty() ? AdminReply() : AdminError(error));
}

}  // namespace

asio::awaitable<absl::Status> RunShard(Process& self, ShardConfig config,
                                       ClusterObserver* observer) {
  Shard shard(self, std::move(config), observer);
  DDC_CO_RETURN_IF_ERROR(shard.Start());
  DDC_CO_RETURN_IF_ERROR(co_await shard.Create());
  co_await self.WaitForever();
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> RunShardStandby(Process& self, ShardConfig config,
                                              ClusterObserver* observer) {
  if (self.mode() != Mode::kExposed) co_return absl::OkStatus();
  const std::optional<ProcessId> victim = self.FindProcess(config.name);
  if (!victim) co_return absl::NotFoundError(absl::StrCat("no shard named ", config.name));
  DDC_CO_RETURN_IF_ERROR(
      co_await self.memory().JoinTrustGroup(config.trust_group, config.trust_group));
  DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(*victim));
  std::optional<Received<platform::ProcessDeathNotice>> notice =
      co_await self.ReceiveOf<platform::ProcessDeathNotice>();
  if (!notice) co_return absl::InternalError("standby: no death notice");
  DDC_CO_ASSIGN_OR_RETURN(
      std::vector<Region> stolen,
      co_await self.memory().Steal(*victim, Capability(config.trust_group, config.trust_group),
                                   std::nullopt));
  DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(*victim));
  Shard shard(self, std::move(config), observer);
  DDC_CO_RETURN_IF_ERROR(shard.Start());
  DDC_CO_RETURN_IF_ERROR(co_await shard.Recover());
  observer->takeover_at = self.Now();
  self.TraceInstant("takeover", absl::StrCat("{\"regions\":", stolen.size(), "}"));
  co_await self.WaitForever();
  co_return absl::OkStatus();
}

}  // namespace ddc::kvstore
