// Failure notification: memory-element failures (ON_ACCESS and ASYNC_LIVENESS detection, the
// handler, emergency contacts), transparent mode (the users of a failed ME die; the primitives
// are refused), and the rack monitor's death notices to standbys.
#include "platform/failures.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/memory.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::WorldOf;
using memtest::CeilDiv;
using memtest::ExpectStatus;
using memtest::MakeSim;
using memtest::NotRun;
using memtest::Spawn;

constexpr int64_t kPage = 4096;
constexpr Time kMeFailsAt = 20000;

struct HandlerCall {
  Time at;
  MemoryFailure failure;
};

struct Received {
  Time at;
  Envelope envelope;
};

PlatformConfig FailingMeConfig(config::MemoryConfig::FailureDetection detection,
                               int64_t memory_rtt_ns) {
  PlatformConfig config = DefaultConfig();
  config.mutable_memory()->set_failure_detection(detection);
  config.mutable_cost_model()->set_memory_rtt_ns(memory_rtt_ns);
  config::MeFault* fault = config.mutable_faults()->add_me_faults();
  fault->set_me("r0/me0");
  fault->set_at_ns(kMeFailsAt);
  return config;
}

// The processes of a memory-failure scenario: `handled` sets a handler, `unhandled` only names
// `contact` as its emergency contact, `unaffected` sets a handler but has no memory on the ME.
struct FailureScenario {
  ProcessId handled, unhandled, contact, unaffected;
  Region handled_region, unhandled_region;
  std::vector<HandlerCall> calls, unaffected_calls;
  std::vector<Received> contact_got;
  absl::Status handler_set = NotRun(), contacts_set = NotRun();
  absl::StatusOr<std::string> first_access = NotRun(), second_access = NotRun();
  absl::Status unhandled_access = NotRun();
  Time access_started = -1, access_returned = -1;
  std::unique_ptr<Simulation> sim;  // last: destroyed first, while the fields above still exist
};

// Runs the scenario; the processes touch their memory at `access_at` (never when < 0).
void RunFailureScenario(FailureScenario& s, Time access_at) {
  Simulation& sim = *s.sim;
  s.contact = Spawn(sim, "contact", "r0/ce2", [&s](Process& self) -> asio::awaitable<void> {
    while (std::optional<Envelope> e = co_await self.ReceiveFor(Milliseconds(1))) {
      s.contact_got.push_back({self.Now(), *std::move(e)});
    }
  });
  s.handled =
      Spawn(sim, "handled", "r0/ce0", [&s, access_at](Process& self) -> asio::awaitable<void> {
        absl::StatusOr<Region> r = co_await self.memory().Allocate(kPage);
        if (!r.ok()) co_return;
        s.handled_region = *r;
        Process* me = &self;
        s.handler_set = self.failures().SetMemoryFailureHandler([&s, me](const MemoryFailure& f) {
          s.calls.push_back({me->Now(), f});
        });
        if (access_at < 0) co_return;
        co_await self.Sleep(access_at - self.Now());
        s.access_started = self.Now();
        s.first_access = co_await self.memory().Read(r->base, 8);
        s.access_returned = self.Now();
        s.second_access = co_await self.memory().Read(r->base, 8);
      });
  s.unhandled =
      Spawn(sim, "unhandled", "r0/ce1", [&s, access_at](Process& self) -> asio::awaitable<void> {
        absl::StatusOr<Region> r = co_await self.memory().Allocate(2 * kPage);
        if (!r.ok()) co_return;
        s.unhandled_region = *r;
        s.contacts_set = self.failures().SetEmergencyContacts({s.contact});
        if (access_at < 0) co_return;
        co_await self.Sleep(access_at - self.Now());
        s.unhandled_access = co_await self.memory().Write(r->base + 1, "x");
      });
  s.unaffected = Spawn(sim, "unaffected", "r0/ce3", [&s](Process& self) -> asio::awaitable<void> {
    Process* me = &self;
    (void)self.failures().SetMemoryFailureHandler([&s, me](const MemoryFailure& f) {
      s.unaffected_calls.push_back({me->Now(), f});
    });
    co_await self.Sleep(Microseconds(200));
  });
  sim.RunUntilIdle();
}

