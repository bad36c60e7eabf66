#include "common/durable/log_reader.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "common/durable/log_format.h"
#include "platform/status_macros.h"

namespace ddc::durable {

using log_format::Fragment;
using log_format::FragmentType;

LogReader::LogReader(Memory& memory, LogLayout layout, uint32_t max_epoch, uint64_t from,
                     std::optional<uint64_t> limit, uint64_t scan_end)
    : memory_(&memory),
      layout_(layout),
      max_epoch_(max_epoch),
      position_(from),
      limit_(limit),
      scan_end_(limit ? *limit : scan_end) {}

asio::awaitable<absl::StatusOr<absl::string_view>> LogReader::BytesAt(uint64_t offset) {
  if (offset < chunk_start_ || offset >= chunk_start_ + chunk_.size()) {
    const uint64_t block = offset / kBlockSize * kBlockSize;
    const uint64_t ring = static_cast<uint64_t>(layout_.ring_bytes);
    // Up to the read-ahead, the end of the scan, and the physical end of the ring.
    uint64_t end = block + kReadAheadBlocks * kBlockSize;
    end = std::min(end, (scan_end_ + kBlockSize - 1) / kBlockSize * kBlockSize);
    end = std::min(end, block + (ring - block % ring));
    chunk_.clear();
    DDC_CO_ASSIGN_OR_RETURN(
        chunk_, co_await memory_->Read(layout_.Physical(block), static_cast<int64_t>(end - block)));
    chunk_start_ = block;
  }
  const uint64_t at = offset - chunk_start_;
  co_return absl::string_view(chunk_).substr(at, kBlockSize - offset % kBlockSize);
}

absl::StatusOr<std::optional<LogRecord>> LogReader::Stop(uint64_t offset, absl::string_view why) {
  done_ = true;
  if (!limit_) return std::nullopt;
  return absl::DataLossError(absl::StrFormat(
      "log 0x%x: %s at offset %d (physical 0x%x), inside the durable records that end at %d",
      layout_.log_id, why, offset, layout_.Physical(offset), *limit_));
}

asio::awaitable<absl::StatusOr<std::optional<LogRecord>>> LogReader::Next() {
  if (done_ || (limit_ && position_ >= *limit_)) co_return std::nullopt;
  LogRecord record;
  record.position = position_;
  uint64_t offset = position_;
  bool inside = false;  // a FIRST was read: MIDDLE or LAST must follow, of the same epoch
  uint32_t epoch = 0;
  for (;;) {
    offset = log_format::SkipTrailer(offset);
    if (offset + log_format::kFragmentHeaderSize > scan_end_) {
      co_return Stop(offset, inside ? "record cut off by the end" : "no record");
    }
    DDC_CO_ASSIGN_OR_RETURN(absl::string_view bytes, co_await BytesAt(offset));
    const std::optional<Fragment> fragment =
        log_format::ParseFragment(bytes, layout_.log_id, offset);
    if (!fragment) co_return Stop(offset, "no valid fragment");
    const bool starts =
        fragment->type == FragmentType::kFull || fragment->type == FragmentType::kFirst;
    if (starts == inside) co_return Stop(offset, "fragment out of sequence");
    if (fragment->epoch > max_epoch_ || fragment->epoch < last_epoch_ ||
        (inside && fragment->epoch != epoch)) {
      co_return Stop(offset, "fragment of a stale writer epoch");
    }
    record.data.append(fragment->payload.data(), fragment->payload.size());
    offset += log_format::kFragmentHeaderSize + fragment->payload.size();
    if (offset > scan_end_) co_return Stop(offset, "record cut off by the end");
    epoch = fragment->epoch;
    if (fragment->type == FragmentType::kFull || fragment->type == FragmentType::kLast) break;
    inside = true;
  }
  last_epoch_ = epoch;
  position_ = offset;
  record.end = offset;
  co_return record;
}

}  // namespace ddc::durable
