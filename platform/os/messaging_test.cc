// Messaging: calls with deadlines and correlation ids, serving by type, selective receive,
// quorum calls, checked payload access, what a caller sees when its callee dies, and what the
// network charges for the envelope header.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/cost_model.h"
#include "platform/notices.pb.h"
#include "platform/process.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/sim/wire.h"
#include "platform/sim/wire.pb.h"
#include "platform/simulation.h"

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

// EchoPlusOne serves Blobs by replying seq + 1 after `delay`.
asio::awaitable<absl::Status> EchoPlusOne(Process& self, Duration delay) {
  self.Serve<Blob>([&self, delay](Received<Blob> in) -> asio::awaitable<absl::Status> {
    co_await self.Sleep(delay);
    co_return self.Reply(in.envelope(), Seq(in->seq() + 1));
  });
  co_await self.WaitForever();
  co_return absl::OkStatus();
}

ProcessMain Echo(Duration delay = 0) {
  return [delay](Process& self) { return EchoPlusOne(self, delay); };
}

TEST(CallTest, ReturnsTheReplyWithItsMetadataAfterOneRoundTrip) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce1", Echo());
  absl::StatusOr<Received<Blob>> reply = absl::UnknownError("not run");
  Time returned = -1;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    reply = co_await self.Call<Blob>(server, Seq(41), Milliseconds(1));
    returned = self.Now();
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ((*reply)->seq(), 42u);
  EXPECT_EQ(reply->envelope().from(), server);
  EXPECT_TRUE(reply->envelope().is_reply());
  EXPECT_NE(reply->envelope().call_id(), 0u);
  // Request: seq (2 bytes) + header (call id: 2 bytes); reply: + the reply flag (2 bytes).
  EXPECT_EQ(reply->envelope().wire_bytes(), 6);
  const CostModel model(sim->config().cost_model());
  EXPECT_EQ(returned, model.MessageRttNs(/*same_rack=*/true, 4, 6));
}

TEST(CallTest, EndsWithDeadlineExceededAtItsDeadlineAndDropsTheLateReply) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce1", Echo(Microseconds(50)));
  absl::Status status;
  Time returned = -1;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    status = (co_await self.Call<Blob>(server, Seq(1), Microseconds(10))).status();
    returned = self.Now();
    co_await self.Sleep(Milliseconds(1));  // alive when the late reply comes
  });
  sim->RunUntilIdle();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(returned, Microseconds(10));
  EXPECT_EQ(sim->metrics().late_replies, 1u);
}

TEST(CallTest, RepliesGoToTheThreadThatWaitsForThem) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId slow = MustSpawn(*sim, "slow", "r0/ce1", Echo(Microseconds(30)));
  const ProcessId fast = MustSpawn(*sim, "fast", "r0/ce2", Echo(Microseconds(5)));
  uint64_t slow_seq = 0, fast_seq = 0;
  Time slow_at = 0, fast_at = 0;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    self.Go([&]() -> asio::awaitable<void> {
      auto r = co_await self.Call<Blob>(fast, Seq(100), Milliseconds(1));
      if (r.ok()) fast_seq = (*r)->seq();
      fast_at = self.Now();
    });
    auto r = co_await self.Call<Blob>(slow, Seq(200), Milliseconds(1));
    if (r.ok()) slow_seq = (*r)->seq();
    slow_at = self.Now();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(fast_seq, 101u);
  EXPECT_EQ(slow_seq, 201u);
  EXPECT_LT(fast_at, slow_at);
}

TEST(CallTest, ToAnUnknownProcessIsNotFoundAtOnce) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  absl::Status status;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    status = (co_await self.Call<Blob>(ProcessId{77}, Seq(1), Milliseconds(1))).status();
    EXPECT_EQ(self.Now(), 0);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
}

TEST(CallTest, AReplyOfTheWrongTypeIsAnInternalError) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [](Process& self) -> asio::awaitable<void> {
        Envelope in = co_await self.Receive();
        EXPECT_TRUE(self.Reply(in, platform::RegionMsg()).ok());
      });
  absl::Status status;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    status = (co_await self.Call<Blob>(server, Seq(1), Milliseconds(1))).status();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("ddc.platform.RegionMsg"));
}

