// Pause: a paused CE's processes run no code, their events wait and their computes stand still;
// the rack monitor declares a CE dead when a pause outlasts its timeout; a zombie that resumes
// after its memory was stolen learns of it only through refused accesses and fenced sends.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/process.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc {
namespace {

using simtest::Blob;
using simtest::CreateSimulation;
using ::testing::HasSubstr;
using testing_util::CeNamed;
using testing_util::MustSpawn;

TEST(PauseTest, SleepsEndAndComputesFinishLateByThePause) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  Time slept_until = -1, computed_until = -1;
  MustSpawn(*sim, "sleeper", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));  // ends inside the pause
    slept_until = self.Now();
  });
  MustSpawn(*sim, "worker", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Compute(Microseconds(30));  // 10 us done when the pause starts
    computed_until = self.Now();
  });
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce1"), Microseconds(100), Microseconds(10)).ok());
  sim->RunUntilIdle();
  EXPECT_EQ(slept_until, Microseconds(110));
  EXPECT_EQ(computed_until, Microseconds(130));  // the remaining 20 us run after the pause
  EXPECT_EQ(sim->metrics().ce_pauses, 1u);
}

TEST(PauseTest, MessagesToAPausedCeWaitForThePauseToEndInArrivalOrder) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<std::pair<Time, uint64_t>> got;
  const ProcessId receiver =
      MustSpawn(*sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        for (;;) {
          Envelope in = co_await self.Receive();
          got.push_back({self.Now(), in.As<Blob>().seq()});
        }
      });
  MustSpawn(*sim, "sender", "r0/ce0", [receiver](Process& self) -> asio::awaitable<void> {
    return simtest::SendEvery(self, receiver, Microseconds(20), Microseconds(10), 3);
  });
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce1"), Microseconds(100), Microseconds(10)).ok());
  sim->RunUntilIdle();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, Microseconds(110));
    EXPECT_EQ(got[i].second, i);
  }
}

// MonitorRun pauses r0/ce0 for `pause` at 1 ms with a standby watching its process, and returns
// when (if ever) the standby heard of the process's death.
Time NoticeTimeForPause(Duration pause) {
  auto sim = CreateSimulation();
  if (sim == nullptr) return -2;
  const ProcessId watched =
      MustSpawn(*sim, "watched", "r0/ce0",
                [](Process& self) -> asio::awaitable<void> { co_await self.Sleep(Seconds(1)); });
  Time noticed = -1;
  MustSpawn(*sim, "standby", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(watched));
    std::optional<Received<platform::ProcessDeathNotice>> notice =
        co_await self.ReceiveOf<platform::ProcessDeathNotice>(Milliseconds(100));
    if (notice) noticed = self.Now();
    co_return absl::OkStatus();
  });
  EXPECT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce0"), pause, Milliseconds(1)).ok());
  sim->RunUntil(Seconds(2));
  EXPECT_TRUE(sim->ProcessFailures().empty());
  return noticed;
}

TEST(PauseTest, TheMonitorDeclaresACeDeadOnlyWhenThePauseOutlastsItsTimeout) {
  // Beats every 2 ms, 5 missed: a CE silent from 1 ms misses the beats at 2, 4, 6, 8 and 10 ms
  // and is declared dead at 10 ms + one intra-rack RTT, if it is still silent then.
  const Time verdict = Milliseconds(10) + Microseconds(2);
  const Time noticed = NoticeTimeForPause(Milliseconds(20));
  EXPECT_GE(noticed, verdict + Microseconds(1));       // one hop from the ToR
  EXPECT_LE(noticed, verdict + Microseconds(1) + 10);  // plus a few bytes on the NIC
  EXPECT_EQ(NoticeTimeForPause(Milliseconds(5)), -1);
}

TEST(PauseTest, AZombieLearnsOfTheStealOnlyThroughRefusals) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<simtest::Arrival> peer_got;
  const ProcessId peer = MustSpawn(*sim, "peer", "r0/ce2", [&peer_got](Process& self) {
    return simtest::RecordArrivals(self, &peer_got);
  });
  int local_counter = 0;  // CE-local state: survives the pause
  absl::Status read_after, send_after;
  Region region;
  const ProcessId zombie =
      MustSpawn(*sim, "zombie", "r0/ce0", [&](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_ASSIGN_OR_RETURN(region, co_await self.memory().Allocate(4096));
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().Write(region.base, "state"));
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().Flush(region));
        for (;;) {
          ++local_counter;
          co_await self.Sleep(Milliseconds(1));
          if (self.Now() > Milliseconds(40)) break;  // it slept through the pause meanwhile
        }
        read_after = (co_await self.memory().Read(region.base, 5)).status();
        send_after = self.Send(peer, Blob());
        co_return absl::OkStatus();
      });
  std::string stolen_state;
  MustSpawn(*sim, "standby", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(zombie));
    (void)co_await self.ReceiveOf<platform::ProcessDeathNotice>();
    DDC_CO_RETURN_IF_ERROR(
        (co_await self.memory().Steal(zombie, Capability("group"), std::nullopt)).status());
    DDC_CO_ASSIGN_OR_RETURN(stolen_state, co_await self.memory().Read(region.base, 5));
    co_return absl::OkStatus();
  });
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce0"), Milliseconds(30), Milliseconds(5)).ok());
  sim->RunUntil(Seconds(1));
  EXPECT_TRUE(sim->ProcessFailures().empty());
  EXPECT_EQ(stolen_state, "state");
  EXPECT_EQ(read_after.code(), absl::StatusCode::kPermissionDenied) << read_after;
  EXPECT_THAT(std::string(read_after.message()), HasSubstr("fenced"));
  EXPECT_EQ(send_after.code(), absl::StatusCode::kPermissionDenied) << send_after;
  EXPECT_TRUE(peer_got.empty());
  EXPECT_EQ(sim->metrics().dropped_by_fence, 1u);
  // Its loop kept counting where it was: 5 beats before the pause, and it went on after.
  EXPECT_GT(local_counter, 5);
  EXPECT_EQ(sim->Status(zombie).state, ProcessState::kExited);
}

TEST(PauseTest, ACrashDuringAPauseEndsTheProcessesForGood) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  bool resumed = false;
  const ProcessId p = MustSpawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    resumed = true;
  });
  const CeId ce = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->PauseCe(ce, Microseconds(100), Microseconds(10)).ok());
  ASSERT_TRUE(sim->CrashCe(ce, Microseconds(50)).ok());
  sim->RunUntilIdle();
  EXPECT_FALSE(resumed);
  EXPECT_EQ(sim->Status(p).state, ProcessState::kCrashed);
}

TEST(PauseTest, PausesComeFromTheConfigAndBadDurationsAreRefused) {
  auto sim = CreateSimulation(
      "faults { ce_faults { kind: PAUSE ce: \"r0/ce1\" at_ns: 10000 duration_ns: 50000 } }");
  ASSERT_NE(sim, nullptr);
  Time woke = -1;
  MustSpawn(*sim, "p", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    woke = self.Now();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(woke, Microseconds(60));
  EXPECT_EQ(sim->PauseCe(CeNamed(*sim, "r0/ce1"), 0, sim->Now()).code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<PlatformConfig> bad =
      ParseConfig("faults { ce_faults { kind: PAUSE ce: \"r0/ce1\" at_ns: 10 duration_ns: 0 } }");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("duration_ns"));
}

}  // namespace
}  // namespace ddc
