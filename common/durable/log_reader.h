// LogReader reads the records of a DurableLog (log.h) in order, validating every fragment.
//
// A reader is obtained from DurableLog::NewReader and reads the live records [head, tail) that
// the log knows to be durable; a fragment there that does not validate is DATA_LOSS naming its
// offset. DurableLog::Open uses the same reader without a limit to *find* the tail after a
// crash: it then stops quietly, at the first fragment that is torn, unflushed, stale or out of
// order (see log_format.h for the rules), and everything before it is the log.
//
// Reads go through Memory in chunks of up to kReadAheadBlocks blocks, so a scan costs one memory
// round trip per chunk. A reader holds no lock on the log: appends after NewReader are not seen
// (its limit is the tail at creation), and a Truncate past its position invalidates it.
#ifndef DDC_COMMON_DURABLE_LOG_READER_H_
#define DDC_COMMON_DURABLE_LOG_READER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "platform/memory.h"

namespace ddc::durable {

// LogRecord is one record and where it sits: [position, end) in logical offsets. `end` is the
// position of the next record.
struct LogRecord {
  uint64_t position = 0;
  uint64_t end = 0;
  std::string data;
};

// LogLayout is where a log's ring lives; the log id (its root address) salts every checksum.
struct LogLayout {
  uint64_t log_id = 0;
  VirtAddr ring_base = 0;
  int64_t ring_bytes = 0;

  VirtAddr Physical(uint64_t offset) const {
    return ring_base + offset % static_cast<uint64_t>(ring_bytes);
  }
};

class LogReader {
 public:
  static constexpr int64_t kReadAheadBlocks = 8;

  // Reads from `from`, accepting fragments of epochs up to `max_epoch`. With `limit`, reads up
  // to that offset and treats any invalid fragment before it as DATA_LOSS; without, reads until
  // the first invalid fragment or `scan_end`, whichever comes first.
  LogReader(Memory& memory, LogLayout layout, uint32_t max_epoch, uint64_t from,
            std::optional<uint64_t> limit, uint64_t scan_end);

  // Next returns the next record, or nullopt at the end of the log.
  asio::awaitable<absl::StatusOr<std::optional<LogRecord>>> Next();

  // position is where the next record starts: after a quiet stop, the end of the valid log.
  uint64_t position() const { return position_; }

 private:
  // BytesAt returns the bytes from `offset` to the end of its block, reading ahead as needed.
  asio::awaitable<absl::StatusOr<absl::string_view>> BytesAt(uint64_t offset);
  // Stop ends the scan at `offset`: quietly without a limit, as DATA_LOSS within one.
  absl::StatusOr<std::optional<LogRecord>> Stop(uint64_t offset, absl::string_view why);

  Memory* memory_;
  LogLayout layout_;
  uint32_t max_epoch_;
  uint64_t position_;
  std::optional<uint64_t> limit_;
  uint64_t scan_end_;
  uint32_t last_epoch_ = 0;  // epoch of the last record returned; epochs never decrease
  bool done_ = false;
  uint64_t chunk_start_ = 0;  // logical offset of chunk_[0]
  std::string chunk_;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_LOG_READER_H_
