#include "mapreduce/orchestrator.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mapreduce/checkpoint.h"
#include "mapreduce/mapreduce.pb.h"
#include "mapreduce/straggler.h"
#include "platform/failures.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

struct Worker {
  std::string name;
  ProcessId id = kNoProcess;
  CeId ce{0};
  bool spare = false;
  bool busy = false;
  bool gone = false;  // dead, fenced or suspected: never used again
};

struct Attempt {
  int worker = -1;  // index into workers_
  Origin origin = LOAD;
  std::string checkpoint;
  bool active = true;  // running or committed-and-not-shipped
  Time last_heard = 0;
};

struct MapTask {
  std::vector<Attempt> attempts;
  int committed = -1;
  bool shipped = false;
  bool mitigated = false;
  Time started = -1;
  Time finished = -1;
  int64_t processed = 0;
  int64_t total = 0;
  Counters counters;
};

class Orchestrator {
 public:
  Orchestrator(Process& self, std::shared_ptr<const JobContext> job)
      : self_(self), job_(std::move(job)), outcome_(*job_->outcome) {}

  asio::awaitable<absl::Status> Run() {
    DDC_CO_RETURN_IF_ERROR(FindWorkers());
    outcome_.progress_trace.assign(static_cast<size_t>(job_->maps()), {});
    outcome_.staged_output.assign(static_cast<size_t>(job_->reduces()), {});
    maps_.assign(static_cast<size_t>(job_->maps()), MapTask());
    const Policy& policy = job_->options.policy;
    if (self_.mode() == Mode::kExposed) {
      for (const Worker& w : workers_)
        DDC_CO_RETURN_IF_ERROR(self_.failures().RegisterStandby(w.id));
    }

    // Load the splits (before the job's clock starts) and sample keys.
    const bool range = job_->plan().partitioner.kind == PartitionerKind::kSampledRange;
    for (int m = 0; m < job_->maps(); ++m) {
      LoadSplit load;
      load.set_task(m);
      load.set_samples(range ? job_->plan().partitioner.samples_per_split : 0);
      DDC_CO_RETURN_IF_ERROR(self_.Send(workers_[static_cast<size_t>(m)].id, load));
    }
    std::vector<std::string> samples;
    // Every split, and the input store's replica (when there is one), must be in place.
    const int to_load = job_->maps() + (job_->input_store.empty() ? 0 : 1);
    for (int loaded = 0; loaded < to_load; ++loaded) {
      std::optional<Received<SplitLoaded>> in = co_await self_.ReceiveOf<SplitLoaded>();
      if (!in) co_return absl::InternalError("receive ended");
      if ((*in)->has_error()) {
        co_return co_await Finish(absl::InvalidArgumentError((*in)->error()));
      }
      for (const std::string& key : (*in)->samples()) samples.push_back(key);
      if ((*in)->task() >= 0 && (*in)->has_input_base()) {
        split_regions_[(*in)->task()] = {(*in)->input_base(), (*in)->input_length()};
      }
    }
    if (range) {
      split_points_ = Partitioning::FromSamples(job_->reduces(), std::move(samples)).split_points();
    }

    outcome_.phases.start = self_.Now();
    for (int m = 0; m < job_->maps(); ++m) {
      maps_[static_cast<size_t>(m)].started = self_.Now();
      maps_[static_cast<size_t>(m)].total = job_->splits[static_cast<size_t>(m)].bytes;
      DDC_CO_RETURN_IF_ERROR(Launch(m, LOAD, /*victim=*/-1, m));
    }
    const bool heartbeats = self_.mode() == Mode::kTransparent;
    const Duration check =
        heartbeats ? std::max<Duration>(1, job_->timeouts.failure_timeout / 2) : kInfiniteDuration;
    const Duration speculation = policy.mitigation == Mitigation::kNone
                                     ? kInfiniteDuration
                                     : std::max<Duration>(1, policy.speculation.interval);
    Time next_check = heartbeats ? self_.Now() + check : kInfiniteDuration;
    Time next_speculation =
        speculation == kInfiniteDuration ? kInfiniteDuration : self_.Now() + speculation;
    while (!outcome_.finished) {
      const Time next = std::min(next_check, next_speculation);
      const Duration wait =
          next == kInfiniteDuration ? kInfiniteDuration : std::max<Duration>(0, next - self_.Now());
      std::optional<Envelope> in = co_await self_.ReceiveFor(wait);
      if (in) DDC_CO_RETURN_IF_ERROR(co_await Handle(*in));
      if (outcome_.finished) break;
      if (self_.Now() >= next_check) {
        DDC_CO_RETURN_IF_ERROR(co_await CheckSilence());
        next_check = self_.Now() + check;
      }
      if (self_.Now() >= next_speculation) {
        DDC_CO_RETURN_IF_ERROR(co_await CheckStragglers());
        next_speculation = self_.Now() + speculation;
      }
      DDC_CO_RETURN_IF_ERROR(TryPending());
    }
    co_return absl::OkStatus();
  }

