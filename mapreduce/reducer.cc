#include "mapreduce/reducer.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/durable/page_writer.h"
#include "mapreduce/copy_stream.h"
#include "mapreduce/join.h"
#include "mapreduce/kv.h"
#include "mapreduce/partition.h"
#include "mapreduce/spill.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

// Copies in progress, by map task; shared with the chunk handlers.
struct Copies {
  std::map<int, std::shared_ptr<ChunkAssembly>> by_map;
  std::unique_ptr<Signal> written;  // notified whenever a chunk is written
};

class ListCursor final : public ValueCursor {
 public:
  explicit ListCursor(const std::vector<std::string>& values) : values_(values) {}
  bool Next(absl::string_view* value) override {
    if (next_ >= values_.size()) return false;
    *value = values_[next_++];
    return true;
  }

 private:
  const std::vector<std::string>& values_;
  size_t next_ = 0;
};

// OutputSink writes the reducer's pairs to the output writer and stages them for the outcome.
class OutputSink final : public KvSink {
 public:
  OutputSink(int64_t page_size) : page_size_(page_size) {}
  absl::Status Emit(absl::string_view key, absl::string_view value) override {
    DDC_RETURN_IF_ERROR(CheckPairFits(static_cast<int64_t>(key.size()),
                                      static_cast<int64_t>(value.size()), page_size_));
    pending.emplace_back(std::string(key), std::string(value));
    return absl::OkStatus();
  }
  std::vector<KvPair> pending;

 private:
  int64_t page_size_;
};

class Reducer {
 public:
  Reducer(Process& self, std::shared_ptr<const JobContext> job, int partition)
      : self_(self), job_(std::move(job)), partition_(partition) {}

  asio::awaitable<absl::Status> Run() {
    std::optional<ProcessId> orchestrator = self_.FindProcess(job_->orchestrator);
    if (!orchestrator) co_return absl::NotFoundError("no orchestrator");
    orchestrator_ = *orchestrator;
    bool user_error = false;
    absl::Status status = co_await Work(&user_error);
    if (!status.ok()) {
      TaskFailed failed;
      failed.set_kind(REDUCE);
      failed.set_task(partition_);
      failed.set_user_error(user_error);
      failed.set_code(static_cast<int>(status.code()));
      failed.set_error(std::string(
          JobTaskError(job_->plan().name, TaskName(false, partition_), status).message()));
      DDC_CO_RETURN_IF_ERROR(self_.Send(orchestrator_, failed));
    }
    // Stay until the job ends (the output pages are the job's result).
    std::optional<Received<Release>> release = co_await self_.ReceiveOf<Release>();
    co_return absl::OkStatus();
  }

