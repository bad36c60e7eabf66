// Snapshot and grant migrations at a shard: the source moves a batch of slots (MoveSlots),
// the target imports them (ImportRequest, RestoreRequest) or opens their granted tables
// (SlotHandover).
#include "kvstore/shard_internal.h"

namespace ddc::kvstore::shard_internal {

asio::awaitable<absl::Status> Shard::OnImport(Received<ImportRequest> in) {
  const ImportRequest& request = *in;
  co_await mutex_.Lock(self_);
  std::string error;
  // Retries and duplicates (kvstore/retry.h): a BEGIN of an open import, a FINISH whose slots
  // are already mine at its epoch and an ABORT of a closed import change nothing; a late BEGIN
  // of a closed import is refused.
  const bool closed = closed_imports_.count(request.job()) > 0;
  auto done = [&](uint32_t slot) {
    const Slot& s = slots_[slot];
    switch (request.phase()) {
      case ImportRequest::BEGIN:
        return s.import_job == request.job();
      case ImportRequest::FINISH:
        return s.owned && s.epoch == request.epoch();
      case ImportRequest::ABORT:
        return closed && s.import_job != request.job();
      default:
        return false;
    }
  };
  for (uint32_t slot : request.slots()) {
    if (slot >= static_cast<uint32_t>(kSlotCount)) {
      error = "slot out of range";
    } else if (done(slot)) {
      continue;
    } else if (request.phase() == ImportRequest::BEGIN &&
               (slots_[slot].owned || slots_[slot].import_job != 0 || closed)) {
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
    if (request.phase() != ImportRequest::BEGIN) closed_imports_.insert(request.job());
    for (uint32_t slot : request.slots()) {
      Slot& s = slots_[slot];
      if (done(slot)) continue;
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
  // A retry or duplicate of a job this shard has seen gets the first one's outcome, or, while
  // the batch is still moving, word that it is (so the caller knows this shard is alive).
  if (auto job = move_jobs_.find(request.job()); job != move_jobs_.end()) {
    if (job->second.has_value()) co_return self_.Reply(in.envelope(), *job->second);
    AdminReply running;
    running.set_in_progress(true);
    co_return self_.Reply(in.envelope(), running);
  }
  move_jobs_[request.job()] = std::nullopt;
  absl::StatusOr<AdminReply> reply = co_await MoveSlots(request);
  if (!reply.ok()) co_return reply.status();
  move_jobs_[request.job()] = *reply;
  co_return self_.Reply(in.envelope(), *std::move(reply));
}

asio::awaitable<absl::StatusOr<AdminReply>> Shard::MoveSlots(const MoveSlotsRequest& request) {
  std::string error;
  if (absl::Status target = CheckTarget(request.target()); !target.ok()) {
    error = std::string(target.message());
  } else if (request.slots().empty()) {
    error = "no slots to move";
  } else if (request.method() != SNAPSHOT && request.method() != GRANT) {
    error = "MoveSlots: the method must be SNAPSHOT or GRANT";
  }
  // A batch this shard (or the victim it took over from) already handed to the target at this
  // epoch was moved by an earlier delivery of this request whose reply was lost.
  int handed_over = 0;
  co_await mutex_.Lock(self_);
  for (uint32_t slot : request.slots()) {
    if (!error.empty()) break;
    if (slot >= static_cast<uint32_t>(kSlotCount)) {
      error = "slot out of range";
      break;
    }
    const Slot& s = slots_[slot];
    if (!s.owned && s.moved_to == ProcessId{request.target()} && s.moved_epoch == request.epoch()) {
      ++handed_over;
    } else if (s.orphan_root != 0 && request.method() == GRANT) {
      if (request.epoch() <= s.epoch) {
        error = absl::StrCat("epoch ", request.epoch(), " is not newer than ", s.epoch);
      }
    } else if (!s.owned || s.migrating_to != kNoProcess || s.pause != Pause::kNone || s.tracking) {
      error = absl::StrCat("slot ", slot, " is not mine or is already moving");
    } else if (request.epoch() <= s.epoch) {
      error = absl::StrCat("epoch ", request.epoch(), " is not newer than ", s.epoch);
    }
  }
  mutex_.Unlock();
  if (error.empty() && handed_over == request.slots_size()) co_return AdminReply();
  if (error.empty() && handed_over > 0) error = "the batch is partly handed over already";
  if (!error.empty()) co_return AdminError(error);
  // Two statements, not a conditional expression with a co_await in each branch: GCC 12
  // miscompiles that form (the handler's envelope was lost; see the report).
  absl::StatusOr<AdminReply> reply;
  if (request.method() == SNAPSHOT) {
    reply = co_await MoveBySnapshot(request);
  } else {
    reply = co_await MoveByGrant(request);
  }
  if (reply.ok()) SampleMapped(true);
  co_return reply;
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
      co_await RetryingCall<AdminReply>(self_, target, begin, Retry());
  if (!opened.ok()) co_return AdminError(opened.status().ToString());  // nothing changed yet
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
      co_await RetryingCall<AdminReply>(self_, target, finish, Retry());
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
    // An orphan's pages are the target's already (granted by the victim before it died).
    handover.add_roots(s.table == nullptr ? s.orphan_root : s.table->root());
    if (s.table != nullptr) {
      for (const Region& region : s.table->Regions()) {
        regions.push_back(region);
        stats.set_bytes_moved(stats.bytes_moved() + region.length);
      }
    }
  }
  mutex_.Unlock();
  if (!regions.empty()) status = co_await GrantTo(regions, target);
  if (status.ok()) {
    const int64_t handover_bytes = static_cast<int64_t>(handover.ByteSizeLong());
    // Retried until the target answers: the pages are the target's now, so the batch stays
    // paused here until the target (or its standby, speaking as it) has opened them.
    RetryPolicy forever = Retry();
    forever.give_up_after = kInfiniteDuration;
    absl::StatusOr<Received<AdminReply>> reply =
        co_await RetryingCall<AdminReply>(self_, target, handover, forever);
    if (!reply.ok()) co_return reply.status();
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

asio::awaitable<absl::Status> Shard::GrantTo(const std::vector<Region>& regions, ProcessId target) {
  absl::Status granted = co_await self_.memory().Grant(regions, target);
  // The target was taken over (its identity is fenced) or is down and about to be (paused or
  // crashed, its standby not in yet): ask its identity which process holds its pages (the call
  // reaches the standby through the ToR's redirect once it took over) and grant to that one.
  RetryPolicy forever = Retry();
  forever.give_up_after = kInfiniteDuration;
  while (absl::IsFailedPrecondition(granted) &&
         (absl::StrContains(granted.message(), "fenced by a steal") ||
          absl::StrContains(granted.message(), "is not running"))) {
    DDC_CO_ASSIGN_OR_RETURN(
        Received<AdminReply> holder,
        co_await RetryingCall<AdminReply>(self_, target, PageHolderRequest(), forever));
    granted = co_await self_.memory().Grant(regions, ProcessId{holder->process()});
    if (!granted.ok()) co_await self_.Sleep(config_.call_timeout);
  }
  co_return granted;
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
    } else if (slots_[slot].owned && handover.epoch() == slots_[slot].epoch) {
      continue;  // a retry or duplicate of this handover: opened already
    } else if (slots_[slot].owned || handover.epoch() <= slots_[slot].epoch) {
      error = absl::StrCat("slot ", slot, " is mine or the epoch is old");
    }
  }
  absl::Status status = absl::OkStatus();
  for (int i = 0; error.empty() && status.ok() && i < handover.slots_size(); ++i) {
    const int slot = static_cast<int>(handover.slots(i));
    if (slots_[slot].owned && handover.epoch() == slots_[slot].epoch) continue;
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

}  // namespace ddc::kvstore::shard_internal
