#include "common/durable/log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "common/durable/coding.h"
#include "common/durable/log_format.h"
#include "platform/status_macros.h"

namespace ddc::durable {
namespace {

constexpr uint32_t kLogMagic = 0x474f4c44;  // "DLOG"
constexpr uint32_t kLogVersion = 1;

struct LogMeta {
  VirtAddr ring_base = 0;
  uint64_t ring_bytes = 0;
  uint64_t head = 0;
  uint32_t epoch = 0;
};

std::string EncodeMeta(const LogMeta& meta) {
  std::string out;
  PutFixed32(out, kLogMagic);
  PutFixed32(out, kLogVersion);
  PutFixed64(out, meta.ring_base);
  PutFixed64(out, meta.ring_bytes);
  PutFixed64(out, meta.head);
  PutFixed32(out, meta.epoch);
  return out;
}

absl::StatusOr<LogMeta> DecodeMeta(absl::string_view bytes, VirtAddr root) {
  ByteReader in(bytes);
  uint32_t magic = 0, version = 0;
  LogMeta meta;
  if (!in.ReadFixed(magic) || !in.ReadFixed(version) || !in.ReadFixed(meta.ring_base) ||
      !in.ReadFixed(meta.ring_bytes) || !in.ReadFixed(meta.head) || !in.ReadFixed(meta.epoch) ||
      magic != kLogMagic || version != kLogVersion || meta.ring_bytes < kBlockSize ||
      !IsBlockAligned(meta.ring_bytes) || meta.ring_base != root + kBlockSize) {
    return absl::FailedPreconditionError(
        absl::StrFormat("log: the root cell at 0x%x does not describe a log", root));
  }
  return meta;
}

uint64_t BlockFloor(uint64_t offset) { return offset / kBlockSize * kBlockSize; }

}  // namespace

asio::awaitable<absl::StatusOr<DurableLog>> DurableLog::Create(Memory& memory,
                                                               int64_t capacity_bytes) {
  if (capacity_bytes < kMinCapacityBytes) {
    co_return absl::InvalidArgumentError(absl::StrFormat(
        "log: capacity of %d bytes is below the minimum of %d", capacity_bytes, kMinCapacityBytes));
  }
  const int64_t ring_request = BlocksFor(capacity_bytes) * kBlockSize;
  DDC_CO_ASSIGN_OR_RETURN(Region region, co_await memory.Allocate(kBlockSize + ring_request));
  DDC_CO_ASSIGN_OR_RETURN(DurableCell meta, co_await DurableCell::Open(memory, region.base));
  const LogLayout layout{region.base, region.base + kBlockSize, region.length - kBlockSize};
  DurableLog log(memory, std::move(meta), layout);
  log.epoch_ = 1;
  DDC_CO_RETURN_IF_ERROR(co_await log.WriteMeta(0, log.epoch_));
  co_return log;
}

asio::awaitable<absl::StatusOr<DurableLog>> DurableLog::Open(Memory& memory, VirtAddr root) {
  DDC_CO_ASSIGN_OR_RETURN(DurableCell cell, co_await DurableCell::OpenWritten(memory, root, "log"));
  DDC_CO_ASSIGN_OR_RETURN(LogMeta meta, DecodeMeta(*cell.value(), root));
  const LogLayout layout{root, meta.ring_base, static_cast<int64_t>(meta.ring_bytes)};
  DurableLog log(memory, std::move(cell), layout);
  log.head_ = meta.head;
  log.epoch_ = meta.epoch;
  // Find the tail: the end of the last valid record, at most one lap past the head.
  LogReader scan(memory, layout, meta.epoch, meta.head, std::nullopt, meta.head + meta.ring_bytes);
  for (;;) {
    DDC_CO_ASSIGN_OR_RETURN(std::optional<LogRecord> record, co_await scan.Next());
    if (!record) break;
  }
  log.tail_ = scan.position();
  // A new writer epoch, durable before anything is written (see log.h, point 3).
  DDC_CO_RETURN_IF_ERROR(co_await log.WriteMeta(log.head_, log.epoch_ + 1));
  log.epoch_ += 1;
  const int64_t in_block = static_cast<int64_t>(log.tail_ % kBlockSize);
  if (in_block > 0) {
    DDC_CO_ASSIGN_OR_RETURN(log.tail_block_,
                            co_await memory.Read(layout.Physical(BlockFloor(log.tail_)), in_block));
  }
  co_return log;
}

asio::awaitable<absl::Status> DurableLog::WriteMeta(uint64_t head, uint32_t epoch) {
  // A coroutine, not a plain function returning Write's awaitable: the encoded bytes must live
  // until the write has run.
  const LogMeta meta{layout_.ring_base, static_cast<uint64_t>(layout_.ring_bytes), head, epoch};
  const std::string encoded = EncodeMeta(meta);
  co_return co_await meta_.Write(encoded);
}

uint64_t DurableLog::ReusableEnd() const {
  return head_ + static_cast<uint64_t>(layout_.ring_bytes);
}

int64_t DurableLog::FreeBytes() const { return static_cast<int64_t>(ReusableEnd() - tail_); }

std::vector<Region> DurableLog::Regions() const {
  return {Region{layout_.log_id, kBlockSize + layout_.ring_bytes}};
}

asio::awaitable<absl::StatusOr<uint64_t>> DurableLog::Append(absl::string_view record) {
  const std::vector<std::string> batch{std::string(record)};
  co_return co_await AppendBatch(batch);
}

asio::awaitable<absl::StatusOr<uint64_t>> DurableLog::AppendBatch(
    const std::vector<std::string>& records) {
  if (!broken_.ok()) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "log: appends refused after an earlier I/O error (re-open the log): ", broken_.message()));
  }
  uint64_t end = tail_;
  for (const std::string& record : records) {
    log_format::EmitRecord(layout_.log_id, epoch_, record, end, nullptr);
  }
  const uint64_t needed = end - tail_;
  if (needed > static_cast<uint64_t>(layout_.ring_bytes)) {
    co_return absl::InvalidArgumentError(absl::StrFormat(
        "log: %d record(s) need %d bytes of ring space, more than the whole %d-byte ring",
        records.size(), needed, layout_.ring_bytes));
  }
  if (end > ReusableEnd()) {
    co_return absl::ResourceExhaustedError(absl::StrFormat(
        "log: %d record(s) need %d bytes of ring space but %d are free; truncate first",
        records.size(), needed, FreeBytes()));
  }
  std::string blocks = tail_block_;
  uint64_t offset = tail_;
  for (const std::string& record : records) {
    log_format::EmitRecord(layout_.log_id, epoch_, record, offset, &blocks);
  }
  // Whole blocks (zeros after the new tail), so nothing is fetched first; except a last block
  // that still holds live bytes of the previous lap (the head's), which is written up to `end`.
  const uint64_t padded = BlockFloor(end + kBlockSize - 1);
  if (padded <= ReusableEnd()) blocks.resize(padded - BlockFloor(tail_), '\0');
  absl::Status written = co_await WriteRing(BlockFloor(tail_), blocks);
  if (!written.ok()) {
    broken_ = written;
    co_return written;
  }
  const size_t in_block = static_cast<size_t>(end % kBlockSize);
  tail_block_ = blocks.substr(BlockFloor(end) - BlockFloor(tail_), in_block);
  tail_ = end;
  co_return end;
}

