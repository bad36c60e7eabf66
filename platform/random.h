// Seeded random streams and the distributions the workloads draw from.
//
// A run is a function of (config, seed). Every process gets its own stream derived from
// (seed, process name, incarnation) and the fault injector another, so that adding a draw in one
// place never shifts the draws of another, and the two modes of a run draw identical workloads.
//
//   ddc::Rng rng = ddc::Rng::ForStream(seed, "client-1", incarnation);
//   absl::StatusOr<ddc::ZipfianGenerator> keys = ddc::ZipfianGenerator::Create(0, 999);
//   int64_t key = keys->Next(rng);
//
// Contract:
// - Bit-exact everywhere. The generator and every distribution here are specified below down to
//   the operations, and none uses std::*_distribution (whose algorithms are implementation-
//   defined) or the C library's log/exp/pow (which may differ in the last bit between libms):
//   the logarithm, exponential and power used here are built from IEEE-754 +, -, *, / and exact
//   scalings only, and the library is compiled with -ffp-contract=off (no fused multiply-add),
//   so a given (seed, label) yields the same values with any compiler and standard library that
//   evaluate doubles as IEEE-754 binary64 rounded to nearest without excess precision
//   (FLT_EVAL_METHOD 0: x86-64, AArch64; not x87).
// - Errors. Parameters are validated once, by each distribution's Create(), which returns
//   INVALID_ARGUMENT naming the bad argument; drawing from a created distribution cannot fail.
// - Cost of a draw. Every Next() consumes exactly one 64-bit output of the Rng, except
//   UniformInt, which consumes one and, with probability below range/2^64, a few more (Lemire's
//   rejection step). So the number of outputs consumed never depends on a probability or a mean.
// - Not thread-safe: an Rng, like a process, belongs to one thread of control.
#ifndef DDC_PLATFORM_RANDOM_H_
#define DDC_PLATFORM_RANDOM_H_

#include <array>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/types.h"

namespace ddc {

// Fnv1a64 is the 64-bit FNV-1a hash of `bytes` (Fowler, Noll, Vo; offset basis
// 0xcbf29ce484222325, prime 0x100000001b3; http://www.isthe.com/chongo/tech/comp/fnv/): for each
// byte, h = (h ^ byte) * prime.
uint64_t Fnv1a64(absl::string_view bytes);
// Fnv1a64 of the 8 little-endian bytes of `value`, which is what YCSB's Utils.fnvhash64 hashes.
uint64_t Fnv1a64(uint64_t value);

// SplitMix64Mix is SplitMix64's output function (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014; constants from Vigna's splitmix64.c):
//   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
//   return z ^ (z >> 31).
// It is a bijection on 64-bit values, so distinct inputs never collide.
uint64_t SplitMix64Mix(uint64_t z);

// Rng is xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom number
// generators", ACM TOMS 2021; reference code https://prng.di.unimi.it/xoshiro256starstar.c):
// 256 bits of state, period 2^256 - 1, output rotl(s1 * 5, 7) * 9. It satisfies
// std::uniform_random_bit_generator, but use the distributions below rather than std's.
class Rng {
 public:
  using result_type = uint64_t;

  // Rng(seed) fills the state with the first four outputs of SplitMix64 started at `seed`
  // (state += 0x9e3779b97f4a7c15, then SplitMix64Mix), as the xoshiro authors recommend; the
  // state is never all zero.
  explicit Rng(uint64_t seed);