 private:
  asio::awaitable<absl::Status> Work(bool* user_error) {
    auto copies = std::make_shared<Copies>();
    copies->written = std::make_unique<Signal>(self_);
    Memory& memory = self_.memory();
    self_.Serve<PrepareCopy>([this,
                              copies](Received<PrepareCopy> in) -> asio::awaitable<absl::Status> {
      const int map = in->map_task();
      if (copies->by_map.count(map) == 0) {
        DDC_CO_ASSIGN_OR_RETURN(const Region buffer, co_await self_.memory().Allocate(in->total()));
        copies->by_map[map] = std::make_shared<ChunkAssembly>(buffer, in->total());
      }
      co_return self_.Reply(in.envelope(), CopyPrepared());
    });
    self_.Serve<PartitionChunk>([this, copies](
                                    Received<PartitionChunk> in) -> asio::awaitable<absl::Status> {
      auto it = copies->by_map.find(in->map_task());
      if (it == copies->by_map.end()) co_return absl::OkStatus();  // no buffer: not ours
      std::shared_ptr<ChunkAssembly> assembly = it->second;
      if (!assembly->Fresh(in->offset())) co_return absl::OkStatus();
      DDC_CO_RETURN_IF_ERROR(co_await assembly->Accept(self_.memory(), in->offset(), in->data()));
      copies->written->Notify();
      co_return absl::OkStatus();
    });

    // Receive every map task's partition.
    std::map<int, std::shared_ptr<const HeldPartition>> held;
    while (static_cast<int>(held.size()) < job_->maps()) {
      std::optional<Received<PartitionReady>> ready = co_await self_.ReceiveOf<PartitionReady>();
      if (!ready) co_return absl::InternalError("receive ended");
      const PartitionManifest& manifest = (*ready)->manifest();
      const int map = manifest.map_task();
      if (held.count(map) > 0) continue;
      auto partition = std::make_shared<HeldPartition>();
      partition->manifest = manifest;
      if ((*ready)->copied()) {
        auto it = copies->by_map.find(map);
        if (it == copies->by_map.end()) {
          co_return absl::DataLossError(absl::StrCat("map ", map, "'s copy never started"));
        }
        // The chunks arrived before PartitionReady; their writes may still be running.
        while (!it->second->complete()) co_await copies->written->Wait();
        partition->copy = it->second->buffer();
      }
      held[map] = std::move(partition);
    }
    PartitionsHeld report;
    report.set_partition(partition_);
    DDC_CO_RETURN_IF_ERROR(self_.Send(orchestrator_, report));
    std::optional<Received<ReduceNow>> go = co_await self_.ReceiveOf<ReduceNow>();
    if (!go) co_return absl::InternalError("receive ended");

    // Merge and reduce.
    std::vector<std::shared_ptr<const HeldPartition>> inputs;
    for (auto& [map, partition] : held) inputs.push_back(partition);
    const EngineOptions& engine = job_->options.engine;
    const TaskCosts& costs = job_->plan().costs;
    DDC_CO_ASSIGN_OR_RETURN(Merger merger,
                            co_await Merger::Open(memory, inputs, engine.merge_readahead_pages));
    DDC_CO_ASSIGN_OR_RETURN(durable::PageWriter writer, durable::PageWriter::Create(memory));
    std::unique_ptr<ReduceFunction> reducer = job_->plan().new_reducer();
    TaskContext context(job_->plan().name, TaskName(false, partition_));
    for (const auto& [map, partition] : held) {
      context.counters().Add(kShufflePages, partition->manifest.page_count());
      context.counters().Add(kShuffleRecords, partition->manifest.records());
    }
    OutputSink sink(memory.page_size());
    std::vector<KvPair> output;
    std::string key, value, record;
    std::vector<std::string> values;
    int64_t batch_records = 0, batch_groups = 0, batch_bytes = 0;
    auto charge = [&]() -> asio::awaitable<void> {
      co_await self_.Compute(
          ChargeNs(MergeNs(costs, batch_records, merger.runs()) +
                   costs.reduce_per_group_ns * static_cast<double>(batch_groups) +
                   costs.reduce_per_record_ns * static_cast<double>(batch_records) +
                   costs.serialize_per_byte_ns * static_cast<double>(batch_bytes)));
      batch_records = batch_groups = batch_bytes = 0;
    };
    while (merger.Peek()) {
      DDC_CO_RETURN_IF_ERROR(co_await merger.Pop(&key, &value));
      values.clear();
      values.push_back(value);
      while (merger.Peek() && merger.Peek()->key == key) {
        std::string next_key;
        DDC_CO_RETURN_IF_ERROR(co_await merger.Pop(&next_key, &value));
        values.push_back(value);
      }
      context.counters().Add(kReduceInputGroups, 1);
      context.counters().Add(kReduceInputRecords, static_cast<int64_t>(values.size()));
      ListCursor cursor(values);
      absl::Status reduced = CallUser([&] { return reducer->Reduce(key, cursor, sink, context); });
      if (!reduced.ok()) {
        *user_error = true;
        co_return reduced;
      }
      for (KvPair& pair : sink.pending) {
        record.clear();
        AppendKv(pair.first, pair.second, &record);
        DDC_CO_RETURN_IF_ERROR(co_await writer.Append(record));
        batch_bytes += static_cast<int64_t>(record.size());
        context.counters().Add(kReduceOutputRecords, 1);
        context.counters().Add(kReduceOutputBytes,
                               static_cast<int64_t>(pair.first.size() + pair.second.size()));
        output.push_back(std::move(pair));
      }
      sink.pending.clear();
      batch_records += static_cast<int64_t>(values.size());
      ++batch_groups;
      if (batch_records >= engine.reduce_batch_records) co_await charge();
    }
    co_await charge();
    DDC_CO_ASSIGN_OR_RETURN(const durable::PageWriterProgress progress, co_await writer.Flush());
    job_->outcome->staged_output[partition_] = std::move(output);
    ReduceDone done;
    done.set_partition(partition_);
    done.set_output_progress(progress.Encode());
    done.set_records(progress.records);
    done.set_counters(context.counters().Encode());
    co_return self_.Send(orchestrator_, done);
  }

  Process& self_;
  std::shared_ptr<const JobContext> job_;
  int partition_;
  ProcessId orchestrator_ = kNoProcess;
};

}  // namespace

asio::awaitable<absl::Status> RunReducer(Process& self, std::shared_ptr<const JobContext> job,
                                         int partition) {
  Reducer reducer(self, std::move(job), partition);
  co_return co_await reducer.Run();
}

}  // namespace ddc::mapreduce
