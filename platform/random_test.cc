#include "platform/random.h"

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

static_assert(std::uniform_random_bit_generator<Rng>);

// Every shape test draws this many values from a fixed stream, so each is deterministic: a
// threshold either holds for these draws or the test fails on every run.
constexpr int kDraws = 200'000;

std::vector<uint64_t> FirstOutputs(Rng rng, int n) {
  std::vector<uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.Next64());
  return out;
}

// KsStatistic is the Kolmogorov-Smirnov distance between the samples and `cdf`.
double KsStatistic(std::vector<double> samples, const std::function<double(double)>& cdf) {
  std::sort(samples.begin(), samples.end());
  const double n = static_cast<double>(samples.size());
  double d = 0.0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double f = cdf(samples[i]);
    d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

// The KS critical value at significance 0.001 for n samples (asymptotic: 1.9495 / sqrt(n)).
double KsCritical(size_t n) { return 1.9495 / std::sqrt(static_cast<double>(n)); }

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

Moments MomentsOf(const std::vector<double>& xs) {
  Moments m;
  for (double x : xs) m.mean += x;
  m.mean /= static_cast<double>(xs.size());
  for (double x : xs) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(xs.size() - 1);
  return m;
}

// Frequencies counts draws of `next` by value.
template <typename Next>
std::map<int64_t, int64_t> Frequencies(Next next, int draws = kDraws) {
  std::map<int64_t, int64_t> counts;
  for (int i = 0; i < draws; ++i) ++counts[next()];
  return counts;
}

// The slope of the least-squares line through (ln(i + 1), ln(count of item `first + i`)),
// i = 0 .. items - 1: -theta for a zipfian.
double LogLogSlope(const std::map<int64_t, int64_t>& counts, int64_t first, int items) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < items; ++i) {
    const double x = std::log(i + 1.0);
    const double y = std::log(static_cast<double>(counts.at(first + i)));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return (items * sxy - sx * sy) / (items * sxx - sx * sx);
}

// The standard deviation of a frequency estimate for probability p from kDraws draws.
double FrequencySd(double p) { return std::sqrt(p * (1 - p) / kDraws); }

double Fraction(int64_t count, int64_t total = kDraws) {
  return static_cast<double>(count) / static_cast<double>(total);
}

// Hashes and the generator against published reference values.

TEST(HashTest, Fnv1a64MatchesPublishedVectors) {
  EXPECT_EQ(Fnv1a64(absl::string_view("")), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64(absl::string_view("a")), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64(absl::string_view("foobar")), 0x85944171f73967e8ull);
  // An integer is hashed as its 8 little-endian bytes.
  EXPECT_EQ(Fnv1a64(uint64_t{1}), Fnv1a64(absl::string_view("\x01\0\0\0\0\0\0\0", 8)));
}

TEST(HashTest, SplitMix64MatchesReferenceSequence) {
  // splitmix64.c seeded with 1234567: state += golden gamma, then the mix.
  uint64_t state = 1234567;
  std::vector<uint64_t> out;
  for (int i = 0; i < 5; ++i) out.push_back(SplitMix64Mix(state += 0x9e3779b97f4a7c15ull));
  EXPECT_THAT(out,
              ElementsAre(6457827717110365317ull, 3203168211198807973ull, 9817491932198370423ull,
                          4593380528125082431ull, 16408922859458223821ull));
}

// Golden values: computed with an independent implementation of SplitMix64 seeding and
// xoshiro256** (checked against the reference state {1, 2, 3, 4} -> 11520, 0, 1509978240, ...).
// A change here changes every workload: do it only on purpose.
TEST(RngTest, GoldenOutputsForSeeds) {
  EXPECT_THAT(FirstOutputs(Rng(0), 3),
              ElementsAre(0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull, 0x1a5f849d4933e6e0ull));
  EXPECT_THAT(FirstOutputs(Rng(1), 3),
              ElementsAre(0xb3f2af6d0fc710c5ull, 0x853b559647364ceaull, 0x92f89756082a4514ull));
  EXPECT_THAT(FirstOutputs(Rng(42), 3),
              ElementsAre(0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull, 0xae17533239e499a1ull));
}

