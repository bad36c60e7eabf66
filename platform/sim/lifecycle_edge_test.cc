// Lifecycle edge cases found in review: a crashed process's unwinding frames cannot send, the
// rack monitor announces only processes its crash killed, and failure messages keep the trace
// valid JSON.
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "platform/failures.h"
#include "platform/notices.pb.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"

namespace ddc {
namespace {

using simtest::Arrival;
using simtest::CreateSimulation;
using simtest::MakeBlob;
using simtest::MustSpawn;
using simtest::RecordArrivals;

// SendsOnDestruction sends one message when destroyed, as RAII cleanup code might.
struct SendsOnDestruction {
  Process* self;
  ProcessId to;
  ~SendsOnDestruction() { (void)self->Send(to, MakeBlob(16)); }
};

TEST(LifecycleEdgeTest, UnwindingFramesOfACrashedProcessCannotSend) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Arrival> arrivals;
  const ProcessId peer = MustSpawn(*sim, "peer", "r0/ce1", [&arrivals](Process& self) {
    return RecordArrivals(self, &arrivals);
  });
  MustSpawn(*sim, "doomed", "r0/ce0", [peer](Process& self) -> asio::awaitable<void> {
    SendsOnDestruction guard{&self, peer};
    co_await self.Sleep(Seconds(10));
  });
  ASSERT_TRUE(sim->CrashCe(*sim->topology().FindCe("r0/ce0"), Microseconds(100)).ok());
  sim->RunUntil(Seconds(1));
  EXPECT_TRUE(arrivals.empty());
  EXPECT_EQ(sim->metrics().dropped_dead_source, 1u);
}

TEST(LifecycleEdgeTest, TheMonitorAnnouncesOnlyProcessesItsCrashKilled) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<uint32_t> announced;
  const ProcessId finished =
      MustSpawn(*sim, "finished", "r0/ce0", [](Process&) -> asio::awaitable<void> { co_return; });
  const ProcessId running =
      MustSpawn(*sim, "running", "r0/ce0", [](Process& self) { return self.Sleep(Seconds(10)); });
  MustSpawn(*sim, "standby", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    (void)self.failures().RegisterStandby(finished);
    (void)self.failures().RegisterStandby(running);
    for (;;) {
      Envelope in = co_await self.Receive();
      if (in.Is<platform::ProcessDeathNotice>()) {
        announced.push_back(in.As<platform::ProcessDeathNotice>().process());
      }
    }
  });
  ASSERT_TRUE(sim->CrashCe(*sim->topology().FindCe("r0/ce0"), Microseconds(100)).ok());
  sim->RunUntil(Seconds(1));
  EXPECT_EQ(announced, std::vector<uint32_t>{Index(running)});
}

TEST(LifecycleEdgeTest, AnExceptionMessageWithQuotesKeepsTheTraceValidJson) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  MustSpawn(*sim, "thrower", "r0/ce0", [](Process&) -> asio::awaitable<void> {
    throw std::runtime_error("bad \"x\"\n");
    co_return;
  });
  sim->RunUntilIdle();
  const std::string trace = sim->TraceJson();
  EXPECT_NE(trace.find(R"(bad \"x\"\u000a)"), std::string::npos) << trace;
}

}  // namespace
}  // namespace ddc