int64_t NoticeBytes(const platform::MemoryFailureNotice& n) {
  return static_cast<int64_t>(n.ByteSizeLong());
}

TEST(MemoryFailureTest, OnAccessTheAccessFailsAndTheHandlerIsCalled) {
  FailureScenario s;
  s.sim = MakeSim(FailingMeConfig(config::MemoryConfig::ON_ACCESS, 2500));
  const Time kAccess = 30000;
  RunFailureScenario(s, kAccess);
  Simulation& sim = *s.sim;
  ASSERT_TRUE(s.handler_set.ok()) << s.handler_set;
  ASSERT_TRUE(s.contacts_set.ok()) << s.contacts_set;
  // Both processes' memory is on the failed ME (best fit packs them onto r0/me0).
  const mem::RackMmu& mmu = WorldOf(sim).rack_mmu(RackId{0});
  const MeId me0 = memtest::MeNamed(sim, "r0/me0");
  ASSERT_EQ(mmu.PagesOn(s.handled, me0).size(), 1u);
  ASSERT_EQ(mmu.PagesOn(s.unhandled, me0).size(), 2u);

  ExpectStatus(s.first_access.status(), absl::StatusCode::kUnavailable, "r0/me0");
  EXPECT_EQ(s.access_returned - s.access_started, 2500);
  ExpectStatus(s.second_access.status(), absl::StatusCode::kUnavailable, "r0/me0");
  // The handler ran once, at the access (not before: nothing reports the failure earlier).
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].at, kAccess);
  EXPECT_EQ(s.calls[0].failure.memory_element, "r0/me0");
  EXPECT_EQ(s.calls[0].failure.regions, std::vector<Region>{s.handled_region});
  EXPECT_TRUE(s.unaffected_calls.empty());

  // No handler: the emergency contact is told.
  ExpectStatus(s.unhandled_access, absl::StatusCode::kUnavailable, "r0/me0");
  ASSERT_EQ(s.contact_got.size(), 1u);
  const Envelope& e = s.contact_got[0].envelope;
  EXPECT_EQ(e.from(), s.unhandled);
  ASSERT_TRUE(e.Is<platform::MemoryFailureNotice>());
  const auto& notice = e.As<platform::MemoryFailureNotice>();
  EXPECT_EQ(notice.process(), Index(s.unhandled));
  EXPECT_EQ(notice.memory_element(), "r0/me0");
  EXPECT_EQ(memtest::RegionsOf(notice), std::vector<Region>{s.unhandled_region});
  EXPECT_EQ(s.contact_got[0].at, kAccess + 1000 + CeilDiv(NoticeBytes(notice) * 8, 100));
  EXPECT_EQ(sim.metrics().memory_failure_reports, 2u);
  EXPECT_EQ(sim.metrics().memory_failure_forwards, 1u);
}

// MemoryFailure::failed_at / MemoryFailureNotice.failed_at_ns name when the ME failed, as they do
// under ASYNC_LIVENESS (AsyncLivenessTest below), whatever the detection mode.
TEST(MemoryFailureTest, OnAccessReportsWhenTheMeFailedNotWhenItWasTouched) {
  FailureScenario s;
  s.sim = MakeSim(FailingMeConfig(config::MemoryConfig::ON_ACCESS, 2500));
  RunFailureScenario(s, /*access_at=*/30000);
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].failure.failed_at, kMeFailsAt);
  ASSERT_EQ(s.contact_got.size(), 1u);
  ASSERT_TRUE(s.contact_got[0].envelope.Is<platform::MemoryFailureNotice>());
  EXPECT_EQ(s.contact_got[0].envelope.As<platform::MemoryFailureNotice>().failed_at_ns(),
            kMeFailsAt);
}

