#include "kvstore/shard.h"

#include "kvstore/shard_internal.h"

namespace ddc::kvstore::shard_internal {

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
  self_.Serve<PageHolderRequest>(
      [this](Received<PageHolderRequest> in) -> asio::awaitable<absl::Status> {
        AdminReply holder;
        holder.set_process(Index(self_.id()));
        co_return self_.Reply(in.envelope(), holder);
      });
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
  // Repeated until the coordinator acknowledges it: a lost readiness would stall the startup.
  absl::StatusOr<Received<AdminReply>> acknowledged = co_await RetryingCall<AdminReply>(
      self_, *coordinator, ShardReady(), {.timeout = config_.call_timeout});
  co_return acknowledged.status();
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
    if ((root & kHandedOverMarker) != 0) {
      Release(slot, ProcessId{static_cast<uint32_t>(root)}, epoch);
      continue;
    }
    if (root != 0) {
      absl::StatusOr<PageHashTable> table = co_await PageHashTable::Open(self_.memory(), root);
      if (!table.ok()) {
        // The slot's pages are not the victim's any more: it died between granting them away
        // and recording the handover. The coordinator's retry of that batch reaches this
        // standby, which then sends the target the root (MoveByGrant).
        slots_[slot].orphan_root = root;
        slots_[slot].epoch = epoch;
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
  s.orphan_root = 0;
  observer_->RecordOwnership(slot, epoch, me());
}

void Shard::Release(int slot, ProcessId to, uint64_t epoch) {
  Slot& s = slots_[slot];
  s.owned = false;
  s.moved_to = to;
  s.moved_epoch = epoch;
  s.migrating_to = kNoProcess;
  s.orphan_root = 0;
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
    uint64_t root = s.owned && s.table != nullptr ? s.table->root() : 0;
    uint64_t epoch = s.owned ? s.epoch : 0;
    if (!s.owned && s.moved_to != kNoProcess) {
      root = kHandedOverMarker | Index(s.moved_to);
      epoch = s.moved_epoch;
    }
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

}  // namespace ddc::kvstore::shard_internal

namespace ddc::kvstore {

using shard_internal::Shard;

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
