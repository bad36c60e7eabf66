// A YCSB-style workload generator (Cooper et al., "Benchmarking Cloud Serving Systems with
// YCSB", SoCC 2010), for the core workloads the store can run:
//
//   A  update heavy   50 % read, 50 % update               zipfian keys
//   B  read mostly    95 % read,  5 % update               zipfian keys
//   C  read only     100 % read                            zipfian keys
//   D  read latest    95 % read,  5 % insert               latest: skewed to recent inserts
//   F  read-modify-write  50 % read, 50 % read-modify-write   zipfian keys
//
// Workload E (short range scans) is left out: its scans walk keys in order across the whole key
// space, and hash slots scatter neighbouring keys over every shard, so a range scan would touch
// all 16,384 slots (README.md).
//
// Keys are YCSB's: "user" followed by the FNV-64 hash of the record number, so they spread over
// the slots. Record numbers follow YCSB's scrambled zipfian (theta 0.99, platform/random.h).
// Values are value_bytes long (1 KiB by default) and derived from the key and a version, so a
// reader can tell which write it saw.
#ifndef DDC_KVSTORE_YCSB_H_
#define DDC_KVSTORE_YCSB_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/random.h"

namespace ddc::kvstore {

enum class YcsbMix { kA, kB, kC, kD, kF };

// ParseYcsbMix reads "A", "B", "C", "D" or "F"; INVALID_ARGUMENT otherwise (E is refused with
// the reason).
absl::StatusOr<YcsbMix> ParseYcsbMix(absl::string_view name);
absl::string_view YcsbMixName(YcsbMix mix);

struct YcsbOptions {
  YcsbMix mix = YcsbMix::kA;
  int64_t record_count = 1000;
  int64_t value_bytes = 1024;
};

enum class YcsbOpType { kRead, kUpdate, kInsert, kReadModifyWrite };

struct YcsbOp {
  YcsbOpType type = YcsbOpType::kRead;
  int64_t record = 0;
};

// RecordKey is YCSB's key of record `record` ("user" + FNV-64 of the number).
std::string RecordKey(int64_t record);
// RecordValue is a value of `bytes` bytes for `key` at `version`: a readable header
// ("<key>#<version>:") padded with a pattern.
std::string RecordValue(absl::string_view key, int64_t version, int64_t bytes);

// YcsbGenerator draws a client's operations. Inserts (workload D) take record numbers
// record_count + k * stride + offset, k = 0, 1, ..., so clients with distinct offsets (and the
// same stride) never insert the same key; "latest" reads favour this client's recent inserts.
class YcsbGenerator {
 public:
  // INVALID_ARGUMENT for record_count < 1, value_bytes < 0, stride < 1 or offset outside
  // [0, stride).
  static absl::StatusOr<YcsbGenerator> Create(YcsbOptions options, int64_t stride = 1,
                                              int64_t offset = 0);
  YcsbOp Next(Rng& rng);
  const YcsbOptions& options() const { return options_; }

 private:
  YcsbGenerator(YcsbOptions options, ScrambledZipfianGenerator keys, ZipfianGenerator latest,
                int64_t stride, int64_t offset);
  YcsbOptions options_;
  ScrambledZipfianGenerator keys_;
  ZipfianGenerator latest_;  // offsets back from the newest record
  int64_t stride_;
  int64_t offset_;
  int64_t inserted_ = 0;
};

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_YCSB_H_