TEST(RngTest, GoldenOutputsForStreams) {
  EXPECT_THAT(FirstOutputs(Rng::ForStream(7, "fault-injector"), 3),
              ElementsAre(0x02afd85e911f1e33ull, 0xf2beb2d8ad4c0e0full, 0xeb12324f346ec5d3ull));
  EXPECT_THAT(FirstOutputs(Rng::ForStream(7, "client-1", 0), 3),
              ElementsAre(0xe19b79f936cd0c63ull, 0xf90df4ec7a37a4a3ull, 0xb9c762180fd40c0aull));
  EXPECT_THAT(FirstOutputs(Rng::ForStream(7, "client-1", 1), 3),
              ElementsAre(0x62098f2272d39279ull, 0x9aa63735b63f03d3ull, 0xf032eb8b184c7d5aull));
  EXPECT_THAT(FirstOutputs(Rng::ForStream(8, "client-1", 0), 3),
              ElementsAre(0x54cef3166717d2b7ull, 0xfb8d85ff28486a0eull, 0x652c62d63b7d2bc6ull));
}

TEST(RngTest, StreamsAreReproducible) {
  const std::string name = "client-7";  // a std::string label works like a literal
  EXPECT_EQ(FirstOutputs(Rng::ForStream(3, name, 2), 1000),
            FirstOutputs(Rng::ForStream(3, "client-7", uint64_t{2}), 1000));
  EXPECT_EQ(FirstOutputs(Rng(99), 1000), FirstOutputs(Rng(99), 1000));
}

TEST(RngTest, DistinctLabelsGiveDistinctStreams) {
  const std::vector<Rng> streams = {Rng::ForStream(1, "a"),
                                    Rng::ForStream(2, "a"),
                                    Rng::ForStream(1, "b"),
                                    Rng::ForStream(1, "a", 0),
                                    Rng::ForStream(1, "a", 1),
                                    Rng::ForStream(1, "ab", "c"),
                                    Rng::ForStream(1, "a", "bc"),
                                    Rng::ForStream(1, "abc"),
                                    Rng::ForStream(1, "0"),
                                    Rng::ForStream(1, 0),
                                    Rng::ForStream(1, "fault-injector"),
                                    Rng(1)};
  // No 64-bit output is shared between any two of the streams' first 1000 outputs.
  std::map<uint64_t, size_t> owner;
  for (size_t s = 0; s < streams.size(); ++s) {
    for (uint64_t x : FirstOutputs(streams[s], 1000)) {
      auto [it, inserted] = owner.emplace(x, s);
      EXPECT_TRUE(inserted || it->second == s) << "streams " << it->second << " and " << s;
    }
  }
}

TEST(RngTest, StreamsAreUncorrelated) {
  // Pearson correlation of paired uniforms from two neighbouring streams: |r| ~ 1/sqrt(n).
  Rng a = Rng::ForStream(5, "client-1", 0);
  Rng b = Rng::ForStream(5, "client-1", 1);
  std::vector<double> xs, ys;
  for (int i = 0; i < kDraws; ++i) {
    xs.push_back(UniformDouble(a));
    ys.push_back(UniformDouble(b));
  }
  const Moments mx = MomentsOf(xs), my = MomentsOf(ys);
  double cov = 0;
  for (int i = 0; i < kDraws; ++i) cov += (xs[i] - mx.mean) * (ys[i] - my.mean);
  cov /= kDraws - 1;
  EXPECT_LT(std::abs(cov / std::sqrt(mx.variance * my.variance)), 4.0 / std::sqrt(kDraws));
}

// Uniform distributions.

TEST(UniformDoubleTest, IsUniformOnUnitInterval) {
  Rng rng(11);
  std::vector<double> xs;
  for (int i = 0; i < kDraws; ++i) {
    const double x = UniformDouble(rng);
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    xs.push_back(x);
  }
  EXPECT_LT(KsStatistic(xs, [](double x) { return x; }), KsCritical(xs.size()));
}

TEST(UniformDoubleTest, UsesTheTop53Bits) {
  Rng rng(12);
  Rng copy = rng;
  EXPECT_EQ(UniformDouble(rng), static_cast<double>(copy.Next64() >> 11) / 9007199254740992.0);
}

