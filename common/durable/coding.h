// Little-endian fixed-width encoding, shared by every on-page format in this folder.
//
// Writers append to a std::string with PutFixed*; readers walk untrusted bytes (anything read
// back from a memory element after a crash) with a ByteReader, whose every Read* checks bounds
// and returns false instead of running past the end, so garbage can never crash a decoder.
#ifndef DDC_COMMON_DURABLE_CODING_H_
#define DDC_COMMON_DURABLE_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace ddc::durable {

template <typename T>
void PutFixed(std::string& out, T value) {
  static_assert(std::is_unsigned_v<T>);
  char bytes[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out.append(bytes, sizeof(T));
}
inline void PutFixed16(std::string& out, uint16_t v) { PutFixed(out, v); }
inline void PutFixed32(std::string& out, uint32_t v) { PutFixed(out, v); }
inline void PutFixed64(std::string& out, uint64_t v) { PutFixed(out, v); }

template <typename T>
T DecodeFixed(const char* p) {
  static_assert(std::is_unsigned_v<T>);
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return value;
}
inline uint32_t DecodeFixed32(const char* p) { return DecodeFixed<uint32_t>(p); }
inline uint64_t DecodeFixed64(const char* p) { return DecodeFixed<uint64_t>(p); }

// ByteReader consumes a byte string front to back, refusing to read past its end.
class ByteReader {
 public:
  explicit ByteReader(absl::string_view bytes) : rest_(bytes) {}

  template <typename T>
  bool ReadFixed(T& value) {
    if (rest_.size() < sizeof(T)) return false;
    value = DecodeFixed<T>(rest_.data());
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  // ReadBytes takes the next `n` bytes as a view into the underlying string.
  bool ReadBytes(size_t n, absl::string_view& bytes) {
    if (rest_.size() < n) return false;
    bytes = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  size_t remaining() const { return rest_.size(); }
  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_CODING_H_
