#include "platform/stats.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/random.h"

namespace ddc {
namespace {

using ::testing::HasSubstr;

Histogram HistogramOf(const std::vector<int64_t>& values) {
  Histogram h;
  for (int64_t v : values) EXPECT_TRUE(h.Record(v).ok()) << v;
  return h;
}

TEST(CounterTest, AddsAndIncrements) {
  Counter c;
  EXPECT_EQ(c.value(), 0);
  c.Increment();
  c.Add(41);
  c.Add(-2);
  EXPECT_EQ(c.value(), 40);
}

// Histogram.

// CheckBucketOf checks the bucket around v: it holds v, its reported (highest) value is within
// the relative error bound, and the next bucket starts right after it.
void CheckBucketOf(const Histogram& h, int64_t v) {
  const int64_t lowest = h.LowestEquivalentValue(v);
  const int64_t highest = h.HighestEquivalentValue(v);
  ASSERT_LE(lowest, v);
  ASSERT_GE(highest, v);
  // highest - v < v / 2^p, in exact 128-bit arithmetic (or exact when v < 2^p).
  ASSERT_TRUE((absl::int128(highest - v) << h.precision_bits()) < std::max<int64_t>(v, 1))
      << "v " << v << " highest " << highest;
  ASSERT_EQ(h.LowestEquivalentValue(lowest), lowest);
  ASSERT_EQ(h.HighestEquivalentValue(lowest), highest);
  if (highest < std::numeric_limits<int64_t>::max()) {
    ASSERT_EQ(h.LowestEquivalentValue(highest + 1), highest + 1);
  }
}

TEST(HistogramTest, RelativeErrorBoundFromOneNanosecondToOneHour) {
  for (int bits : {1, 3, Histogram::kDefaultPrecisionBits, 10, Histogram::kMaxPrecisionBits}) {
    absl::StatusOr<Histogram> h = Histogram::Create(bits);
    ASSERT_TRUE(h.ok()) << h.status();
    // Every octave boundary, and values spread log-uniformly over 1 ns .. 1 hour.
    for (int k = 0; k < 63; ++k) {
      const int64_t power = int64_t{1} << k;
      for (int64_t v : {power - 1, power, power + 1}) CheckBucketOf(*h, v);
    }
    CheckBucketOf(*h, std::numeric_limits<int64_t>::max());
    Rng rng(1);
    const double log_hour = std::log(static_cast<double>(Seconds(3600)));
    for (int i = 0; i < 20'000; ++i) {
      CheckBucketOf(*h, static_cast<int64_t>(std::exp(UniformDouble(rng) * log_hour)));
    }
  }
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;  // 7 bits: buckets of width 1 below 2^8
  for (int64_t v = 0; v < 256; ++v) EXPECT_EQ(h.HighestEquivalentValue(v), v);
  EXPECT_EQ(h.LowestEquivalentValue(256), 256);
  EXPECT_EQ(h.HighestEquivalentValue(256), 257);
  EXPECT_EQ(h.HighestEquivalentValue(1'000'000), 1'003'519);  // width 2^12 from 2^19
}

TEST(HistogramTest, ExactStatisticsAndQuantilesOfOneToHundredThousand) {
  Histogram h;
  for (int64_t v = 1; v <= 100'000; ++v) ASSERT_TRUE(h.Record(v).ok());
  EXPECT_EQ(h.count(), 100'000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100'000);
  EXPECT_EQ(h.mean(), 50'000.5);
  // The rank-th smallest value is the rank itself, reported as its bucket's highest value.
  EXPECT_EQ(h.p50(), h.HighestEquivalentValue(50'000));
  EXPECT_EQ(h.p99(), h.HighestEquivalentValue(99'000));
  // 99,900's bucket is [99,840, 100,351]: capped at the exact maximum.
  EXPECT_EQ(h.HighestEquivalentValue(99'900), 100'351);
  EXPECT_EQ(h.p999(), 100'000);
  EXPECT_EQ(h.ValueAtQuantile(1.0), 100'000);
  EXPECT_EQ(h.ValueAtQuantile(0.0), 1);
  EXPECT_LT(h.p50() - 50'000, 50'000 / 128);
}

TEST(HistogramTest, QuantilesOfExponentialLatencies) {
  const double mean = 250'000.0;  // 250 us
  absl::StatusOr<Exponential> latency = Exponential::Create(mean);
  ASSERT_TRUE(latency.ok());
  Rng rng(2);
  Histogram h;
  for (int i = 0; i < 200'000; ++i) {
    ASSERT_TRUE(h.Record(static_cast<int64_t>(latency->Next(rng))).ok());
  }
  EXPECT_NEAR(h.p50(), mean * std::log(2.0), 0.02 * mean * std::log(2.0));
  EXPECT_NEAR(h.p99(), mean * std::log(100.0), 0.03 * mean * std::log(100.0));
  EXPECT_NEAR(h.p999(), mean * std::log(1000.0), 0.08 * mean * std::log(1000.0));
  EXPECT_NEAR(h.mean(), mean, 0.01 * mean);
}

TEST(HistogramTest, QuantileRanksAndClamping) {
  const Histogram h = HistogramOf({4, 1, 3, 2});
  EXPECT_EQ(h.ValueAtQuantile(0.5), 2);   // rank ceil(2) = 2
  EXPECT_EQ(h.ValueAtQuantile(0.51), 3);  // rank ceil(2.04) = 3
  EXPECT_EQ(h.ValueAtQuantile(0.75), 3);
  EXPECT_EQ(h.ValueAtQuantile(0.0), 1);   // rank at least 1
  EXPECT_EQ(h.ValueAtQuantile(-3.0), 1);  // q clamped to [0, 1]
  EXPECT_EQ(h.ValueAtQuantile(7.0), 4);
  EXPECT_EQ(h.ValueAtQuantile(std::nan("")), 1);

  // A bucket's highest value is capped at the exact maximum: 300's bucket is [300, 301].
  const Histogram one = HistogramOf({300});
  EXPECT_EQ(one.HighestEquivalentValue(300), 301);
  EXPECT_EQ(one.p50(), 300);
  const Histogram two = HistogramOf({300, 1000});
  EXPECT_EQ(two.p50(), 301);
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  Rng rng(3);
  std::vector<int64_t> a, b;
  for (int i = 0; i < 5000; ++i) {
    a.push_back(static_cast<int64_t>(rng.Next64() >> 30));
    b.push_back(static_cast<int64_t>(rng.Next64() >> 44));
  }
  std::vector<int64_t> all = a;
  all.insert(all.end(), b.begin(), b.end());

  Histogram merged = HistogramOf(a);
  ASSERT_TRUE(merged.Merge(HistogramOf(b)).ok());
  EXPECT_EQ(merged, HistogramOf(all));
  EXPECT_EQ(merged.p999(), HistogramOf(all).p999());

  Histogram from_empty;
  ASSERT_TRUE(from_empty.Merge(HistogramOf(a)).ok());
  EXPECT_EQ(from_empty, HistogramOf(a));
  ASSERT_TRUE(from_empty.Merge(Histogram()).ok());
  EXPECT_EQ(from_empty, HistogramOf(a));

  Histogram doubled = HistogramOf(a);
  ASSERT_TRUE(doubled.Merge(doubled).ok());
  std::vector<int64_t> twice = a;
  twice.insert(twice.end(), a.begin(), a.end());
  EXPECT_EQ(doubled, HistogramOf(twice));
}

TEST(HistogramTest, MergeRejectsDifferentPrecision) {
  Histogram h;
  absl::StatusOr<Histogram> coarse = Histogram::Create(3);
  ASSERT_TRUE(coarse.ok());
  ASSERT_TRUE(coarse->Record(5).ok());
  const absl::Status s = h.Merge(*coarse);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("precision_bits (3)"));
  EXPECT_EQ(h.count(), 0);
}

TEST(HistogramTest, EmptyReportsZeros) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.p50(), 0);
  EXPECT_EQ(h.p999(), 0);
  EXPECT_EQ(h.buckets_in_use(), 0);
}

TEST(HistogramTest, RejectsNegativeValuesAndBadPrecision) {
  Histogram h;
  const absl::Status s = h.Record(-1);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("value must be >= 0, got -1"));
  EXPECT_EQ(h.count(), 0);
  for (int bits : {0, 21, -1}) {
    EXPECT_THAT(Histogram::Create(bits).status().message(),
                HasSubstr("precision_bits must be in [1, 20]"));
  }
}

// TimeSeries.

TEST(TimeSeriesTest, AlignedIntervalsWithZeroRowsBetween) {
  absl::StatusOr<TimeSeries> series = TimeSeries::Create(Microseconds(1));
  ASSERT_TRUE(series.ok()) << series.status();
  // Out of order on purpose; 1999 and 2000 fall in different intervals.
  for (auto [at, value] : std::vector<std::pair<Time, int64_t>>{
           {4999, 40}, {1500, 10}, {1999, 20}, {4000, 30}, {2000, 5}}) {
    ASSERT_TRUE(series->Record(at, value).ok());
  }
  const std::vector<TimeSeries::Row> rows = series->Rows();
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<Time> starts = {1000, 2000, 3000, 4000};
  const std::vector<int64_t> counts = {2, 1, 0, 2};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].interval_start_ns, starts[i]);
    EXPECT_EQ(rows[i].interval_ns, 1000);
    EXPECT_EQ(rows[i].count, counts[i]);
    EXPECT_EQ(rows[i].throughput_per_s, counts[i] * 1e6);
  }
  EXPECT_EQ(rows[0].p50_ns, 10);
  EXPECT_EQ(rows[0].p99_ns, 20);
  EXPECT_EQ(rows[0].max_ns, 20);
  EXPECT_EQ(rows[2].p50_ns, 0);
  EXPECT_EQ(rows[2].max_ns, 0);
  EXPECT_EQ(rows[3].p999_ns, 40);

  const Histogram* third = series->IntervalHistogram(4321);
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(*third, HistogramOf({30, 40}));
  EXPECT_EQ(series->IntervalHistogram(3000), nullptr);
  EXPECT_EQ(series->IntervalHistogram(-1), nullptr);
}

TEST(TimeSeriesTest, EmptySeriesHasNoRows) {
  absl::StatusOr<TimeSeries> series = TimeSeries::Create(10);
  ASSERT_TRUE(series.ok());
  EXPECT_TRUE(series->Rows().empty());
}

TEST(TimeSeriesTest, RejectsBadArguments) {
  for (Duration interval : {Duration{0}, Duration{-5}}) {
    EXPECT_THAT(TimeSeries::Create(interval).status().message(),
                HasSubstr("interval_ns must be > 0"));
  }
  EXPECT_THAT(TimeSeries::Create(10, 0).status().message(), HasSubstr("precision_bits"));
  absl::StatusOr<TimeSeries> series = TimeSeries::Create(10);
  ASSERT_TRUE(series.ok());
  EXPECT_THAT(series->Record(-1, 5).message(), HasSubstr("at must be >= 0, got -1"));
  EXPECT_THAT(series->Record(5, -7).message(), HasSubstr("value must be >= 0, got -7"));
  EXPECT_TRUE(series->Rows().empty());  // refused calls record nothing
}

// StatsRegistry.

TEST(StatsRegistryTest, SameKeySameStatistic) {
  StatsRegistry stats;
  Counter& acks = stats.Counter("client-1", "acks");
  acks.Increment();
  for (int i = 0; i < 100; ++i) stats.Counter("client-1", absl::StrCat("other-", i));
  EXPECT_EQ(&stats.Counter("client-1", "acks"), &acks);  // stable across insertions
  EXPECT_EQ(stats.Counter("client-1", "acks").value(), 1);
  EXPECT_NE(&stats.Counter("client-2", "acks"), &acks);
  EXPECT_EQ(&stats.Histogram("p", "h"), &stats.Histogram("p", "h"));

  absl::StatusOr<TimeSeries*> series = stats.Series("p", "ops", 100);
  ASSERT_TRUE(series.ok());
  absl::StatusOr<TimeSeries*> again = stats.Series("p", "ops", 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*series, *again);
}

TEST(StatsRegistryTest, IteratesInProcessThenNameOrder) {
  StatsRegistry stats;
  stats.Counter("z", "a");
  stats.Counter("a", "b");
  stats.Counter("a", "a");
  std::vector<std::string> order;
  for (const auto& [key, counter] : stats.counters()) order.push_back(key.process + "/" + key.name);
  EXPECT_EQ(order, (std::vector<std::string>{"a/a", "a/b", "z/a"}));
}

TEST(StatsRegistryTest, SeriesRejectsBadOrConflictingInterval) {
  StatsRegistry stats;
  EXPECT_THAT(stats.Series("p", "s", 0).status().message(), HasSubstr("interval_ns must be > 0"));
  ASSERT_TRUE(stats.Series("p", "s", 100).ok());
  const absl::Status s = stats.Series("p", "s", 200).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("has interval_ns 100, asked for 200"));
}

TEST(StatsRegistryTest, CsvRendering) {
  StatsRegistry stats;
  EXPECT_EQ(stats.CountersCsv(), "process,name,value\n");
  EXPECT_EQ(stats.HistogramsCsv(),
            "process,name,count,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns\n");
  EXPECT_EQ(stats.SeriesCsv(),
            "process,name,interval_start_ns,interval_ns,count,throughput_per_s,p50_ns,p99_ns,"
            "p999_ns,max_ns\n");

  stats.Counter("server", "puts").Add(7);
  stats.Counter("client-1", "acks").Add(-3);
  stats.Counter("a,b", "say \"hi\"").Increment();
  EXPECT_EQ(stats.CountersCsv(),
            "process,name,value\n"
            "\"a,b\",\"say \"\"hi\"\"\",1\n"
            "client-1,acks,-3\n"
            "server,puts,7\n");

  for (int64_t v : {100, 200, 300, 1000}) ASSERT_TRUE(stats.Histogram("c", "lat").Record(v).ok());
  stats.Histogram("c", "empty");
  EXPECT_EQ(stats.HistogramsCsv(),
            "process,name,count,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns\n"
            "c,empty,0,0,0.000,0,0,0,0\n"
            "c,lat,4,100,400.000,200,1000,1000,1000\n");

  absl::StatusOr<TimeSeries*> ops = stats.Series("c", "ops", Milliseconds(1));
  ASSERT_TRUE(ops.ok());
  ASSERT_TRUE((*ops)->Record(Microseconds(1500), 10).ok());
  ASSERT_TRUE((*ops)->Record(Microseconds(1700), 30).ok());
  ASSERT_TRUE((*ops)->Record(Microseconds(3000), 7).ok());
  EXPECT_EQ(stats.SeriesCsv(),
            "process,name,interval_start_ns,interval_ns,count,throughput_per_s,p50_ns,p99_ns,"
            "p999_ns,max_ns\n"
            "c,ops,1000000,1000000,2,2000.000,10,30,30,30\n"
            "c,ops,2000000,1000000,0,0.000,0,0,0,0\n"
            "c,ops,3000000,1000000,1,1000.000,7,7,7,7\n");
}

}  // namespace
}  // namespace ddc
