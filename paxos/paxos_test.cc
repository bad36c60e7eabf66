// End-to-end tests of the store on the simulated rack: linearizability under load, failures of
// every kind in both modes, reincarnation by steal, replacement by state transfer, the zombie.
#include <algorithm>
#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "paxos/check.h"
#include "paxos/client.h"
#include "paxos/launch.h"
#include "platform/config.h"
#include "platform/cost_model.h"

namespace ddc::paxos {
namespace {

struct StoreRun {
  std::unique_ptr<Simulation> sim;
  Deployment deployment;
  std::unique_ptr<Outcome> outcome = std::make_unique<Outcome>();
};

ServiceConfig TestConfig(const PlatformConfig& platform) {
  ServiceConfig config;
  const FailureTimeouts fair =
      CostModel(platform.cost_model()).AggressiveTimeouts(/*same_rack=*/false, 2048);
  config.heartbeat_interval = fair.heartbeat_interval;
  config.election_ticks = static_cast<int>((fair.failure_timeout + fair.heartbeat_interval - 1) /
                                           fair.heartbeat_interval);
  config.client_timeout = config.election_timeout();
  config.load_until = Milliseconds(40);
  config.state_bytes = 1 << 20;
  return config;
}

using Faults = std::function<void(Simulation&, const Deployment&)>;

StoreRun RunStore(Mode mode, uint64_t seed, const Faults& faults,
                  const std::function<void(ServiceConfig&)>& tune = nullptr) {
  PlatformConfig platform = StoreConfig(DefaultConfig(), 3);
  platform.set_mode(mode == Mode::kExposed ? PlatformConfig::EXPOSED : PlatformConfig::TRANSPARENT);
  ServiceConfig config = TestConfig(platform);
  if (tune) tune(config);
  StoreRun run;
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(platform, seed);
  EXPECT_TRUE(sim.ok()) << sim.status();
  run.sim = *std::move(sim);
  absl::StatusOr<Deployment> d =
      Launch(*run.sim, config, DefaultPlacement(config.replicas), run.outcome.get());
  EXPECT_TRUE(d.ok()) << d.status();
  run.deployment = *d;
  if (faults) faults(*run.sim, run.deployment);
  run.sim->RunUntil(config.load_until + Milliseconds(60));
  for (const ProcessFailure& f : run.sim->ProcessFailures())
    ADD_FAILURE() << f.process << " failed at " << f.at << ": " << f.error;
  return run;
}

class PaxosModes : public ::testing::TestWithParam<Mode> {};

TEST_P(PaxosModes, NoFaultsIsLinearizable) {
  StoreRun run = RunStore(GetParam(), 1, nullptr);
  EXPECT_GT(run.outcome->acks.size(), 200u);
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  EXPECT_EQ(run.outcome->leader_changes, 1);
  EXPECT_TRUE(run.outcome->recovery.empty());
}

TEST_P(PaxosModes, LeaderCrashRecoversAndStaysLinearizable) {
  StoreRun run = RunStore(GetParam(), 2, [](Simulation& sim, const Deployment& d) {
    ASSERT_TRUE(sim.CrashCe(d.replica_ces[0], Milliseconds(15)).ok());
  });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(0));
  const MemberRecovery& r = run.outcome->recovery.at(0);
  EXPECT_GE(r.detected_at, Milliseconds(15));
  EXPECT_GT(r.resumed_at, r.detected_at);
  EXPECT_GE(r.caught_up_at, r.resumed_at);
  EXPECT_EQ(r.how, GetParam() == Mode::kExposed ? Recovery::kSteal : Recovery::kPeerTransfer);
  EXPECT_GE(run.outcome->leader_changes, 2);
  // Writes were acknowledged after the crash.
  int64_t after = 0;
  for (const Ack& a : run.outcome->acks) after += a.at > r.caught_up_at;
  EXPECT_GT(after, 50);
}

TEST_P(PaxosModes, FollowerCrashRecovers) {
  StoreRun run = RunStore(GetParam(), 3, [](Simulation& sim, const Deployment& d) {
    ASSERT_TRUE(sim.CrashCe(d.replica_ces[2], Milliseconds(15)).ok());
  });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(2));
  EXPECT_GE(run.outcome->recovery.at(2).caught_up_at, 0);
  EXPECT_EQ(run.outcome->leader_changes, 1);
}

