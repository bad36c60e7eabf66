// Identity across reincarnation: a thief speaks for its victim only while the ToR redirects the
// victim to it; every envelope carries the sender identity's incarnation; and a client of a
// reincarnated process sees nothing but a reset connection, then its retry succeeds.
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

Blob Seq(uint64_t seq) {
  Blob blob;
  blob.set_seq(seq);
  return blob;
}

// WaitForDeathAndSteal is a standby: it waits for the rack monitor's notice about `victim` and
// steals all its memory.
asio::awaitable<absl::Status> WaitForDeathAndSteal(Process& self, ProcessId victim) {
  std::optional<Received<platform::ProcessDeathNotice>> notice =
      co_await self.ReceiveOf<platform::ProcessDeathNotice>();
  (void)notice;
  absl::StatusOr<std::vector<Region>> stolen =
      co_await self.memory().Steal(victim, Capability("group"), std::nullopt);
  co_return stolen.status();
}

TEST(IdentityTest, AThiefSpeaksForItsVictimOnlyWhileTheRedirectHolds) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<simtest::Arrival> arrivals;
  std::vector<uint32_t> incarnations;
  const ProcessId peer =
      MustSpawn(*sim, "peer", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
        for (;;) {
          Envelope in = co_await self.Receive();
          arrivals.push_back(
              {self.Now(), in.sent_at(), in.wire_bytes(), in.from(), in.As<Blob>().seq()});
          incarnations.push_back(in.incarnation());
        }
      });
  const ProcessId victim = MustSpawn(
      *sim, "victim", "r0/ce0",
      [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Allocate(4096)).status());
        co_await self.Sleep(Seconds(1));
        co_return absl::OkStatus();
      },
      /*restart_on_reboot=*/true);
  absl::Status before_send, before_assume, after_send, after_relaunch;
  MustSpawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(victim));
    before_send = self.SendAs(victim, peer, Seq(1));
    before_assume = self.AssumeIdentity(victim);
    DDC_CO_RETURN_IF_ERROR(co_await WaitForDeathAndSteal(self, victim));
    after_send = self.SendAs(victim, peer, Seq(2));
    DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(victim));
    DDC_CO_RETURN_IF_ERROR(self.Send(peer, Seq(3)));  // as the victim now
    DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(self.id()));
    DDC_CO_RETURN_IF_ERROR(self.Send(peer, Seq(4)));  // as itself again
    co_await self.Sleep(Milliseconds(50));            // the victim's CE restarts meanwhile
    after_relaunch = self.SendAs(victim, peer, Seq(5));
    co_return absl::OkStatus();
  });
  const CeId ce0 = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(100)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Milliseconds(30)).ok());
  sim->RunUntil(Seconds(2));
  EXPECT_TRUE(sim->ProcessFailures().empty());
  EXPECT_EQ(before_send.code(), absl::StatusCode::kPermissionDenied) << before_send;
  EXPECT_THAT(std::string(before_send.message()), HasSubstr("thief"));
  EXPECT_EQ(before_assume.code(), absl::StatusCode::kPermissionDenied) << before_assume;
  EXPECT_TRUE(after_send.ok()) << after_send;
  EXPECT_EQ(after_relaunch.code(), absl::StatusCode::kPermissionDenied) << after_relaunch;
  const ProcessId thief = *sim->FindProcess("thief");
  ASSERT_EQ(arrivals.size(), 3u);
  EXPECT_EQ(arrivals[0].seq, 2u);
  EXPECT_EQ(arrivals[0].from, victim);
  EXPECT_EQ(arrivals[1].seq, 3u);
  EXPECT_EQ(arrivals[1].from, victim);
  EXPECT_EQ(arrivals[2].seq, 4u);
  EXPECT_EQ(arrivals[2].from, thief);
  // The steal moved the identity: the thief speaks as the victim's incarnation 1.
  EXPECT_EQ(incarnations, (std::vector<uint32_t>{1, 1, 0}));
  EXPECT_EQ(sim->Status(victim).incarnation, 2u);  // relaunched after the steal
}

