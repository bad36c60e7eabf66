// Seeded simulation of the store under a random fault schedule (for sim_test.cc and
// sim_slow_test.cc): during the client load, message loss and duplication everywhere, plus one
// of a crash, a short or long pause, a partition, or a memory-element failure of a random
// replica. The run must keep every safety property CheckOutcome checks (one value per slot,
// equal digests at equal applied indexes, no zombie effect, a linearizable history: no
// acknowledged write lost) and no process may fail.
#ifndef DDC_PAXOS_SIM_TEST_UTIL_H_
#define DDC_PAXOS_SIM_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "paxos/check.h"
#include "paxos/launch.h"
#include "platform/config.h"
#include "platform/cost_model.h"

namespace ddc::paxos {

inline void RunSeededSimulation(uint64_t seed, Mode mode) {
  // The schedule is drawn from the seed alone, so both modes get the same one.
  std::mt19937_64 draw(seed);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(draw);
  };
  PlatformConfig platform = StoreConfig(DefaultConfig(), 3);
  platform.set_mode(mode == Mode::kExposed ? PlatformConfig::EXPOSED : PlatformConfig::TRANSPARENT);
  ServiceConfig config;
  const FailureTimeouts fair =
      CostModel(platform.cost_model()).AggressiveTimeouts(/*same_rack=*/false, 2048);
  config.heartbeat_interval = fair.heartbeat_interval;
  config.election_ticks = 10;
  config.client_timeout = config.election_timeout();
  config.load_until = Milliseconds(45);
  config.state_bytes = 256 << 10;
  config.keys = 16;
  if (pick(0, 1) == 1) config.transparent_recovery = Recovery::kCheckpoint;

  config::FaultSchedule* faults = platform.mutable_faults();
  config::MessageFault* lossy = faults->add_message_faults();
  lossy->set_start_ns(Milliseconds(5));
  lossy->set_end_ns(Milliseconds(40));
  lossy->set_drop_probability(0.01 * pick(0, 3));
  lossy->set_duplicate_probability(0.01 * pick(0, 3));
  const int victim = static_cast<int>(pick(0, 2));
  const Time at = Milliseconds(pick(6, 25));
  const int64_t kind = pick(0, 4);
  std::string story = absl::StrCat("seed ", seed, " ", ModeName(mode), ": ");
  switch (kind) {
    case 0: {
      config::CeFault* f = faults->add_ce_faults();
      f->set_kind(config::CeFault::CRASH);
      f->set_ce(absl::StrCat("r", victim, "/ce0"));
      f->set_at_ns(at);
      absl::StrAppend(&story, "crash r", victim);
      break;
    }
    case 1:
    case 2: {
      // kind 1: a pause shorter than the monitor's verdict; kind 2: longer (a zombie).
      config::CeFault* f = faults->add_ce_faults();
      f->set_kind(config::CeFault::PAUSE);
      f->set_ce(absl::StrCat("r", victim, "/ce0"));
      f->set_at_ns(at);
      f->set_duration_ns(kind == 1 ? Milliseconds(pick(1, 5)) : Milliseconds(pick(12, 20)));
      absl::StrAppend(&story, "pause r", victim, " for ", f->duration_ns());
      break;
    }
    case 3: {
      for (int other = 0; other < 3; ++other) {
        if (other == victim) continue;
        config::Partition* p = faults->add_partitions();
        p->set_a(absl::StrCat("r", victim));
        p->set_b(absl::StrCat("r", other));
        p->set_at_ns(at);
        p->set_heal_at_ns(at + Milliseconds(pick(1, 8)));
      }
      absl::StrAppend(&story, "partition r", victim);
      break;
    }
    default: {
      config::MeFault* f = faults->add_me_faults();
      f->set_me(absl::StrCat("r", victim, "/me0"));
      f->set_at_ns(at);
      absl::StrAppend(&story, "ME failure under r", victim);
      break;
    }
  }
  // Drawn last so that the fault schedules of earlier seeds stay what they were: half the seeds
  // snapshot every 16 slots and keep no log below it (many compactions, installs after
  // partitions and reincarnations), half at the defaults.
  if (pick(0, 1) == 1) {
    config.snapshot_interval = 16;
    config.log_retain = 0;
  }
  absl::StrAppend(&story, ", snapshot every ", config.snapshot_interval, " slots");
  SCOPED_TRACE(story);
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(platform, seed);
  ASSERT_TRUE(sim.ok()) << sim.status();
  (*sim)->SetLog(nullptr);
  Outcome outcome;
  absl::StatusOr<Deployment> d = Launch(**sim, config, DefaultPlacement(config.replicas), &outcome);
  ASSERT_TRUE(d.ok()) << d.status();
  (*sim)->RunUntil(Milliseconds(120));
  for (const ProcessFailure& f : (*sim)->ProcessFailures())
    ADD_FAILURE() << f.process << " failed at " << f.at << ": " << f.error;
  absl::Status checked = CheckOutcome(outcome);
  EXPECT_TRUE(checked.ok()) << checked;
  EXPECT_GT(outcome.acks.size(), 0u);
}

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_SIM_TEST_UTIL_H_
