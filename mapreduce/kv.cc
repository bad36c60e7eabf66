#include "mapreduce/kv.h"

#include "absl/strings/str_cat.h"
#include "common/durable/coding.h"

namespace ddc::mapreduce {

void AppendKv(absl::string_view key, absl::string_view value, std::string* out) {
  durable::PutFixed32(*out, static_cast<uint32_t>(key.size()));
  out->append(key.data(), key.size());
  out->append(value.data(), value.size());
}

std::string EncodeKv(absl::string_view key, absl::string_view value) {
  std::string out;
  out.reserve(KvBytes(static_cast<int64_t>(key.size()), static_cast<int64_t>(value.size())));
  AppendKv(key, value, &out);
  return out;
}

absl::StatusOr<KvView> ParseKv(absl::string_view record) {
  if (record.size() < static_cast<size_t>(kKvHeaderBytes)) {
    return absl::DataLossError(
        absl::StrCat("kv record: ", record.size(), " bytes is shorter than its header"));
  }
  const uint32_t key_bytes = durable::DecodeFixed32(record.data());
  if (key_bytes > record.size() - kKvHeaderBytes) {
    return absl::DataLossError(absl::StrCat("kv record: key of ", key_bytes,
                                            " bytes runs past the record's ", record.size()));
  }
  record.remove_prefix(kKvHeaderBytes);
  return KvView{record.substr(0, key_bytes), record.substr(key_bytes)};
}

int CompareKv(const KvView& a, const KvView& b) {
  const int by_key = a.key.compare(b.key);
  if (by_key != 0) return by_key;
  return a.value.compare(b.value);
}

}  // namespace ddc::mapreduce
