// Serde<T>: how a key or value type is turned into bytes and back. The engine moves, sorts,
// partitions and stores only bytes; the typed API (api.h, job.h) converts at its edges.
//
//   std::string bytes;
//   ddc::mapreduce::Serde<uint64_t>::Encode(42, &bytes);      // appends 8 bytes
//   absl::StatusOr<uint64_t> back = ddc::mapreduce::Serde<uint64_t>::Decode(bytes);
//
// Contract:
// - Encode appends the encoding of a value to `out`; Decode reads exactly one encoded value
//   (the whole view) and returns INVALID_ARGUMENT naming the type when the bytes are not one.
// - Key order is byte order. The engine sorts keys (and, within a key, values) by comparing their
//   encodings as unsigned bytes (memcmp), groups keys by equal encodings, and range-partitions by
//   encoded split points. So a type used as a key must have an order-preserving encoding: a < b
//   exactly when Encode(a) < Encode(b) bytewise. Every Serde here has one (kOrderPreserving);
//   a Serde written for a new key type must too.
// - Provided: std::string (its bytes), uint64_t (8 bytes big-endian), int64_t (8 bytes
//   big-endian with the sign bit flipped, so negatives sort first), and std::array<char, N> (N
//   raw bytes, e.g. a 10-byte sort key).
#ifndef DDC_MAPREDUCE_SERDE_H_
#define DDC_MAPREDUCE_SERDE_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ddc::mapreduce {

template <typename T>
struct Serde;

template <>
struct Serde<std::string> {
  static constexpr bool kOrderPreserving = true;
  static void Encode(const std::string& value, std::string* out) { out->append(value); }
  static absl::StatusOr<std::string> Decode(absl::string_view bytes) { return std::string(bytes); }
};

template <>
struct Serde<uint64_t> {
  static constexpr bool kOrderPreserving = true;
  static void Encode(uint64_t value, std::string* out) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (56 - 8 * i));
    out->append(bytes, 8);
  }
  static absl::StatusOr<uint64_t> Decode(absl::string_view bytes) {
    if (bytes.size() != 8) {
      return absl::InvalidArgumentError(
          absl::StrCat("uint64 value: expected 8 bytes, got ", bytes.size()));
    }
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    return value;
  }
};

template <>
struct Serde<int64_t> {
  static constexpr bool kOrderPreserving = true;
  static void Encode(int64_t value, std::string* out) {
    Serde<uint64_t>::Encode(static_cast<uint64_t>(value) ^ (uint64_t{1} << 63), out);
  }
  static absl::StatusOr<int64_t> Decode(absl::string_view bytes) {
    absl::StatusOr<uint64_t> raw = Serde<uint64_t>::Decode(bytes);
    if (!raw.ok()) return raw.status();
    return static_cast<int64_t>(*raw ^ (uint64_t{1} << 63));
  }
};

template <size_t N>
struct Serde<std::array<char, N>> {
  static constexpr bool kOrderPreserving = true;
  static void Encode(const std::array<char, N>& value, std::string* out) {
    out->append(value.data(), N);
  }
  static absl::StatusOr<std::array<char, N>> Decode(absl::string_view bytes) {
    if (bytes.size() != N) {
      return absl::InvalidArgumentError(
          absl::StrCat(N, "-byte value: expected ", N, " bytes, got ", bytes.size()));
    }
    std::array<char, N> value;
    std::memcpy(value.data(), bytes.data(), N);
    return value;
  }
};

// EncodeToString returns Encode(value) as a new string.
template <typename T>
std::string EncodeToString(const T& value) {
  std::string out;
  Serde<T>::Encode(value, &out);
  return out;
}

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_SERDE_H_
