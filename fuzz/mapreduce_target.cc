// MapReduce: the bytes a map or reduce task decodes from what another task left in memory or
// sent it: KV records of spill and partition pages (ParseKv), keys and values through their
// serdes, the task counters carried by MapDone / ReduceDone (Counters::Decode).
//
// Checked: a decoder either refuses, or returns a value that encodes back to the same bytes
// (records, serdes) or decodes again to the same value (counters); nothing reads past its input.
#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/targets.h"
#include "mapreduce/counters.h"
#include "mapreduce/kv.h"
#include "mapreduce/serde.h"

namespace ddc::fuzz {
namespace {

template <typename T>
absl::Status CheckSerde(absl::string_view bytes, absl::string_view what) {
  absl::StatusOr<T> value = mapreduce::Serde<T>::Decode(bytes);
  if (!value.ok()) return absl::OkStatus();
  if (mapreduce::EncodeToString(*value) != bytes) {
    return absl::InternalError(absl::StrCat(what, ": decoded value encodes to other bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckRecord(absl::string_view record) {
  absl::StatusOr<mapreduce::KvView> kv = mapreduce::ParseKv(record);
  if (!kv.ok()) {
    if (kv.status().code() != absl::StatusCode::kDataLoss) {
      return absl::InternalError(absl::StrCat("ParseKv refused with ", kv.status().ToString()));
    }
    return absl::OkStatus();
  }
  if (mapreduce::EncodeKv(kv->key, kv->value) != record) {
    return absl::InternalError("ParseKv: the record does not encode back to its bytes");
  }
  if (mapreduce::CompareKv(*kv, *kv) != 0) return absl::InternalError("CompareKv(x, x) != 0");
  return absl::OkStatus();
}

absl::Status CheckCounters(absl::string_view bytes) {
  absl::StatusOr<mapreduce::Counters> counters = mapreduce::Counters::Decode(bytes);
  if (!counters.ok()) return absl::OkStatus();
  absl::StatusOr<mapreduce::Counters> again = mapreduce::Counters::Decode(counters->Encode());
  if (!again.ok() || !(*again == *counters)) {
    return absl::InternalError("Counters: a decoded value does not survive Encode and Decode");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FuzzMapreduceRecords(absl::string_view input) {
  FuzzInput in(input);
  for (int op = 0; op < 64 && !in.empty(); ++op) {
    const int kind = static_cast<int>(in.Below(5));
    const std::string bytes = in.Bytes(4096);
    absl::Status s;
    switch (kind) {
      case 0:
        s = CheckRecord(bytes);
        break;
      case 1:
        s = CheckSerde<uint64_t>(bytes, "uint64 serde");
        break;
      case 2:
        s = CheckSerde<int64_t>(bytes, "int64 serde");
        break;
      case 3:
        s = CheckSerde<std::array<char, 10>>(bytes, "10-byte serde");
        break;
      default:
        s = CheckCounters(bytes);
        break;
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ddc::fuzz
