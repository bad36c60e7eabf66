#include "mapreduce/spill.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable/page_format.h"
#include "mapreduce/kv.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

// VectorCursor hands out the values of one key group.
class VectorCursor final : public ValueCursor {
 public:
  explicit VectorCursor(std::vector<absl::string_view> values) : values_(std::move(values)) {}
  bool Next(absl::string_view* value) override {
    if (next_ >= values_.size()) return false;
    *value = values_[next_++];
    return true;
  }

 private:
  std::vector<absl::string_view> values_;
  size_t next_ = 0;
};

// CollectingSink keeps what a combiner emits.
class CollectingSink final : public KvSink {
 public:
  absl::Status Emit(absl::string_view key, absl::string_view value) override {
    pairs.emplace_back(std::string(key), std::string(value));
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, std::string>> pairs;
};

}  // namespace

void SpillBuffer::Add(int partition, absl::string_view key, absl::string_view value) {
  entries_.push_back({static_cast<uint32_t>(partition), static_cast<uint32_t>(arena_.size()),
                      static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
  arena_.append(key.data(), key.size());
  arena_.append(value.data(), value.size());
}

absl::Status CheckPairFits(int64_t key_bytes, int64_t value_bytes, int64_t page_size) {
  const int64_t framed = KvBytes(key_bytes, value_bytes);
  const int64_t limit = durable::MaxPageRecordBytes(page_size);
  if (framed <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "a pair of %d bytes (key %d, value %d, framed) is larger than a page can hold (%d bytes "
      "in a %d-byte page)",
      framed, key_bytes, value_bytes, limit, page_size));
}

absl::StatusOr<MapOutput> MapOutput::Create(Memory& memory, int partitions) {
  std::vector<Partition> out;
  for (int p = 0; p < partitions; ++p) {
    DDC_ASSIGN_OR_RETURN(durable::PageWriter writer, durable::PageWriter::Create(memory));
    out.push_back({std::move(writer), {}});
  }
  return MapOutput(std::move(out));
}

asio::awaitable<absl::StatusOr<MapOutput>> MapOutput::Resume(Memory& memory,
                                                             const MapCheckpoint& checkpoint) {
  std::vector<Partition> out;
  for (const PartitionProgress& p : checkpoint.partitions()) {
    DDC_CO_ASSIGN_OR_RETURN(durable::PageWriterProgress progress,
                            durable::PageWriterProgress::Decode(p.writer()));
    DDC_CO_ASSIGN_OR_RETURN(durable::PageWriter writer,
                            co_await durable::PageWriter::Resume(memory, std::move(progress)));
    Partition partition{std::move(writer), {}};
    partition.runs.assign(p.runs().begin(), p.runs().end());
    out.push_back(std::move(partition));
  }
  MapOutput output(std::move(out));
  output.spills_ = checkpoint.spills();
  co_return output;
}

asio::awaitable<absl::Status> MapOutput::Spill(Process& self, SpillBuffer& buffer,
                                               ReduceFunction* combiner, TaskContext& context,
                                               const TaskCosts& costs) {
  if (buffer.empty()) co_return absl::OkStatus();
  std::vector<SpillBuffer::Entry>& entries = buffer.entries_;
  std::sort(
      entries.begin(), entries.end(),
      [&](const SpillBuffer::Entry& a, const SpillBuffer::Entry& b) {
        if (a.partition != b.partition) return a.partition < b.partition;
        return CompareKv({buffer.Key(a), buffer.Value(a)}, {buffer.Key(b), buffer.Value(b)}) < 0;
      });
  const int64_t pairs = static_cast<int64_t>(entries.size());
  double cpu =
      SortNs(costs, pairs) + costs.serialize_per_byte_ns * static_cast<double>(buffer.bytes());
  if (combiner != nullptr) cpu += costs.combine_per_pair_ns * static_cast<double>(pairs);
  co_await self.Compute(ChargeNs(cpu));

  std::vector<int64_t> run_records(partitions_.size(), 0);
  std::vector<int64_t> first_page(partitions_.size(), 0);
  for (size_t p = 0; p < partitions_.size(); ++p)
    first_page[p] = partitions_[p].writer.flushed().pages;
  std::string record;
  int64_t written = 0;
  for (size_t i = 0; i < entries.size();) {
    const SpillBuffer::Entry& head = entries[i];
    const int partition = static_cast<int>(head.partition);
    durable::PageWriter& writer = partitions_[partition].writer;
    if (combiner == nullptr) {
      record.clear();
      AppendKv(buffer.Key(head), buffer.Value(head), &record);
      DDC_CO_RETURN_IF_ERROR(co_await writer.Append(record));
      ++run_records[partition];
      ++written;
      ++i;
      continue;
    }
    // One key group of this partition.
    const absl::string_view key = buffer.Key(head);
    std::vector<absl::string_view> values;
    size_t end = i;
    while (end < entries.size() && entries[end].partition == head.partition &&
           buffer.Key(entries[end]) == key) {
      values.push_back(buffer.Value(entries[end]));
      ++end;
    }
    context.counters().Add(kCombineInputRecords, static_cast<int64_t>(values.size()));
    VectorCursor cursor(std::move(values));
    CollectingSink sink;
    DDC_CO_RETURN_IF_ERROR(CallUser([&] { return combiner->Reduce(key, cursor, sink, context); }));
    for (const auto& [k, v] : sink.pairs) {
      if (k != key) {
        co_return absl::InvalidArgumentError(absl::StrCat(
            "the combiner emitted a pair with another key than the one it was given (a combiner "
            "must keep the key)"));
      }
      DDC_CO_RETURN_IF_ERROR(CheckPairFits(static_cast<int64_t>(k.size()),
                                           static_cast<int64_t>(v.size()),
                                           self.memory().page_size()));
      record.clear();
      AppendKv(k, v, &record);
      DDC_CO_RETURN_IF_ERROR(co_await writer.Append(record));
      ++run_records[partition];
      ++written;
    }
    context.counters().Add(kCombineOutputRecords, static_cast<int64_t>(sink.pairs.size()));
    i = end;
  }
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (run_records[p] == 0) continue;
    DDC_CO_ASSIGN_OR_RETURN(durable::PageWriterProgress done,
                            co_await partitions_[p].writer.Flush());
    Run run;
    run.set_first_page(first_page[p]);
    run.set_pages(done.pages - first_page[p]);
    run.set_records(run_records[p]);
    partitions_[p].runs.push_back(run);
  }
  context.counters().Add(kSpilledRecords, written);
  context.counters().Add(kSpills, 1);
  ++spills_;
  buffer.Clear();
  co_return absl::OkStatus();
}

