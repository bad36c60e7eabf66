#include "mapreduce/map_worker.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mapreduce/checkpoint.h"
#include "mapreduce/copy_stream.h"
#include "mapreduce/join.h"
#include "mapreduce/kv.h"
#include "mapreduce/mapreduce.pb.h"
#include "mapreduce/spill.h"
#include "platform/memory.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

// What the worker's threads share; the heartbeat thread holds it by shared_ptr, so it outlives
// the main thread.
struct WorkerState {
  int task = -1;  // the attempt running (-1: none)
  int attempt = -1;
  bool released = false;
};

// Failure is how an attempt ended: user_error marks an error of the job's own code or data, for
// which the orchestrator fails the job instead of retrying the task.
struct Failure {
  absl::Status status;
  bool user_error = false;
};

// PartitioningSink partitions and buffers what the mapper emits.
class PartitioningSink final : public KvSink {
 public:
  PartitioningSink(const Partitioning& partitioning, SpillBuffer& buffer, int64_t page_size)
      : partitioning_(partitioning), buffer_(buffer), page_size_(page_size) {}
  absl::Status Emit(absl::string_view key, absl::string_view value) override {
    DDC_RETURN_IF_ERROR(CheckPairFits(static_cast<int64_t>(key.size()),
                                      static_cast<int64_t>(value.size()), page_size_));
    buffer_.Add(partitioning_.Of(key), key, value);
    ++pairs;
    bytes += static_cast<int64_t>(key.size() + value.size());
    return absl::OkStatus();
  }
  int64_t pairs = 0;
  int64_t bytes = 0;

 private:
  const Partitioning& partitioning_;
  SpillBuffer& buffer_;
  int64_t page_size_;
};

// StillOwned returns the parts of `pages` that lie in `owned` (the caller's mapped regions,
// coalesced, in address order).
std::vector<Region> StillOwned(const std::vector<Region>& pages, const std::vector<Region>& owned) {
  std::vector<Region> kept;
  for (const Region& want : pages) {
    for (const Region& have : owned) {
      const VirtAddr lo = std::max(want.base, have.base);
      const VirtAddr hi = std::min(want.end(), have.end());
      if (lo < hi) kept.push_back({lo, static_cast<int64_t>(hi - lo)});
    }
  }
  return kept;
}

class MapWorker {
 public:
  MapWorker(Process& self, std::shared_ptr<const JobContext> job)
      : self_(self), job_(std::move(job)), state_(std::make_shared<WorkerState>()) {}

  asio::awaitable<absl::Status> Run() {
    DDC_CO_ASSIGN_OR_RETURN(orchestrator_, Find(job_->orchestrator));
    if (self_.mode() == Mode::kExposed) {
      DDC_CO_RETURN_IF_ERROR(co_await self_.memory().JoinTrustGroup(kTrustGroup, kTrustSecret));
    } else {
      StartHeartbeats();
    }
    for (;;) {
      std::optional<Envelope> in = co_await self_.ReceiveWhere(
          [](const Envelope& e) {
            return e.Is<LoadSplit>() || e.Is<StartMap>() || e.Is<Release>();
          },
          kInfiniteDuration);
      if (!in || in->Is<Release>()) break;
      absl::Status status;
      if (const LoadSplit* load = in->TryAs<LoadSplit>()) {
        status = co_await Load(*load);
      } else {
        const StartMap start = in->As<StartMap>();
        Failure failure = co_await RunAttempt(start);
        state_->task = -1;
        state_->attempt = -1;
        status = failure.status;
        if (!status.ok() && !absl::IsPermissionDenied(status)) {
          // The attempt failed: tell the orchestrator (which decides whether to retry) and stay
          // available for other attempts.
          TaskFailed failed;
          failed.set_kind(MAP);
          failed.set_task(start.task());
          failed.set_attempt(start.attempt());
          failed.set_user_error(failure.user_error);
          failed.set_code(static_cast<int>(status.code()));
          failed.set_error(std::string(
              JobTaskError(job_->plan().name, TaskName(true, start.task()), status).message()));
          status = self_.Send(orchestrator_, failed);
        }
      }
      if (absl::IsPermissionDenied(status)) {
        // Fenced by a steal: a thief runs our task now. Step down.
        self_.TraceInstant("fenced");
        break;
      }
      DDC_CO_RETURN_IF_ERROR(status);
    }
    state_->released = true;
    co_return absl::OkStatus();
  }

