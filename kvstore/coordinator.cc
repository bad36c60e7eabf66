#include "kvstore/coordinator.h"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/waiters.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {

absl::StatusOr<Plan> ParsePlan(absl::string_view name) {
  if (name == "none") return Plan::kNone;
  if (name == "scale-out") return Plan::kScaleOut;
  if (name == "scale-in") return Plan::kScaleIn;
  if (name == "split") return Plan::kSplit;
  return absl::InvalidArgumentError(
      absl::StrCat("plan \"", name, "\": must be none, scale-out, scale-in or split"));
}

absl::string_view PlanName(Plan plan) {
  switch (plan) {
    case Plan::kNone:
      return "none";
    case Plan::kScaleOut:
      return "scale-out";
    case Plan::kScaleIn:
      return "scale-in";
    case Plan::kSplit:
      return "split";
  }
  return "?";
}

int InitialShards(Plan plan) { return plan == Plan::kScaleIn ? 4 : 3; }

absl::StatusOr<std::vector<SlotMove>> PlanMoves(Plan plan, const SlotTable& table,
                                                const std::vector<ProcessId>& shards) {
  if (shards.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("a plan needs four shards, got ", shards.size()));
  }
  std::vector<SlotMove> moves;
  switch (plan) {
    case Plan::kNone:
      break;
    case Plan::kScaleOut: {
      // The new shard gets a quarter of the slots, a third of it from each old shard.
      const int want = kSlotCount / 4;
      for (int i = 0; i < 3; ++i) {
        const std::vector<int> owned = table.SlotsOf(shards[i]);
        const int share = want / 3 + (i < want % 3 ? 1 : 0);
        if (static_cast<int>(owned.size()) < share) {
          return absl::FailedPreconditionError("scale out: a source owns too few slots");
        }
        moves.push_back({std::vector<int>(owned.end() - share, owned.end()), shards[i], shards[3]});
      }
      break;
    }
    case Plan::kScaleIn: {
      const std::vector<int> owned = table.SlotsOf(shards[3]);
      const size_t n = owned.size();
      for (size_t i = 0; i < 3; ++i) {
        moves.push_back(
            {std::vector<int>(owned.begin() + n * i / 3, owned.begin() + n * (i + 1) / 3),
             shards[3], shards[i]});
      }
      break;
    }
    case Plan::kSplit: {
      const std::vector<int> owned = table.SlotsOf(shards[0]);
      moves.push_back({std::vector<int>(owned.begin(), owned.begin() + owned.size() / 2), shards[0],
                       shards[3]});
      break;
    }
  }
  return moves;
}

namespace {

class Coordinator {
 public:
  Coordinator(Process& self, CoordinatorConfig config, ClusterObserver* observer)
      : self_(self), config_(std::move(config)), observer_(observer) {}