// Without an access nothing is reported under ON_ACCESS.
TEST(MemoryFailureTest, OnAccessNothingIsReportedWithoutAnAccess) {
  FailureScenario s;
  s.sim = MakeSim(FailingMeConfig(config::MemoryConfig::ON_ACCESS, 2500));
  RunFailureScenario(s, /*access_at=*/-1);
  EXPECT_EQ(s.sim->metrics().me_failures, 1u);
  EXPECT_TRUE(s.calls.empty());
  EXPECT_TRUE(s.contact_got.empty());
  EXPECT_EQ(s.sim->metrics().memory_failure_reports, 0u);
}

class AsyncLivenessTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(AsyncLivenessTest, HandlerAndContactsAreToldWithoutAnyAccess) {
  const int64_t memory_rtt = GetParam();
  FailureScenario s;
  s.sim = MakeSim(FailingMeConfig(config::MemoryConfig::ASYNC_LIVENESS, memory_rtt));
  RunFailureScenario(s, /*access_at=*/Microseconds(100));
  const Time reported = kMeFailsAt + memory_rtt / 2;
  ASSERT_EQ(s.calls.size(), 1u) << "the later access must not report the failure again";
  EXPECT_EQ(s.calls[0].at, reported);
  EXPECT_EQ(s.calls[0].failure.memory_element, "r0/me0");
  EXPECT_EQ(s.calls[0].failure.failed_at, kMeFailsAt);
  EXPECT_EQ(s.calls[0].failure.regions, std::vector<Region>{s.handled_region});
  EXPECT_TRUE(s.unaffected_calls.empty());
  ExpectStatus(s.first_access.status(), absl::StatusCode::kUnavailable, "r0/me0");

  ASSERT_EQ(s.contact_got.size(), 1u);
  const Envelope& e = s.contact_got[0].envelope;
  ASSERT_TRUE(e.Is<platform::MemoryFailureNotice>());
  const auto& notice = e.As<platform::MemoryFailureNotice>();
  EXPECT_EQ(notice.process(), Index(s.unhandled));
  EXPECT_EQ(notice.memory_element(), "r0/me0");
  EXPECT_EQ(notice.failed_at_ns(), kMeFailsAt);
  EXPECT_EQ(memtest::RegionsOf(notice), std::vector<Region>{s.unhandled_region});
  EXPECT_EQ(s.contact_got[0].at, reported + 1000 + CeilDiv(NoticeBytes(notice) * 8, 100));
}

INSTANTIATE_TEST_SUITE_P(MemoryRtt, AsyncLivenessTest, ::testing::Values(2500, 4000, 10000));

TEST(MemoryFailureTest, EmergencyContactsMustExist) {
  auto sim = MakeSim(DefaultConfig());
  absl::Status bad = NotRun(), self_contact = NotRun();
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    bad = self.failures().SetEmergencyContacts({self.id(), ProcessId{31337}});
    self_contact = self.failures().SetEmergencyContacts({self.id()});
    co_return;
  });
  sim->RunUntilIdle();
  ExpectStatus(bad, absl::StatusCode::kNotFound, "31337");
  EXPECT_TRUE(self_contact.ok()) << self_contact;
}

// ---------------------------------------------------------------------------------------------
// Transparent mode.

