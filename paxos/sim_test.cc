// A few seeds of the seeded simulation (sim_test_util.h) in both modes; sim_slow_test.cc runs
// many more under the `slow` label.
#include "paxos/sim_test_util.h"

namespace ddc::paxos {
namespace {

class SeededSimulation : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SeededSimulation, Transparent) { RunSeededSimulation(GetParam(), Mode::kTransparent); }
TEST_P(SeededSimulation, Exposed) { RunSeededSimulation(GetParam(), Mode::kExposed); }

INSTANTIATE_TEST_SUITE_P(Seeds, SeededSimulation, ::testing::Range<uint64_t>(1, 9));

}  // namespace
}  // namespace ddc::paxos