 private:
  absl::Status FindWorkers() {
    auto add = [&](const std::string& name, bool spare) -> absl::Status {
      std::optional<ProcessId> id = self_.FindProcess(name);
      if (!id) return absl::NotFoundError(absl::StrCat("no process named \"", name, "\""));
      Worker w;
      w.name = name;
      w.id = *id;
      w.ce = job_->ce_of.at(name);
      w.spare = spare;
      by_id_[Index(*id)] = static_cast<int>(workers_.size());
      workers_.push_back(std::move(w));
      return absl::OkStatus();
    };
    for (const std::string& name : job_->map_workers) DDC_RETURN_IF_ERROR(add(name, false));
    for (const std::string& name : job_->spares) DDC_RETURN_IF_ERROR(add(name, true));
    for (const std::string& name : job_->reducers) {
      std::optional<ProcessId> id = self_.FindProcess(name);
      if (!id) return absl::NotFoundError(absl::StrCat("no process named \"", name, "\""));
      reducers_.push_back(*id);
    }
    return absl::OkStatus();
  }

  // Launch starts attempt `attempts.size()` of map `task` on `worker` (or, when -1, on a free
  // spare; queued when none is free).
  absl::Status Launch(int task, Origin origin, int victim, int worker) {
    MapTask& t = maps_[static_cast<size_t>(task)];
    if (worker < 0)
      worker = FreeWorker(
          victim >= 0
              ? workers_[static_cast<size_t>(t.attempts[static_cast<size_t>(victim)].worker)].ce
              : CeId{~0u});
    if (worker < 0) {
      pending_.push_back({task, origin, victim});
      return absl::OkStatus();
    }
    const int number = static_cast<int>(t.attempts.size());
    Attempt a;
    a.worker = worker;
    a.origin = origin;
    a.checkpoint = origin == STEAL ? t.attempts[static_cast<size_t>(victim)].checkpoint
                                   : CheckpointName(job_->plan().name, task, number);
    a.last_heard = self_.Now();
    Worker& w = workers_[static_cast<size_t>(worker)];
    w.busy = true;
    StartMap start;
    start.set_task(task);
    start.set_attempt(number);
    start.set_origin(origin);
    start.set_checkpoint_name(a.checkpoint);
    if (origin == STEAL) {
      const Attempt& stolen = t.attempts[static_cast<size_t>(victim)];
      const Worker& v = workers_[static_cast<size_t>(stolen.worker)];
      start.set_victim(static_cast<uint32_t>(Index(v.id)));
      // A victim that loaded or stole the split holds it; a thief can start over it when the
      // victim died before its first checkpoint.
      auto region = split_regions_.find(task);
      if (stolen.origin != REPLICA && region != split_regions_.end()) {
        start.set_input_base(region->second.base);
        start.set_input_length(region->second.length);
      }
    }
    for (const std::string& point : split_points_) start.add_split_points(point);
    t.attempts.push_back(a);
    AttemptRecord record;
    record.task = task;
    record.attempt = number;
    record.origin = origin;
    record.worker = w.name;
    record.started = self_.Now();
    outcome_.attempts.push_back(record);
    self_.TraceInstant("launch", absl::StrCat("{\"task\":", task, ",\"attempt\":", number,
                                              ",\"origin\":\"", Origin_Name(origin), "\"}"));
    return self_.Send(w.id, start);
  }