TEST_P(PaxosModes, MemoryFailureUnderALiveReplica) {
  StoreRun run = RunStore(GetParam(), 4, [](Simulation& sim, const Deployment&) {
    config::FaultSchedule faults;
    config::MeFault* f = faults.add_me_faults();
    f->set_me("r1/me0");
    f->set_at_ns(Milliseconds(15));
    ASSERT_TRUE(sim.InjectFaults(faults).ok());
  });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(1));
  const MemberRecovery& r = run.outcome->recovery.at(1);
  EXPECT_EQ(r.how, Recovery::kPeerTransfer);
  EXPECT_GE(r.caught_up_at, 0);
  if (GetParam() == Mode::kExposed) {
    // The forwarded failure reached the peers at once, long before any timeout.
    EXPECT_LT(r.suspected_at - Milliseconds(15), Microseconds(200));
  }
}

TEST_P(PaxosModes, CutOffLeaderAcknowledgesNothingItCannotCommit) {
  // The leader still hears the clients but not its followers, then dies: whatever it
  // acknowledged must have been chosen, or a later get would miss it (the history check).
  StoreRun run = RunStore(GetParam(), 7, [](Simulation& sim, const Deployment& d) {
    ASSERT_TRUE(sim.Partition("r0", "r1", Milliseconds(15), Milliseconds(100)).ok());
    ASSERT_TRUE(sim.Partition("r0", "r2", Milliseconds(15), Milliseconds(100)).ok());
    ASSERT_TRUE(sim.CrashCe(d.replica_ces[0], Milliseconds(16)).ok());
  });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  EXPECT_GE(run.outcome->leader_changes, 2);
}

// Snapshots with a short interval: every replica snapshots and compacts its log many times, and
// recovery starts from a snapshot: the reincarnated leader reads its own from its ME pages (a
// state machine rebuilt without it would differ from the others' at equal applied indexes), a
// replacement installs a peer's.
TEST_P(PaxosModes, RecoveryStartsFromASnapshot) {
  StoreRun run = RunStore(
      GetParam(), 2,
      [](Simulation& sim, const Deployment& d) {
        ASSERT_TRUE(sim.CrashCe(d.replica_ces[0], Milliseconds(15)).ok());
      },
      [](ServiceConfig& config) { config.snapshot_interval = 16; });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  EXPECT_GT(run.outcome->snapshots, 6);
  ASSERT_TRUE(run.outcome->recovery.contains(0));
  const MemberRecovery& r = run.outcome->recovery.at(0);
  EXPECT_GE(r.caught_up_at, r.resumed_at);
  EXPECT_GT(r.resumed_at, 0);
  if (GetParam() == Mode::kTransparent) EXPECT_GE(run.outcome->snapshot_installs, 1);
  const int64_t after = std::count_if(run.outcome->acks.begin(), run.outcome->acks.end(),
                                      [](const Ack& a) { return a.at > Milliseconds(20); });
  EXPECT_GT(after, 50);
}

INSTANTIATE_TEST_SUITE_P(Modes, PaxosModes, ::testing::Values(Mode::kTransparent, Mode::kExposed),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(ModeName(info.param));
                         });

TEST(PaxosExposed, PausedReplicaIsStolenAndItsZombieIsFenced) {
  StoreRun run = RunStore(Mode::kExposed, 5, [](Simulation& sim, const Deployment& d) {
    // A pause longer than the monitor's verdict (5 missed beats of 2 ms).
    ASSERT_TRUE(sim.PauseCe(d.replica_ces[1], Milliseconds(30), Milliseconds(10)).ok());
  });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(1));
  EXPECT_GT(run.outcome->recovery.at(1).stolen_at, 0);
  EXPECT_EQ(run.outcome->zombie_effects, 0);
  EXPECT_GT(run.outcome->zombie_refusals, 0) << "the zombie never tried to act";
}