TEST(ReplyTest, RefusesToAnswerAMessageThatIsNotARequest) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  absl::Status status;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Envelope in = co_await self.Receive();
        status = self.Reply(in, Seq(0));
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    co_return;
  });
  sim->RunUntilIdle();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("not a request"));
}

TEST(ServeTest, RunsEachRequestInAThreadOfItsOwn) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce1", Echo(Microseconds(100)));
  std::vector<Time> returned;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      self.Go([&]() -> asio::awaitable<void> {
        EXPECT_TRUE((co_await self.Call<Blob>(server, Seq(1), Milliseconds(1))).ok());
        returned.push_back(self.Now());
      });
    }
    co_return;
  });
  sim->RunUntilIdle();
  ASSERT_EQ(returned.size(), 2u);
  // Both requests were served concurrently: neither waited for the other's 100 us (the second
  // reply only queues behind the first on the server's NIC, for a nanosecond).
  EXPECT_LE(returned[1] - returned[0], 2);
  EXPECT_LT(returned[1], Microseconds(110));
}

TEST(ServeTest, ServesMessagesQueuedBeforeTheHandlerWasRegistered) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<uint64_t> served;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(50));  // both messages arrive meanwhile
        self.Serve<Blob>([&served](Received<Blob> in) -> asio::awaitable<void> {
          served.push_back(in->seq());
          co_return;
        });
        co_await self.WaitForever();
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    EXPECT_TRUE(self.Send(server, Seq(2)).ok());
    co_return;
  });
  sim->RunUntilIdle();
  EXPECT_EQ(served, (std::vector<uint64_t>{1, 2}));
}

TEST(ReceiveTest, SelectiveReceiveLeavesOtherMessagesForOthers) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<std::string> order;
  const ProcessId receiver =
      MustSpawn(*sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(50));  // three messages are queued by now
        std::optional<Received<platform::RegionMsg>> region =
            co_await self.ReceiveOf<platform::RegionMsg>();
        order.push_back(absl::StrCat("region ", (*region)->base()));
        std::optional<Envelope> odd = co_await self.ReceiveWhere(
            [](const Envelope& e) { return e.Is<Blob>() && e.As<Blob>().seq() % 2 == 1; },
            Microseconds(1));
        order.push_back(absl::StrCat("odd ", odd->As<Blob>().seq()));
        Envelope any = co_await self.Receive();
        order.push_back(absl::StrCat("any ", any.As<Blob>().seq()));
        std::optional<Envelope> none = co_await self.ReceiveFor(Microseconds(5));
        order.push_back(none ? "unexpected" : "timeout");
      });
  MustSpawn(*sim, "sender", "r0/ce0", [receiver](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(receiver, Seq(2)).ok());
    platform::RegionMsg region;
    region.set_base(7);
    EXPECT_TRUE(self.Send(receiver, region).ok());
    EXPECT_TRUE(self.Send(receiver, Seq(3)).ok());
    co_return;
  });
  sim->RunUntilIdle();
  EXPECT_EQ(order, (std::vector<std::string>{"region 7", "odd 3", "any 2", "timeout"}));
}

TEST(ReceiveTest, AWaitingReceiverGetsOnlyWhatItsFilterAccepts) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<uint64_t> big, rest;
  const ProcessId receiver =
      MustSpawn(*sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        self.Go([&]() -> asio::awaitable<void> {
          for (int i = 0; i < 2; ++i) {
            Envelope in = co_await self.Receive();
            rest.push_back(in.As<Blob>().seq());
          }
        });
        for (int i = 0; i < 2; ++i) {
          std::optional<Envelope> in = co_await self.ReceiveWhere(
              [](const Envelope& e) { return e.As<Blob>().seq() >= 100; }, kInfiniteDuration);
          big.push_back(in->As<Blob>().seq());
        }
      });
  MustSpawn(*sim, "sender", "r0/ce0", [receiver](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(10));  // both receivers wait by now
    for (uint64_t seq : {100, 1, 200, 2}) EXPECT_TRUE(self.Send(receiver, Seq(seq)).ok());
  });
  sim->RunUntilIdle();
  EXPECT_EQ(big, (std::vector<uint64_t>{100, 200}));
  EXPECT_EQ(rest, (std::vector<uint64_t>{1, 2}));
}

