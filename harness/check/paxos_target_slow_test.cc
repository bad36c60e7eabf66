// 10,000 seeds of the Paxos check target in both modes (label `slow`; docs/checking.md gives the
// measured seeds per minute). Prints every failing seed with its options and violations.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "harness/check/paxos_target.h"

namespace ddc::check {
namespace {

TEST(PaxosTargetSlow, TenThousandSeeds) {
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  std::map<std::string, int64_t> faults;
  int failing = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr uint64_t kFirst = 1000, kSeeds = 10000;
  for (uint64_t seed = kFirst; seed < kFirst + kSeeds; ++seed) {
    absl::StatusOr<Scenario> scenario = target->Draw(seed);
    ASSERT_TRUE(scenario.ok()) << seed << ": " << scenario.status();
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> report = target->Run(*scenario, mode);
      ASSERT_TRUE(report.ok()) << seed << ": " << report.status();
      for (const auto& [kind, n] : report->faults_injected) faults[kind] += n;
      if (report->violations.empty()) continue;
      ++failing;
      ADD_FAILURE() << "seed " << seed << " " << ModeName(mode) << ": "
                    << report->violations[0].invariant << ": " << report->violations[0].detail;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("paxos: %llu seeds x 2 modes in %.0f s (%.0f seeds/min), %d failing runs\n",
              static_cast<unsigned long long>(kSeeds), seconds, kSeeds * 60 / seconds, failing);
  for (const auto& [kind, n] : faults) std::printf("  %s: %lld\n", kind.c_str(), (long long)n);
}

}  // namespace
}  // namespace ddc::check