TEST(UniformIntTest, ChiSquareOverSmallRange) {
  absl::StatusOr<UniformInt> dist = UniformInt::Create(-5, 14);
  ASSERT_TRUE(dist.ok()) << dist.status();
  Rng rng(13);
  const std::map<int64_t, int64_t> counts = Frequencies([&] { return dist->Next(rng); });
  ASSERT_EQ(counts.size(), 20u);
  EXPECT_EQ(counts.begin()->first, -5);
  EXPECT_EQ(counts.rbegin()->first, 14);
  const double expected = kDraws / 20.0;
  double chi2 = 0;
  for (const auto& [value, count] : counts)
    chi2 += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi2, 43.82);  // chi-square, 19 degrees of freedom, significance 0.001
}

TEST(UniformIntTest, NoModuloBiasOnHugeRange) {
  // s = 3 * 2^62 values: taking x mod s would put 3/4 of the draws in the first 2^63 values
  // (those below 2^64 - s are hit twice); uniform draws put 2/3 there.
  const int64_t lo = std::numeric_limits<int64_t>::min();
  absl::StatusOr<UniformInt> dist = UniformInt::Create(lo, (int64_t{1} << 62) - 1);
  ASSERT_TRUE(dist.ok()) << dist.status();
  Rng rng(14);
  int64_t low_half = 0;
  for (int i = 0; i < kDraws; ++i) low_half += dist->Next(rng) < 0 ? 1 : 0;
  EXPECT_NEAR(Fraction(low_half), 2.0 / 3.0, 5 * FrequencySd(2.0 / 3.0));
}

TEST(UniformIntTest, FullAndSingletonRanges) {
  absl::StatusOr<UniformInt> full =
      UniformInt::Create(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(full.ok());
  Rng a(15), b(15);
  EXPECT_EQ(full->Next(a), static_cast<int64_t>(b.Next64()));
  absl::StatusOr<UniformInt> one = UniformInt::Create(42, 42);
  ASSERT_TRUE(one.ok());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(one->Next(a), 42);
}

TEST(UniformIntTest, RejectsEmptyRange) {
  absl::StatusOr<UniformInt> dist = UniformInt::Create(5, 3);
  EXPECT_EQ(dist.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dist.status().message(), HasSubstr("lo (5) must be <= hi (3)"));
}

TEST(BernoulliTest, FrequencyAndEdges) {
  Rng rng(16);
  absl::StatusOr<Bernoulli> coin = Bernoulli::Create(0.3);
  ASSERT_TRUE(coin.ok());
  int64_t heads = 0;
  for (int i = 0; i < kDraws; ++i) heads += coin->Next(rng) ? 1 : 0;
  EXPECT_NEAR(Fraction(heads), 0.3, 5 * FrequencySd(0.3));

  // p = 0 and p = 1 are certain but still consume one output each.
  Rng a(17), b(17);
  EXPECT_FALSE(Bernoulli::Create(0.0)->Next(a));
  EXPECT_TRUE(Bernoulli::Create(1.0)->Next(a));
  b.Next64();
  b.Next64();
  EXPECT_EQ(a.Next64(), b.Next64());
}

TEST(BernoulliTest, RejectsProbabilitiesOutsideUnitInterval) {
  for (double p : {-0.1, 1.5, std::nan("")}) {
    absl::StatusOr<Bernoulli> coin = Bernoulli::Create(p);
    EXPECT_EQ(coin.status().code(), absl::StatusCode::kInvalidArgument) << p;
    EXPECT_THAT(coin.status().message(), HasSubstr("p must be in [0, 1]"));
  }
}

// Exponential and Poisson arrivals.

TEST(ExponentialTest, MeanVarianceAndShape) {
  const double mean = 1000.0;
  absl::StatusOr<Exponential> dist = Exponential::Create(mean);
  ASSERT_TRUE(dist.ok());
  Rng rng(18);
  std::vector<double> xs;
  for (int i = 0; i < kDraws; ++i) xs.push_back(dist->Next(rng));
  const Moments m = MomentsOf(xs);
  EXPECT_NEAR(m.mean, mean, 0.01 * mean);                    // sd of the mean: 0.22%
  EXPECT_NEAR(m.variance, mean * mean, 0.03 * mean * mean);  // sd: about 0.7%
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 0.0);
  EXPECT_LT(KsStatistic(xs, [&](double x) { return 1.0 - std::exp(-x / mean); }),
            KsCritical(xs.size()));
}

