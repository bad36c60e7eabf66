// Legacy (Redis Cluster) migration at a shard: SETSLOT, GETKEYSINSLOT, MIGRATE and RESTORE.
#include "kvstore/shard_internal.h"

namespace ddc::kvstore::shard_internal {

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
      } else if (ProcessId{request.peer()} == me() && s.owned && request.epoch() == s.epoch) {
        // A retry or duplicate of the SETSLOT NODE that gave this shard the slot: done already.
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
  DDC_CO_ASSIGN_OR_RETURN(Received<AdminReply> reply,
                          co_await RetryingCall<AdminReply>(self_, target, restore, Retry()));
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
  // A copy sent no later than the last one applied is a duplicate or a late retry: applying it
  // again could overwrite a newer value (a client's write after an ASK, or the change stream).
  if (in.envelope().sent_at() <= s.restored_at) {
    mutex_.Unlock();
    co_return self_.Reply(in.envelope(), AdminReply());
  }
  slots_[slot].restored_at = in.envelope().sent_at();
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

}  // namespace ddc::kvstore::shard_internal
