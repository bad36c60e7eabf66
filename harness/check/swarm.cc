#include "harness/check/swarm.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace ddc::check {
namespace {

int64_t Between(Rng& rng, int64_t lo, int64_t hi) { return DrawBetween(rng, lo, hi); }
bool Coin(Rng& rng, double p) { return DrawCoin(rng, p); }
double RealBetween(Rng& rng, double lo, double hi) {
  // 2^20 steps are fine-grained enough for a rate or a factor, and keep the draw integer-exact.
  constexpr int64_t kSteps = 1 << 20;
  return lo + (hi - lo) * static_cast<double>(Between(rng, 0, kSteps)) / kSteps;
}
const std::string& Pick(Rng& rng, const std::vector<std::string>& names) {
  return names[Between(rng, 0, static_cast<int64_t>(names.size()) - 1)];
}
// HowMany draws the number of faults of one kind: none for half the seeds, else 1..max.
int HowMany(Rng& rng, int max) {
  if (max <= 0 || Coin(rng, 0.5)) return 0;
  return static_cast<int>(Between(rng, 1, max));
}

}  // namespace

// The bounds are the callers' constants (lo <= hi, p in [0, 1]), so Create cannot fail.
int64_t DrawBetween(Rng& rng, int64_t lo, int64_t hi) {
  return UniformInt::Create(lo, hi).value().Next(rng);
}
bool DrawCoin(Rng& rng, double p) { return Bernoulli::Create(p).value().Next(rng); }

PlatformConfig DrawPlatform(Rng& rng, const PlatformShape& shape) {
  PlatformConfig config;
  const int racks = static_cast<int>(Between(rng, shape.min_racks, shape.max_racks));
  for (int r = 0; r < racks; ++r) {
    config::Rack* rack = config.add_racks();
    rack->set_name(absl::StrCat("r", r));
    const int ces = static_cast<int>(Between(rng, shape.min_ces, shape.max_ces));
    for (int c = 0; c < ces; ++c) rack->add_compute_elements()->set_name(absl::StrCat("ce", c));
    const int mes = static_cast<int>(Between(rng, shape.min_mes, shape.max_mes));
    for (int m = 0; m < mes; ++m) rack->add_memory_elements()->set_name(absl::StrCat("me", m));
  }
  config::CostModel& cost = *config.mutable_cost_model();
  cost.set_intra_rack_rtt_ns(Between(rng, 1000, 5000));
  cost.set_cross_rack_rtt_ns(Between(rng, 10000, 100000));
  cost.set_memory_rtt_ns(Between(rng, 1000, 5000));
  cost.set_nic_bandwidth_gbps(RealBetween(rng, 25, 400));
  cost.set_memory_bandwidth_gbps(RealBetween(rng, 25, 400));
  config::MonitorConfig& monitor = *config.mutable_monitor();
  monitor.set_heartbeat_interval_ns(Between(rng, 500000, 4000000));
  monitor.set_missed_beats(static_cast<int>(Between(rng, 2, 8)));
  config::MemoryConfig& memory = *config.mutable_memory();
  if (shape.allow_huge_pages && Coin(rng, 0.25)) memory.set_page_size(2 << 20);
  memory.set_steal_policy(Coin(rng, 0.5) ? config::MemoryConfig::TRUSTED_GROUP
                                         : config::MemoryConfig::GROUP_SECRET);
  memory.set_failure_detection(Coin(rng, 0.5) ? config::MemoryConfig::ON_ACCESS
                                              : config::MemoryConfig::ASYNC_LIVENESS);
  return config;
}

