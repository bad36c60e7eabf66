// KV records: how a (key, value) pair of encoded bytes is stored as one record of a page
// (common/durable/page_writer.h) and compared.
//
//   record = key_length u32 (little-endian) | key bytes | value bytes
//
// Contract:
// - AppendKv frames a pair; ParseKv splits a record back into views of its key and value, and
//   returns DATA_LOSS for bytes that are not a KV record (a key length past the end).
// - CompareKv orders pairs by key bytes, then value bytes (unsigned, memcmp): the one order the
//   engine sorts spills in, merges runs in and hands values to a reducer in. Because it orders
//   whole records, equal keys with different values still have one deterministic order, so a
//   job's output does not depend on how its input was split into spills or attempts.
#ifndef DDC_MAPREDUCE_KV_H_
#define DDC_MAPREDUCE_KV_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddc::mapreduce {

inline constexpr int64_t kKvHeaderBytes = 4;

struct KvView {
  absl::string_view key;
  absl::string_view value;
};

// KvBytes is the size of a framed pair.
inline int64_t KvBytes(int64_t key_bytes, int64_t value_bytes) {
  return kKvHeaderBytes + key_bytes + value_bytes;
}

void AppendKv(absl::string_view key, absl::string_view value, std::string* out);
std::string EncodeKv(absl::string_view key, absl::string_view value);
absl::StatusOr<KvView> ParseKv(absl::string_view record);

// CompareKv is <0, 0 or >0 as (a.key, a.value) sorts before, with, or after (b.key, b.value).
int CompareKv(const KvView& a, const KvView& b);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_KV_H_
