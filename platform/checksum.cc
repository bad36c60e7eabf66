#include "platform/memory.h"
#include "zlib.h"

namespace ddc {

uint32_t PageChecksum(absl::string_view page_bytes) {
  // zlib's crc32 takes a uInt length; pages are at most 2 MiB.
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(page_bytes.data()),
                                     static_cast<uInt>(page_bytes.size())));
}

}  // namespace ddc
