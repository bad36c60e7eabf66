// Like for like across modes: the same seed gives a process the same random draws and its
// messages the same fault draws in both modes, even when the modes run different processes and
// send different traffic elsewhere; and processes' statistics and trace annotations reach the
// harness.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/process.h"
#include "platform/random.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"
#include "platform/stats.h"

namespace ddc {
namespace {

using simtest::Blob;
using simtest::CreateSimulation;
using testing_util::CeNamed;
using testing_util::MustSpawn;
using ::testing::HasSubstr;

struct Observed {
  std::vector<uint64_t> client_draws;
  std::vector<uint64_t> delivered;  // seqs of the client's messages the server got
  std::vector<Time> crashes;
};

// RunScenario runs a client that draws and sends under 30 % message loss, with a CE crash from
// the config; exposed mode adds a mode-specific process that draws and sends a lot meanwhile.
Observed RunScenario(const std::string& mode) {
  Observed seen;
  auto sim = CreateSimulation(absl::StrCat(
      "mode: ", mode,
      " faults { message_faults { drop_probability: 0.3 } "
      "ce_faults { kind: CRASH ce: \"r0/ce3\" at_ns: 300000 } }"));
  if (sim == nullptr) return seen;
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    for (;;) {
      Envelope in = co_await self.Receive();
      if (in.from() == *self.FindProcess("client")) seen.delivered.push_back(in.As<Blob>().seq());
    }
  });
  if (mode == "EXPOSED") {
    MustSpawn(*sim, "mechanism", "r0/ce2", [server](Process& self) -> asio::awaitable<void> {
      for (int i = 0; i < 50; ++i) {
        (void)self.Random();
        Blob blob;
        blob.set_seq(1000 + static_cast<uint64_t>(i));
        EXPECT_TRUE(self.Send(server, blob).ok());
        co_await self.Sleep(Microseconds(3));
      }
    });
  }
  MustSpawn(*sim, "client", "r0/ce0", [&, server](Process& self) -> asio::awaitable<void> {
    for (int i = 0; i < 40; ++i) {
      const uint64_t draw = self.Random();
      seen.client_draws.push_back(draw);
      Blob blob;
      blob.set_seq(draw);
      EXPECT_TRUE(self.Send(server, blob).ok());
      co_await self.Sleep(Microseconds(10));
    }
  });
  MustSpawn(*sim, "victim", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Seconds(1));
  });
  sim->RunUntil(Milliseconds(2));
  if (sim->Status(*sim->FindProcess("victim")).state == ProcessState::kCrashed) {
    seen.crashes.push_back(sim->metrics().ce_crashes);
  }
  return seen;
}

TEST(StreamsTest, BothModesDrawTheSameWorkloadAndTheSameFaults) {
  const Observed transparent = RunScenario("TRANSPARENT");
  const Observed exposed = RunScenario("EXPOSED");
  ASSERT_EQ(transparent.client_draws.size(), 40u);
  EXPECT_EQ(transparent.client_draws, exposed.client_draws);
  // About 30 % of the client's messages are dropped: the very same ones in both modes.
  EXPECT_GT(transparent.delivered.size(), 20u);
  EXPECT_LT(transparent.delivered.size(), 36u);
  EXPECT_EQ(transparent.delivered, exposed.delivered);
  EXPECT_EQ(transparent.crashes, exposed.crashes);
  EXPECT_EQ(transparent.crashes.size(), 1u);
}

TEST(StreamsTest, StatisticsAndTraceAnnotationsReachTheHarness) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  MustSpawn(*sim, "client", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
    const Time start = self.Now();
    for (int i = 1; i <= 4; ++i) {
      self.stats().Counter("ops").Increment();
      absl::Status recorded = self.stats().Histogram("latency").Record(i * 1000);
      if (!recorded.ok()) co_return recorded;
      absl::StatusOr<TimeSeries*> series = self.stats().Series("ops", Microseconds(10));
      if (!series.ok()) co_return series.status();
      recorded = (*series)->Record(self.Now(), i * 1000);
      if (!recorded.ok()) co_return recorded;
      co_await self.Sleep(Microseconds(5));
    }
    self.TraceInstant("steal", "\"pages\":3");
    self.TraceSpan("phase 1", start);
    co_return absl::OkStatus();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(sim->stats().CountersCsv(), "process,name,value\nclient,ops,4\n");
  EXPECT_THAT(sim->stats().HistogramsCsv(), HasSubstr("client,latency,4,1000,2500.000,"));
  EXPECT_THAT(sim->stats().SeriesCsv(), HasSubstr("client,ops,0,10000,2,200000.000,"));
  EXPECT_THAT(sim->TraceJson(), HasSubstr("\"name\":\"steal\""));
  EXPECT_THAT(sim->TraceJson(), HasSubstr("\"name\":\"phase 1\""));
}

}  // namespace
}  // namespace ddc