asio::awaitable<absl::Status> DurableLog::WriteRing(uint64_t start, const std::string& blocks) {
  // At most two pieces: up to the physical end of the ring, then from its beginning.
  const uint64_t ring = static_cast<uint64_t>(layout_.ring_bytes);
  const size_t first = std::min<size_t>(blocks.size(), ring - start % ring);
  std::vector<Region> pieces{Region{layout_.Physical(start), static_cast<int64_t>(first)}};
  if (first < blocks.size()) {
    pieces.push_back(Region{layout_.ring_base, static_cast<int64_t>(blocks.size() - first)});
  }
  size_t done = 0;
  for (const Region& piece : pieces) {
    const absl::string_view bytes =
        absl::string_view(blocks).substr(done, static_cast<size_t>(piece.length));
    DDC_CO_RETURN_IF_ERROR(co_await memory_->Write(piece.base, bytes));
    done += static_cast<size_t>(piece.length);
  }
  for (const Region& piece : pieces) DDC_CO_RETURN_IF_ERROR(co_await memory_->Flush(piece));
  co_return absl::OkStatus();
}

LogReader DurableLog::NewReader() const {
  return LogReader(*memory_, layout_, epoch_, head_, tail_, tail_);
}

absl::StatusOr<LogReader> DurableLog::NewReader(uint64_t from) const {
  if (from < head_ || from > tail_) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "log: cannot read from position %d; the live records are [%d, %d)", from, head_, tail_));
  }
  return LogReader(*memory_, layout_, epoch_, from, tail_, tail_);
}

asio::awaitable<absl::Status> DurableLog::Truncate(uint64_t position) {
  if (position < head_ || position > tail_) {
    co_return absl::InvalidArgumentError(
        absl::StrFormat("log: cannot truncate to position %d; the live records are [%d, %d)",
                        position, head_, tail_));
  }
  if (position == head_) co_return absl::OkStatus();
  if (position != tail_) {
    // A record must start there: read it back through a reader that trusts nothing.
    LogReader check(*memory_, layout_, epoch_, position, tail_, tail_);
    absl::StatusOr<std::optional<LogRecord>> record = co_await check.Next();
    if (absl::IsDataLoss(record.status())) {
      co_return absl::InvalidArgumentError(
          absl::StrFormat("log: position %d is not the start of a record", position));
    }
    DDC_CO_RETURN_IF_ERROR(record.status());
  }
  DDC_CO_RETURN_IF_ERROR(co_await WriteMeta(position, epoch_));
  head_ = position;
  co_return absl::OkStatus();
}

}  // namespace ddc::durable
