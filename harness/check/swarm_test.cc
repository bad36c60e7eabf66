#include "harness/check/swarm.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/topology.h"

namespace ddc::check {
namespace {

FaultPlan PlanFor(const PlatformConfig& config) {
  FaultPlan plan;
  for (const config::Rack& rack : config.racks()) {
    plan.endpoints.push_back(rack.name());
    for (const config::ComputeElement& ce : rack.compute_elements())
      plan.ces.push_back(rack.name() + "/" + ce.name());
    for (const config::MemoryElement& me : rack.memory_elements())
      plan.mes.push_back(rack.name() + "/" + me.name());
  }
  plan.start = Milliseconds(1);
  plan.end = Milliseconds(100);
  plan.max_ce_crashes = 2;
  plan.max_me_failures = 1;
  plan.max_partitions = 2;
  return plan;
}

// Every drawn config and schedule is one the platform accepts, for many seeds: a target never
// fails on a scenario the swarm itself made invalid.
TEST(Swarm, DrawsValidConfigsAndSchedules) {
  std::set<int> fault_counts;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Rng rng = Rng::ForStream(seed, "swarm-test");
    PlatformConfig config = DrawPlatform(rng, {.allow_huge_pages = true});
    ResolveConfig(config);
    ASSERT_TRUE(ValidateConfig(config).ok()) << seed << ": " << ValidateConfig(config);
    const FaultPlan plan = PlanFor(config);
    const config::FaultSchedule faults = DrawFaultSchedule(rng, plan);
    absl::Status valid = ValidateFaultSchedule(Topology::FromConfig(config), faults);
    ASSERT_TRUE(valid.ok()) << seed << ": " << valid;
    for (const config::CeFault& fault : faults.ce_faults()) {
      EXPECT_GE(fault.at_ns(), plan.start);
      EXPECT_LT(fault.at_ns(), plan.end);
      EXPECT_LE(fault.at_ns() + fault.duration_ns(), plan.end);
    }
    for (const config::Partition& partition : faults.partitions()) {
      EXPECT_NE(partition.a(), partition.b());
      EXPECT_LE(partition.heal_at_ns(), plan.end);
    }
    for (const config::MessageFault& fault : faults.message_faults())
      EXPECT_LE(fault.end_ns(), plan.end);
    fault_counts.insert(FaultCount(faults));
  }
  // Swarm: some seeds draw no fault, others many.
  EXPECT_TRUE(fault_counts.count(0));
  EXPECT_GE(*fault_counts.rbegin(), 5);
}

TEST(Swarm, SameStreamSameScenario) {
  Rng a = Rng::ForStream(42, "swarm-test");
  Rng b = Rng::ForStream(42, "swarm-test");
  PlatformConfig ca = DrawPlatform(a, {});
  PlatformConfig cb = DrawPlatform(b, {});
  EXPECT_EQ(ca.SerializeAsString(), cb.SerializeAsString());
  ResolveConfig(ca);
  EXPECT_EQ(DrawFaultSchedule(a, PlanFor(ca)).SerializeAsString(),
            DrawFaultSchedule(b, PlanFor(ca)).SerializeAsString());
}

TEST(Swarm, WithoutFaultRemovesExactlyOneEntryInOrder) {
  config::FaultSchedule schedule;
  schedule.add_ce_faults()->set_ce("r0/ce0");
  schedule.add_ce_faults()->set_ce("r0/ce1");
  schedule.add_partitions()->set_a("r0");
  schedule.add_me_faults()->set_me("r0/me0");
  ASSERT_EQ(FaultCount(schedule), 4);
  EXPECT_EQ(WithoutFault(schedule, 1).ce_faults(0).ce(), "r0/ce0");
  EXPECT_EQ(WithoutFault(schedule, 1).ce_faults_size(), 1);
  EXPECT_EQ(WithoutFault(schedule, 2).partitions_size(), 0);
  EXPECT_EQ(WithoutFault(schedule, 3).me_faults_size(), 0);
  EXPECT_EQ(FaultCount(WithoutFault(schedule, 9)), 4);
  EXPECT_EQ(CountFaults(schedule).at(kCeCrash), 2);
  EXPECT_EQ(CountFaults(schedule).at(kPartition), 1);
}

}  // namespace
}  // namespace ddc::check