TEST(ExponentialTest, RejectsBadMeans) {
  for (double mean : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
    absl::StatusOr<Exponential> dist = Exponential::Create(mean);
    EXPECT_EQ(dist.status().code(), absl::StatusCode::kInvalidArgument) << mean;
    EXPECT_THAT(dist.status().message(), HasSubstr("mean must be finite and > 0"));
  }
}

TEST(PoissonArrivalsTest, CountsPerIntervalHaveEqualMeanAndVariance) {
  // 1e6 arrivals/s counted in 20 us intervals: Poisson with mean 20 per interval.
  absl::StatusOr<PoissonArrivals> arrivals = PoissonArrivals::Create(1e6);
  ASSERT_TRUE(arrivals.ok());
  EXPECT_DOUBLE_EQ(arrivals->mean_gap_ns(), 1000.0);
  const Duration interval = Microseconds(20);
  const int intervals = 10'000;
  std::vector<double> counts(intervals, 0.0);
  Rng rng(19);
  for (Time t = arrivals->Next(rng); t < interval * intervals; t = arrivals->Next(rng)) {
    ++counts[t / interval];
  }
  const Moments m = MomentsOf(counts);
  EXPECT_NEAR(m.mean, 20.0, 0.02 * 20.0);       // sd of the mean: 0.22%
  EXPECT_NEAR(m.variance / m.mean, 1.0, 0.08);  // dispersion index; sd about 1.4%
}

TEST(PoissonArrivalsTest, GapsAreRoundedToNearestNanosecond) {
  absl::StatusOr<PoissonArrivals> arrivals = PoissonArrivals::Create(1e6, Microseconds(5));
  absl::StatusOr<Exponential> exact = Exponential::Create(1000.0);
  ASSERT_TRUE(arrivals.ok() && exact.ok());
  Rng a(20), b(20);
  Time expected = Microseconds(5);
  for (int i = 0; i < 1000; ++i) {
    expected += static_cast<Duration>(std::floor(exact->Next(b) + 0.5));
    ASSERT_EQ(arrivals->Next(a), expected);
  }
}

TEST(PoissonArrivalsTest, SaturatesAtInfiniteTime) {
  // A mean gap of 1e19 ns exceeds int64_t in most draws.
  absl::StatusOr<PoissonArrivals> arrivals = PoissonArrivals::Create(1e-10);
  ASSERT_TRUE(arrivals.ok());
  Rng rng(21);
  Time t = 0;
  for (int i = 0; i < 10; ++i) t = arrivals->Next(rng);
  EXPECT_EQ(t, kInfiniteTime);
}

TEST(PoissonArrivalsTest, RejectsBadArguments) {
  for (double rate : {0.0, -5.0, std::numeric_limits<double>::infinity(), std::nan(""), 1e-320}) {
    absl::StatusOr<PoissonArrivals> arrivals = PoissonArrivals::Create(rate);
    EXPECT_EQ(arrivals.status().code(), absl::StatusCode::kInvalidArgument) << rate;
    EXPECT_THAT(arrivals.status().message(), HasSubstr("rate_per_s"));
  }
  EXPECT_THAT(PoissonArrivals::Create(1.0, -1).status().message(), HasSubstr("start"));
}

// Zipfian.

TEST(ZipfianTest, HeadFrequenciesMatchZeta) {
  for (double theta : {0.99, 0.5}) {
    absl::StatusOr<ZipfianGenerator> zipf = ZipfianGenerator::Create(100, 1099, theta);
    ASSERT_TRUE(zipf.ok()) << zipf.status();
    EXPECT_EQ(zipf->item_count(), 1000);
    Rng rng(22);
    const std::map<int64_t, int64_t> counts = Frequencies([&] { return zipf->Next(rng); });
    EXPECT_GE(counts.begin()->first, 100);
    EXPECT_LE(counts.rbegin()->first, 1099);
    const double p0 = 1.0 / ZipfianGenerator::Zeta(0, 1000, theta, 0.0);
    const double p1 = std::pow(0.5, theta) * p0;
    EXPECT_NEAR(Fraction(counts.at(100)), p0, 4 * FrequencySd(p0)) << theta;
    EXPECT_NEAR(Fraction(counts.at(101)), p1, 4 * FrequencySd(p1)) << theta;
    // Gray's approximation of the tail keeps the power law: slope -theta over the head.
    EXPECT_NEAR(LogLogSlope(counts, 100, 30), -theta, 0.05) << theta;
  }
}