  asio::awaitable<absl::Status> Run() {
    for (const std::string& name : config_.shard_names) {
      std::optional<ProcessId> id = self_.FindProcess(name);
      if (!id) co_return absl::NotFoundError(absl::StrCat("no shard named ", name));
      shards_.push_back(*id);
    }
    DDC_CO_ASSIGN_OR_RETURN(std::unique_ptr<MigrationDriver> driver,
                            MakeMigrationDriver(config_.migration));
    table_ = SlotTable::Even(
        std::vector<ProcessId>(shards_.begin(), shards_.begin() + InitialShards(config_.plan)),
        epoch_);
    self_.Serve<SlotTableRequest>(
        [this](Received<SlotTableRequest> in) -> asio::awaitable<absl::Status> {
          while (!AllReady()) co_await ready_waiters_.Wait(self_);
          co_return self_.Reply(in.envelope(), table_.ToProto());
        });
    // A shard repeats its readiness until acknowledged: a retry or a duplicate counts once.
    self_.Serve<ShardReady>([this](Received<ShardReady> in) -> asio::awaitable<absl::Status> {
      const ProcessId from = in.envelope().from();
      if (std::find(shards_.begin(), shards_.end(), from) != shards_.end() &&
          ready_.insert(from).second && AllReady()) {
        ready_waiters_.WakeAll();
      }
      co_return self_.Reply(in.envelope(), AdminReply());
    });
    while (!AllReady()) co_await ready_waiters_.Wait(self_);
    co_await self_.Sleep(config_.warmup);

    DDC_CO_ASSIGN_OR_RETURN(std::vector<SlotMove> moves, PlanMoves(config_.plan, table_, shards_));
    MigrationProgress& progress = observer_->progress;
    int64_t keys = 0;
    absl::Status valid = absl::OkStatus();
    for (SlotMove& move : moves) {
      progress.slots_total += static_cast<int64_t>(move.slots.size());
      if (config_.target_override) move.target = *config_.target_override;
      if (std::find(shards_.begin(), shards_.end(), move.target) == shards_.end()) {
        valid = absl::InvalidArgumentError(
            absl::StrCat("migration to a nonexistent shard (process ", Index(move.target), ")"));
      }
    }
    if (!valid.ok()) {
      // Refused before anything moved: the table and the shards are as they were.
      observer_->migration = valid;
      moves.clear();
    }
    if (!moves.empty()) {
      progress.started_at = self_.Now();
      if (observer_->on_phase) observer_->on_phase("rebalance-start");
      const Time span = self_.Now();
      if (config_.cancel_after) {
        self_.Go([this]() -> asio::awaitable<absl::Status> { return CancelLater(); });
      }
      absl::Status status = absl::OkStatus();
      absl::Status abandon_reason = absl::OkStatus();
      for (const SlotMove& move : moves) {
        std::set<int> moved;
        status = co_await driver->Move(
            self_, move, [this]() { return ++epoch_; },
            [this, &moved](const std::vector<int>& slots, ProcessId target, uint64_t epoch) {
              for (int slot : slots) {
                table_.Learn(slot, target, epoch);
                moved.insert(slot);
              }
            },
            control_, progress);
        if (absl::IsDeadlineExceeded(status)) {
          // A shard of this move stopped answering for give_up_after (all a transparent OS
          // tells of a crash): the move's other slots stay where they are (a legacy slot may
          // stay half moved, served by both through ASK), and the next move goes on.
          for (int slot : move.slots) {
            if (moved.count(slot) == 0) observer_->abandoned_slots.push_back(slot);
          }
          if (abandon_reason.ok()) abandon_reason = status;
          status = absl::OkStatus();
          continue;
        }
        if (!status.ok()) break;
      }
      if (status.ok() && !observer_->abandoned_slots.empty()) {
        status = absl::AbortedError(absl::StrCat("abandoned ", observer_->abandoned_slots.size(),
                                                 " of ", progress.slots_total,
                                                 " slots: ", abandon_reason.message()));
      }
      keys = progress.keys_moved;
      progress.cancelled = absl::IsCancelled(status);
      progress.finished_at = self_.Now();
      observer_->migration = status;
      if (observer_->on_phase) observer_->on_phase("rebalance-end");
      self_.TraceSpan("rebalance", span,
                      absl::StrCat("{\"slots\":", progress.slots_moved, ",\"keys\":", keys, "}"));
      // A refused, cancelled or partly abandoned migration is an outcome to report, not a
      // coordinator failure.
      if (!status.ok() && !absl::IsCancelled(status) && !absl::IsFailedPrecondition(status) &&
          !absl::IsInvalidArgument(status) && !absl::IsAborted(status)) {
        co_return status;
      }
    }
    co_await self_.Sleep(config_.cooldown);
    observer_->stop = true;
    co_await self_.WaitForever();
    co_return absl::OkStatus();
  }

 private:
  bool AllReady() const { return ready_.size() == shards_.size(); }

  asio::awaitable<absl::Status> CancelLater() {
    co_await self_.Sleep(*config_.cancel_after);
    control_.RequestCancel();
    if (control_.active_job != 0) {
      CancelMoveRequest cancel;
      cancel.set_job(control_.active_job);
      absl::StatusOr<Received<AdminReply>> reply = co_await self_.Call<AdminReply>(
          control_.active_source, cancel, config_.migration.call_timeout);
      // The source may have finished the batch meanwhile; the driver stops before the next.
      if (!reply.ok() && !absl::IsDeadlineExceeded(reply.status())) co_return reply.status();
    }
    co_return absl::OkStatus();
  }

  Process& self_;
  const CoordinatorConfig config_;
  ClusterObserver* const observer_;
  std::vector<ProcessId> shards_;
  SlotTable table_;
  uint64_t epoch_ = 1;
  std::set<ProcessId> ready_;
  WaitQueue ready_waiters_;
  MigrationControl control_;
};

}  // namespace

asio::awaitable<absl::Status> RunCoordinator(Process& self, CoordinatorConfig config,
                                             ClusterObserver* observer) {
  Coordinator coordinator(self, std::move(config), observer);
  co_return co_await coordinator.Run();
}

}  // namespace ddc::kvstore