  // ForStream derives an independent stream from `seed` and a label made of one or more parts,
  // each a string (its bytes) or an integer (its value as uint64_t, so -1 and 2^64-1 are the same
  // part). The stream key is
  //   key = SplitMix64Mix(seed)
  //   for each part: key = SplitMix64Mix(key ^ H(part))
  // where H(string) = Fnv1a64(bytes) and H(integer) = Fnv1a64(8 little-endian bytes), each part
  // hashed on its own so that ("ab", "c") and ("a", "bc") are different labels; the stream is
  // Rng(key). Examples: ForStream(seed, "fault-injector"), ForStream(seed, "client-1", 0).
  template <typename... Parts>
  static Rng ForStream(uint64_t seed, const Parts&... parts) {
    static_assert(sizeof...(Parts) > 0, "ForStream needs at least one label part");
    uint64_t key = SplitMix64Mix(seed);
    ((key = SplitMix64Mix(key ^ HashPart(parts))), ...);
    return Rng(key);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  // Next64 returns the next 64 uniformly distributed bits.
  uint64_t Next64();
  result_type operator()() { return Next64(); }

 private:
  template <typename Part>
  static uint64_t HashPart(const Part& part) {
    if constexpr (std::is_integral_v<Part> || std::is_enum_v<Part>) {
      return Fnv1a64(static_cast<uint64_t>(part));
    } else {
      return Fnv1a64(absl::string_view(part));
    }
  }

  std::array<uint64_t, 4> state_;
};

// UniformDouble returns a double uniform on [0, 1): the top 53 bits of one output times 2^-53
// (every value is a multiple of 2^-53; Vigna, https://prng.di.unimi.it/#remarks).
double UniformDouble(Rng& rng);

// UniformInt draws integers uniform on [lo, hi] without modulo bias, by Lemire's nearly
// divisionless method (D. Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS
// 2019): with s = hi - lo + 1, m = x * s as a 128-bit product of an output x, and
// l = m mod 2^64, redraw while l < (2^64 - s) mod s, then return lo + floor(m / 2^64). The full
// range [INT64_MIN, INT64_MAX] returns an output as is.
class UniformInt {
 public:
  // INVALID_ARGUMENT unless lo <= hi.
  static absl::StatusOr<UniformInt> Create(int64_t lo, int64_t hi);
  int64_t Next(Rng& rng) const;

  int64_t lo() const { return lo_; }
  int64_t hi() const { return hi_; }

 private:
  UniformInt(int64_t lo, int64_t hi) : lo_(lo), hi_(hi) {}
  int64_t lo_;
  int64_t hi_;
};

// Bernoulli(p) is true with probability p: UniformDouble(rng) < p. It consumes one output even
// when p is 0 or 1.
class Bernoulli {
 public:
  // INVALID_ARGUMENT unless 0 <= p <= 1.
  static absl::StatusOr<Bernoulli> Create(double p);
  bool Next(Rng& rng) const;

  double p() const { return p_; }

 private:
  explicit Bernoulli(double p) : p_(p) {}
  double p_;
};

// Exponential(mean) by inversion (Devroye, "Non-Uniform Random Variate Generation", 1986,
// ch. 2): X = -mean * ln(1 - U) with U = UniformDouble, so 1 - U is in (0, 1] and X is finite,
// in [0, 36.74 * mean] (ln 2^53 = 36.74).
class Exponential {
 public:
  // INVALID_ARGUMENT unless mean is finite and > 0.
  static absl::StatusOr<Exponential> Create(double mean);
  double Next(Rng& rng) const;

  double mean() const { return mean_; }

 private:
  explicit Exponential(double mean) : mean_(mean) {}
  double mean_;
};

// PoissonArrivals are the arrival times of a Poisson process of `rate_per_s` events per second
// of virtual time: gaps are Exponential with mean 1e9 / rate_per_s ns, rounded to the nearest
// integer nanosecond (halves up: floor(x + 0.5)) and capped at kInfiniteTime. Rounding moves the
// mean gap by less than 0.5 ns; gaps of 0 (two arrivals in the same nanosecond) occur when the
// mean gap is a few ns or less.
class PoissonArrivals {
 public:
  // INVALID_ARGUMENT unless rate_per_s is finite and > 0, or if start is negative.
  static absl::StatusOr<PoissonArrivals> Create(double rate_per_s, Time start = 0);

  // NextGap draws one inter-arrival time.
  Duration NextGap(Rng& rng) const;
  // Next advances the process by one gap and returns the new arrival time (the first call
  // returns start + one gap). Saturates at kInfiniteTime.
  Time Next(Rng& rng);

  double rate_per_s() const { return rate_per_s_; }
  double mean_gap_ns() const { return gap_.mean(); }