TEST(ZipfianTest, TinyItemCounts) {
  Rng rng(23);
  absl::StatusOr<ZipfianGenerator> one = ZipfianGenerator::Create(7, 7);
  ASSERT_TRUE(one.ok());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(one->Next(rng), 7);
  absl::StatusOr<ZipfianGenerator> two = ZipfianGenerator::Create(0, 1);
  ASSERT_TRUE(two.ok());
  const std::map<int64_t, int64_t> counts = Frequencies([&] { return two->Next(rng); });
  ASSERT_EQ(counts.size(), 2u);
  const double p0 = 1.0 / (1.0 + std::pow(0.5, 0.99));
  EXPECT_NEAR(Fraction(counts.at(0)), p0, 4 * FrequencySd(p0));
}

TEST(ZipfianTest, IncrementalZetaEqualsFromScratch) {
  const double theta = 0.99;
  EXPECT_EQ(ZipfianGenerator::Zeta(0, 1, theta, 0.0), 1.0);
  EXPECT_EQ(ZipfianGenerator::Zeta(0, 5000, theta, 0.0),
            ZipfianGenerator::Zeta(1000, 5000, theta, ZipfianGenerator::Zeta(0, 1000, theta, 0.0)));

  absl::StatusOr<ZipfianGenerator> grown = ZipfianGenerator::Create(0, 999);
  absl::StatusOr<ZipfianGenerator> fresh = ZipfianGenerator::Create(0, 4999);
  ASSERT_TRUE(grown.ok() && fresh.ok());
  ASSERT_TRUE(grown->SetItemCount(2000).ok());
  ASSERT_TRUE(grown->SetItemCount(5000).ok());
  EXPECT_EQ(grown->zeta_n(), fresh->zeta_n());
  Rng a(24), b(24);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(grown->Next(a), fresh->Next(b));

  // Shrinking recomputes from scratch.
  ASSERT_TRUE(grown->SetItemCount(10).ok());
  EXPECT_EQ(grown->zeta_n(), ZipfianGenerator::Zeta(0, 10, theta, 0.0));
  for (int i = 0; i < 1000; ++i) ASSERT_LT(grown->Next(a), 10);
}

