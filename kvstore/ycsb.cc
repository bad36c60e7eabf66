#include "kvstore/ycsb.h"

#include "absl/strings/str_cat.h"

namespace ddc::kvstore {

absl::StatusOr<YcsbMix> ParseYcsbMix(absl::string_view name) {
  if (name == "A") return YcsbMix::kA;
  if (name == "B") return YcsbMix::kB;
  if (name == "C") return YcsbMix::kC;
  if (name == "D") return YcsbMix::kD;
  if (name == "F") return YcsbMix::kF;
  if (name == "E") {
    return absl::InvalidArgumentError(
        "YCSB workload E is not supported: its range scans cross every hash slot");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("YCSB workload \"", name, "\": must be A, B, C, D or F"));
}

absl::string_view YcsbMixName(YcsbMix mix) {
  switch (mix) {
    case YcsbMix::kA:
      return "A";
    case YcsbMix::kB:
      return "B";
    case YcsbMix::kC:
      return "C";
    case YcsbMix::kD:
      return "D";
    case YcsbMix::kF:
      return "F";
  }
  return "?";
}

std::string RecordKey(int64_t record) {
  return absl::StrCat("user", ScrambledZipfianGenerator::YcsbFnvHash64(record));
}

std::string RecordValue(absl::string_view key, int64_t version, int64_t bytes) {
  std::string value = absl::StrCat(key, "#", version, ":");
  if (static_cast<int64_t>(value.size()) > bytes) {
    value.resize(bytes);
    return value;
  }
  const uint64_t seed = Fnv1a64(value);
  while (static_cast<int64_t>(value.size()) < bytes) {
    value.push_back(static_cast<char>('a' + (seed + value.size()) % 26));
  }
  return value;
}

absl::StatusOr<YcsbGenerator> YcsbGenerator::Create(YcsbOptions options, int64_t stride,
                                                    int64_t offset) {
  if (options.record_count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ycsb record_count: must be >= 1, got ", options.record_count));
  }
  if (options.value_bytes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ycsb value_bytes: must be >= 0, got ", options.value_bytes));
  }
  if (stride < 1 || offset < 0 || offset >= stride) {
    return absl::InvalidArgumentError(absl::StrCat("ycsb insert stride ", stride, " and offset ",
                                                   offset,
                                                   ": need stride >= 1 and 0 <= offset < stride"));
  }
  absl::StatusOr<ScrambledZipfianGenerator> keys =
      ScrambledZipfianGenerator::Create(0, options.record_count - 1);
  if (!keys.ok()) return keys.status();
  absl::StatusOr<ZipfianGenerator> latest = ZipfianGenerator::Create(0, options.record_count - 1);
  if (!latest.ok()) return latest.status();
  return YcsbGenerator(options, *keys, *latest, stride, offset);
}

YcsbGenerator::YcsbGenerator(YcsbOptions options, ScrambledZipfianGenerator keys,
                             ZipfianGenerator latest, int64_t stride, int64_t offset)
    : options_(options), keys_(keys), latest_(latest), stride_(stride), offset_(offset) {}

YcsbOp YcsbGenerator::Next(Rng& rng) {
  const double u = UniformDouble(rng);
  switch (options_.mix) {
    case YcsbMix::kA:
      return {u < 0.5 ? YcsbOpType::kRead : YcsbOpType::kUpdate, keys_.Next(rng)};
    case YcsbMix::kB:
      return {u < 0.95 ? YcsbOpType::kRead : YcsbOpType::kUpdate, keys_.Next(rng)};
    case YcsbMix::kC:
      return {YcsbOpType::kRead, keys_.Next(rng)};
    case YcsbMix::kF:
      return {u < 0.5 ? YcsbOpType::kRead : YcsbOpType::kReadModifyWrite, keys_.Next(rng)};
    case YcsbMix::kD: {
      if (u >= 0.95) {
        const int64_t record = options_.record_count + inserted_ * stride_ + offset_;
        ++inserted_;
        return {YcsbOpType::kInsert, record};
      }
      // Latest: a zipfian offset back from the newest record this client knows of; offsets
      // past this client's inserts fall on the preloaded records, newest first.
      const int64_t back = latest_.Next(rng);
      if (back < inserted_) {
        return {YcsbOpType::kRead,
                options_.record_count + (inserted_ - 1 - back) * stride_ + offset_};
      }
      return {YcsbOpType::kRead, options_.record_count - 1 - (back - inserted_)};
    }
  }
  return {YcsbOpType::kRead, 0};
}

}  // namespace ddc::kvstore