 private:
  PoissonArrivals(double rate_per_s, Exponential gap, Time start)
      : rate_per_s_(rate_per_s), gap_(gap), last_(start) {}
  double rate_per_s_;
  Exponential gap_;
  Time last_;
};

// ZipfianGenerator is YCSB's ZipfianGenerator (site.ycsb.generator.ZipfianGenerator), which
// implements Gray et al., "Quickly Generating Billion-Record Synthetic Databases", SIGMOD 1994.
// Items are [min, min + n - 1]; item min + i has probability (1 / (i + 1)^theta) / zeta(n, theta)
// with zeta(n, theta) = sum_{i=1..n} 1 / i^theta, so min is the most popular. One draw:
//   u = UniformDouble; uz = u * zeta(n)
//   uz < 1                 -> min               (exact: probability 1 / zeta(n))
//   uz < 1 + 0.5^theta     -> min + 1           (exact: probability 0.5^theta / zeta(n))
//   otherwise              -> min + floor(n * (eta * u - eta + 1)^alpha), at most min + n - 1
// with alpha = 1 / (1 - theta) and eta = (1 - (2 / n)^(1 - theta)) / (1 - zeta(2) / zeta(n));
// items from min + 2 on follow Gray's continuous approximation of the tail.
//
// Creating the generator sums zeta(n) term by term in O(n) (about 50 ms per million items).
// SetItemCount grows it incrementally in O(added items) like YCSB; a shrink recomputes from
// scratch. One departure from YCSB: after a change of n, eta uses the new n (Gray's formula),
// where YCSB keeps the constructor's item count in the (2/n) term.
class ZipfianGenerator {
 public:
  static constexpr double kDefaultTheta = 0.99;  // YCSB's ZIPFIAN_CONSTANT

  // INVALID_ARGUMENT unless min <= max, max - min + 1 fits in int64_t, and 0 < theta < 1.
  static absl::StatusOr<ZipfianGenerator> Create(int64_t min, int64_t max,
                                                 double theta = kDefaultTheta);
  // CreateWithZeta skips the O(n) sum: zeta_n must be zeta(max - min + 1, theta) (not checked
  // beyond zeta_n >= 1), as for ScrambledZipfianGenerator's precomputed constant.
  static absl::StatusOr<ZipfianGenerator> CreateWithZeta(int64_t min, int64_t max, double theta,
                                                         double zeta_n);

  int64_t Next(Rng& rng) const;

  // SetItemCount makes the items [min, min + item_count - 1]. INVALID_ARGUMENT unless
  // 1 <= item_count and min + item_count - 1 fits in int64_t.
  absl::Status SetItemCount(int64_t item_count);

  int64_t min() const { return min_; }
  int64_t item_count() const { return item_count_; }
  double theta() const { return theta_; }
  double zeta_n() const { return zeta_n_; }

  // Zeta returns zeta(n, theta) continued from zeta(from, theta) = zeta_from: the sum over
  // i = from + 1 .. n of 1 / i^theta, added in increasing i to zeta_from. Zeta(0, n, theta, 0) is
  // zeta(n, theta) from scratch, and growing in steps gives bit-identical sums.
  static double Zeta(int64_t from, int64_t n, double theta, double zeta_from);

 private:
  ZipfianGenerator(int64_t min, int64_t item_count, double theta, double zeta_n);
  void UpdateEta();

  int64_t min_;
  int64_t item_count_;
  double theta_;
  double alpha_;           // 1 / (1 - theta)
  double zeta_2_;          // zeta(2, theta) = 1 + 0.5^theta
  double half_pow_theta_;  // 0.5^theta
  double zeta_n_;
  double eta_;
};

// ScrambledZipfianGenerator is YCSB's ScrambledZipfianGenerator: a ZipfianGenerator with
// theta 0.99 over a fixed space of 10^10 items, using YCSB's precomputed zeta(10^10, 0.99) =
// 26.46902820178302, whose draw v is mapped to min + YcsbFnvHash64(v) mod n (n = max - min + 1).
// The popular items are therefore scattered over [min, max] instead of clustered at min.
// Because 10^10 items fold onto n keys, the frequencies are not those of a zipfian over n items:
// the hottest key gets 1/26.469 = 3.78% of the draws (plus its share of the folded tail) whatever
// n is; this is YCSB's behaviour, kept on purpose.
// Departures from YCSB: YCSB's inner generator has min 0 and max 10^10 (10^10 + 1 items, one more
// than its zeta constant counts); here it has exactly the 10^10 items the constant is for. Only
// theta 0.99 is offered, since another theta would need zeta over 10^10 items (minutes).
class ScrambledZipfianGenerator {
 public:
  static constexpr int64_t kItemSpace = 10'000'000'000;        // YCSB's ITEM_COUNT (10^10)
  static constexpr double kZetaItemSpace = 26.46902820178302;  // YCSB's ZETAN

