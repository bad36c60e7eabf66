#include "platform/random.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"

namespace ddc {
namespace {

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;
constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;  // SplitMix64's increment

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// ItemCount returns max - min + 1, or an error naming the range when it does not fit in int64_t
// (only [INT64_MIN, INT64_MAX]-like ranges) or is empty.
absl::StatusOr<int64_t> ItemCount(absl::string_view what, int64_t min, int64_t max) {
  if (min > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": min (", min, ") must be <= max (", max, ")"));
  }
  const absl::int128 count = absl::int128(max) - absl::int128(min) + 1;
  if (count > std::numeric_limits<int64_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the range [", min, ", ", max, "] has more than 2^63 - 1 items"));
  }
  return static_cast<int64_t>(count);
}

absl::Status CheckTheta(absl::string_view what, double theta) {
  if (!(theta > 0.0 && theta < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": theta must be in (0, 1), got ", theta));
  }
  return absl::OkStatus();
}

// The reciprocals 1/j used by the series in detmath. Constant folding of 1.0 / j is the same
// correctly rounded IEEE division as at run time, so these are exact functions of j.
constexpr std::array<double, 24> kReciprocals = [] {
  std::array<double, 24> r{};
  for (int j = 1; j < 24; ++j) r[j] = 1.0 / j;
  return r;
}();

// fdlibm's split of ln 2: kLn2Hi has its low 32 bits zero, so k * kLn2Hi is exact for |k| < 2^20.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t h = kFnvOffsetBasis;
  for (unsigned char byte : bytes) h = (h ^ byte) * kFnvPrime;
  return h;
}

uint64_t Fnv1a64(uint64_t value) {
  uint64_t h = kFnvOffsetBasis;
  for (int i = 0; i < 8; ++i, value >>= 8) h = (h ^ (value & 0xff)) * kFnvPrime;
  return h;
}

uint64_t SplitMix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
  for (uint64_t& word : state_) {
    seed += kGoldenGamma;
    word = SplitMix64Mix(seed);
  }
}

uint64_t Rng::Next64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

double UniformDouble(Rng& rng) { return static_cast<double>(rng.Next64() >> 11) * 0x1.0p-53; }

absl::StatusOr<UniformInt> UniformInt::Create(int64_t lo, int64_t hi) {
  if (lo > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("UniformInt: lo (", lo, ") must be <= hi (", hi, ")"));
  }
  return UniformInt(lo, hi);
}

int64_t UniformInt::Next(Rng& rng) const {
  // s wraps to 0 for the full 64-bit range, where every output is already uniform.
  const uint64_t s = static_cast<uint64_t>(hi_) - static_cast<uint64_t>(lo_) + 1;
  if (s == 0) return static_cast<int64_t>(rng.Next64());
  absl::uint128 m = absl::uint128(rng.Next64()) * s;
  if (absl::Uint128Low64(m) < s) {
    const uint64_t threshold = (0 - s) % s;  // 2^64 mod s: the biased low products
    while (absl::Uint128Low64(m) < threshold) m = absl::uint128(rng.Next64()) * s;
  }
  return static_cast<int64_t>(static_cast<uint64_t>(lo_) + absl::Uint128High64(m));
}

absl::StatusOr<Bernoulli> Bernoulli::Create(double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("Bernoulli: p must be in [0, 1], got ", p));
  }
  return Bernoulli(p);
}

bool Bernoulli::Next(Rng& rng) const { return UniformDouble(rng) < p_; }

absl::StatusOr<Exponential> Exponential::Create(double mean) {
  if (!(mean > 0.0) || !std::isfinite(mean)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Exponential: mean must be finite and > 0, got ", mean));
  }
  return Exponential(mean);
}

double Exponential::Next(Rng& rng) const {
  // 0.0 - ln(1 - u) rather than -ln(...): u = 0 then gives +0, not -0.
  return mean_ * (0.0 - detmath::Log(1.0 - UniformDouble(rng)));
}

