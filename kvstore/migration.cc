#include "kvstore/migration.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kvstore/retry.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {
namespace {

// Admin calls one round trip each, retried until answered (every shard handler is idempotent;
// a batch still moving answers in_progress, and is asked again, with a fresh give-up clock,
// after call_timeout). The reply's error becomes FAILED_PRECONDITION, or CANCELLED when the
// source reports a cancellation, or DEADLINE_EXCEEDED when the source gave up on its peer.
template <typename Req>
asio::awaitable<absl::StatusOr<AdminReply>> Admin(Process& self, ProcessId to, const Req& request,
                                                  RetryPolicy retry, MigrationProgress& progress) {
  const int64_t request_bytes = static_cast<int64_t>(request.ByteSizeLong());
  absl::StatusOr<Received<AdminReply>> reply;
  for (;;) {
    reply = co_await RetryingCall<AdminReply>(self, to, request, retry, &progress.retries);
    if (!reply.ok() || !(*reply)->in_progress()) break;
    co_await self.Sleep(retry.timeout);
    ++progress.retries;
  }
  if (!reply.ok()) {
    co_return absl::Status(reply.status().code(),
                           absl::StrCat("process ", Index(to), ": ", reply.status().message()));
  }
  ++progress.round_trips;
  progress.wire_bytes += request_bytes + reply->envelope().wire_bytes();
  const AdminReply& out = **reply;
  progress.round_trips += out.round_trips();
  progress.wire_bytes += out.wire_bytes();
  if (out.has_error()) {
    if (absl::StrContains(out.error(), "CANCELLED")) co_return absl::CancelledError(out.error());
    if (absl::StrContains(out.error(), "DEADLINE_EXCEEDED")) {
      co_return absl::DeadlineExceededError(absl::StrCat("process ", Index(to), ": ", out.error()));
    }
    co_return absl::FailedPreconditionError(absl::StrCat("process ", Index(to), ": ", out.error()));
  }
  co_return out;
}

RetryPolicy RetryOf(const MigrationOptions& options) {
  return {.timeout = options.call_timeout, .give_up_after = options.give_up_after};
}

void CountPause(MigrationProgress& progress, Duration pause) {
  ++progress.pauses;
  progress.longest_pause = std::max(progress.longest_pause, pause);
  progress.total_pause += pause;
}

asio::awaitable<void> Throttle(Process& self, Time started, int64_t bytes, int64_t rate) {
  if (rate <= 0) co_return;
  const Time due =
      started + static_cast<Duration>(static_cast<double>(bytes) * 1e9 / static_cast<double>(rate));
  if (due > self.Now()) co_await self.Sleep(due - self.Now());
}

SetSlotRequest SetSlot(int slot, SlotState state, ProcessId peer, uint64_t epoch = 0) {
  SetSlotRequest request;
  request.set_slot(slot);
  request.set_state(state);
  request.set_peer(Index(peer));
  if (epoch != 0) request.set_epoch(epoch);
  return request;
}

class LegacyDriver final : public MigrationDriver {
 public:
  explicit LegacyDriver(MigrationOptions options) : options_(options) {}
  Method method() const override { return LEGACY; }

  asio::awaitable<absl::Status> Move(Process& self, const SlotMove& move,
                                     const NextEpoch& next_epoch, const OnMoved& on_moved,
                                     MigrationControl& control,
                                     MigrationProgress& progress) override {
    const Time started = self.Now();
    const int64_t bytes_before = progress.bytes_moved;
    const RetryPolicy retry = RetryOf(options_);
    for (int slot : move.slots) {
      if (control.cancel_requested()) co_return absl::CancelledError("migration cancelled");
      DDC_CO_RETURN_IF_ERROR(
          (co_await Admin(self, move.target, SetSlot(slot, IMPORTING, move.source), retry,
                          progress))
              .status());
      absl::StatusOr<AdminReply> migrating =
          co_await Admin(self, move.source, SetSlot(slot, MIGRATING, move.target), retry, progress);
      if (!migrating.ok()) {
        // Leave the target as it was before reporting the refusal.
        DDC_CO_RETURN_IF_ERROR(
            (co_await Admin(self, move.target, SetSlot(slot, STABLE, move.source), retry, progress))
                .status());
        co_return migrating.status();
      }
      for (;;) {
        GetKeysInSlotRequest get;
        get.set_slot(slot);
        get.set_count(options_.keys_per_batch);
        DDC_CO_ASSIGN_OR_RETURN(AdminReply keys,
                                co_await Admin(self, move.source, get, retry, progress));
        if (keys.keys_size() == 0) break;
        MigrateRequest migrate;
        migrate.set_slot(slot);
        migrate.set_target(Index(move.target));
        migrate.mutable_keys()->Swap(keys.mutable_keys());
        DDC_CO_ASSIGN_OR_RETURN(AdminReply moved,
                                co_await Admin(self, move.source, migrate, retry, progress));
        progress.keys_moved += moved.keys_moved();
        progress.bytes_moved += moved.bytes_moved();
        CountPause(progress, moved.pause_ns());
        co_await Throttle(self, started, progress.bytes_moved - bytes_before,
                          options_.max_bytes_per_s);
        // A short batch was the slot's last: redis-cli asks again only after a full one.
        if (migrate.keys_size() < options_.keys_per_batch) break;
      }
      const uint64_t epoch = next_epoch();
      DDC_CO_RETURN_IF_ERROR(
          (co_await Admin(self, move.target, SetSlot(slot, NODE, move.target, epoch), retry,
                          progress))
              .status());
      DDC_CO_RETURN_IF_ERROR(
          (co_await Admin(self, move.source, SetSlot(slot, NODE, move.target, epoch), retry,
                          progress))
              .status());
      ++progress.slots_moved;
      on_moved({slot}, move.target, epoch);
    }
    co_return absl::OkStatus();
  }