// A follower cut off while the others compact past everything it knows: when the partition heals
// it installs the leader's snapshot (state machine, client table) and fetches the suffix. (Exposed
// mode: a partition is no death for the rack monitor, so no one replaces the follower.)
TEST(PaxosExposed, FollowerCutOffPastASnapshotInstallsIt) {
  StoreRun run = RunStore(
      Mode::kExposed, 3,
      [](Simulation& sim, const Deployment&) {
        for (const char* other : {"r0", "r1"})
          ASSERT_TRUE(sim.Partition("r2", other, Milliseconds(10), Milliseconds(16)).ok());
      },
      [](ServiceConfig& config) {
        config.snapshot_interval = 16;
        config.log_retain = 0;  // no slack: the follower must install
      });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  EXPECT_GE(run.outcome->snapshot_installs, 1);
  // Member 2 applied as far as the others by the end.
  ASSERT_TRUE(run.outcome->applied_by_member.contains(2));
  EXPECT_EQ(run.outcome->applied_by_member.at(2), run.outcome->applied_by_member.at(0));
}

TEST(PaxosTransparent, CheckpointBaselineRecovers) {
  StoreRun run = RunStore(
      Mode::kTransparent, 6,
      [](Simulation& sim, const Deployment& d) {
        ASSERT_TRUE(sim.CrashCe(d.replica_ces[1], Milliseconds(15)).ok());
      },
      [](ServiceConfig& c) { c.transparent_recovery = Recovery::kCheckpoint; });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(1));
  EXPECT_EQ(run.outcome->recovery.at(1).how, Recovery::kCheckpoint);
  EXPECT_EQ(run.outcome->recovery.at(1).bytes_copied, 1 << 20);
}

// The replacement learner reads the chosen log with a window of requests in flight: with 16
// slots per request and no snapshots, the log of a 15 ms run takes dozens of requests, and
// more than one is on the wire at once.
TEST(PaxosTransparent, LearnerLogCatchUpIsPipelined) {
  StoreRun run = RunStore(
      Mode::kTransparent, 7,
      [](Simulation& sim, const Deployment& d) {
        ASSERT_TRUE(sim.CrashCe(d.replica_ces[2], Milliseconds(15)).ok());
      },
      [](ServiceConfig& c) {
        c.snapshot_interval = 0;
        c.log_batch = 16;
      });
  EXPECT_TRUE(CheckOutcome(*run.outcome).ok()) << CheckOutcome(*run.outcome);
  ASSERT_TRUE(run.outcome->recovery.contains(2));
  EXPECT_GE(run.outcome->recovery.at(2).caught_up_at, 0);
  EXPECT_GT(run.outcome->log_requests, 16);
  EXPECT_GT(run.outcome->log_requests_in_flight_max, 1);
  EXPECT_LE(run.outcome->log_requests_in_flight_max, 16);
  ASSERT_TRUE(run.outcome->applied_by_member.contains(2));
  EXPECT_EQ(run.outcome->applied_by_member.at(2), run.outcome->applied_by_member.at(0));
}

TEST(PaxosCheck, RejectsBrokenOutcomes) {
  Outcome zombie;
  zombie.zombie_effects = 1;
  EXPECT_FALSE(CheckOutcome(zombie).ok());
  Outcome lost;
  lincheck::Input put{.type = lincheck::OpType::kPut, .key = "k", .value = "v"};
  lincheck::CallHandle p = lost.history.Call(1, put, 10);
  ASSERT_TRUE(lost.history.Return(p, {}, 20).ok());
  lincheck::CallHandle g = lost.history.Call(2, {.type = lincheck::OpType::kGet, .key = "k"}, 30);
  ASSERT_TRUE(lost.history.Return(g, {.outcome = lincheck::Outcome::kNotFound}, 40).ok());
  EXPECT_FALSE(CheckOutcome(lost).ok()) << "a lost acknowledged write must fail the check";
}

}  // namespace
}  // namespace ddc::paxos