TEST(QuorumCallTest, ReturnsAsSoonAsEnoughRepliesArrived) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<ProcessId> servers = {MustSpawn(*sim, "s0", "r0/ce1", Echo(Microseconds(10))),
                                    MustSpawn(*sim, "s1", "r0/ce2", Echo(Microseconds(20))),
                                    MustSpawn(*sim, "s2", "r0/ce3", Echo(Microseconds(300)))};
  QuorumReplies<Blob> result;
  Time returned = -1;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    result = co_await self.QuorumCall<Blob>(servers, Seq(1), 2, Milliseconds(1));
    returned = self.Now();
    co_await self.Sleep(Milliseconds(1));  // alive when the late reply comes
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.replies.size(), 2u);
  EXPECT_EQ(result.replies[0].envelope().from(), servers[0]);
  EXPECT_EQ(result.replies[1].envelope().from(), servers[1]);
  EXPECT_GT(returned, Microseconds(20));
  EXPECT_LT(returned, Microseconds(30));
  EXPECT_EQ(sim->metrics().late_replies, 1u);  // the third one
}

TEST(QuorumCallTest, EndsAtTheDeadlineWithTheRepliesItGot) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<ProcessId> servers = {MustSpawn(*sim, "s0", "r0/ce1", Echo()),
                                    MustSpawn(*sim, "s1", "r0/ce2", Echo(Milliseconds(5))),
                                    MustSpawn(*sim, "s2", "r0/ce3", Echo(Milliseconds(5)))};
  QuorumReplies<Blob> result;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    result = co_await self.QuorumCall<Blob>(servers, Seq(1), 2, Microseconds(100));
    EXPECT_EQ(self.Now(), Microseconds(100));
  });
  sim->RunUntilIdle();
  EXPECT_EQ(result.status.code(), absl::StatusCode::kDeadlineExceeded) << result.status;
  EXPECT_THAT(std::string(result.status.message()), HasSubstr("1 of 2"));
  EXPECT_EQ(result.replies.size(), 1u);
}

TEST(QuorumCallTest, FailsEarlyWhenTooManyCalleesAreGone) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  // Two of three servers fail while the calls are in flight: their CE OS resets the calls.
  auto failing = [](Process& self) -> asio::awaitable<absl::Status> {
    co_await self.Sleep(Microseconds(20));
    co_return absl::AbortedError("deliberate");
  };
  std::vector<ProcessId> servers = {MustSpawn(*sim, "s0", "r0/ce1", Echo(Milliseconds(5))),
                                    MustSpawn(*sim, "s1", "r0/ce2", failing),
                                    MustSpawn(*sim, "s2", "r0/ce3", failing)};
  sim->SetLog(nullptr);
  QuorumReplies<Blob> result;
  Time returned = -1;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    result = co_await self.QuorumCall<Blob>(servers, Seq(1), 2, Milliseconds(1));
    returned = self.Now();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(result.status.code(), absl::StatusCode::kUnavailable) << result.status;
  EXPECT_THAT(std::string(result.status.message()), HasSubstr("connection reset"));
  EXPECT_EQ(returned, Microseconds(20) + Microseconds(1));  // the reset takes one hop
}

TEST(CallResetTest, ACalleeThatFailsOrExitsResetsTheCall) {
  for (bool fail : {true, false}) {
    SCOPED_TRACE(fail ? "fails" : "exits");
    auto sim = CreateSimulation();
    ASSERT_NE(sim, nullptr);
    sim->SetLog(nullptr);
    const ProcessId server =
        MustSpawn(*sim, "server", "r0/ce1", [fail](Process& self) -> asio::awaitable<absl::Status> {
          (void)co_await self.Receive();  // takes the request and never answers it
          co_await self.Sleep(Microseconds(40));
          co_return fail ? absl::InternalError("boom") : absl::OkStatus();
        });
    absl::Status status;
    Time returned = -1;
    MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
      status = (co_await self.Call<Blob>(server, Seq(1), Milliseconds(1))).status();
      returned = self.Now();
    });
    sim->RunUntilIdle();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(fail ? "failed" : "exited"));
    EXPECT_LT(returned, Microseconds(100));
    EXPECT_EQ(sim->metrics().calls_reset, 1u);
  }
}