TEST(TransparentModeTest, MeFailureKillsTheProcessesUsingIt) {
  PlatformConfig config = FailingMeConfig(config::MemoryConfig::ON_ACCESS, 2500);
  config.set_mode(config::PlatformConfig::TRANSPARENT);
  auto sim = MakeSim(config);
  bool user_survived = false;
  const ProcessId user = Spawn(*sim, "user", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> r = co_await self.memory().Allocate(kPage);
    if (!r.ok()) co_return;
    (void)co_await self.memory().Write(r->base, "data");
    while (self.Now() < Microseconds(100)) co_await self.Sleep(1000);
    user_survived = true;
  });
  absl::StatusOr<std::string> later = NotRun();
  const ProcessId other =
      Spawn(*sim, "other", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(30));
        // The rack still works: new memory comes from the surviving ME.
        absl::StatusOr<Region> r = co_await self.memory().Allocate(kPage);
        if (!r.ok()) co_return;
        (void)co_await self.memory().Write(r->base, "fine");
        (void)co_await self.memory().Evict(*r);
        later = co_await self.memory().Read(r->base, 4);
      });
  sim->RunUntilIdle();
  EXPECT_EQ(sim->Status(user).state, ProcessState::kCrashed);
  EXPECT_FALSE(user_survived);
  EXPECT_EQ(sim->Status(other).state, ProcessState::kExited);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(*later, "fine");
  EXPECT_EQ(sim->metrics().processes_killed_by_memory_failure, 1u);
  EXPECT_EQ(sim->metrics().memory_failure_reports, 0u);
}

TEST(TransparentModeTest, PrimitivesAndFailureCallsAreRefused) {
  PlatformConfig config = DefaultConfig();
  config.set_mode(config::PlatformConfig::TRANSPARENT);
  auto sim = MakeSim(config);
  const ProcessId peer = Spawn(*sim, "peer", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    for (;;) (void)co_await self.Receive();
  });
  absl::Status grant = NotRun(), steal = NotRun(), join = NotRun(), handler = NotRun(),
               contacts = NotRun(), standby = NotRun();
  std::string before, after;
  Region r;
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> a = co_await self.memory().Allocate(kPage);
    if (!a.ok()) co_return;
    r = *a;
    before = memtest::Snapshot(WorldOf(*sim));
    grant = co_await self.memory().Grant(r, peer);
    steal = (co_await self.memory().Steal(peer, {"g", "s"}, std::nullopt)).status();
    join = co_await self.memory().JoinTrustGroup("g", "s");
    handler = self.failures().SetMemoryFailureHandler([](const MemoryFailure&) {});
    contacts = self.failures().SetEmergencyContacts({peer});
    standby = self.failures().RegisterStandby(peer);
    after = memtest::Snapshot(WorldOf(*sim));
  });
  sim->RunUntilIdle();
  ExpectStatus(grant, absl::StatusCode::kFailedPrecondition, "transparent mode", "grant");
  ExpectStatus(steal, absl::StatusCode::kFailedPrecondition, "transparent mode", "steal");
  ExpectStatus(join, absl::StatusCode::kFailedPrecondition, "transparent mode", "join");
  ExpectStatus(handler, absl::StatusCode::kFailedPrecondition, "transparent mode", "handler");
  ExpectStatus(contacts, absl::StatusCode::kFailedPrecondition, "transparent mode", "contacts");
  ExpectStatus(standby, absl::StatusCode::kFailedPrecondition, "transparent mode", "standby");
  EXPECT_EQ(before, after);
}

// ---------------------------------------------------------------------------------------------
// Rack monitor.

struct MonitorParams {
  std::string name;
  int64_t interval_ns;
  int32_t missed_beats;
  int64_t intra_rack_rtt_ns;  // even
  Time crash_at;
};

void PrintTo(const MonitorParams& p, std::ostream* os) { *os << p.name; }

class MonitorTest : public ::testing::TestWithParam<MonitorParams> {};