  // INVALID_ARGUMENT unless min <= max and max - min + 1 fits in int64_t.
  static absl::StatusOr<ScrambledZipfianGenerator> Create(int64_t min, int64_t max);

  int64_t Next(Rng& rng) const;
  // Scramble maps a draw v of the inner generator to its key: min + YcsbFnvHash64(v) mod n.
  int64_t Scramble(int64_t v) const;

  int64_t min() const { return min_; }
  int64_t item_count() const { return item_count_; }

  // YcsbFnvHash64 is YCSB's Utils.fnvhash64: Java's Math.abs of Fnv1a64(v) read as a signed
  // 64-bit value. For the one hash whose absolute value is not representable (2^63), Java returns
  // a negative number; here it is returned as 2^63 so that the key stays in range.
  static uint64_t YcsbFnvHash64(int64_t v);

 private:
  ScrambledZipfianGenerator(int64_t min, int64_t item_count, ZipfianGenerator inner)
      : min_(min), item_count_(item_count), inner_(inner) {}
  int64_t min_;
  int64_t item_count_;
  ZipfianGenerator inner_;
};

// LatestGenerator is YCSB's SkewedLatestGenerator: popularity skewed towards the most recently
// inserted item. With items [0, n - 1] (n = item_count, newest n - 1) a draw is
// (n - 1) - z, z drawn from a ZipfianGenerator over [0, n - 1], so the newest item is the most
// popular, the one before it next, and so on; inserting items (SetItemCount) moves the head.
// Departure from YCSB: YCSB draws max - z with max the last inserted key and z over max items,
// which never returns item 0; here every item in [0, n - 1] can be drawn.
class LatestGenerator {
 public:
  // INVALID_ARGUMENT unless item_count >= 1 and 0 < theta < 1.
  static absl::StatusOr<LatestGenerator> Create(int64_t item_count,
                                                double theta = ZipfianGenerator::kDefaultTheta);

  int64_t Next(Rng& rng) const;
  // SetItemCount records that items [0, item_count - 1] now exist (O(added items) when growing).
  absl::Status SetItemCount(int64_t item_count);

  int64_t item_count() const { return zipfian_.item_count(); }

 private:
  explicit LatestGenerator(ZipfianGenerator zipfian) : zipfian_(zipfian) {}
  ZipfianGenerator zipfian_;
};

// Deterministic elementary functions, built from IEEE-754 basic operations, frexp and ldexp only
// (all exact or correctly rounded), so they give the same bits on every platform. They are
// accurate to a few units in the last place, which is all the distributions need.
namespace detmath {
// Log is the natural logarithm: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), and
// ln m = 2 * atanh(s), s = (m - 1) / (m + 1), summed as 2s * sum_{k=0..11} s^2k / (2k + 1)
// (|s| <= 0.172, so the dropped terms are below 1e-18); ln 2 is split in two (fdlibm's ln2_hi,
// ln2_lo) so that e * ln2_hi is exact. Log(0) = -inf; NaN for x < 0 or NaN; Log(inf) = inf.
double Log(double x);
// Exp is e^x: x = k ln 2 + r with k = floor(x / ln 2 + 0.5) and |r| <= 0.347 (Cody-Waite
// reduction with the same split ln 2), e^r by its Taylor series to r^14/14! (remainder below
// 1e-18), then scaled by 2^k. Overflows to inf above 709.79 and underflows to 0 below -745.2.
double Exp(double x);
// Pow is x^y = Exp(y * Log(x)) for x > 0; Pow(0, y) = 0 for y > 0.
double Pow(double x, double y);
}  // namespace detmath

}  // namespace ddc

#endif  // DDC_PLATFORM_RANDOM_H_