  int FreeWorker(CeId avoid) const {
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = workers_[i];
      if (w.spare && !w.busy && !w.gone && w.ce != avoid) return static_cast<int>(i);
    }
    return -1;
  }

  absl::Status TryPending() {
    std::vector<Pending> pending = std::move(pending_);
    pending_.clear();
    for (const Pending& p : pending) {
      if (maps_[static_cast<size_t>(p.task)].committed >= 0) continue;
      DDC_RETURN_IF_ERROR(Launch(p.task, p.origin, p.victim, -1));
    }
    return absl::OkStatus();
  }

  Attempt* Find(int task, int attempt) {
    if (task < 0 || task >= job_->maps()) return nullptr;
    MapTask& t = maps_[static_cast<size_t>(task)];
    if (attempt < 0 || attempt >= static_cast<int>(t.attempts.size())) return nullptr;
    return &t.attempts[static_cast<size_t>(attempt)];
  }

  void EndAttempt(int task, int attempt, absl::string_view how) {
    Attempt& a = maps_[static_cast<size_t>(task)].attempts[static_cast<size_t>(attempt)];
    a.active = false;
    if (AttemptRecord* r = outcome_.FindAttempt(task, attempt)) {
      if (r->ended < 0) {
        r->ended = self_.Now();
        r->end = std::string(how);
      }
    }
  }

  absl::Status AbortAttempt(int task, int attempt, absl::string_view why) {
    Attempt& a = maps_[static_cast<size_t>(task)].attempts[static_cast<size_t>(attempt)];
    EndAttempt(task, attempt, "aborted");
    Worker& w = workers_[static_cast<size_t>(a.worker)];
    w.busy = false;
    Abort abort;
    abort.set_task(task);
    abort.set_attempt(attempt);
    abort.set_reason(std::string(why));
    return self_.Send(w.id, abort);
  }

  asio::awaitable<absl::Status> Handle(const Envelope& in) {
    if (const Progress* p = in.TryAs<Progress>()) {
      if (Attempt* a = Find(p->task(), p->attempt()); a != nullptr && a->active) {
        a->last_heard = self_.Now();
        MapTask& t = maps_[static_cast<size_t>(p->task())];
        t.processed = std::max(t.processed, p->processed());
      }
    } else if (const Heartbeat* h = in.TryAs<Heartbeat>()) {
      if (Attempt* a = Find(h->task(), h->attempt())) a->last_heard = self_.Now();
    } else if (const MapDone* done = in.TryAs<MapDone>()) {
      co_return co_await OnMapDone(*done);
    } else if (const Shipped* shipped = in.TryAs<Shipped>()) {
      if (Attempt* a = Find(shipped->task(), shipped->attempt())) {
        MapTask& t = maps_[static_cast<size_t>(shipped->task())];
        if (t.committed == shipped->attempt()) t.shipped = true;
        a->active = false;
        workers_[static_cast<size_t>(a->worker)].busy = false;
      }
    } else if (const PartitionsHeld* held = in.TryAs<PartitionsHeld>()) {
      // A set, not a count: a duplicated report must not stand in for a missing reducer.
      if (partitions_held_.insert(held->partition()).second &&
          static_cast<int>(partitions_held_.size()) == job_->reduces()) {
        outcome_.phases.shuffle_done = self_.Now();
        for (ProcessId r : reducers_) DDC_CO_RETURN_IF_ERROR(self_.Send(r, ReduceNow()));
      }
    } else if (const ReduceDone* reduced = in.TryAs<ReduceDone>()) {
      if (!reduces_done_.insert(reduced->partition()).second) co_return absl::OkStatus();
      DDC_CO_ASSIGN_OR_RETURN(const Counters counters, Counters::Decode(reduced->counters()));
      outcome_.counters.Merge(counters);
      if (static_cast<int>(reduces_done_.size()) == job_->reduces()) {
        co_return co_await Finish(absl::OkStatus());
      }
    } else if (const TaskFailed* failed = in.TryAs<TaskFailed>()) {
      if (failed->user_error() || failed->kind() == REDUCE) {
        const auto code = failed->code() == 0 ? absl::StatusCode::kUnknown
                                              : static_cast<absl::StatusCode>(failed->code());
        co_return co_await Finish(absl::Status(code, failed->error()));
      }
      if (Attempt* a = Find(failed->task(), failed->attempt()); a != nullptr && a->active) {
        // An infrastructure error (memory lost, a fence): the worker is not trusted again.
        workers_[static_cast<size_t>(a->worker)].gone = true;
        EndAttempt(failed->task(), failed->attempt(), "failed");
        if (++infrastructure_failures_ > 4 * job_->maps()) {
          co_return co_await Finish(absl::Status(absl::StatusCode::kUnavailable, failed->error()));
        }
        DDC_CO_RETURN_IF_ERROR(Recover(failed->task(), failed->attempt(), /*steal=*/false));
      }
    } else if (const platform::ProcessDeathNotice* death =
                   in.TryAs<platform::ProcessDeathNotice>()) {
      auto it = by_id_.find(death->process());
      if (it != by_id_.end()) DDC_CO_RETURN_IF_ERROR(WorkerLost(it->second));
      for (size_t r = 0; r < reducers_.size(); ++r) {
        if (Index(reducers_[r]) == death->process()) {
          // Reduce tasks are not re-executed (README, "Not yet done"): fail loudly, never hang.
          co_return co_await Finish(absl::UnavailableError(
              absl::StrCat("job ", job_->plan().name, ": ", TaskName(false, static_cast<int>(r)),
                           ": its compute element ", death->compute_element(),
                           " died, and reduce tasks are not re-executed")));
        }
      }
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> OnMapDone(const MapDone& done) {
    const int task = done.task();
    Attempt* a = Find(task, done.attempt());
    if (a == nullptr) co_return absl::OkStatus();
    MapTask& t = maps_[static_cast<size_t>(task)];
    if (!a->active || t.committed >= 0) {
      // Another attempt won (or this one was given up): stop it.
      Abort abort;
      abort.set_task(task);
      abort.set_attempt(done.attempt());
      abort.set_reason("another attempt of the task committed");
      if (!a->active || t.committed != done.attempt()) {
        co_return self_.Send(workers_[static_cast<size_t>(a->worker)].id, abort);
      }
      co_return absl::OkStatus();
    }
    t.committed = done.attempt();
    t.finished = self_.Now();
    t.processed = t.total;
    DDC_CO_ASSIGN_OR_RETURN(t.counters, Counters::Decode(done.counters()));
    if (AttemptRecord* r = outcome_.FindAttempt(task, done.attempt())) {
      r->ended = self_.Now();
      r->end = "committed";
    }
    for (size_t other = 0; other < t.attempts.size(); ++other) {
      if (static_cast<int>(other) != done.attempt() && t.attempts[other].active) {
        DDC_CO_RETURN_IF_ERROR(
            AbortAttempt(task, static_cast<int>(other), "another attempt of the task committed"));
      }
    }
    ++maps_committed_;
    if (outcome_.phases.maps_done < 0 && maps_committed_ == job_->maps()) {
      outcome_.phases.maps_done = self_.Now();
      for (int m = 0; m < job_->maps(); ++m) DDC_CO_RETURN_IF_ERROR(SendShuffle(m));
    } else if (outcome_.phases.maps_done >= 0) {
      DDC_CO_RETURN_IF_ERROR(SendShuffle(task));  // a re-executed task after the barrier
    }
    co_return absl::OkStatus();
  }

  absl::Status SendShuffle(int task) {
    const MapTask& t = maps_[static_cast<size_t>(task)];
    const Attempt& a = t.attempts[static_cast<size_t>(t.committed)];
    Shuffle shuffle;
    shuffle.set_task(task);
    shuffle.set_attempt(t.committed);
    for (ProcessId r : reducers_) shuffle.add_reducers(static_cast<uint32_t>(Index(r)));
    return self_.Send(workers_[static_cast<size_t>(a.worker)].id, shuffle);
  }

  // WorkerLost: the worker is dead (the rack monitor) or presumed so (silence).
  absl::Status WorkerLost(int worker) {
    Worker& w = workers_[static_cast<size_t>(worker)];
    if (w.gone) return absl::OkStatus();
    w.gone = true;
    for (int task = 0; task < job_->maps(); ++task) {
      MapTask& t = maps_[static_cast<size_t>(task)];
      for (size_t i = 0; i < t.attempts.size(); ++i) {
        if (t.attempts[i].worker == worker && t.attempts[i].active) {
          DDC_RETURN_IF_ERROR(Recover(task, static_cast<int>(i),
                                      job_->options.policy.recovery == Recovery::kStealAndResume));
        }
      }
    }
    return absl::OkStatus();
  }

  // Recover replaces lost attempt `lost` of `task`: resumed from its memory (steal) or from
  // scratch.
  absl::Status Recover(int task, int lost, bool steal) {
    MapTask& t = maps_[static_cast<size_t>(task)];
    EndAttempt(task, lost, steal ? "stolen" : "lost");
    if (t.committed == lost) {
      if (t.shipped) return absl::OkStatus();
      t.committed = -1;  // its output never reached the reducers: commit the replacement's
      --maps_committed_;
    }
    for (const Attempt& other : t.attempts) {
      if (other.active) return absl::OkStatus();  // a copy is still running
    }
    if (steal) {
      ++outcome_.steal_launches;
      return Launch(task, STEAL, lost, -1);
    }
    ++outcome_.relaunches;
    return Launch(task, REPLICA, -1, -1);
  }

  asio::awaitable<absl::Status> CheckSilence() {
    const Time now = self_.Now();
    for (int task = 0; task < job_->maps(); ++task) {
      MapTask& t = maps_[static_cast<size_t>(task)];
      for (size_t i = 0; i < t.attempts.size(); ++i) {
        const Attempt& a = t.attempts[i];
        if (a.active && now - a.last_heard > job_->timeouts.failure_timeout) {
          DDC_CO_RETURN_IF_ERROR(WorkerLost(a.worker));
        }
      }
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> CheckStragglers() {
    const Policy& policy = job_->options.policy;
    std::vector<TaskProgress> progress;
    for (const MapTask& t : maps_) {
      TaskProgress p;
      p.done = t.committed >= 0;
      p.running = !p.done && t.started >= 0;
      p.mitigated = t.mitigated;
      p.started = t.started;
      p.finished = t.finished;
      p.processed = t.processed;
      p.total = t.total;
      progress.push_back(p);
    }
    const std::optional<int> straggler = PickStraggler(policy.speculation, progress, self_.Now());
    if (!straggler) co_return absl::OkStatus();
    MapTask& t = maps_[static_cast<size_t>(*straggler)];
    int running = -1;
    for (size_t i = 0; i < t.attempts.size(); ++i) {
      if (t.attempts[i].active) running = static_cast<int>(i);
    }
    if (running < 0) co_return absl::OkStatus();
    // Like Spark, mitigate only onto a free worker: a steal with no worker to resume would fence
    // the straggler and leave its task waiting for a worker that may never come.
    const CeId straggler_ce =
        workers_[static_cast<size_t>(t.attempts[static_cast<size_t>(running)].worker)].ce;
    if (FreeWorker(straggler_ce) < 0) co_return absl::OkStatus();
    t.mitigated = true;
    self_.TraceInstant("straggler", absl::StrCat("{\"task\":", *straggler, "}"));
    if (policy.mitigation == Mitigation::kSpeculate) {
      ++outcome_.speculative_launches;
      co_return Launch(*straggler, REPLICA, running, -1);
    }
    if (policy.mitigation == Mitigation::kStealAndResume) {
      ++outcome_.steal_launches;
      EndAttempt(*straggler, running, "stolen");
      workers_[static_cast<size_t>(t.attempts[static_cast<size_t>(running)].worker)].gone = true;
      co_return Launch(*straggler, STEAL, running, -1);
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> Finish(absl::Status status) {
    outcome_.phases.end = self_.Now();
    outcome_.status = status;
    if (status.ok()) {
      outcome_.output = std::move(outcome_.staged_output);
      Counters total;
      for (const MapTask& t : maps_) total.Merge(t.counters);
      total.Merge(outcome_.counters);
      outcome_.counters = std::move(total);
    } else {
      outcome_.output.clear();  // never partial output
    }
    outcome_.staged_output.clear();
    outcome_.finished = true;
    for (const Worker& w : workers_) {
      absl::Status sent = self_.Send(w.id, Release());
      if (!sent.ok() && !absl::IsNotFound(sent)) co_return sent;
    }
    for (ProcessId r : reducers_) DDC_CO_RETURN_IF_ERROR(self_.Send(r, Release()));
    co_return absl::OkStatus();
  }

  struct Pending {
    int task;
    Origin origin;
    int victim;
  };

  Process& self_;
  std::shared_ptr<const JobContext> job_;
  JobOutcome& outcome_;
  std::vector<Worker> workers_;
  std::map<uint32_t, int> by_id_;
  std::vector<ProcessId> reducers_;
  std::vector<MapTask> maps_;
  std::vector<std::string> split_points_;
  std::vector<Pending> pending_;
  std::map<int, Region> split_regions_;  // by map task: where its loaded split lies
  int maps_committed_ = 0;
  std::set<int> partitions_held_;  // reducers that hold all their partitions
  std::set<int> reduces_done_;     // reducers whose output is durable
  int infrastructure_failures_ = 0;
};

}  // namespace

asio::awaitable<absl::Status> RunOrchestrator(Process& self,
                                              std::shared_ptr<const JobContext> job) {
  Orchestrator orchestrator(self, std::move(job));
  co_return co_await orchestrator.Run();
}

}  // namespace ddc::mapreduce
