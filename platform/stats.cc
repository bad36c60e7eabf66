#include "platform/stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ddc {
namespace {

constexpr int64_t kPartsPerMillion = 1'000'000;

absl::Status NonNegative(absl::string_view where, absl::string_view argument, int64_t value) {
  if (value >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", argument, " must be >= 0, got ", value));
}

// CsvField quotes `field` as RFC 4180 does when it holds a separator, a quote or a line break.
std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string KeyFields(const StatsKey& key) {
  return absl::StrCat(CsvField(key.process), ",", CsvField(key.name));
}

std::string Fixed3(double value) { return absl::StrFormat("%.3f", value); }

// FindOrCreate returns the statistic under (process, name), inserting make() on first use.
template <typename T, typename Make>
T& FindOrCreate(std::map<StatsKey, T>& map, absl::string_view process, absl::string_view name,
                Make make) {
  StatsKey key{std::string(process), std::string(name)};
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::move(key), make()).first;
  return it->second;
}

}  // namespace

// Histogram.

absl::StatusOr<Histogram> Histogram::Create(int precision_bits) {
  if (precision_bits < kMinPrecisionBits || precision_bits > kMaxPrecisionBits) {
    return absl::InvalidArgumentError(absl::StrCat("Histogram: precision_bits must be in [",
                                                   kMinPrecisionBits, ", ", kMaxPrecisionBits,
                                                   "], got ", precision_bits));
  }
  return Histogram(precision_bits);
}

int32_t Histogram::BucketIndex(int64_t v) const {
  const int p = precision_bits_;
  const uint64_t u = static_cast<uint64_t>(v);
  if (u < (uint64_t{1} << p)) return static_cast<int32_t>(u);
  const int octave = std::bit_width(u) - 1 - p;  // v is in [2^(p + octave), 2^(p + octave + 1))
  const uint64_t sub_bucket = (u >> octave) - (uint64_t{1} << p);
  return static_cast<int32_t>((static_cast<uint64_t>(octave + 1) << p) + sub_bucket);
}

int64_t Histogram::BucketLowest(int32_t index) const {
  const int p = precision_bits_;
  if (index < (1 << p)) return index;
  const int octave = (index >> p) - 1;
  const uint64_t sub_bucket = static_cast<uint64_t>(index) & ((uint64_t{1} << p) - 1);
  return static_cast<int64_t>(((uint64_t{1} << p) + sub_bucket) << octave);
}

int64_t Histogram::BucketHighest(int32_t index) const {
  const int p = precision_bits_;
  if (index < (1 << p)) return index;
  const int octave = (index >> p) - 1;
  return BucketLowest(index) + ((int64_t{1} << octave) - 1);
}

int64_t Histogram::LowestEquivalentValue(int64_t v) const { return BucketLowest(BucketIndex(v)); }

int64_t Histogram::HighestEquivalentValue(int64_t v) const { return BucketHighest(BucketIndex(v)); }

absl::Status Histogram::Record(int64_t value) {
  if (absl::Status s = NonNegative("Histogram::Record", "value", value); !s.ok()) return s;
  ++buckets_[BucketIndex(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = count_ == 0 ? value : std::max(max_, value);
  ++count_;
  sum_ += value;
  return absl::OkStatus();
}

absl::Status Histogram::Merge(const Histogram& other) {
  if (other.precision_bits_ != precision_bits_) {
    return absl::InvalidArgumentError(
        absl::StrCat("Histogram::Merge: other's precision_bits (", other.precision_bits_,
                     ") differ from this histogram's (", precision_bits_, ")"));
  }
  if (other.count_ == 0) return absl::OkStatus();
  if (&other == this) {
    const Histogram copy = other;
    return Merge(copy);
  }
  for (const auto& [index, count] : other.buckets_) buckets_[index] += count;
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  return absl::OkStatus();
}

double Histogram::mean() const {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

int64_t Histogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  const double clamped = q > 0.0 ? std::min(q, 1.0) : 0.0;  // NaN fails q > 0
  const int64_t ppm = static_cast<int64_t>(std::floor(clamped * kPartsPerMillion + 0.5));
  // rank = ceil(count * ppm / 10^6), at least 1, in 128 bits so that it cannot overflow.
  const absl::int128 scaled = absl::int128(count_) * ppm;
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>((scaled + (kPartsPerMillion - 1)) / kPartsPerMillion));
  int64_t seen = 0;
  for (const auto& [index, count] : buckets_) {
    seen += count;
    if (seen >= rank) return std::min(BucketHighest(index), max_);
  }
  return max_;  // not reached: the counts add up to count_ >= rank
}

// TimeSeries.

absl::StatusOr<TimeSeries> TimeSeries::Create(Duration interval_ns, int precision_bits) {
  if (interval_ns <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("TimeSeries: interval_ns must be > 0, got ", interval_ns));
  }
  absl::StatusOr<Histogram> empty = Histogram::Create(precision_bits);
  if (!empty.ok()) return empty.status();
  return TimeSeries(interval_ns, *std::move(empty));
}

