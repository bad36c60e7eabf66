#include "examples/primary_backup/server.h"

#include "absl/strings/str_cat.h"
#include "examples/primary_backup/primary_backup.pb.h"
#include "platform/stats.h"
#include "platform/status_macros.h"

namespace ddc::primary_backup {
namespace {

bool IsCounterRequest(const Envelope& envelope) {
  return envelope.Is<IncrementRequest>() || envelope.Is<ReadRequest>();
}

class CounterServer {
 public:
  CounterServer(Process& self, CounterCell cell, CounterState state,
                std::optional<Replication> replication)
      : self_(self), cell_(cell), state_(state), replication_(replication) {}

  asio::awaitable<absl::Status> Run() {
    for (;;) {
      std::optional<Envelope> request =
          co_await self_.ReceiveWhere(IsCounterRequest, kInfiniteDuration);
      if (!request) co_return absl::InternalError("an endless receive ended without a message");
      if (request->Is<ReadRequest>()) {
        DDC_CO_RETURN_IF_ERROR(co_await AnswerRead(*request));
        continue;
      }
      DDC_CO_ASSIGN_OR_RETURN(const bool still_serving, co_await AnswerIncrement(*request));
      if (!still_serving) co_return absl::OkStatus();
    }
  }

 private:
  // AnswerIncrement returns false when the server must step down (see ServeCounter).
  asio::awaitable<absl::StatusOr<bool>> AnswerIncrement(const Envelope& request) {
    const uint64_t seq = request.As<IncrementRequest>().client_seq();
    if (seq > state_.last_client_seq + 1) {
      co_return absl::InternalError(absl::StrCat("increment ", seq, " arrived, but the last one ",
                                                 "applied is ", state_.last_client_seq));
    }
    if (seq <= state_.last_client_seq) {
      self_.stats().Counter("retries_answered").Increment();
    } else {
      const CounterState next{.value = state_.value + 1, .last_client_seq = seq};
      DDC_CO_ASSIGN_OR_RETURN(const bool durable, co_await StoreDurably(next));
      if (!durable) {
        self_.stats().Counter("stepped_down").Increment();
        self_.TraceInstant("step down", absl::StrCat("\"seq\":", seq));
        co_return false;
      }
      state_ = next;
      self_.stats().Counter("increments_applied").Increment();
    }
    IncrementReply reply;
    reply.set_value(state_.value);
    DDC_CO_RETURN_IF_ERROR(self_.Reply(request, reply));
    co_return true;
  }

  // StoreDurably returns true once `next` is where recovery will find it, and false when this
  // server must step down because someone else may be serving already:
  // - exposed: its memory refuses it (PERMISSION_DENIED): a standby stole the pages while this
  //   process was paused, and the steal fenced it (a "zombie" may not write);
  // - transparent: the replication call got no answer in time, or was reset.
  asio::awaitable<absl::StatusOr<bool>> StoreDurably(const CounterState& next) {
    if (!replication_) {
      absl::Status stored = co_await cell_.Store(next);
      if (stored.ok()) stored = co_await cell_.Flush();
      if (absl::IsPermissionDenied(stored)) co_return false;
      DDC_CO_RETURN_IF_ERROR(stored);
      co_return true;
    }
    DDC_CO_RETURN_IF_ERROR(co_await cell_.Store(next));
    ReplicateRequest replicate;
    *replicate.mutable_counter() = ToMessage(next);
    absl::StatusOr<Received<ReplicateReply>> ack = co_await self_.Call<ReplicateReply>(
        replication_->backup, replicate, replication_->call_timeout);
    // Silence or a reset: the backup may be serving already. Anything else is a bug.
    if (absl::IsDeadlineExceeded(ack.status()) || absl::IsUnavailable(ack.status())) {
      co_return false;
    }
    DDC_CO_RETURN_IF_ERROR(ack.status());
    co_return true;
  }

  // AnswerRead replies with the state as the server's memory holds it.
  asio::awaitable<absl::Status> AnswerRead(const Envelope& request) {
    DDC_CO_ASSIGN_OR_RETURN(const CounterState stored, co_await cell_.Load());
    ReadReply reply;
    *reply.mutable_counter() = ToMessage(stored);
    co_return self_.Reply(request, reply);
  }

  Process& self_;
  CounterCell cell_;
  CounterState state_;  // what the cell holds, kept here so that every request need not read it
  std::optional<Replication> replication_;
};

}  // namespace

asio::awaitable<absl::Status> ServeCounter(Process& self, CounterCell cell, CounterState state,
                                           std::optional<Replication> replication) {
  CounterServer server(self, cell, state, replication);
  co_return co_await server.Run();
}

}  // namespace ddc::primary_backup