TEST(ZipfianTest, YcsbZetaConstantIsZetaOfTenBillionItems) {
  // zeta(M) = zeta(N) + sum_{i=N+1..M} i^-theta, the tail by Euler-Maclaurin:
  // integral + (f(M) - f(N)) / 2 + (f'(M) - f'(N)) / 12, with f(x) = x^-theta (the next term is
  // below 1e-20 for N = 10^5).
  const double theta = 0.99;
  const double n = 1e5, m = 1e10;
  const auto f = [&](double x) { return std::pow(x, -theta); };
  const auto df = [&](double x) { return -theta * std::pow(x, -theta - 1); };
  const double tail = (std::pow(m, 1 - theta) - std::pow(n, 1 - theta)) / (1 - theta) +
                      (f(m) - f(n)) / 2 + (df(m) - df(n)) / 12;
  const double zeta = ZipfianGenerator::Zeta(0, 100'000, theta, 0.0) + tail;
  EXPECT_NEAR(ScrambledZipfianGenerator::kZetaItemSpace, zeta, 1e-10 * zeta);
}

TEST(ZipfianTest, RejectsBadArguments) {
  EXPECT_THAT(ZipfianGenerator::Create(5, 4).status().message(),
              HasSubstr("min (5) must be <= max (4)"));
  EXPECT_THAT(ZipfianGenerator::Create(std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max())
                  .status()
                  .message(),
              HasSubstr("more than 2^63 - 1 items"));
  for (double theta : {0.0, 1.0, 1.5, -0.5, std::nan("")}) {
    absl::StatusOr<ZipfianGenerator> zipf = ZipfianGenerator::Create(0, 9, theta);
    EXPECT_EQ(zipf.status().code(), absl::StatusCode::kInvalidArgument) << theta;
    EXPECT_THAT(zipf.status().message(), HasSubstr("theta must be in (0, 1)"));
  }
  EXPECT_THAT(ZipfianGenerator::CreateWithZeta(0, 9, 0.99, 0.5).status().message(),
              HasSubstr("zeta_n"));
  absl::StatusOr<ZipfianGenerator> zipf = ZipfianGenerator::Create(10, 19);
  ASSERT_TRUE(zipf.ok());
  EXPECT_THAT(zipf->SetItemCount(0).message(), HasSubstr("item_count must be >= 1"));
  EXPECT_EQ(zipf->SetItemCount(std::numeric_limits<int64_t>::max()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zipf->item_count(), 10);
}

// Scrambled zipfian.

TEST(ScrambledZipfianTest, YcsbFnvHashMatchesJava) {
  // Java's Math.abs of YCSB's fnvhash64, from an independent implementation.
  EXPECT_EQ(ScrambledZipfianGenerator::YcsbFnvHash64(0), 6284781860667377211ull);
  EXPECT_EQ(ScrambledZipfianGenerator::YcsbFnvHash64(1), 8517097267634966620ull);
  EXPECT_EQ(ScrambledZipfianGenerator::YcsbFnvHash64(2), 1820151046732198393ull);
  EXPECT_EQ(ScrambledZipfianGenerator::YcsbFnvHash64(12345), 1792800413050876852ull);
}

TEST(ScrambledZipfianTest, HotKeysAreTheInnerHeadScattered) {
  const int64_t min = 1000, n = 1000;
  absl::StatusOr<ScrambledZipfianGenerator> keys =
      ScrambledZipfianGenerator::Create(min, min + n - 1);
  ASSERT_TRUE(keys.ok()) << keys.status();
  Rng rng(25);
  const std::map<int64_t, int64_t> counts = Frequencies([&] { return keys->Next(rng); });
  EXPECT_GE(counts.begin()->first, min);
  EXPECT_LE(counts.rbegin()->first, min + n - 1);

  std::vector<std::pair<int64_t, int64_t>> by_count;  // (count, key), hottest first
  for (const auto& [key, count] : counts) by_count.emplace_back(count, key);
  std::sort(by_count.rbegin(), by_count.rend());
  // The hottest keys are the images of the inner generator's items 0, 1, 2.
  EXPECT_EQ(by_count[0].second, keys->Scramble(0));
  EXPECT_EQ(by_count[1].second, keys->Scramble(1));
  EXPECT_EQ(by_count[2].second, keys->Scramble(2));
  // Item 0 of 10^10 has probability 1/zeta(10^10); its key also collects about 1/n of the rest.
  const double p_hot = 1.0 / ScrambledZipfianGenerator::kZetaItemSpace;
  const double p_key = p_hot + (1.0 - p_hot) / n;
  EXPECT_NEAR(Fraction(by_count[0].first), p_key, 4 * FrequencySd(p_key));

  // Not clustered at min: the first tenth of the key space gets about a tenth of the draws
  // (a plain zipfian over 1000 items puts 69% there), and the 20 hottest keys are spread out.
  int64_t first_tenth = 0;
  for (const auto& [key, count] : counts) first_tenth += key < min + n / 10 ? count : 0;
  EXPECT_LT(Fraction(first_tenth), 0.2);
  double mean_position = 0;
  for (int i = 0; i < 20; ++i) mean_position += static_cast<double>(by_count[i].second - min) / 20;
  EXPECT_GT(mean_position, 0.25 * n);
  EXPECT_LT(mean_position, 0.75 * n);
}

TEST(ScrambledZipfianTest, RejectsEmptyRange) {
  EXPECT_THAT(ScrambledZipfianGenerator::Create(1, 0).status().message(),
              HasSubstr("ScrambledZipfianGenerator: min (1) must be <= max (0)"));
}

// Latest.

TEST(LatestTest, DrawsConcentrateOnTheNewestItem) {
  const int64_t n = 1000;
  absl::StatusOr<LatestGenerator> latest = LatestGenerator::Create(n);
  ASSERT_TRUE(latest.ok()) << latest.status();
  Rng rng(26);
  std::map<int64_t, int64_t> counts = Frequencies([&] { return latest->Next(rng); });
  EXPECT_GE(counts.begin()->first, 0);
  EXPECT_EQ(counts.rbegin()->first, n - 1);
  const double p_newest = 1.0 / ZipfianGenerator::Zeta(0, n, 0.99, 0.0);
  EXPECT_NEAR(Fraction(counts.at(n - 1)), p_newest, 4 * FrequencySd(p_newest));
  int64_t newest_tenth = 0;
  for (const auto& [item, count] : counts) newest_tenth += item >= n - n / 10 ? count : 0;
  EXPECT_GT(Fraction(newest_tenth), 0.6);  // zeta(100) / zeta(1000) = 0.69

  // Inserting items moves the head to the new newest item.
  ASSERT_TRUE(latest->SetItemCount(2 * n).ok());
  counts = Frequencies([&] { return latest->Next(rng); });
  const double p_new_newest = 1.0 / ZipfianGenerator::Zeta(0, 2 * n, 0.99, 0.0);
  EXPECT_NEAR(Fraction(counts.at(2 * n - 1)), p_new_newest, 4 * FrequencySd(p_new_newest));
  EXPECT_LT(Fraction(counts[n - 1]), 0.01);
}

TEST(LatestTest, RejectsBadArguments) {
  EXPECT_THAT(LatestGenerator::Create(0).status().message(),
              HasSubstr("item_count must be >= 1, got 0"));
  EXPECT_THAT(LatestGenerator::Create(10, 1.0).status().message(), HasSubstr("theta"));
}

// Golden draws of every distribution, so that a change in any formula is caught.
TEST(GoldenTest, DistributionDraws) {
  Rng rng = Rng::ForStream(1, "golden");
  std::vector<int64_t> draws;
  draws.push_back(UniformInt::Create(0, 999)->Next(rng));
  draws.push_back(static_cast<int64_t>(UniformDouble(rng) * 1e6));
  draws.push_back(Bernoulli::Create(0.5)->Next(rng));
  draws.push_back(static_cast<int64_t>(Exponential::Create(1e6)->Next(rng)));
  draws.push_back(PoissonArrivals::Create(1e3)->NextGap(rng));
  draws.push_back(ZipfianGenerator::Create(0, 999)->Next(rng));
  draws.push_back(ScrambledZipfianGenerator::Create(0, 999)->Next(rng));
  draws.push_back(LatestGenerator::Create(1000)->Next(rng));
  EXPECT_THAT(draws, ElementsAre(879, 995765, 1, 1242069, 1031422, 0, 446, 906));
}

// Deterministic elementary functions.

TEST(DetmathTest, CloseToTheLibraryFunctions) {
  Rng rng(27);
  double worst_log = 0, worst_exp = 0, worst_pow = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double x = std::exp((UniformDouble(rng) - 0.5) * 1400);  // 1e-304 .. 1e304
    worst_log = std::max(worst_log, std::abs(detmath::Log(x) - std::log(x)) /
                                        std::max(std::abs(std::log(x)), 1e-300));
    const double y = (UniformDouble(rng) - 0.5) * 1400;
    worst_exp = std::max(worst_exp, std::abs(detmath::Exp(y) - std::exp(y)) / std::exp(y));
    const double base = 1 + UniformDouble(rng) * 1e10, power = UniformDouble(rng) * 2;
    worst_pow = std::max(worst_pow, std::abs(detmath::Pow(base, power) - std::pow(base, power)) /
                                        std::pow(base, power));
  }
  EXPECT_LT(worst_log, 4e-16);
  EXPECT_LT(worst_exp, 4e-16);
  EXPECT_LT(worst_pow, 1e-14);
  // Near 1, where the logarithm is small, its relative error stays small.
  for (double x : {1.0 + 1e-15, 1.0 - 1e-12, 1.0001, 0.9999}) {
    EXPECT_NEAR(detmath::Log(x), std::log(x), 4e-16 * std::abs(std::log(x))) << x;
  }
}

TEST(DetmathTest, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(detmath::Log(1.0), 0.0);
  EXPECT_EQ(detmath::Log(0.0), -inf);
  EXPECT_EQ(detmath::Log(inf), inf);
  EXPECT_TRUE(std::isnan(detmath::Log(-1.0)));
  EXPECT_EQ(detmath::Exp(0.0), 1.0);
  EXPECT_EQ(detmath::Exp(710.0), inf);
  EXPECT_EQ(detmath::Exp(-746.0), 0.0);
  EXPECT_EQ(detmath::Pow(0.0, 0.5), 0.0);
  EXPECT_NEAR(detmath::Log(std::numeric_limits<double>::denorm_min()), -744.4400719213812, 1e-12);
}

}  // namespace
}  // namespace ddc
