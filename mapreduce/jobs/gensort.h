// Gensort-format records (the sort benchmark's ASCII records, `gensort -a`), generated from a
// seed, and valsort-style validation of a sorted output.
//
// A record is 100 bytes:
//   key[10] (printable ASCII, ' ' to '~') | "  " | row id (32 uppercase hex digits) | "  " |
//   filler (52 hex digits) | "\r\n"
// Uniform keys draw each key byte uniformly; skewed keys draw their first 4 bytes as one of
// `skew_prefixes` prefixes, Zipf-distributed (theta 0.99), so a few key ranges hold most records
// and sampled range partitioning matters. Block b holds records [b x block_records, ...) and is
// generated from Rng::ForStream(seed, "gensort", b).
//
// ValidateGensortRecord checks the layout above (INVALID_ARGUMENT saying what is wrong).
// Valsort summarizes records in output order the way valsort does: the count, the number of
// records whose key is smaller than the previous record's (0 when sorted), the number of
// duplicate keys, and a checksum (the sum of the records' CRC-32C), which does not depend on
// order, so an output that lost, duplicated or altered a record has another checksum.
#ifndef DDC_MAPREDUCE_JOBS_GENSORT_H_
#define DDC_MAPREDUCE_JOBS_GENSORT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mapreduce/input.h"
#include "platform/random.h"

namespace ddc::mapreduce {

inline constexpr int64_t kGensortRecordBytes = 100;
inline constexpr int64_t kGensortKeyBytes = 10;

struct GensortOptions {
  int64_t records = 10000;
  int64_t block_records = 2560;  // 256,000-byte blocks
  bool skewed = false;
  int64_t skew_prefixes = 1000;
  uint64_t seed = 1;
};

class GensortDataset final : public Dataset {
 public:
  static absl::StatusOr<std::shared_ptr<const GensortDataset>> Create(GensortOptions options);

  std::string name() const override;
  int64_t size() const override { return options_.records * kGensortRecordBytes; }
  int64_t BlockBytes() const override { return options_.block_records * kGensortRecordBytes; }
  std::string Block(int64_t index) const override;

 private:
  GensortDataset(GensortOptions options, std::optional<ZipfianGenerator> prefixes)
      : options_(options), prefixes_(std::move(prefixes)) {}
  GensortOptions options_;
  std::optional<ZipfianGenerator> prefixes_;
};

absl::Status ValidateGensortRecord(absl::string_view record);

struct ValsortSummary {
  int64_t records = 0;
  int64_t unordered = 0;
  int64_t duplicate_keys = 0;
  uint64_t checksum = 0;
  bool operator==(const ValsortSummary&) const = default;
};

class Valsort {
 public:
  void Add(absl::string_view record);
  const ValsortSummary& summary() const { return summary_; }

 private:
  ValsortSummary summary_;
  std::string previous_key_;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_JOBS_GENSORT_H_
