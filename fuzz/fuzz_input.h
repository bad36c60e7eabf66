// FuzzInput hands out typed values from a fuzzer's bytes, front to back. When the bytes run out
// it hands out zeros and empty strings, so every input, however short, is a valid program for a
// target (the same role as LLVM's FuzzedDataProvider, which GCC builds do not have).
#ifndef DDC_FUZZ_FUZZ_INPUT_H_
#define DDC_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ddc::fuzz {

class FuzzInput {
 public:
  explicit FuzzInput(absl::string_view bytes) : rest_(bytes) {}

  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Int returns a little-endian unsigned value of `bytes` bytes (at most 8).
  uint64_t Int(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(Byte()) << (8 * i);
    return v;
  }
  // Below returns a value in [0, n) (n > 0).
  uint64_t Below(uint64_t n) { return Int(n <= 256 ? 1 : n <= 65536 ? 2 : 8) % n; }
  bool Bool() { return (Byte() & 1) != 0; }
  // Bytes returns a length-prefixed string of at most `max` bytes (a 2-byte length).
  std::string Bytes(size_t max) {
    const size_t n = std::min<size_t>({static_cast<size_t>(Int(2)), max, rest_.size()});
    std::string out(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return out;
  }
  // Rest returns every byte not yet consumed.
  std::string Rest() {
    std::string out(rest_);
    rest_ = {};
    return out;
  }

 private:
  absl::string_view rest_;
};

}  // namespace ddc::fuzz

#endif  // DDC_FUZZ_FUZZ_INPUT_H_
