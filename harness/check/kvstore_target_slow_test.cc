// The kvstore target over many seeds (label slow): every invariant holds in both modes. Prints
// the faults injected by kind and the seeds per minute of wall time.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "harness/check/kvstore_target.h"

namespace ddc::check {
namespace {

constexpr uint64_t kSlowSeeds = 2000;

TEST(KvstoreTargetSlowTest, ManySeedsHoldEveryInvariantInBothModes) {
  KvstoreTarget target;
  std::map<std::string, int64_t> faults;
  int64_t violations = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = 0; seed < kSlowSeeds; ++seed) {
    absl::StatusOr<Scenario> scenario = target.Draw(seed);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
      ASSERT_TRUE(report.ok()) << "seed " << seed << ": " << report.status();
      for (const Violation& v : report->violations) {
        ++violations;
        ADD_FAILURE() << "seed " << seed << " " << ModeName(mode) << ": " << v.invariant << ": "
                      << v.detail;
      }
      for (const auto& [kind, n] : report->faults_injected) faults[kind] += n;
    }
    if ((seed + 1) % 100 == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << seed + 1 << " seeds, " << violations << " violations, " << seconds << " s"
                << std::endl;
    }
  }
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
  std::cout << kSlowSeeds << " seeds, " << violations << " violations, " << kSlowSeeds / minutes
            << " seeds/minute (wall), faults:";
  for (const auto& [kind, n] : faults) std::cout << " " << kind << "=" << n;
  std::cout << "\n";
}

}  // namespace
}  // namespace ddc::check
