#include "kvstore/ycsb_client.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kvstore/command.h"
#include "platform/random.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {
namespace {

class YcsbClient {
 public:
  YcsbClient(Process& self, YcsbClientConfig config, ClusterObserver* observer,
             ClientReport* report, YcsbGenerator generator)
      : self_(self),
        config_(std::move(config)),
        observer_(observer),
        report_(report),
        generator_(std::move(generator)),
        client_(self, config_.kv) {}

  asio::awaitable<absl::Status> Run() {
    DDC_CO_RETURN_IF_ERROR(co_await client_.FetchTable());
    DDC_CO_ASSIGN_OR_RETURN(series_, self_.stats().Series("latency", config_.series_interval));
    if (config_.open_loop) {
      DDC_CO_ASSIGN_OR_RETURN(PoissonArrivals arrivals,
                              PoissonArrivals::Create(config_.rate_per_s, self_.Now()));
      while (!observer_->stop) {
        const Time at = arrivals.Next(self_.rng());
        if (at > self_.Now()) co_await self_.Sleep(at - self_.Now());
        if (observer_->stop) break;
        const YcsbOp op = generator_.Next(self_.rng());
        ++in_flight_;
        self_.Go([this, op, at]() -> asio::awaitable<absl::Status> {
          absl::Status status = co_await One(op, at);
          if (--in_flight_ == 0) idle_.WakeAll();
          co_return status;
        });
      }
    } else {
      in_flight_ = config_.outstanding;
      for (int i = 0; i < config_.outstanding; ++i) {
        self_.Go([this]() -> asio::awaitable<absl::Status> {
          while (!observer_->stop) {
            const YcsbOp op = generator_.Next(self_.rng());
            DDC_CO_RETURN_IF_ERROR(co_await One(op, self_.Now()));
          }
          if (--in_flight_ == 0) idle_.WakeAll();
          co_return absl::OkStatus();
        });
      }
    }
    while (in_flight_ > 0) co_await idle_.Wait(self_);
    report_->counters = client_.counters();
    report_->done = true;
    ++observer_->clients_done;
    co_return absl::OkStatus();
  }

 private:
  // One runs one operation that arrived at `arrival` and records its latency. A failed call or
  // an error reply is counted, not fatal: the history records it as unknown or failed.
  asio::awaitable<absl::Status> One(YcsbOp op, Time arrival) {
    const std::string key = RecordKey(op.record);
    bool failed = false;
    if (op.type == YcsbOpType::kRead || op.type == YcsbOpType::kReadModifyWrite) {
      absl::StatusOr<KvReply> reply = co_await client_.Run(Get(key));
      failed = !reply.ok() || reply->kind() == ERROR;
      if (!reply.ok() && absl::IsInvalidArgument(reply.status())) co_return reply.status();
    }
    if (!failed && op.type != YcsbOpType::kRead) {
      const int64_t version = (static_cast<int64_t>(config_.client_index + 1) << 40) + ++writes_;
      absl::StatusOr<KvReply> reply =
          co_await client_.Run(Set(key, RecordValue(key, version, config_.ycsb.value_bytes)));
      failed = !reply.ok() || reply->kind() == ERROR;
      if (!reply.ok() && absl::IsInvalidArgument(reply.status())) co_return reply.status();
    }
    const Duration latency = self_.Now() - arrival;
    ++report_->ops;
    if (failed) ++report_->errors;
    DDC_CO_RETURN_IF_ERROR(report_->latency.Record(latency));
    if (report_->first_op_at < 0) report_->first_op_at = arrival;
    const MigrationProgress& progress = observer_->progress;
    if (progress.started_at < 0) {
      DDC_CO_RETURN_IF_ERROR(report_->before.Record(latency));
    } else if (progress.finished_at < 0) {
      DDC_CO_RETURN_IF_ERROR(report_->during.Record(latency));
    }
    if (config_.series != nullptr) {
      DDC_CO_RETURN_IF_ERROR(config_.series->Record(self_.Now(), latency));
    }
    DDC_CO_RETURN_IF_ERROR(self_.stats().Histogram("latency").Record(latency));
    co_return series_->Record(self_.Now(), latency);
  }

  Process& self_;
  const YcsbClientConfig config_;
  ClusterObserver* const observer_;
  ClientReport* const report_;
  YcsbGenerator generator_;
  KvClient client_;
  TimeSeries* series_ = nullptr;
  int in_flight_ = 0;
  int64_t writes_ = 0;
  WaitQueue idle_;
};

}  // namespace

asio::awaitable<absl::Status> RunYcsbClient(Process& self, YcsbClientConfig config,
                                            ClusterObserver* observer, ClientReport* report) {
  DDC_CO_ASSIGN_OR_RETURN(
      YcsbGenerator generator,
      YcsbGenerator::Create(config.ycsb, config.client_count, config.client_index));
  YcsbClient client(self, std::move(config), observer, report, std::move(generator));
  co_return co_await client.Run();
}

}  // namespace ddc::kvstore
