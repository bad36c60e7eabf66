// Many seeds of the seeded simulation (sim_test_util.h), in both modes (label `slow`).
#include "paxos/sim_test_util.h"

namespace ddc::paxos {
namespace {

class SeededSimulationSlow : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SeededSimulationSlow, Transparent) { RunSeededSimulation(GetParam(), Mode::kTransparent); }
TEST_P(SeededSimulationSlow, Exposed) { RunSeededSimulation(GetParam(), Mode::kExposed); }

INSTANTIATE_TEST_SUITE_P(Seeds, SeededSimulationSlow, ::testing::Range<uint64_t>(1000, 2000));

}  // namespace
}  // namespace ddc::paxos
