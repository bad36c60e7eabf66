// Helpers for tests of code that runs on the platform: naming elements and spawning processes,
// recording a GoogleTest failure (instead of crashing) when a name or a spawn is wrong. Tests of
// the platform's own internals also use world_peer.h.
#ifndef DDC_PLATFORM_TESTING_SIMULATION_TESTING_H_
#define DDC_PLATFORM_TESTING_SIMULATION_TESTING_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "platform/process.h"
#include "platform/simulation.h"

namespace ddc::testing_util {

// CeNamed resolves a "rack/ce" name.
inline CeId CeNamed(const Simulation& sim, absl::string_view name) {
  std::optional<CeId> ce = sim.topology().FindCe(name);
  if (!ce) {
    ADD_FAILURE() << "no compute element named " << name;
    return CeId{0};
  }
  return *ce;
}

// MeNamed resolves a "rack/me" name.
inline MeId MeNamed(const Simulation& sim, absl::string_view name) {
  std::optional<MeId> me = sim.topology().FindMe(name);
  if (!me) {
    ADD_FAILURE() << "no memory element named " << name;
    return MeId{0};
  }
  return *me;
}

// MustSpawn spawns a process on the CE named `ce`.
inline ProcessId MustSpawn(Simulation& sim, std::string name, absl::string_view ce,
                           ProcessMain main, bool restart_on_reboot = false) {
  absl::StatusOr<ProcessId> id = sim.Spawn({.name = std::move(name),
                                            .ce = CeNamed(sim, ce),
                                            .main = std::move(main),
                                            .restart_on_reboot = restart_on_reboot});
  EXPECT_TRUE(id.ok()) << id.status();
  return id.value_or(kNoProcess);
}

}  // namespace ddc::testing_util

#endif  // DDC_PLATFORM_TESTING_SIMULATION_TESTING_H_
