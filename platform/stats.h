// Statistics that applications record: counters, latency histograms, per-interval time series,
// and a registry that names them per process and renders them as CSV.
//
//   ddc::StatsRegistry stats;
//   stats.Counter("client-1", "acks").Increment();
//   DDC_RETURN_IF_ERROR(stats.Histogram("client-1", "latency").Record(latency_ns));
//   DDC_ASSIGN_OR_RETURN(ddc::TimeSeries* ops,
//                        stats.Series("client-1", "ops", ddc::Milliseconds(1)));
//   DDC_RETURN_IF_ERROR(ops->Record(now, latency_ns));
//   WriteFile("kv.histograms.csv", stats.HistogramsCsv());
//
// Contract:
// - Nothing here reads a clock: times are virtual times passed in by the caller.
// - Deterministic: bucket choice, quantiles, min and max are integer computations; the only
//   floating-point values (means and throughputs) are one division each, printed with a fixed
//   format ("%.3f"); iteration is in (process, name) order, never in insertion or hash order.
// - Errors: bad configuration (precision, interval) is refused by Create() and bad input (a
//   negative value or time, merging histograms of different precision) by the recording call,
//   each with INVALID_ARGUMENT naming the argument. Nothing is recorded by a refused call.
// - Not thread-safe.
//
// CSV columns (a header line first; integers printed as integers; `%.3f` for the two
// floating-point columns; a process or name containing a comma, quote or newline is quoted as in
// RFC 4180):
//   counters:   process,name,value
//   histograms: process,name,count,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns
//   series:     process,name,interval_start_ns,interval_ns,count,throughput_per_s,p50_ns,p99_ns,
//               p999_ns,max_ns
// One counters or histograms row per registered statistic; one series row per interval from the
// first interval with an event to the last (empty intervals in between as rows of zeros). The
// quantile and max columns follow Histogram's definitions below, mean_ns is the exact mean
// rounded to 3 decimals, and an empty histogram prints 0 in every value column.
#ifndef DDC_PLATFORM_STATS_H_
#define DDC_PLATFORM_STATS_H_

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/types.h"

namespace ddc {

// Counter is a signed 64-bit count. Add accepts negative deltas; the value must stay within
// int64_t.
class Counter {
 public:
  void Add(int64_t delta) { value_ += delta; }
  void Increment() { ++value_; }
  int64_t value() const { return value_; }

 private:
  int64_t value_ = 0;
};

// Histogram counts non-negative integer values (latencies in ns) in log-linear buckets, in the
// manner of HdrHistogram, with p = precision_bits (default 7):
// - values in [0, 2^p) have a bucket each;
// - each octave [2^k, 2^(k+1)), k >= p, is cut into 2^p buckets of width 2^(k-p)
//   (so every value below 2^(p+1), 256 by default, has a bucket of its own).
// Bucket choice is integer arithmetic on v's bits (no floating point).
// A value v is reported as the highest value of its bucket, r = HighestEquivalentValue(v), so
//   v <= r <= v + v / 2^p   (strictly: r - v < v / 2^p),
// a relative error below 2^-p: 1/128 (0.79%) by default. Buckets are kept sparsely (an ordered
// map of the buckets in use), so memory grows with the number of distinct buckets (at most
// (64 - p) * 2^p) and Record costs O(log buckets in use).
//
// min, max, count and mean are exact (the sum is kept in 128 bits). ValueAtQuantile(q) is the
// reported value r of the smallest recorded value v such that at least ceil(q * count) values are
// <= v (rank at least 1), capped at max(); so ValueAtQuantile(1) == max(). An empty histogram
// reports 0 for min, max, mean and every quantile; check count().
class Histogram {
 public:
  static constexpr int kDefaultPrecisionBits = 7;
  static constexpr int kMinPrecisionBits = 1;
  static constexpr int kMaxPrecisionBits = 20;

  // A histogram with kDefaultPrecisionBits.
  Histogram() : Histogram(kDefaultPrecisionBits) {}
  // INVALID_ARGUMENT unless kMinPrecisionBits <= precision_bits <= kMaxPrecisionBits.
  static absl::StatusOr<Histogram> Create(int precision_bits);

  // Record counts one value. INVALID_ARGUMENT if value < 0.
  absl::Status Record(int64_t value);
  // Merge adds every value recorded in `other`, as if each had been recorded here.
  // INVALID_ARGUMENT if the precisions differ.
  absl::Status Merge(const Histogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return min_; }
  int64_t max() const { return max_; }
  double mean() const;

  // ValueAtQuantile as defined above; q is clamped to [0, 1] (NaN counts as 0) and rounded to
  // the nearest millionth, so that the rank ceil(q * count) is computed in integers.
  int64_t ValueAtQuantile(double q) const;
  int64_t p50() const { return ValueAtQuantile(0.5); }
  int64_t p99() const { return ValueAtQuantile(0.99); }
  int64_t p999() const { return ValueAtQuantile(0.999); }

  // The lowest and highest values that share v's bucket (v >= 0).
  int64_t LowestEquivalentValue(int64_t v) const;
  int64_t HighestEquivalentValue(int64_t v) const;

  int precision_bits() const { return precision_bits_; }
  // The number of buckets holding at least one value.
  int64_t buckets_in_use() const { return static_cast<int64_t>(buckets_.size()); }

