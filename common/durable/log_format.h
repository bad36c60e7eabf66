// The on-page format of DurableLog (log.h): records cut into fragments, LevelDB-style.
//
// The log is a ring of 4 KiB blocks addressed by a 64-bit *logical offset* that only grows; the
// block holding offset x is ring block (x / 4096) mod ring_blocks. A record is stored as one
// FULL fragment, or FIRST, MIDDLE..., LAST fragments; a fragment never crosses a block boundary,
// and when fewer than kFragmentHeaderSize bytes are left in a block the writer skips (zeroes)
// them and goes on in the next block. A fragment is
//
//     masked CRC-32C u32 | payload length u16 | type u8 | epoch u32 | payload
//
// and its CRC covers (log id, logical offset, epoch, type, payload). The logical offset is not
// stored: the reader knows where it is, so bytes left from an earlier lap of the ring (another
// offset) never validate. The epoch is the writer incarnation: every Open of the log for
// writing bumps it durably before writing anything, and the reader accepts epochs that never
// decrease along the log, and one epoch per record. That is what stops a fragment an earlier,
// crashed incarnation wrote past its recovered end from ever being read as part of the log after
// a newer incarnation has written up to it (see log.h for the full argument).
#ifndef DDC_COMMON_DURABLE_LOG_FORMAT_H_
#define DDC_COMMON_DURABLE_LOG_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ddc::durable::log_format {

enum class FragmentType : uint8_t { kZero = 0, kFull = 1, kFirst = 2, kMiddle = 3, kLast = 4 };

inline constexpr int64_t kFragmentHeaderSize = 11;

// EmitRecord cuts `record` into fragments starting at logical offset `offset` and advances it
// past them (skipping block trailers). With `out`, it also appends the bytes that go at the
// offsets it passed over, trailers as zeros. With out == nullptr it only computes the end.
void EmitRecord(uint64_t log_id, uint32_t epoch, absl::string_view record, uint64_t& offset,
                std::string* out);

// SkipTrailer returns `offset`, or the start of the next block when a fragment cannot start at
// `offset` (fewer than kFragmentHeaderSize bytes left in its block).
uint64_t SkipTrailer(uint64_t offset);

struct Fragment {
  FragmentType type;
  uint32_t epoch;
  absl::string_view payload;
};

// ParseFragment validates the fragment that should start at logical `offset`; `bytes` are the
// bytes from `offset` to the end of its block. nullopt when they hold no valid fragment for this
// log at this offset (zeros, torn, stale from another lap or another log).
std::optional<Fragment> ParseFragment(absl::string_view bytes, uint64_t log_id, uint64_t offset);

}  // namespace ddc::durable::log_format

#endif  // DDC_COMMON_DURABLE_LOG_FORMAT_H_
