// Parameters shared by the crash test suites: every workload family in every rack.
#ifndef DDC_COMMON_DURABLE_TESTING_CRASH_PARAMS_H_
#define DDC_COMMON_DURABLE_TESTING_CRASH_PARAMS_H_

#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "common/durable/testing/durable_testing.h"
#include "common/durable/testing/workloads.h"
#include "gtest/gtest.h"

namespace ddc::durable::testing {

struct CrashRack {
  std::string name;
  std::string config;
};

// CrashRacks: the default rack, and one whose CE caches hold 4 lines.
inline std::vector<CrashRack> CrashRacks() {
  return {{"DefaultRack", ""}, {"TinyCache", kTinyCacheRack}};
}

// Test names and failure messages print parameters by name.
inline void PrintTo(const WorkloadFamily& family, std::ostream* os) { *os << family.name; }
inline void PrintTo(const CrashRack& rack, std::ostream* os) { *os << rack.name; }

using CrashParam = std::tuple<WorkloadFamily, CrashRack>;

class CrashSuite : public ::testing::TestWithParam<CrashParam> {
 protected:
  const WorkloadFamily& family() const { return std::get<0>(GetParam()); }
  const CrashRack& rack() const { return std::get<1>(GetParam()); }
};

inline auto AllCrashParams() {
  return ::testing::Combine(::testing::ValuesIn(AllWorkloadFamilies()),
                            ::testing::ValuesIn(CrashRacks()));
}

inline std::string CrashParamName(const ::testing::TestParamInfo<CrashParam>& info) {
  return std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
}

}  // namespace ddc::durable::testing

#endif  // DDC_COMMON_DURABLE_TESTING_CRASH_PARAMS_H_