 private:
  absl::StatusOr<ProcessId> Find(const std::string& name) const {
    std::optional<ProcessId> id = self_.FindProcess(name);
    if (!id) return absl::NotFoundError(absl::StrCat("no process named \"", name, "\""));
    return *id;
  }

  void StartHeartbeats() {
    const Duration interval = job_->timeouts.heartbeat_interval;
    if (interval <= 0) return;
    self_.Go([&self = self_, state = state_, to = orchestrator_,
              interval]() -> asio::awaitable<absl::Status> {
      while (!state->released) {
        if (state->task >= 0) {
          Heartbeat beat;
          beat.set_task(state->task);
          beat.set_attempt(state->attempt);
          // A fenced worker cannot send: it is stepping down.
          if (!self.Send(to, beat).ok()) co_return absl::OkStatus();
        }
        co_await self.Sleep(interval);
      }
      co_return absl::OkStatus();
    });
  }

  AttemptRecord* Record(int task, int attempt) { return job_->outcome->FindAttempt(task, attempt); }

  // Load puts split `task` into this worker's memory (before the job starts) and samples keys.
  asio::awaitable<absl::Status> Load(const LoadSplit& load) {
    SplitLoaded reply;
    reply.set_task(load.task());
    absl::Status status = co_await LoadAndSample(load, &reply);
    if (!status.ok()) {
      reply.clear_samples();
      reply.set_error(std::string(
          JobTaskError(job_->plan().name, TaskName(true, load.task()), status).message()));
    }
    co_return self_.Send(orchestrator_, reply);
  }

  asio::awaitable<absl::Status> LoadAndSample(const LoadSplit& load, SplitLoaded* reply) {
    const InputSplit& split = job_->splits[load.task()];
    const std::string bytes = ReadSplit(*job_->plan().input, split);
    Memory& memory = self_.memory();
    DDC_CO_ASSIGN_OR_RETURN(const Region region, co_await memory.Allocate(split.bytes));
    constexpr int64_t kPiece = 4 << 20;
    for (int64_t at = 0; at < split.bytes; at += kPiece) {
      const int64_t n = std::min(kPiece, split.bytes - at);
      DDC_CO_RETURN_IF_ERROR(co_await memory.Write(
          region.base + static_cast<uint64_t>(at),
          absl::string_view(bytes).substr(static_cast<size_t>(at), static_cast<size_t>(n))));
      // The input was produced earlier: it lies in memory, not in this CE's cache.
      const Region piece = region.Sub(at, n);
      DDC_CO_RETURN_IF_ERROR(co_await memory.Evict(piece));
    }
    loaded_ = region;
    loaded_task_ = load.task();
    reply->set_input_base(region.base);
    reply->set_input_length(region.length);
    if (load.samples() <= 0) co_return absl::OkStatus();
    // Sampling: the mapper's keys for records at evenly spaced places of the split (TeraSort's
    // TotalOrderPartitioner samples the input the same way).
    std::vector<std::pair<int64_t, int64_t>> records;  // offset, length
    const RecordFormat& format = *job_->plan().record_format;
    for (int64_t at = 0; at < split.bytes;) {
      DDC_CO_ASSIGN_OR_RETURN(
          const int64_t n,
          format.NextRecord(absl::string_view(bytes).substr(static_cast<size_t>(at)), true));
      if (n <= 0) break;
      records.emplace_back(at, n);
      at += n;
    }
    std::unique_ptr<MapFunction> mapper = job_->plan().new_mapper();
    TaskContext context(job_->plan().name, TaskName(true, load.task()));
    class KeySink final : public KvSink {
     public:
      absl::Status Emit(absl::string_view key, absl::string_view) override {
        keys.emplace_back(key);
        return absl::OkStatus();
      }
      std::vector<std::string> keys;
    } sink;
    const int64_t count = std::min<int64_t>(load.samples(), static_cast<int64_t>(records.size()));
    for (int64_t i = 0; i < count; ++i) {
      const auto [offset, length] =
          records[static_cast<size_t>(i * static_cast<int64_t>(records.size()) / count)];
      const absl::string_view record =
          absl::string_view(bytes).substr(static_cast<size_t>(offset), static_cast<size_t>(length));
      const absl::Status sampled =
          CallUser([&] { return mapper->Map(split.offset + offset, record, sink, context); });
      if (!sampled.ok()) {
        co_return absl::Status(
            sampled.code(),
            absl::StrCat("record at byte ", split.offset + offset, ": ", sampled.message()));
      }
    }
    for (std::string& key : sink.keys) reply->add_samples(std::move(key));
    co_return absl::OkStatus();
  }

