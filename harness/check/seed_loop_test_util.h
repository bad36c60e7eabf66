// Test support: run a check target over a range of seeds in both modes, for a target's unit test
// (a few dozen seeds) and its slow test (thousands), without the runner.
#ifndef DDC_HARNESS_CHECK_SEED_LOOP_TEST_UTIL_H_
#define DDC_HARNESS_CHECK_SEED_LOOP_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/check/check.h"

namespace ddc::check::testing {

struct SeedLoop {
  int64_t runs = 0;                         // (seed, mode) pairs run
  std::vector<std::string> violations;      // "seed S (mode): invariant: detail"
  std::map<std::string, int64_t> injected;  // faults that fired, by kind
};

// RunSeeds runs seeds [from, from + count) of `target` in both modes; a Status error is a broken
// harness (Draw or Run failed).
inline absl::StatusOr<SeedLoop> RunSeeds(const CheckTarget& target, uint64_t from, uint64_t count) {
  SeedLoop loop;
  for (uint64_t seed = from; seed < from + count; ++seed) {
    absl::StatusOr<Scenario> scenario = target.Draw(seed);
    if (!scenario.ok()) return scenario.status();
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
      if (!report.ok()) {
        return absl::Status(report.status().code(),
                            absl::StrCat("seed ", seed, ": ", report.status().message()));
      }
      ++loop.runs;
      for (const Violation& v : report->violations) {
        std::string options;
        for (const auto& [name, value] : scenario->options)
          absl::StrAppend(&options, " ", name, "=", value);
        loop.violations.push_back(absl::StrCat(
            "seed ", seed, " (", ModeName(mode), "): ", v.invariant, ": ", v.detail,
            "\n  options:", options, "\n  faults: ", scenario->config.faults().ShortDebugString()));
      }
      for (const auto& [kind, n] : report->faults_injected) loop.injected[kind] += n;
    }
  }
  return loop;
}

}  // namespace ddc::check::testing

#endif  // DDC_HARNESS_CHECK_SEED_LOOP_TEST_UTIL_H_
