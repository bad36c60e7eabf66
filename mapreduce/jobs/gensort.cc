#include "mapreduce/jobs/gensort.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable/crc32c.h"

namespace ddc::mapreduce {
namespace {

constexpr int kPrintable = 95;  // ' ' .. '~'

bool AllHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const GensortDataset>> GensortDataset::Create(
    GensortOptions options) {
  if (options.records < 0 || options.block_records < 1 || options.skew_prefixes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("gensort: need records >= 0, block_records >= 1 and skew_prefixes >= 1; got ",
                     options.records, ", ", options.block_records, ", ", options.skew_prefixes));
  }
  std::optional<ZipfianGenerator> prefixes;
  if (options.skewed) {
    absl::StatusOr<ZipfianGenerator> zipf = ZipfianGenerator::Create(0, options.skew_prefixes - 1);
    if (!zipf.ok()) return zipf.status();
    prefixes = *std::move(zipf);
  }
  return std::shared_ptr<const GensortDataset>(new GensortDataset(options, std::move(prefixes)));
}

std::string GensortDataset::name() const {
  return absl::StrCat("gensort(", options_.records, " records, ",
                      options_.skewed ? "skewed" : "uniform", ", seed ", options_.seed, ")");
}

std::string GensortDataset::Block(int64_t index) const {
  Rng rng = Rng::ForStream(options_.seed, "gensort", index);
  const UniformInt key_byte = *UniformInt::Create(0, kPrintable - 1);
  const int64_t first = index * options_.block_records;
  const int64_t count = BlockSize(index) / kGensortRecordBytes;
  std::string block;
  block.reserve(static_cast<size_t>(count * kGensortRecordBytes));
  for (int64_t row = first; row < first + count; ++row) {
    char key[kGensortKeyBytes];
    int from = 0;
    if (prefixes_) {
      // A Zipf-chosen prefix of 4 key bytes, in base 95, so prefix 0 ("    ") is the most popular.
      int64_t prefix = prefixes_->Next(rng);
      for (int i = 3; i >= 0; --i) {
        key[i] = static_cast<char>(' ' + prefix % kPrintable);
        prefix /= kPrintable;
      }
      from = 4;
    }
    for (int i = from; i < kGensortKeyBytes; ++i) {
      key[i] = static_cast<char>(' ' + key_byte.Next(rng));
    }
    block.append(key, kGensortKeyBytes);
    block += "  ";
    block += absl::StrFormat("%032X", row);
    block += "  ";
    const uint64_t filler = rng.Next64();
    for (int i = 0; i < 52; ++i) {
      block.push_back("0123456789ABCDEF"[(filler >> ((i % 16) * 4)) & 0xF]);
    }
    block += "\r\n";
  }
  return block;
}

absl::Status ValidateGensortRecord(absl::string_view record) {
  if (static_cast<int64_t>(record.size()) != kGensortRecordBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("not gensort data: a record of ", record.size(), " bytes (expected 100)"));
  }
  for (int i = 0; i < kGensortKeyBytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(record[i]);
    if (c < ' ' || c > '~') {
      return absl::InvalidArgumentError(absl::StrCat("not gensort data: key byte ", i, " is ",
                                                     static_cast<int>(c), ", not printable ASCII"));
    }
  }
  if (record.substr(10, 2) != "  " || record.substr(44, 2) != "  " ||
      record.substr(98, 2) != "\r\n" || !AllHex(record.substr(12, 32)) ||
      !AllHex(record.substr(46, 52))) {
    return absl::InvalidArgumentError(
        "not gensort data: the record does not have the layout key, 2 spaces, 32 hex digits, 2 "
        "spaces, 52 hex digits, CR LF");
  }
  return absl::OkStatus();
}

void Valsort::Add(absl::string_view record) {
  const absl::string_view key = record.substr(0, kGensortKeyBytes);
  if (summary_.records > 0) {
    if (key < previous_key_) ++summary_.unordered;
    if (key == previous_key_) ++summary_.duplicate_keys;
  }
  previous_key_.assign(key.data(), key.size());
  ++summary_.records;
  summary_.checksum += durable::crc32c::Value(record);
}

}  // namespace ddc::mapreduce