absl::StatusOr<PoissonArrivals> PoissonArrivals::Create(double rate_per_s, Time start) {
  const double mean_gap_ns = 1e9 / rate_per_s;
  if (!(rate_per_s > 0.0) || !std::isfinite(rate_per_s) || !std::isfinite(mean_gap_ns)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PoissonArrivals: rate_per_s must be finite and > 0 (with a finite mean gap), got ",
        rate_per_s));
  }
  if (start < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("PoissonArrivals: start must be >= 0, got ", start));
  }
  absl::StatusOr<Exponential> gap = Exponential::Create(mean_gap_ns);
  if (!gap.ok()) return gap.status();
  return PoissonArrivals(rate_per_s, *gap, start);
}

Duration PoissonArrivals::NextGap(Rng& rng) const {
  const double rounded = std::floor(gap_.Next(rng) + 0.5);
  // 2^63 is the first double that does not fit in int64_t.
  if (rounded >= 0x1.0p63) return kInfiniteTime;
  return static_cast<Duration>(rounded);
}

Time PoissonArrivals::Next(Rng& rng) {
  const Duration gap = NextGap(rng);
  last_ = gap > kInfiniteTime - last_ ? kInfiniteTime : last_ + gap;
  return last_;
}

// ZipfianGenerator.

absl::StatusOr<ZipfianGenerator> ZipfianGenerator::Create(int64_t min, int64_t max, double theta) {
  absl::StatusOr<int64_t> count = ItemCount("ZipfianGenerator", min, max);
  if (!count.ok()) return count.status();
  if (absl::Status s = CheckTheta("ZipfianGenerator", theta); !s.ok()) return s;
  return ZipfianGenerator(min, *count, theta, Zeta(0, *count, theta, 0.0));
}