  friend bool operator==(const Histogram&, const Histogram&) = default;

 private:
  explicit Histogram(int precision_bits) : precision_bits_(precision_bits) {}
  int32_t BucketIndex(int64_t v) const;
  int64_t BucketLowest(int32_t index) const;
  int64_t BucketHighest(int32_t index) const;

  int precision_bits_;
  absl::btree_map<int32_t, int64_t> buckets_;  // bucket index -> count, in value order
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  absl::int128 sum_ = 0;
};

// TimeSeries counts events per fixed interval of virtual time. Interval i covers
// [i * interval, (i + 1) * interval), aligned to multiples of the interval from time 0, and has a
// Histogram of the values recorded in it (typically latencies), for its percentiles.
class TimeSeries {
 public:
  // One interval of Rows(). throughput_per_s = count * 1e9 / interval_ns (events per second of
  // virtual time, over the whole interval); the quantiles and max are those of the interval's
  // Histogram, 0 for an empty interval.
  struct Row {
    Time interval_start_ns = 0;
    Duration interval_ns = 0;
    int64_t count = 0;
    double throughput_per_s = 0.0;
    int64_t p50_ns = 0;
    int64_t p99_ns = 0;
    int64_t p999_ns = 0;
    int64_t max_ns = 0;
  };

  // INVALID_ARGUMENT unless interval_ns > 0 and precision_bits is valid for Histogram.
  static absl::StatusOr<TimeSeries> Create(Duration interval_ns,
                                           int precision_bits = Histogram::kDefaultPrecisionBits);

  // Record counts one event at virtual time `at` with `value` (a latency in ns, or 0 when only
  // the count matters). INVALID_ARGUMENT if at < 0 or value < 0. Events may come in any order.
  absl::Status Record(Time at, int64_t value);

  // Rows returns one row per interval from the first interval with an event to the last, empty
  // intervals in between included as rows of zeros; none when nothing was recorded.
  std::vector<Row> Rows() const;
  // IntervalHistogram is the histogram of the interval containing `at`, or nullptr when that
  // interval has no event.
  const Histogram* IntervalHistogram(Time at) const;

  Duration interval_ns() const { return interval_ns_; }

 private:
  TimeSeries(Duration interval_ns, Histogram empty) : interval_ns_(interval_ns), empty_(empty) {}

  Duration interval_ns_;
  Histogram empty_;  // copied for each new interval, so that it has the configured precision
  absl::btree_map<int64_t, Histogram> intervals_;  // interval index -> its histogram
};

// StatsKey names a statistic: the process that owns it and its name within the process.
struct StatsKey {
  std::string process;
  std::string name;
  friend auto operator<=>(const StatsKey&, const StatsKey&) = default;
};

// StatsRegistry owns named statistics. Each accessor returns the statistic registered under
// (process, name), creating it on first use; references and pointers stay valid for the
// registry's lifetime. Counters, histograms and series have separate namespaces.
class StatsRegistry {
 public:
  static constexpr absl::string_view kCountersCsvHeader = "process,name,value";
  static constexpr absl::string_view kHistogramsCsvHeader =
      "process,name,count,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns";
  static constexpr absl::string_view kSeriesCsvHeader =
      "process,name,interval_start_ns,interval_ns,count,throughput_per_s,p50_ns,p99_ns,p999_ns,"
      "max_ns";

  ddc::Counter& Counter(absl::string_view process, absl::string_view name);
  // A histogram with Histogram::kDefaultPrecisionBits.
  ddc::Histogram& Histogram(absl::string_view process, absl::string_view name);
  // The series registered under (process, name), created with `interval_ns` on first use.
  // INVALID_ARGUMENT if interval_ns <= 0, or if the series exists with another interval.
  absl::StatusOr<ddc::TimeSeries*> Series(absl::string_view process, absl::string_view name,
                                          Duration interval_ns);

  // The statistics in (process, name) order.
  const std::map<StatsKey, ddc::Counter>& counters() const { return counters_; }
  const std::map<StatsKey, ddc::Histogram>& histograms() const { return histograms_; }
  const std::map<StatsKey, ddc::TimeSeries>& series() const { return series_; }

  // CSV renderings with the columns documented at the top of this file, header line included,
  // every line ending in '\n'.
  std::string CountersCsv() const;
  std::string HistogramsCsv() const;
  std::string SeriesCsv() const;

 private:
  std::map<StatsKey, ddc::Counter> counters_;
  std::map<StatsKey, ddc::Histogram> histograms_;
  std::map<StatsKey, ddc::TimeSeries> series_;
};

// ProcessStats is the part of a registry that belongs to one process: the statistics it records
// under its own name (Process::stats()).
class ProcessStats {
 public:
  ProcessStats(StatsRegistry& registry, std::string process)
      : registry_(&registry), process_(std::move(process)) {}

  ddc::Counter& Counter(absl::string_view name) { return registry_->Counter(process_, name); }
  ddc::Histogram& Histogram(absl::string_view name) {
    return registry_->Histogram(process_, name);
  }
  absl::StatusOr<ddc::TimeSeries*> Series(absl::string_view name, Duration interval_ns) {
    return registry_->Series(process_, name, interval_ns);
  }

 private:
  StatsRegistry* registry_;
  std::string process_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_STATS_H_
