// SpillBuffer and MapOutput: a map attempt's output, from the pairs its mapper emits to sorted
// runs in whole pages of memory-element memory, one page writer per reduce partition.
//
//   SpillBuffer buffer;
//   buffer.Add(partition, key, value);                   // as the mapper emits
//   if (buffer.bytes() >= options.spill_bytes)
//     DDC_CO_RETURN_IF_ERROR(co_await output.Spill(self, buffer, combiner, context, costs));
//
// Contract:
// - SpillBuffer keeps emitted pairs in CE-local memory (lost with the CE, like a sort buffer).
// - MapOutput::Spill sorts the buffer by (partition, key, value), runs the combiner (if any) on
//   each key's pairs, appends each partition's pairs to that partition's page writer as one new
//   sorted run, flushes every writer that received pairs, and empties the buffer. When it returns
//   OK, everything spilled so far is durable; runs start on page boundaries (a flush closes the
//   page), so a reader can start at any run. It charges the sort, the combiner and the
//   serialization through Process::Compute (costs.h).
// - A pair larger than a page (framed) is INVALID_ARGUMENT naming its size and the limit, found
//   by CheckPairFits when it is emitted.
// - Progress (partition writers' progress and runs) goes into and comes back from a checkpoint
//   (FillCheckpoint, Resume), so another attempt can continue exactly after the last spill.
// - Manifests describe each partition's pages and runs for the shuffle.
#ifndef DDC_MAPREDUCE_SPILL_H_
#define DDC_MAPREDUCE_SPILL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "common/durable/page_writer.h"
#include "mapreduce/costs.h"
#include "mapreduce/mapreduce.pb.h"
#include "mapreduce/plan.h"
#include "platform/memory.h"
#include "platform/process.h"

namespace ddc::mapreduce {

class SpillBuffer {
 public:
  void Add(int partition, absl::string_view key, absl::string_view value);
  // bytes is what the buffer holds: the pairs' bytes plus a 16-byte index entry each.
  int64_t bytes() const { return static_cast<int64_t>(arena_.size() + 16 * entries_.size()); }
  int64_t pairs() const { return static_cast<int64_t>(entries_.size()); }
  bool empty() const { return entries_.empty(); }

 private:
  friend class MapOutput;
  struct Entry {
    uint32_t partition;
    uint32_t offset;  // of the key in arena_
    uint32_t key_bytes;
    uint32_t value_bytes;
  };
  absl::string_view Key(const Entry& e) const {
    return absl::string_view(arena_).substr(e.offset, e.key_bytes);
  }
  absl::string_view Value(const Entry& e) const {
    return absl::string_view(arena_).substr(e.offset + e.key_bytes, e.value_bytes);
  }
  void Clear() {
    arena_.clear();
    entries_.clear();
  }
  std::string arena_;
  std::vector<Entry> entries_;
};

// CheckPairFits returns INVALID_ARGUMENT when a (key, value) pair, framed, cannot fit in one
// page of `page_size` bytes.
absl::Status CheckPairFits(int64_t key_bytes, int64_t value_bytes, int64_t page_size);

class MapOutput {
 public:
  static absl::StatusOr<MapOutput> Create(Memory& memory, int partitions);
  static asio::awaitable<absl::StatusOr<MapOutput>> Resume(Memory& memory,
                                                           const MapCheckpoint& checkpoint);

  asio::awaitable<absl::Status> Spill(Process& self, SpillBuffer& buffer, ReduceFunction* combiner,
                                      TaskContext& context, const TaskCosts& costs);

  // FillCheckpoint writes the partitions' progress and runs into `checkpoint`.
  void FillCheckpoint(MapCheckpoint* checkpoint) const;
  std::vector<PartitionManifest> Manifests(int map_task) const;
  int spills() const { return spills_; }
  // Regions lists every page of the output (whole extents, for freeing).
  std::vector<Region> Extents() const;

 private:
  struct Partition {
    durable::PageWriter writer;
    std::vector<Run> runs;
  };
  explicit MapOutput(std::vector<Partition> partitions) : partitions_(std::move(partitions)) {}

  std::vector<Partition> partitions_;
  int spills_ = 0;
};

// RegionsToProto / RegionsFromProto convert page regions for messages.
void RegionsToProto(const std::vector<Region>& regions,
                    google::protobuf::RepeatedPtrField<platform::RegionMsg>* out);
std::vector<Region> RegionsFromProto(
    const google::protobuf::RepeatedPtrField<platform::RegionMsg>& regions);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_SPILL_H_
