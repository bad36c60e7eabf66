// The registry of check targets: one line per application. A new application adds its target
// here (docs/checking.md, "Adding a target").
#include <memory>
#include <vector>

#include "harness/check/check.h"
#include "harness/check/kvstore_target.h"
#include "harness/check/mapreduce_target.h"
#include "harness/check/paxos_target.h"
#include "harness/check/platform_target.h"

namespace ddc::check {

std::vector<std::unique_ptr<CheckTarget>> AllCheckTargets() {
  std::vector<std::unique_ptr<CheckTarget>> targets;
  targets.push_back(NewPlatformTarget());
  targets.push_back(MakePaxosTarget());
  targets.push_back(MakeMapReduceTarget());
  targets.push_back(MakeKvstoreTarget());
  return targets;
}

}  // namespace ddc::check
