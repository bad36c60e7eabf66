#include "mapreduce/partition.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "mapreduce/spill.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {

RunReader::RunReader(Memory& memory, std::shared_ptr<const HeldPartition> partition, Run run,
                     int64_t readahead_pages)
    : memory_(&memory),
      partition_(std::move(partition)),
      written_(RegionsFromProto(partition_->manifest.pages()), memory.page_size()),
      run_(run),
      readahead_pages_(std::max<int64_t>(1, readahead_pages)),
      next_page_(run.first_page()) {}

asio::awaitable<absl::Status> RunReader::LoadPage() {
  const int64_t page_size = memory_->page_size();
  const int64_t run_end = run_.first_page() + run_.pages();
  if (next_page_ < chunk_first_ || next_page_ >= chunk_first_ + chunk_pages_) {
    int64_t count = std::min(readahead_pages_, run_end - next_page_);
    VirtAddr at;
    if (partition_->copy) {
      at = partition_->copy->base + static_cast<uint64_t>(next_page_ * page_size);
    } else {
      count = std::min(count, written_.Contiguous(next_page_));
      at = written_.Address(next_page_);
    }
    chunk_.clear();
    chunk_pages_ = 0;
    DDC_CO_ASSIGN_OR_RETURN(chunk_, co_await memory_->Read(at, count * page_size));
    chunk_first_ = next_page_;
    chunk_pages_ = count;
  }
  const absl::string_view image =
      absl::string_view(chunk_).substr((next_page_ - chunk_first_) * page_size, page_size);
  DDC_CO_ASSIGN_OR_RETURN(page_,
                          durable::ParsePage(image, written_.Address(next_page_), next_page_));
  next_record_ = 0;
  ++next_page_;
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<bool>> RunReader::Advance() {
  const int64_t run_end = run_.first_page() + run_.pages();
  while (next_record_ >= page_.records.size()) {
    if (next_page_ >= run_end) {
      if (returned_ != run_.records()) {
        co_return absl::DataLossError(absl::StrFormat(
            "map %d, partition %d: a run of pages [%d, %d) holds %d records, its manifest says %d",
            partition_->manifest.map_task(), partition_->manifest.partition(), run_.first_page(),
            run_end, returned_, run_.records()));
      }
      co_return false;
    }
    DDC_CO_RETURN_IF_ERROR(co_await LoadPage());
  }
  DDC_CO_ASSIGN_OR_RETURN(current_, ParseKv(page_.records[next_record_++]));
  ++returned_;
  co_return true;
}

asio::awaitable<absl::StatusOr<Merger>> Merger::Open(
    Memory& memory, const std::vector<std::shared_ptr<const HeldPartition>>& partitions,
    int64_t readahead_pages) {
  Merger merger;
  for (const auto& partition : partitions) {
    for (const Run& run : partition->manifest.runs()) {
      merger.readers_.push_back(
          std::make_unique<RunReader>(memory, partition, run, readahead_pages));
    }
  }
  for (size_t i = 0; i < merger.readers_.size(); ++i) {
    DDC_CO_ASSIGN_OR_RETURN(const bool has, co_await merger.readers_[i]->Advance());
    if (has) merger.Push(i);
  }
  co_return merger;
}

void Merger::Push(size_t reader) {
  heap_.push_back(reader);
  std::push_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) {
    return CompareKv(readers_[a]->current(), readers_[b]->current()) > 0;
  });
}

std::optional<KvView> Merger::Peek() const {
  if (heap_.empty()) return std::nullopt;
  return readers_[heap_.front()]->current();
}

asio::awaitable<absl::Status> Merger::Pop(std::string* key, std::string* value) {
  std::pop_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) {
    return CompareKv(readers_[a]->current(), readers_[b]->current()) > 0;
  });
  const size_t reader = heap_.back();
  heap_.pop_back();
  const KvView& top = readers_[reader]->current();
  key->assign(top.key.data(), top.key.size());
  value->assign(top.value.data(), top.value.size());
  DDC_CO_ASSIGN_OR_RETURN(const bool more, co_await readers_[reader]->Advance());
  if (more) Push(reader);
  co_return absl::OkStatus();
}

}  // namespace ddc::mapreduce
