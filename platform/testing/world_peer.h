// SimulationTestPeer is the one door from a platform test to the kernel side of a Simulation
// (the facade itself exposes none). Only tests of the platform's internals use it; applications,
// their tests and the harness never do (scripts/check_layering.sh enforces it).
#ifndef DDC_PLATFORM_TESTING_WORLD_PEER_H_
#define DDC_PLATFORM_TESTING_WORLD_PEER_H_

#include "platform/sim/world.h"
#include "platform/simulation.h"

namespace ddc {

class SimulationTestPeer {
 public:
  static sim::World& World(Simulation& simulation) { return *simulation.world_; }
};

namespace testing_util {

inline sim::World& WorldOf(Simulation& simulation) { return SimulationTestPeer::World(simulation); }

}  // namespace testing_util
}  // namespace ddc

#endif  // DDC_PLATFORM_TESTING_WORLD_PEER_H_