TEST(CallResetTest, ACalleeWhoseComputeElementCrashesLeavesTheCallToItsDeadline) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce1", Echo(Milliseconds(1)));
  absl::Status status;
  Time returned = -1;
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    status = (co_await self.Call<Blob>(server, Seq(1), Microseconds(500))).status();
    returned = self.Now();
  });
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce1"), Microseconds(10)).ok());
  sim->RunUntilIdle();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(returned, Microseconds(500));
  EXPECT_EQ(sim->metrics().calls_reset, 0u);
}

TEST(EnvelopeTest, AsOfTheWrongTypeFailsTheProcessLoudlyAndTryAsIsNull) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<std::string> log;
  sim->SetLog([&log](absl::string_view line) { log.emplace_back(line); });
  bool try_as_was_null = false;
  const ProcessId receiver =
      MustSpawn(*sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Envelope in = co_await self.Receive();
        try_as_was_null = in.TryAs<platform::RegionMsg>() == nullptr;
        (void)in.As<platform::RegionMsg>();  // a Blob: throws
      });
  MustSpawn(*sim, "sender", "r0/ce0", [receiver](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(receiver, Seq(1)).ok());
    co_return;
  });
  sim->RunUntilIdle();
  EXPECT_TRUE(try_as_was_null);
  EXPECT_EQ(sim->Status(receiver).state, ProcessState::kFailed);
  EXPECT_THAT(sim->Status(receiver).error, HasSubstr("ddc.testdata.Blob"));
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].process, "receiver");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_THAT(log[0], HasSubstr("process \"receiver\" (r0/ce1, incarnation 0) failed"));
  EXPECT_EQ(sim->metrics().process_failures, 1u);
}

TEST(ProcessFailureTest, AProcessReturningAnErrorFailsWithThatError) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId id =
      MustSpawn(*sim, "checker", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
        co_await self.Sleep(Microseconds(3));
        co_return absl::FailedPreconditionError("the ledger does not balance");
      });
  sim->RunUntilIdle();
  EXPECT_EQ(sim->Status(id).state, ProcessState::kFailed);
  EXPECT_THAT(sim->Status(id).error, HasSubstr("the ledger does not balance"));
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].at, Microseconds(3));
}

TEST(WireTest, HeaderBytesAreTheSerializedSizeOfTheHeader) {
  for (Envelope::Kind kind :
       {Envelope::Kind::kOneWay, Envelope::Kind::kRequest, Envelope::Kind::kReply}) {
    for (uint64_t call_id : {uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 40}) {
      for (uint32_t incarnation : {0u, 1u, 300u}) {
        sim::WireHeader header;
        if (kind != Envelope::Kind::kOneWay) header.set_call_id(call_id);
        if (kind == Envelope::Kind::kReply) header.set_reply(true);
        if (incarnation > 0) header.set_incarnation(incarnation);
        EXPECT_EQ(sim::WireHeaderBytes(kind, call_id, incarnation),
                  static_cast<int64_t>(header.ByteSizeLong()))
            << static_cast<int>(kind) << " " << call_id << " " << incarnation;
      }
    }
  }
}

TEST(WireTest, TheNetworkChargesPayloadAndHeader) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<simtest::Arrival> arrivals;
  const ProcessId sink = MustSpawn(*sim, "sink", "r0/ce1", [&arrivals](Process& self) {
    return simtest::RecordArrivals(self, &arrivals);
  });
  const ProcessId server = MustSpawn(*sim, "server", "r0/ce2", Echo());
  MustSpawn(*sim, "client", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(sink, simtest::MakeBlob(100)).ok());  // one-way: no header
    EXPECT_TRUE((co_await self.Call<Blob>(server, simtest::MakeBlob(100), Milliseconds(1))).ok());
  });
  sim->RunUntilIdle();
  ASSERT_EQ(arrivals.size(), 1u);
  EXPECT_EQ(arrivals[0].wire_bytes, 100);
  // One-way: 100. Request: 100 + 2 (call id). Reply: seq 1 (2 bytes) + 2 (call id) + 2 (reply
  // flag).
  EXPECT_EQ(sim->metrics().bytes_sent, 100u + 102u + 6u);
}

}  // namespace
}  // namespace ddc
