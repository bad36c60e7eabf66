#include "examples/primary_backup/client.h"

#include "absl/strings/str_cat.h"
#include "examples/primary_backup/primary_backup.pb.h"
#include "examples/primary_backup/recovery.h"
#include "platform/random.h"
#include "platform/stats.h"
#include "platform/status_macros.h"

namespace ddc::primary_backup {
namespace {

// Replicas tracks which replica the client is talking to.
class Replicas {
 public:
  Replicas(ProcessId primary, ProcessId backup, Recovery recovery)
      : primary_(primary), backup_(backup), recovery_(recovery) {}

  Role current() const { return current_; }
  ProcessId current_id() const { return current_ == Role::kPrimary ? primary_ : backup_; }

  // AfterFailedCall picks where the next attempt goes.
  void AfterFailedCall() {
    if (recovery_ == Recovery::kReplicateToABackup) {
      current_ = current_ == Role::kPrimary ? Role::kBackup : Role::kPrimary;
    }
  }

 private:
  ProcessId primary_;
  ProcessId backup_;
  Recovery recovery_;
  Role current_ = Role::kPrimary;
};

// CallUntilAnswered calls the current replica with `request` until one answers, recording every
// failed call under `seq`. Silence and resets are retried; any other error is a bug and is
// returned.
template <typename Rep, typename Req>
asio::awaitable<absl::StatusOr<Received<Rep>>> CallUntilAnswered(Process& self, Replicas& replicas,
                                                                 const Req& request, uint64_t seq,
                                                                 Duration call_timeout,
                                                                 ClientReport* report) {
  for (;;) {
    const Time sent_at = self.Now();
    absl::StatusOr<Received<Rep>> reply =
        co_await self.Call<Rep>(replicas.current_id(), request, call_timeout);
    if (reply.ok()) co_return reply;
    const absl::Status& failure = reply.status();
    if (!absl::IsDeadlineExceeded(failure) && !absl::IsUnavailable(failure)) co_return failure;
    report->failed_calls.push_back({.seq = seq,
                                    .target = replicas.current(),
                                    .sent_at = sent_at,
                                    .failed_at = self.Now(),
                                    .code = failure.code()});
    self.stats().Counter("failed_calls").Increment();
    self.TraceInstant("call failed", absl::StrCat("\"seq\":", seq, ",\"code\":\"",
                                                  absl::StatusCodeToString(failure.code()), "\""));
    replicas.AfterFailedCall();
  }
}

}  // namespace

asio::awaitable<absl::Status> RunClient(Process& self, ServiceConfig config, ClientReport* report) {
  const RecoveryPlan plan = PlanRecovery(self.mode(), config);
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId primary, FindPeer(self, kPrimaryName));
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId backup, FindPeer(self, kBackupName));
  DDC_CO_ASSIGN_OR_RETURN(const Exponential think,
                          Exponential::Create(static_cast<double>(config.mean_think_time)));
  Replicas replicas(primary, backup, plan.recovery);

  for (uint64_t seq = 1; seq <= static_cast<uint64_t>(config.increments); ++seq) {
    co_await self.Sleep(static_cast<Duration>(think.Next(self.rng()) + 0.5));
    IncrementRequest increment;
    increment.set_client_seq(seq);
    report->last_sent_seq = seq;
    const Time first_sent_at = self.Now();
    DDC_CO_ASSIGN_OR_RETURN(const Received<IncrementReply> reply,
                            co_await CallUntilAnswered<IncrementReply>(
                                self, replicas, increment, seq, plan.client_call_timeout, report));
    const Ack ack{.seq = seq,
                  .value = reply->value(),
                  .target = replicas.current(),
                  .first_sent_at = first_sent_at,
                  .acked_at = self.Now()};
    report->acks.push_back(ack);
    self.stats().Counter("acks").Increment();
    DDC_CO_RETURN_IF_ERROR(self.stats().Histogram("ack_latency_ns").Record(ack.wait()));
  }

  const ReadRequest read;
  DDC_CO_ASSIGN_OR_RETURN(const Received<ReadReply> final_read,
                          co_await CallUntilAnswered<ReadReply>(self, replicas, read, /*seq=*/0,
                                                                plan.client_call_timeout, report));
  report->final_state = FromMessage(final_read->counter());
  report->finished = true;
  co_return absl::OkStatus();
}

}  // namespace ddc::primary_backup