TEST(IdentityTest, EnvelopesTellIncarnationsApart) {
  auto sim = CreateSimulation(
      // The first incarnation's message is delayed past the second's.
      "faults { message_faults { from: \"r0/ce0\" end_ns: 50000 delay_probability: 1 "
      "delay_ns: 200000 } }");
  ASSERT_NE(sim, nullptr);
  std::vector<std::pair<uint32_t, uint64_t>> seen;  // (incarnation, seq)
  const ProcessId peer =
      MustSpawn(*sim, "peer", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        for (;;) {
          Envelope in = co_await self.Receive();
          seen.push_back({in.incarnation(), in.As<Blob>().seq()});
        }
      });
  MustSpawn(
      *sim, "sender", "r0/ce0",
      [peer](Process& self) -> asio::awaitable<void> {
        EXPECT_TRUE(self.Send(peer, Seq(self.incarnation())).ok());
        co_await self.Sleep(Seconds(1));
      },
      /*restart_on_reboot=*/true);
  const CeId ce0 = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(10)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Microseconds(100)).ok());
  sim->RunUntil(Milliseconds(10));
  EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, uint64_t>>{{1, 1}, {0, 0}}));
}

// The paper's point about Paxos replicas: clients of a reincarnated process only observe a
// connection termination. A client's call to a server whose compute dies is reset when a standby
// steals the server's memory; the client retries, and the standby answers as the server.
TEST(IdentityTest, AClientOfAReincarnatedServerSeesOnlyAResetConnection) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  auto serve = [](Process& self) {
    self.Serve<Blob>([&self](Received<Blob> in) -> asio::awaitable<absl::Status> {
      co_await self.Sleep(Milliseconds(20));  // slow enough to be caught by the crash
      co_return self.Reply(in.envelope(), Seq(in->seq() + 1));
    });
  };
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce0", [serve](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Allocate(4096)).status());
        serve(self);
        co_await self.WaitForever();
        co_return absl::OkStatus();
      });
  Time reincarnated_at = -1;
  MustSpawn(*sim, "standby", "r0/ce1", [&, serve](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(server));
    DDC_CO_RETURN_IF_ERROR(co_await WaitForDeathAndSteal(self, server));
    DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(server));
    serve(self);
    reincarnated_at = self.Now();
    co_await self.WaitForever();
    co_return absl::OkStatus();
  });
  std::vector<std::string> attempts;
  MustSpawn(*sim, "client", "r1/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(10));
    for (;;) {
      absl::StatusOr<Received<Blob>> reply = co_await self.Call<Blob>(server, Seq(1), Seconds(1));
      if (reply.ok()) {
        attempts.push_back(absl::StrCat("ok from ", Index(reply->envelope().from()),
                                        " incarnation ", reply->envelope().incarnation()));
        break;
      }
      attempts.push_back(std::string(absl::StatusCodeToString(reply.status().code())));
    }
  });
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce0"), Milliseconds(1)).ok());
  sim->RunUntil(Seconds(5));
  EXPECT_TRUE(sim->ProcessFailures().empty());
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0], "UNAVAILABLE");
  EXPECT_EQ(attempts[1], absl::StrCat("ok from ", Index(server), " incarnation 1"));
  // Detected by the rack monitor (5 missed 2 ms beats), far sooner than the client's 1 s timeout.
  EXPECT_GT(reincarnated_at, Milliseconds(10));
  EXPECT_LT(reincarnated_at, Milliseconds(12));
}

// A call redirected to the thief belongs to the thief: when the zombie it stole from wakes up and
// exits (or fails), that call is not reset.
TEST(IdentityTest, AZombieThatExitsDoesNotResetCallsItsThiefServes) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId victim =
      MustSpawn(*sim, "victim", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Allocate(4096)).status());
        co_await self.Sleep(Milliseconds(1));  // the pause (1 ms to 31 ms) stretches this sleep
        co_return absl::OkStatus();            // the zombie exits at 31 ms
      });
  MustSpawn(*sim, "thief", "r0/ce1", [victim](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(victim));
    DDC_CO_RETURN_IF_ERROR(co_await WaitForDeathAndSteal(self, victim));
    DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(victim));
    self.Serve<Blob>([&self](Received<Blob> in) -> asio::awaitable<absl::Status> {
      co_await self.Sleep(Milliseconds(10));  // still serving when the zombie exits
      co_return self.Reply(in.envelope(), Seq(in->seq() + 1));
    });
    co_await self.WaitForever();
    co_return absl::OkStatus();
  });
  absl::StatusOr<Received<Blob>> reply = absl::UnknownError("not run");
  MustSpawn(*sim, "client", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Milliseconds(25));  // after the steal, before the zombie exits
    reply = co_await self.Call<Blob>(victim, Seq(7), Seconds(1));
  });
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce0"), Milliseconds(30), Milliseconds(1)).ok());
  sim->RunUntil(Seconds(2));
  EXPECT_TRUE(sim->ProcessFailures().empty());
  EXPECT_EQ(sim->Status(victim).state, ProcessState::kExited);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ((*reply)->seq(), 8u);
  EXPECT_EQ(sim->metrics().calls_reset, 0u);
}

}  // namespace
}  // namespace ddc