TEST_P(MonitorTest, StandbyLearnsOfTheCrashWithinTheDetectionBound) {
  const MonitorParams& p = GetParam();
  PlatformConfig config = DefaultConfig();
  config.mutable_monitor()->set_heartbeat_interval_ns(p.interval_ns);
  config.mutable_monitor()->set_missed_beats(p.missed_beats);
  config.mutable_cost_model()->set_intra_rack_rtt_ns(p.intra_rack_rtt_ns);
  auto sim = MakeSim(config);
  auto idle = [](Process& self) -> asio::awaitable<void> {
    for (;;) (void)co_await self.Receive();
  };
  const ProcessId watched = Spawn(*sim, "watched", "r0/ce1", idle);
  const ProcessId survivor = Spawn(*sim, "survivor", "r0/ce3", idle);
  absl::Status registered = NotRun(), registered_survivor = NotRun();
  std::vector<Received> got;
  Spawn(*sim, "standby", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    registered = self.failures().RegisterStandby(watched);
    registered_survivor = self.failures().RegisterStandby(survivor);
    const Duration patience = p.crash_at + 4 * p.interval_ns * p.missed_beats + Milliseconds(1);
    while (std::optional<Envelope> e = co_await self.ReceiveFor(patience)) {
      got.push_back({self.Now(), *std::move(e)});
    }
  });
  ASSERT_TRUE(sim->CrashCe(memtest::CeNamed(*sim, "r0/ce1"), p.crash_at).ok());
  sim->RunUntilIdle();

  ASSERT_TRUE(registered.ok()) << registered;
  ASSERT_TRUE(registered_survivor.ok()) << registered_survivor;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].envelope.Is<platform::ProcessDeathNotice>());
  const auto& notice = got[0].envelope.As<platform::ProcessDeathNotice>();
  EXPECT_EQ(notice.process(), Index(watched));
  EXPECT_EQ(notice.compute_element(), "r0/ce1");
  const Time detected = notice.detected_at_ns();
  const Duration I = p.interval_ns;
  const Duration rtt = p.intra_rack_rtt_ns;
  // Declared dead once `missed_beats` consecutive beats at or after the crash went unanswered
  // (the last reply overdue by one RTT): never later than the bound, never earlier than
  // missed_beats - 1 whole intervals after the crash, and on a beat + RTT.
  EXPECT_LE(detected, p.crash_at + I * p.missed_beats + rtt);
  EXPECT_GE(detected, p.crash_at + I * (p.missed_beats - 1) + rtt);
  EXPECT_EQ((detected - rtt) % I, 0) << "detection is not one RTT after a beat";
  const int64_t bytes = got[0].envelope.wire_bytes();
  EXPECT_EQ(bytes, static_cast<int64_t>(notice.ByteSizeLong()));
  EXPECT_EQ(got[0].at, detected + rtt / 2 + CeilDiv(bytes * 8, 100));
  EXPECT_EQ(sim->metrics().monitor_detections, 1u);
  EXPECT_EQ(sim->metrics().death_notices, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Beats, MonitorTest,
    ::testing::Values(MonitorParams{"default_on_beat", 10000, 3, 2000, 50000},
                      MonitorParams{"default_just_after_beat", 10000, 3, 2000, 50001},
                      MonitorParams{"default_just_before_beat", 10000, 3, 2000, 59999},
                      MonitorParams{"i7us_m5_on_beat", 7000, 5, 5000, 70000},
                      MonitorParams{"i7us_m5_off_beat", 7000, 5, 5000, 73500},
                      MonitorParams{"single_beat", 3000, 1, 1000, 4500},
                      MonitorParams{"farm_like", 2000000, 5, 2000, 3000001}),
    [](const ::testing::TestParamInfo<MonitorParams>& info) { return info.param.name; });

TEST(MonitorTest, RegisterStandbyRejectsBadTargets) {
  auto sim = MakeSim(DefaultConfig());
  const ProcessId far = Spawn(*sim, "far", "r1/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(1);
  });
  absl::Status itself = NotRun(), unknown = NotRun(), cross = NotRun();
  Spawn(*sim, "standby", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    itself = self.failures().RegisterStandby(self.id());
    unknown = self.failures().RegisterStandby(ProcessId{555});
    cross = self.failures().RegisterStandby(far);
    co_return;
  });
  sim->RunUntilIdle();
  ExpectStatus(itself, absl::StatusCode::kInvalidArgument, "itself");
  ExpectStatus(unknown, absl::StatusCode::kNotFound, "555");
  ExpectStatus(cross, absl::StatusCode::kFailedPrecondition, "another rack");
}

}  // namespace
}  // namespace ddc