void MapOutput::FillCheckpoint(MapCheckpoint* checkpoint) const {
  checkpoint->clear_partitions();
  for (const Partition& p : partitions_) {
    PartitionProgress* progress = checkpoint->add_partitions();
    progress->set_writer(p.writer.flushed().Encode());
    for (const Run& run : p.runs) *progress->add_runs() = run;
  }
  checkpoint->set_spills(spills_);
}

std::vector<PartitionManifest> MapOutput::Manifests(int map_task) const {
  std::vector<PartitionManifest> out;
  for (size_t p = 0; p < partitions_.size(); ++p) {
    const durable::PageWriter& writer = partitions_[p].writer;
    PartitionManifest manifest;
    manifest.set_map_task(map_task);
    manifest.set_partition(static_cast<int>(p));
    RegionsToProto(writer.Regions(), manifest.mutable_pages());
    for (const Run& run : partitions_[p].runs) *manifest.add_runs() = run;
    manifest.set_records(writer.flushed().records);
    manifest.set_bytes(writer.flushed().bytes);
    manifest.set_page_count(writer.flushed().pages);
    out.push_back(std::move(manifest));
  }
  return out;
}

std::vector<Region> MapOutput::Extents() const {
  std::vector<Region> out;
  for (const Partition& p : partitions_) {
    for (const Region& r : p.writer.flushed().extents) out.push_back(r);
  }
  return out;
}

void RegionsToProto(const std::vector<Region>& regions,
                    google::protobuf::RepeatedPtrField<platform::RegionMsg>* out) {
  for (const Region& region : regions) {
    platform::RegionMsg* msg = out->Add();
    msg->set_base(region.base);
    msg->set_length(region.length);
  }
}

std::vector<Region> RegionsFromProto(
    const google::protobuf::RepeatedPtrField<platform::RegionMsg>& regions) {
  std::vector<Region> out;
  for (const platform::RegionMsg& msg : regions) out.push_back({msg.base(), msg.length()});
  return out;
}

}  // namespace ddc::mapreduce