 private:
  const MigrationOptions options_;
};

// BatchDriver serves snapshot and grant: the source does the work, one batch per call.
class BatchDriver final : public MigrationDriver {
 public:
  explicit BatchDriver(MigrationOptions options) : options_(options) {}
  Method method() const override { return options_.method; }

  asio::awaitable<absl::Status> Move(Process& self, const SlotMove& move,
                                     const NextEpoch& next_epoch, const OnMoved& on_moved,
                                     MigrationControl& control,
                                     MigrationProgress& progress) override {
    const int batch = options_.slots_per_batch;
    const Time started = self.Now();
    const int64_t bytes_before = progress.bytes_moved;
    for (size_t first = 0; first < move.slots.size(); first += batch) {
      if (control.cancel_requested()) co_return absl::CancelledError("migration cancelled");
      const size_t last = std::min(move.slots.size(), first + batch);
      std::vector<int> slots(move.slots.begin() + first, move.slots.begin() + last);
      MoveSlotsRequest request;
      request.set_job(++jobs_);
      request.set_method(options_.method);
      for (int slot : slots) request.add_slots(slot);
      request.set_target(Index(move.target));
      const uint64_t epoch = next_epoch();
      request.set_epoch(epoch);
      if (options_.max_bytes_per_s > 0) {
        // The source limits its own rate within a batch; across batches the driver does.
        request.set_max_bytes_per_s(options_.max_bytes_per_s);
      }
      request.set_bytes_per_chunk(options_.bytes_per_chunk);
      control.active_source = move.source;
      control.active_job = request.job();
      absl::StatusOr<AdminReply> reply =
          co_await Admin(self, move.source, request, RetryOf(options_), progress);
      control.active_job = 0;
      if (!reply.ok()) co_return reply.status();
      progress.keys_moved += reply->keys_moved();
      progress.bytes_moved += reply->bytes_moved();
      CountPause(progress, reply->pause_ns());
      progress.slots_moved += static_cast<int64_t>(slots.size());
      on_moved(slots, move.target, epoch);
      co_await Throttle(self, started, progress.bytes_moved - bytes_before,
                        options_.max_bytes_per_s);
    }
    co_return absl::OkStatus();
  }

 private:
  const MigrationOptions options_;
  uint64_t jobs_ = 0;
};

}  // namespace

absl::Status ValidateMigrationOptions(const MigrationOptions& options) {
  if (options.method != LEGACY && options.method != SNAPSHOT && options.method != GRANT) {
    return absl::InvalidArgumentError("migration method must be LEGACY, SNAPSHOT or GRANT");
  }
  if (options.keys_per_batch < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("keys_per_batch: must be >= 1, got ", options.keys_per_batch));
  }
  if (options.slots_per_batch < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("slots_per_batch: must be >= 1, got ", options.slots_per_batch));
  }
  if (options.bytes_per_chunk < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bytes_per_chunk: must be >= 1, got ", options.bytes_per_chunk));
  }
  if (options.max_bytes_per_s < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_bytes_per_s: must be >= 0, got ", options.max_bytes_per_s));
  }
  if (options.call_timeout <= 0) return absl::InvalidArgumentError("call_timeout must be > 0");
  if (options.give_up_after <= 0) return absl::InvalidArgumentError("give_up_after must be > 0");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MigrationDriver>> MakeMigrationDriver(MigrationOptions options) {
  if (absl::Status valid = ValidateMigrationOptions(options); !valid.ok()) return valid;
  if (options.method == LEGACY) return std::make_unique<LegacyDriver>(options);
  return std::make_unique<BatchDriver>(options);
}

double LegacyAnalyticRoundTrips(int64_t slots, int64_t keys, int keys_per_batch) {
  if (slots <= 0) return 0;
  const double keys_per_slot = static_cast<double>(keys) / static_cast<double>(slots);
  return static_cast<double>(slots) * (3.0 * keys_per_slot / keys_per_batch + 4.0);
}

}  // namespace ddc::kvstore