absl::StatusOr<ZipfianGenerator> ZipfianGenerator::CreateWithZeta(int64_t min, int64_t max,
                                                                  double theta, double zeta_n) {
  absl::StatusOr<int64_t> count = ItemCount("ZipfianGenerator", min, max);
  if (!count.ok()) return count.status();
  if (absl::Status s = CheckTheta("ZipfianGenerator", theta); !s.ok()) return s;
  if (!(zeta_n >= 1.0) || !std::isfinite(zeta_n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ZipfianGenerator: zeta_n must be finite and >= 1, got ", zeta_n));
  }
  return ZipfianGenerator(min, *count, theta, zeta_n);
}

ZipfianGenerator::ZipfianGenerator(int64_t min, int64_t item_count, double theta, double zeta_n)
    : min_(min),
      item_count_(item_count),
      theta_(theta),
      alpha_(1.0 / (1.0 - theta)),
      zeta_2_(Zeta(0, 2, theta, 0.0)),
      half_pow_theta_(detmath::Pow(0.5, theta)),
      zeta_n_(zeta_n) {
  UpdateEta();
}

double ZipfianGenerator::Zeta(int64_t from, int64_t n, double theta, double zeta_from) {
  double sum = zeta_from;
  for (int64_t i = from + 1; i <= n; ++i) sum += 1.0 / detmath::Pow(static_cast<double>(i), theta);
  return sum;
}

void ZipfianGenerator::UpdateEta() {
  // With one or two items every draw is decided by the two exact branches of Next, and the
  // formula would divide by zero (zeta(2) / zeta(2) = 1).
  if (item_count_ <= 2) {
    eta_ = 0.0;
    return;
  }
  const double n = static_cast<double>(item_count_);
  eta_ = (1.0 - detmath::Pow(2.0 / n, 1.0 - theta_)) / (1.0 - zeta_2_ / zeta_n_);
}

absl::Status ZipfianGenerator::SetItemCount(int64_t item_count) {
  if (item_count < 1 || item_count - 1 > std::numeric_limits<int64_t>::max() - min_) {
    return absl::InvalidArgumentError(
        absl::StrCat("ZipfianGenerator::SetItemCount: item_count must be >= 1 and keep the last "
                     "item in int64_t, got ",
                     item_count, " with min ", min_));
  }
  if (item_count > item_count_) {
    zeta_n_ = Zeta(item_count_, item_count, theta_, zeta_n_);
  } else if (item_count < item_count_) {
    zeta_n_ = Zeta(0, item_count, theta_, 0.0);
  }
  item_count_ = item_count;
  UpdateEta();
  return absl::OkStatus();
}

int64_t ZipfianGenerator::Next(Rng& rng) const {
  const double u = UniformDouble(rng);
  const double uz = u * zeta_n_;
  if (uz < 1.0) return min_;
  if (uz < 1.0 + half_pow_theta_) return min_ + 1;
  const double offset =
      static_cast<double>(item_count_) * detmath::Pow(eta_ * u - eta_ + 1.0, alpha_);
  // The formula stays below n in exact arithmetic; clamp against rounding at the top.
  if (!(offset < static_cast<double>(item_count_))) return min_ + (item_count_ - 1);
  return min_ + std::min(static_cast<int64_t>(offset), item_count_ - 1);
}

// ScrambledZipfianGenerator.

absl::StatusOr<ScrambledZipfianGenerator> ScrambledZipfianGenerator::Create(int64_t min,
                                                                            int64_t max) {
  absl::StatusOr<int64_t> count = ItemCount("ScrambledZipfianGenerator", min, max);
  if (!count.ok()) return count.status();
  absl::StatusOr<ZipfianGenerator> inner = ZipfianGenerator::CreateWithZeta(
      0, kItemSpace - 1, ZipfianGenerator::kDefaultTheta, kZetaItemSpace);
  if (!inner.ok()) return inner.status();
  return ScrambledZipfianGenerator(min, *count, *inner);
}

uint64_t ScrambledZipfianGenerator::YcsbFnvHash64(int64_t v) {
  const uint64_t h = Fnv1a64(static_cast<uint64_t>(v));
  return static_cast<int64_t>(h) < 0 ? 0 - h : h;
}

int64_t ScrambledZipfianGenerator::Scramble(int64_t v) const {
  const uint64_t offset = YcsbFnvHash64(v) % static_cast<uint64_t>(item_count_);
  return static_cast<int64_t>(static_cast<uint64_t>(min_) + offset);
}

int64_t ScrambledZipfianGenerator::Next(Rng& rng) const { return Scramble(inner_.Next(rng)); }

// LatestGenerator.

absl::StatusOr<LatestGenerator> LatestGenerator::Create(int64_t item_count, double theta) {
  if (item_count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("LatestGenerator: item_count must be >= 1, got ", item_count));
  }
  absl::StatusOr<ZipfianGenerator> zipfian = ZipfianGenerator::Create(0, item_count - 1, theta);
  if (!zipfian.ok()) return zipfian.status();
  return LatestGenerator(*zipfian);
}

int64_t LatestGenerator::Next(Rng& rng) const {
  return (zipfian_.item_count() - 1) - zipfian_.Next(rng);
}

absl::Status LatestGenerator::SetItemCount(int64_t item_count) {
  return zipfian_.SetItemCount(item_count);
}

// detmath.

namespace detmath {

double Log(double x) {
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);  // m - 1 is exact (Sterbenz)
  const double s2 = s * s;
  double series = kReciprocals[23];  // 1 / (2k + 1) for k = 11
  for (int k = 10; k >= 0; --k) series = series * s2 + kReciprocals[2 * k + 1];
  const double de = static_cast<double>(e);
  return de * kLn2Hi + (de * kLn2Lo + 2.0 * s * series);
}

double Exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // Horner form of sum_{j=0..14} r^j / j!: 1 + r(1 + r/2(1 + r/3(...(1 + r/14)))).
  double p = 1.0;
  for (int j = 14; j >= 1; --j) p = 1.0 + p * r * kReciprocals[j];
  return std::ldexp(p, static_cast<int>(k));
}

double Pow(double x, double y) {
  if (x == 0.0 && y > 0.0) return 0.0;
  return Exp(y * Log(x));
}

}  // namespace detmath
}  // namespace ddc
