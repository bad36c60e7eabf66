// CRC-32C (Castagnoli), the checksum every durable structure in this folder stores.
//
// Why our own CRC and not the platform's PageChecksum (zlib CRC-32): records are checksummed
// together with the context they must belong to (their address, log offset, epoch...), which
// needs an incremental Extend; zlib's polynomial has no advantage for us, and CRC-32C is what
// LevelDB, RocksDB and iSCSI use. Software table, byte at a time: structures here checksum at
// most a few KiB per operation.
//
// Stored checksums are masked (as in LevelDB): computing the CRC of a string that contains
// embedded CRCs is problematic, so what goes to memory is Mask(crc), and readers Unmask it.
#ifndef DDC_COMMON_DURABLE_CRC32C_H_
#define DDC_COMMON_DURABLE_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ddc::durable::crc32c {

// Extend returns the CRC-32C of A + data, where init_crc is the CRC-32C of A.
uint32_t Extend(uint32_t init_crc, absl::string_view data);

// Value returns the CRC-32C of data.
inline uint32_t Value(absl::string_view data) { return Extend(0, data); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Mask returns a masked representation of crc, for storage next to the data it covers.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

// Unmask inverts Mask.
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace ddc::durable::crc32c

#endif  // DDC_COMMON_DURABLE_CRC32C_H_
