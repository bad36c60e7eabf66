// Reading map output at a reducer: the runs of every map task's output for its partition, merged
// into one stream of pairs in (key, value) order.
//
//   HeldPartition held{manifest, copy};            // pages granted in place, or copied here
//   DDC_CO_ASSIGN_OR_RETURN(Merger merger, co_await Merger::Open(memory, partitions));
//   std::string key, value;
//   while (co_await merger.Pop(&key, &value) ...) ...
//
// Where the pages are. A partition's pages were written by a map attempt's page writer at the
// addresses in its manifest. After a grant the reducer owns those very pages, at those addresses,
// and reads them where they lie. After a copy the reducer holds the page images, in page order,
// in a buffer of its own (`copy`). Either way every page is checked against its seal for the
// address it was written at and its index (common/durable/page_format.h), so a torn, stale or
// misplaced page is DATA_LOSS naming it, never silently merged; and every run must hold exactly
// the records its manifest says.
//
// Costs: each run is read ahead `readahead_pages` pages per memory call; the merge itself is
// CPU work the caller charges (costs.h, MergeNs).
#ifndef DDC_MAPREDUCE_PARTITION_H_
#define DDC_MAPREDUCE_PARTITION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/durable/page_format.h"
#include "mapreduce/kv.h"
#include "mapreduce/mapreduce.pb.h"
#include "platform/memory.h"

namespace ddc::mapreduce {

struct HeldPartition {
  PartitionManifest manifest;
  std::optional<Region> copy;  // transparent: the page images in this buffer
};

class RunReader {
 public:
  RunReader(Memory& memory, std::shared_ptr<const HeldPartition> partition, Run run,
            int64_t readahead_pages);

  // Advance moves to the next record: false after the run's last one.
  asio::awaitable<absl::StatusOr<bool>> Advance();
  // current is the record Advance moved to; valid until the next Advance.
  const KvView& current() const { return current_; }

 private:
  asio::awaitable<absl::Status> LoadPage();

  Memory* memory_;
  std::shared_ptr<const HeldPartition> partition_;
  durable::PageList written_;
  Run run_;
  int64_t readahead_pages_;
  int64_t next_page_;  // partition page index of the next page to parse
  std::string chunk_;
  int64_t chunk_first_ = 0;
  int64_t chunk_pages_ = 0;
  durable::ParsedPage page_;
  size_t next_record_ = 0;
  int64_t returned_ = 0;
  KvView current_;
};

class Merger {
 public:
  // Open starts a reader on every run of every partition and reads each one's first record.
  static asio::awaitable<absl::StatusOr<Merger>> Open(
      Memory& memory, const std::vector<std::shared_ptr<const HeldPartition>>& partitions,
      int64_t readahead_pages);

  // Peek is the smallest pending record, or nullopt when all are consumed; valid until Pop.
  std::optional<KvView> Peek() const;
  // Pop copies the smallest pending record out and moves its run on.
  asio::awaitable<absl::Status> Pop(std::string* key, std::string* value);
  int64_t runs() const { return static_cast<int64_t>(readers_.size()); }

 private:
  Merger() = default;
  void Push(size_t reader);
  std::vector<std::unique_ptr<RunReader>> readers_;
  std::vector<size_t> heap_;  // indices of readers with a current record, a min-heap
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_PARTITION_H_