  // FetchSplit copies split `task` from the input store into a fresh buffer (REPLICA attempts).
  asio::awaitable<absl::StatusOr<Region>> FetchSplit(int task) {
    if (job_->input_store.empty()) {
      co_return absl::FailedPreconditionError(
          "no input store: the policy keeps no replica of the input to run a task from scratch");
    }
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId store, Find(job_->input_store));
    const InputSplit& split = job_->splits[task];
    DDC_CO_ASSIGN_OR_RETURN(const Region buffer, co_await self_.memory().Allocate(split.bytes));
    FetchSplitRequest request;
    request.set_split(task);
    request.set_chunk_bytes(job_->options.engine.copy.chunk);
    request.set_window(job_->options.engine.copy.window);
    DDC_CO_RETURN_IF_ERROR(self_.Send(store, request));
    auto assembly = std::make_shared<ChunkAssembly>(buffer, split.bytes);
    auto join = Join::Create(self_, 0);
    const int64_t chunk_bytes = std::max<int64_t>(1, job_->options.engine.copy.chunk);
    const int64_t chunks = (split.bytes + chunk_bytes - 1) / chunk_bytes;
    for (int64_t fresh = 0; fresh < chunks;) {
      std::optional<Envelope> in = co_await self_.ReceiveWhere(
          [task](const Envelope& e) {
            const SplitChunk* c = e.TryAs<SplitChunk>();
            return c != nullptr && c->split() == task;
          },
          Seconds(10));
      if (!in) co_return absl::DeadlineExceededError("the input store stopped sending the split");
      const SplitChunk& chunk = in->As<SplitChunk>();
      if (!assembly->Fresh(chunk.offset())) continue;
      ++fresh;
      join->Add(1);
      // Each chunk is written by a thread of its own, so that writes overlap the network.
      self_.Go([&self = self_, assembly, join, offset = chunk.offset(),
                data = chunk.data()]() mutable -> asio::awaitable<absl::Status> {
        join->Done(co_await assembly->Accept(self.memory(), offset, std::move(data)));
        co_return absl::OkStatus();
      });
    }
    DDC_CO_RETURN_IF_ERROR(co_await join->Wait());
    co_return buffer;
  }

  asio::awaitable<Failure> RunAttempt(const StartMap& start) {
    Failure failure;
    failure.status = co_await Attempt(start, &failure.user_error);
    co_return failure;
  }

  // Attempt runs one map attempt to its end: committed and shipped, aborted, or failed.
  asio::awaitable<absl::Status> Attempt(const StartMap& start, bool* user_error) {
    const int task = start.task();
    const int attempt = start.attempt();
    const InputSplit& split = job_->splits[task];
    Memory& memory = self_.memory();
    state_->task = task;
    state_->attempt = attempt;

    // The input, the output and the checkpoint, by origin.
    Region input;
    int64_t offset = 0;
    std::optional<MapOutput> output;
    std::optional<CheckpointLog> log;
    Counters counters;
    bool done = false;
    if (start.origin() == STEAL) {
      const Capability capability(kTrustGroup, kTrustSecret);
      DDC_CO_ASSIGN_OR_RETURN(
          const std::vector<Region> stolen,
          co_await memory.Steal(ProcessId{start.victim()}, capability, std::nullopt));
      self_.TraceInstant("steal",
                         absl::StrCat("{\"task\":", task, ",\"regions\":", stolen.size(), "}"));
      absl::StatusOr<RecoveredCheckpoint> recovered =
          co_await CheckpointLog::Recover(memory, start.checkpoint_name());
      const bool no_checkpoint =
          absl::IsNotFound(recovered.status()) || absl::IsFailedPrecondition(recovered.status());
      if (no_checkpoint && start.has_input_base()) {
        // The victim died before its first checkpoint: none of its output is durable, but its
        // split is ours now. Start the task from the beginning over it.
        input = {start.input_base(), start.input_length()};
      } else {
        if (!recovered.ok()) {
          co_return absl::FailedPreconditionError(
              absl::StrCat("resume: the stolen attempt left no usable checkpoint: ",
                           recovered.status().message()));
        }
        const MapCheckpoint& checkpoint = recovered->checkpoint;
        input = {checkpoint.input().base(), checkpoint.input().length()};
        offset = checkpoint.offset();
        done = checkpoint.done();
        DDC_CO_ASSIGN_OR_RETURN(counters, Counters::Decode(checkpoint.counters()));
        DDC_CO_ASSIGN_OR_RETURN(MapOutput resumed, co_await MapOutput::Resume(memory, checkpoint));
        output.emplace(std::move(resumed));
        log.emplace(std::move(recovered->log));
      }
    } else {
      if (start.origin() == LOAD) {
        if (!loaded_ || loaded_task_ != task) {
          co_return absl::FailedPreconditionError("LOAD attempt on a worker without the split");
        }
        input = *loaded_;
      } else {
        DDC_CO_ASSIGN_OR_RETURN(input, co_await FetchSplit(task));
        if (AttemptRecord* r = Record(task, attempt)) r->input_refetched = split.bytes;
      }
    }
    if (!output) {  // from the beginning: fresh output and checkpoint log
      DDC_CO_ASSIGN_OR_RETURN(MapOutput fresh, MapOutput::Create(memory, job_->reduces()));
      output.emplace(std::move(fresh));
      DDC_CO_ASSIGN_OR_RETURN(CheckpointLog created,
                              co_await CheckpointLog::Create(memory, start.checkpoint_name()));
      log.emplace(std::move(created));
    }
    if (AttemptRecord* r = Record(task, attempt)) r->resumed_from = offset;

    std::vector<std::string> points(start.split_points().begin(), start.split_points().end());
    const Partitioning partitioning = points.empty()
                                          ? Partitioning::Hash(job_->reduces())
                                          : Partitioning::Range(job_->reduces(), std::move(points));
    TaskContext context(job_->plan().name, TaskName(true, task));
    context.counters() = counters;
    std::unique_ptr<MapFunction> mapper = job_->plan().new_mapper();
    std::unique_ptr<ReduceFunction> combiner;
    if (job_->plan().new_combiner) combiner = job_->plan().new_combiner();

    // checkpoint makes the output so far, and the offset it covers, durable and findable.
    auto checkpoint = [&](int64_t at, bool finished) -> asio::awaitable<absl::Status> {
      MapCheckpoint c;
      c.set_task(task);
      c.mutable_input()->set_base(input.base);
      c.mutable_input()->set_length(input.length);
      c.set_input_bytes(split.bytes);
      c.set_offset(at);
      c.set_done(finished);
      output->FillCheckpoint(&c);
      c.set_counters(context.counters().Encode());
      DDC_CO_RETURN_IF_ERROR(co_await log->Write(c));
      if (AttemptRecord* r = Record(task, attempt)) r->last_checkpoint = self_.Now();
      co_return absl::OkStatus();
    };
    if (!done) {
      // The first checkpoint says where the input is, so a thief can resume even from nothing.
      DDC_CO_RETURN_IF_ERROR(co_await checkpoint(offset, false));
      DDC_CO_RETURN_IF_ERROR(co_await MapSplit(task, attempt, split, input, offset, partitioning,
                                               *mapper, combiner.get(), context, *output,
                                               checkpoint, user_error));
      if (state_->task < 0) co_return absl::OkStatus();  // aborted
    }

    MapDone report;
    report.set_task(task);
    report.set_attempt(attempt);
    for (PartitionManifest& m : output->Manifests(task)) *report.add_partitions() = std::move(m);
    report.set_counters(context.counters().Encode());
    DDC_CO_RETURN_IF_ERROR(self_.Send(orchestrator_, report));

    // Wait to be told to ship (this attempt won) or to stop (another attempt won).
    std::optional<Envelope> verdict = co_await self_.ReceiveWhere(
        [task, attempt](const Envelope& e) {
          if (const Shuffle* s = e.TryAs<Shuffle>())
            return s->task() == task && s->attempt() == attempt;
          if (const Abort* a = e.TryAs<Abort>())
            return a->task() == task && a->attempt() == attempt;
          return false;
        },
        kInfiniteDuration);
    if (!verdict || verdict->Is<Abort>()) co_return absl::OkStatus();
    DDC_CO_RETURN_IF_ERROR(co_await Ship(task, verdict->As<Shuffle>(), *output));
    Shipped shipped;
    shipped.set_task(task);
    shipped.set_attempt(attempt);
    co_return self_.Send(orchestrator_, shipped);
  }

  template <typename CheckpointFn>
  asio::awaitable<absl::Status> MapSplit(int task, int attempt, const InputSplit& split,
                                         Region input, int64_t offset,
                                         const Partitioning& partitioning, MapFunction& mapper,
                                         ReduceFunction* combiner, TaskContext& context,
                                         MapOutput& output, CheckpointFn& checkpoint,
                                         bool* user_error) {
    const EngineOptions& engine = job_->options.engine;
    const TaskCosts& costs = job_->plan().costs;
    const RecordFormat& format = *job_->plan().record_format;
    Memory& memory = self_.memory();
    SpillBuffer buffer;
    PartitioningSink sink(partitioning, buffer, memory.page_size());
    std::string pending;         // bytes read but not yet mapped (a record's start)
    int64_t read_to = offset;    // input bytes read
    int64_t mapped_to = offset;  // input bytes mapped (whole records)
    int64_t checkpointed = offset;
    while (mapped_to < split.bytes) {
      // Abort (a losing speculative copy) is checked between chunks.
      std::optional<Envelope> abort = co_await self_.ReceiveWhere(
          [task, attempt](const Envelope& e) {
            const Abort* a = e.TryAs<Abort>();
            return a != nullptr && a->task() == task && a->attempt() == attempt;
          },
          0);
      if (abort) {
        state_->task = -1;
        co_return absl::OkStatus();
      }
      const int64_t n = std::min(engine.read_chunk_bytes, split.bytes - read_to);
      if (n > 0) {
        DDC_CO_ASSIGN_OR_RETURN(
            std::string data, co_await memory.Read(input.base + static_cast<uint64_t>(read_to), n));
        pending += data;
        read_to += n;
      }
      const bool end_of_split = read_to == split.bytes;
      int64_t records = 0;
      const int64_t pairs_before = sink.pairs;
      size_t at = 0;
      for (;;) {
        absl::StatusOr<int64_t> length =
            format.NextRecord(absl::string_view(pending).substr(at), end_of_split);
        if (!length.ok()) {
          *user_error = true;
          co_return absl::InvalidArgumentError(
              absl::StrCat("input at byte ", split.offset + mapped_to + static_cast<int64_t>(at),
                           ": ", length.status().message()));
        }
        if (*length <= 0) break;
        const absl::string_view record = absl::string_view(pending).substr(at, *length);
        const int64_t record_offset = split.offset + mapped_to + static_cast<int64_t>(at);
        absl::Status mapped =
            CallUser([&] { return mapper.Map(record_offset, record, sink, context); });
        if (!mapped.ok()) {
          *user_error = true;
          co_return absl::Status(mapped.code(), absl::StrCat("record at byte ", record_offset, ": ",
                                                             mapped.message()));
        }
        at += static_cast<size_t>(*length);
        ++records;
        if (at >= pending.size()) break;
      }
      if (records == 0 && end_of_split && at < pending.size()) {
        *user_error = true;
        co_return absl::InvalidArgumentError("input ends inside a record");
      }
      const int64_t pairs = sink.pairs - pairs_before;
      context.counters().Add(kMapInputRecords, records);
      context.counters().Add(kMapInputBytes, static_cast<int64_t>(at));
      context.counters().Add(kMapOutputRecords, pairs);
      co_await self_.Compute(ChargeNs(costs.map_per_record_ns * static_cast<double>(records) +
                                      costs.map_per_byte_ns * static_cast<double>(at) +
                                      costs.emit_per_pair_ns * static_cast<double>(pairs)));
      mapped_to += static_cast<int64_t>(at);
      pending.erase(0, at);
      const bool last = mapped_to == split.bytes;
      if (buffer.bytes() >= engine.spill_bytes || last) {
        absl::Status spilled = co_await output.Spill(self_, buffer, combiner, context, costs);
        if (!spilled.ok()) {
          *user_error = absl::IsInvalidArgument(spilled) || absl::IsInternal(spilled);
          co_return spilled;
        }
        DDC_CO_RETURN_IF_ERROR(co_await checkpoint(mapped_to, last));
        checkpointed = mapped_to;
      }
      Progress progress;
      progress.set_task(task);
      progress.set_attempt(attempt);
      progress.set_processed(mapped_to);
      progress.set_checkpointed(checkpointed);
      progress.set_total(split.bytes);
      progress.set_resumed_from(offset);
      DDC_CO_RETURN_IF_ERROR(self_.Send(orchestrator_, progress));
      if (AttemptRecord* r = Record(task, attempt)) r->processed = mapped_to;
      job_->outcome->progress_trace[task].emplace_back(self_.Now(), mapped_to);
    }
    co_return absl::OkStatus();
  }

  // Ship delivers every partition of the committed output to its reducer.
  asio::awaitable<absl::Status> Ship(int task, const Shuffle& shuffle, MapOutput& output) {
    const std::vector<PartitionManifest> manifests = output.Manifests(task);
    const int reduces = job_->reduces();
    const bool grant = job_->options.policy.shuffle == ShuffleMechanism::kGrant;
    for (int i = 0; i < reduces; ++i) {
      // Mappers start at different reducers, so that they do not all queue at reducer 0.
      const int p = (task + i) % reduces;
      const PartitionManifest& manifest = manifests[static_cast<size_t>(p)];
      const ProcessId reducer{shuffle.reducers(p)};
      std::vector<Region> pages = RegionsFromProto(manifest.pages());
      PartitionReady ready;
      *ready.mutable_manifest() = manifest;
      if (!pages.empty() && grant) {
        // An attempt that resumed a stolen one (a crash mid-shuffle) may find some partitions
        // granted already: the steal did not return their pages, which the reducer holds. Grant
        // only what is still ours (granting the rest is PERMISSION_DENIED, which reads as a
        // fence) and send every manifest, since the victim may have died before its
        // PartitionReady; the reducer ignores a partition it already holds.
        const std::vector<Region> ours = StillOwned(pages, self_.memory().Regions());
        if (!ours.empty()) DDC_CO_RETURN_IF_ERROR(co_await self_.memory().Grant(ours, reducer));
      } else if (!pages.empty()) {
        int64_t total = 0;
        for (const Region& r : pages) total += r.length;
        PrepareCopy prepare;
        prepare.set_map_task(task);
        prepare.set_total(total);
        absl::StatusOr<Received<CopyPrepared>> prepared =
            co_await self_.Call<CopyPrepared>(reducer, prepare, Seconds(10));
        DDC_CO_RETURN_IF_ERROR(prepared.status());
        const CopyTuning& copy = job_->options.engine.copy;
        DDC_CO_RETURN_IF_ERROR(
            co_await StreamRegions(self_, std::move(pages), copy.chunk, copy.window,
                                   [this, reducer, task, total](int64_t offset, std::string data) {
                                     PartitionChunk chunk;
                                     chunk.set_map_task(task);
                                     chunk.set_offset(offset);
                                     chunk.set_total(total);
                                     chunk.set_data(std::move(data));
                                     return self_.Send(reducer, std::move(chunk));
                                   }));
        ready.set_copied(true);
      }
      DDC_CO_RETURN_IF_ERROR(self_.Send(reducer, std::move(ready)));
    }
    co_return absl::OkStatus();
  }

  Process& self_;
  std::shared_ptr<const JobContext> job_;
  std::shared_ptr<WorkerState> state_;
  ProcessId orchestrator_ = kNoProcess;
  std::optional<Region> loaded_;
  int loaded_task_ = -1;
};

}  // namespace

asio::awaitable<absl::Status> RunMapWorker(Process& self, std::shared_ptr<const JobContext> job) {
  MapWorker worker(self, std::move(job));
  co_return co_await worker.Run();
}

}  // namespace ddc::mapreduce
