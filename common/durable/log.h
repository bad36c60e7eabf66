// DurableLog: an append-only log of checksummed records in memory-element pages, with a durable
// tail, truncation from the front, and recovery after a crash or a steal.
//
//   DDC_CO_ASSIGN_OR_RETURN(DurableLog log, co_await DurableLog::Create(memory, 1 << 20));
//   DDC_CO_RETURN_IF_ERROR(co_await memory.Publish("paxos/log", log.root()));
//   DDC_CO_ASSIGN_OR_RETURN(uint64_t end, co_await log.Append("accept 7 x=1"));  // durable now
//   ...
//   // In the process that stole or was granted the pages:
//   DDC_CO_ASSIGN_OR_RETURN(DurableLog log, co_await DurableLog::Open(memory, root));
//   LogReader reader = log.NewReader();
//   while (auto record = co_await reader.Next(), record.ok() && *record) { ... }
//
// Contract:
// - Create allocates the log's pages (a root block, then a ring of at least `capacity_bytes`
//   rounded up to whole pages); Regions() lists them all, so the log can be granted whole.
// - Append / AppendBatch return OK only when the record(s) are durable (written and flushed);
//   AppendBatch writes several records with one flush (group commit). They return the log
//   position just past the last record (the new tail).
// - After a crash at any point, Open recovers exactly a prefix of the records ever appended,
//   starting at the durable head, that contains every acknowledged record; records of a batch in
//   flight may be recovered in part (a prefix of the batch).
// - Truncate(position) drops the records before `position` (a record boundary in
//   [head, tail]); OK means the new head is durable. Their space is then reused.
// - Bad input (an unknown position, a record that can never fit) is INVALID_ARGUMENT; a full
//   ring is RESOURCE_EXHAUSTED; both leave the log unchanged. An I/O error in the middle of an
//   append leaves the log refusing further appends (FAILED_PRECONDITION); re-Open it.
// - One writer at a time, and one call at a time. Open makes the caller the writer.
//
// Layout: root block = a DurableCell holding {magic, ring base, ring size, head, epoch}; ring
// blocks follow it. Record framing is in log_format.h.
//
// Why recovery yields a prefix:
// 1. A record is written as whole 4 KiB ring blocks (the bytes of the tail block before the tail
//    are kept locally and written again unchanged, so no block is fetched) and then flushed;
//    evictions may write any of those blocks back earlier, in any order. Bytes written again
//    unchanged, or zeros past the new tail, change nothing a reader accepts.
// 2. Every fragment is checksummed with its logical offset and the writer's epoch. The reader
//    starts at the head and stops at the first fragment that does not validate. A block that
//    did not reach the memory element still holds what was there before: zeros, bytes of an
//    earlier lap (wrong offset), or what the reader already refused at the last recovery.
// 3. Open bumps the epoch durably before it writes anything. Fragments that a crashed writer
//    left beyond the recovered tail carry an older epoch than anything written after it, so a
//    reader that has read a newer-epoch fragment never goes back to them (epochs may not
//    decrease, and all fragments of a record share one epoch). Without this, a later writer
//    ending exactly where an old, never-recovered record began would resurrect it.
// 4. The writer never overwrites a live byte: appends stop at head + ring size, and the one block
//    that may still hold live bytes of the previous lap (the head's) is written only up to the
//    new tail, not padded.
//
// Costs: Append = one write of the touched blocks (two if the ring wraps) + one flush of them
// (two if it wraps); AppendBatch the same for the whole batch. Truncate = one cell write and one
// flush (plus one read of the record at `position` to check it is a boundary, unless it is the
// tail). Open = one read per 8 blocks of live log + one cell write and flush.
#ifndef DDC_COMMON_DURABLE_LOG_H_
#define DDC_COMMON_DURABLE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "common/durable/cell.h"
#include "common/durable/log_reader.h"
#include "platform/memory.h"

namespace ddc::durable {

class DurableLog {
 public:
  static constexpr int64_t kMinCapacityBytes = 2 * 4096;

  // Create allocates and formats an empty log whose ring holds at least `capacity_bytes`.
  static asio::awaitable<absl::StatusOr<DurableLog>> Create(Memory& memory, int64_t capacity_bytes);
  // Open recovers the log whose root block is at `root` and makes the caller its writer.
  static asio::awaitable<absl::StatusOr<DurableLog>> Open(Memory& memory, VirtAddr root);

  asio::awaitable<absl::StatusOr<uint64_t>> Append(absl::string_view record);
  asio::awaitable<absl::StatusOr<uint64_t>> AppendBatch(const std::vector<std::string>& records);
  asio::awaitable<absl::Status> Truncate(uint64_t position);

  // NewReader reads the live records from the head (or from `from`, a record boundary in
  // [head, tail]) up to the current tail.
  LogReader NewReader() const;
  absl::StatusOr<LogReader> NewReader(uint64_t from) const;

  VirtAddr root() const { return layout_.log_id; }
  uint64_t head() const { return head_; }
  uint64_t tail() const { return tail_; }
  uint32_t epoch() const { return epoch_; }
  int64_t capacity_bytes() const { return layout_.ring_bytes; }
  // FreeBytes is the ring space appends can use before a Truncate (fragment headers included).
  int64_t FreeBytes() const;
  std::vector<Region> Regions() const;

 private:
  DurableLog(Memory& memory, DurableCell meta, LogLayout layout)
      : memory_(&memory), meta_(std::move(meta)), layout_(layout) {}
  // WriteMeta makes {head, epoch} durable in the root cell.
  asio::awaitable<absl::Status> WriteMeta(uint64_t head, uint32_t epoch);
  // WriteRing writes `blocks` (whole blocks from logical offset `start`) and flushes them.
  asio::awaitable<absl::Status> WriteRing(uint64_t start, const std::string& blocks);
  uint64_t ReusableEnd() const;

  Memory* memory_;
  DurableCell meta_;
  LogLayout layout_;
  uint64_t head_ = 0;
  uint64_t tail_ = 0;
  uint32_t epoch_ = 0;
  std::string tail_block_;  // bytes of the tail's block before the tail
  absl::Status broken_;     // first I/O error of an append; the log refuses appends after it
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_LOG_H_