absl::Status TimeSeries::Record(Time at, int64_t value) {
  if (absl::Status s = NonNegative("TimeSeries::Record", "at", at); !s.ok()) return s;
  if (absl::Status s = NonNegative("TimeSeries::Record", "value", value); !s.ok()) return s;
  auto it = intervals_.try_emplace(at / interval_ns_, empty_).first;
  return it->second.Record(value);
}

std::vector<TimeSeries::Row> TimeSeries::Rows() const {
  std::vector<Row> rows;
  if (intervals_.empty()) return rows;
  const int64_t first = intervals_.begin()->first;
  const int64_t last = intervals_.rbegin()->first;
  rows.reserve(static_cast<size_t>(last - first + 1));
  auto it = intervals_.begin();
  for (int64_t index = first; index <= last; ++index) {
    Row row;
    row.interval_start_ns = index * interval_ns_;
    row.interval_ns = interval_ns_;
    if (it != intervals_.end() && it->first == index) {
      const Histogram& h = it->second;
      row.count = h.count();
      row.throughput_per_s =
          static_cast<double>(h.count()) * 1e9 / static_cast<double>(interval_ns_);
      row.p50_ns = h.p50();
      row.p99_ns = h.p99();
      row.p999_ns = h.p999();
      row.max_ns = h.max();
      ++it;
    }
    rows.push_back(row);
  }
  return rows;
}

const Histogram* TimeSeries::IntervalHistogram(Time at) const {
  if (at < 0) return nullptr;
  auto it = intervals_.find(at / interval_ns_);
  return it == intervals_.end() ? nullptr : &it->second;
}

// StatsRegistry.

ddc::Counter& StatsRegistry::Counter(absl::string_view process, absl::string_view name) {
  return FindOrCreate(counters_, process, name, [] { return ddc::Counter(); });
}

ddc::Histogram& StatsRegistry::Histogram(absl::string_view process, absl::string_view name) {
  return FindOrCreate(histograms_, process, name, [] { return ddc::Histogram(); });
}

absl::StatusOr<ddc::TimeSeries*> StatsRegistry::Series(absl::string_view process,
                                                       absl::string_view name,
                                                       Duration interval_ns) {
  absl::StatusOr<ddc::TimeSeries> created = TimeSeries::Create(interval_ns);
  if (!created.ok()) return created.status();
  ddc::TimeSeries& series =
      FindOrCreate(series_, process, name, [&] { return *std::move(created); });
  if (series.interval_ns() != interval_ns) {
    return absl::InvalidArgumentError(absl::StrCat("StatsRegistry::Series: series (", process, ", ",
                                                   name, ") has interval_ns ", series.interval_ns(),
                                                   ", asked for ", interval_ns));
  }
  return &series;
}

std::string StatsRegistry::CountersCsv() const {
  std::string csv = absl::StrCat(kCountersCsvHeader, "\n");
  for (const auto& [key, counter] : counters_) {
    absl::StrAppend(&csv, KeyFields(key), ",", counter.value(), "\n");
  }
  return csv;
}

std::string StatsRegistry::HistogramsCsv() const {
  std::string csv = absl::StrCat(kHistogramsCsvHeader, "\n");
  for (const auto& [key, h] : histograms_) {
    absl::StrAppend(&csv, KeyFields(key), ",", h.count(), ",", h.min(), ",", Fixed3(h.mean()), ",",
                    h.p50(), ",", h.p99(), ",", h.p999(), ",", h.max(), "\n");
  }
  return csv;
}

std::string StatsRegistry::SeriesCsv() const {
  std::string csv = absl::StrCat(kSeriesCsvHeader, "\n");
  for (const auto& [key, series] : series_) {
    for (const TimeSeries::Row& row : series.Rows()) {
      absl::StrAppend(&csv, KeyFields(key), ",", row.interval_start_ns, ",", row.interval_ns, ",",
                      row.count, ",", Fixed3(row.throughput_per_s), ",", row.p50_ns, ",",
                      row.p99_ns, ",", row.p999_ns, ",", row.max_ns, "\n");
    }
  }
  return csv;
}

}  // namespace ddc