config::FaultSchedule DrawFaultSchedule(Rng& rng, const FaultPlan& plan) {
  config::FaultSchedule schedule;
  if (plan.end <= plan.start) return schedule;
  auto when = [&] { return Between(rng, plan.start, plan.end - 1); };
  // Kinds are drawn in a fixed order, each with its own count, so the schedule is a pure function
  // of the stream.
  if (!plan.ces.empty()) {
    for (int i = HowMany(rng, plan.max_ce_crashes); i > 0; --i) {
      config::CeFault& crash = *schedule.add_ce_faults();
      crash.set_kind(config::CeFault::CRASH);
      crash.set_ce(Pick(rng, plan.ces));
      crash.set_at_ns(when());
      if (Coin(rng, plan.restart_probability) && crash.at_ns() + 1 < plan.end) {
        config::CeFault& restart = *schedule.add_ce_faults();
        restart.set_kind(config::CeFault::RESTART);
        restart.set_ce(crash.ce());
        restart.set_at_ns(Between(rng, crash.at_ns() + 1, plan.end - 1));
      }
    }
    for (int i = HowMany(rng, plan.max_ce_pauses); i > 0; --i) {
      config::CeFault& pause = *schedule.add_ce_faults();
      pause.set_kind(config::CeFault::PAUSE);
      pause.set_ce(Pick(rng, plan.ces));
      pause.set_at_ns(when());
      const Duration room = std::min<Duration>(plan.max_pause, plan.end - pause.at_ns());
      pause.set_duration_ns(Between(rng, 1, std::max<Duration>(1, room)));
    }
    for (int i = HowMany(rng, plan.max_ce_slowdowns); i > 0; --i) {
      config::CeFault& slow = *schedule.add_ce_faults();
      slow.set_kind(config::CeFault::SLOW);
      slow.set_ce(Pick(rng, plan.ces));
      slow.set_at_ns(when());
      slow.set_slowdown(RealBetween(rng, 1.5, std::max(1.5, plan.max_slowdown)));
    }
  }
  if (!plan.endpoints.empty()) {
    for (int i = HowMany(rng, plan.max_message_faults); i > 0; --i) {
      config::MessageFault& fault = *schedule.add_message_faults();
      fault.set_start_ns(when());
      fault.set_end_ns(Between(rng, fault.start_ns() + 1, plan.end));
      if (Coin(rng, 0.5)) fault.set_from(Pick(rng, plan.endpoints));
      if (Coin(rng, 0.5)) fault.set_to(Pick(rng, plan.endpoints));
      fault.set_drop_probability(Coin(rng, 0.5) ? RealBetween(rng, 0, 0.5) : 0);
      fault.set_duplicate_probability(Coin(rng, 0.5) ? RealBetween(rng, 0, 0.5) : 0);
      if (Coin(rng, 0.5)) {
        fault.set_delay_probability(RealBetween(rng, 0, 1));
        fault.set_delay_ns(Between(rng, 1, std::max<Duration>(1, plan.max_message_delay)));
      }
    }
    for (int i = HowMany(rng, plan.max_partitions); i > 0 && plan.endpoints.size() >= 2; --i) {
      config::Partition& partition = *schedule.add_partitions();
      partition.set_a(Pick(rng, plan.endpoints));
      do {
        partition.set_b(Pick(rng, plan.endpoints));
      } while (partition.b() == partition.a());
      partition.set_at_ns(when());
      partition.set_heal_at_ns(Between(rng, partition.at_ns() + 1, plan.end));
    }
  }
  if (!plan.mes.empty()) {
    for (int i = HowMany(rng, plan.max_me_failures); i > 0; --i) {
      config::MeFault& failure = *schedule.add_me_faults();
      failure.set_me(Pick(rng, plan.mes));
      failure.set_at_ns(when());
    }
  }
  return schedule;
}

std::map<std::string, int64_t> CountFaults(const config::FaultSchedule& schedule) {
  std::map<std::string, int64_t> counts;
  for (const config::CeFault& fault : schedule.ce_faults()) {
    switch (fault.kind()) {
      case config::CeFault::CRASH:
        ++counts[kCeCrash];
        break;
      case config::CeFault::RESTART:
        ++counts[kCeRestart];
        break;
      case config::CeFault::SLOW:
        ++counts[kCeSlow];
        break;
      case config::CeFault::PAUSE:
        ++counts[kCePause];
        break;
    }
  }
  if (schedule.message_faults_size() > 0) counts[kMessageFault] += schedule.message_faults_size();
  if (schedule.partitions_size() > 0) counts[kPartition] += schedule.partitions_size();
  if (schedule.me_faults_size() > 0) counts[kMeFailure] += schedule.me_faults_size();
  return counts;
}

int FaultCount(const config::FaultSchedule& schedule) {
  return schedule.ce_faults_size() + schedule.message_faults_size() + schedule.partitions_size() +
         schedule.me_faults_size();
}

config::FaultSchedule WithoutFault(const config::FaultSchedule& schedule, int index) {
  config::FaultSchedule out = schedule;
  auto drop = [&index](auto* repeated) {
    if (index >= 0 && index < repeated->size()) {
      repeated->erase(repeated->begin() + index);
      index = -1;
      return;
    }
    if (index >= 0) index -= repeated->size();
  };
  drop(out.mutable_ce_faults());
  drop(out.mutable_message_faults());
  drop(out.mutable_partitions());
  drop(out.mutable_me_faults());
  return out;
}

}  // namespace ddc::check
