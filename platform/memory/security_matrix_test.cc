// The security matrix of the primitives: for each primitive (read, write, flush, evict, free,
// checksums, allocate, grant, steal, publish, send / send-as / assume-identity, failure
// notification registration), who may do what, under both steal policies. Every row is one small
// rack where
//   owner     (r0/ce0, group "g", secret "s") owns pages a0 (flushed) and a1 (dirty in its cache)
//             and has published "o/root";
//   member    (r0/ce1, group "g") owns page b;
//   outsider  (r0/ce2, group "h", secret "t");
//   dest      (r0/ce3) counts the messages it receives;
//   thief     (r0/ce3, group "g") steals a0 from the owner at 100 us in the rows set up so,
//             which leaves the owner a zombie: fenced, with a stale owner epoch, keeping a1;
// and at 200 us one process performs the row's action. A row expects a status code (and a word
// of its message); every refused action must also leave the whole memory state (V2P maps, owner
// epochs, ME page tables and frames, CE caches, reassignment counters: memtest::Snapshot) and the
// destination's mailbox exactly as they were. Allowed rows are there as controls, so that the
// table shows the line between allowed and refused, and so that a refusal for the wrong reason
// (say, a broken setup) cannot pass as security.
//
// Transparent mode refuses grant, steal and trust groups for everyone (TransparentModeTest in
// failures_test.cc); a relaunched victim's thief loses the right to speak as it (IdentityTest in
// platform/os/identity_test.cc). docs/threat-model.md states the threat model.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "platform/memory.h"
#include "platform/memory/memory_test_util.h"
#include "platform/notices.pb.h"

namespace ddc {
namespace {

using memtest::MakeSim;
using memtest::Snapshot;
using memtest::Spawn;
using memtest::WorldOf;
using Policy = config::MemoryConfig::StealPolicy;
using Code = absl::StatusCode;

constexpr int64_t kPage = 4096;

enum class Who { kOwner, kMember, kOutsider, kThief };

struct Ctx {
  Process* self = nullptr;
  ProcessId owner{0}, member{0}, outsider{0}, dest{0}, thief{0};
  Region a0, a1, b;
};

using Action = std::function<asio::awaitable<absl::Status>(Ctx&)>;

// Expect is the outcome of a row under one policy.
struct Expect {
  Code code;
  const char* word;  // in the message (refusals only)
};

struct Row {
  const char* name;
  bool owner_fenced;  // the thief stole a0 from the owner first
  Who who;
  Action action;
  Expect trusted_group;
  Expect group_secret;
};

Expect Ok() { return {Code::kOk, ""}; }
Expect Denied(const char* word) { return {Code::kPermissionDenied, word}; }

platform::RegionMsg Ping() {
  platform::RegionMsg m;
  m.set_base(7);
  return m;
}

template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// clang-format off
const std::vector<Row>& Rows() {
  static const std::vector<Row>* const kRows = new std::vector<Row>{
    // Own pages: controls.
    {"OwnerReadsItsPage", false, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a0.base, 10)); }, Ok(), Ok()},
    {"OwnerWritesItsPage", false, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Write(c.a1.base, "mine"); }, Ok(), Ok()},
    {"OwnerGrantsItsPage", false, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Grant(c.a0, c.dest); }, Ok(), Ok()},
    // Foreign pages: a member of the owner's own trust group has no access without a steal.
    {"MemberReadsForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a0.base, 10)); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberReadsForeignDirtyPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a1.base, 5)); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberWritesForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Write(c.a0.base, std::string(kPage, 'x')); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberFlushesForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Flush(c.a1); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberEvictsForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Evict(c.a1); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberFreesForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Free(c.a0); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberGrantsForeignPage", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Grant(c.a0, c.dest); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberReadsForeignChecksums", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Checksums(c.a0)); },
     Denied("owned by process"), Denied("owned by process")},
    // Steal: the capability and the policy.
    {"MemberStealsWithTheSecret", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("g", "s"),
                                                           std::nullopt)); }, Ok(), Ok()},
    {"MemberStealsWithAWrongSecret", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("g", "guess"),
                                                           std::nullopt)); },
     Ok(), Denied("wrong secret")},
    {"MemberStealsWithoutACapability", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability(),
                                                           std::nullopt)); },
     Denied("capability names group"), Denied("capability names group")},
    {"OutsiderStealsWithTheSecret", false, Who::kOutsider,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("g", "s"),
                                                           std::nullopt)); },
     Denied("not a member"), Ok()},
    {"OutsiderStealsWithoutTheSecret", false, Who::kOutsider,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("g"),
                                                           std::nullopt)); },
     Denied("not a member"), Denied("wrong secret")},
    {"OutsiderStealsWithItsOwnGroupsCapability", false, Who::kOutsider,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("h", "t"),
                                                           std::nullopt)); },
     Denied("capability names group"), Denied("capability names group")},
    {"MemberStealsAPageTheVictimDoesNotOwn", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.owner, Capability("g", "s"), c.b)); },
     Denied("owned by process"), Denied("owned by process")},
    {"MemberStealsFromItself", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.member, Capability("g", "s"),
                                                           std::nullopt)); },
     {Code::kInvalidArgument, "itself"}, {Code::kInvalidArgument, "itself"}},
    // A zombie: the owner after the thief stole a0 (stale owner epoch).
    {"ZombieReadsTheStolenPage", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a0.base, 10)); },
     Denied("owned by process"), Denied("owned by process")},
    {"ZombieWritesAPageItKept", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Write(c.a1.base, "late"); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieReadsAPageItKept", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a1.base, 5)); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieFlushesAPageItKept", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Flush(c.a1); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieGrantsAPageItKept", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Grant(c.a1, c.dest); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieFreesAPageItKept", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Free(c.a1); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieAllocates", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Allocate(kPage)); },
     Denied("fenced"), Denied("fenced")},
    {"ZombiePublishes", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Publish("o/root", c.a1.base); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieStealsBack", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Steal(c.thief, Capability("g", "s"),
                                                           std::nullopt)); },
     Denied("fenced"), Denied("fenced")},
    {"ZombieSends", true, Who::kOwner,
     [](Ctx& c) -> asio::awaitable<absl::Status> { co_return c.self->Send(c.dest, Ping()); },
     Denied("fenced"), Denied("fenced")},
    {"ThiefReadsTheStolenPage", true, Who::kThief,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return StatusOf(co_await c.self->memory().Read(c.a0.base, 10)); }, Ok(), Ok()},
    // Identity: speaking as another process needs the ToR's redirect, which only a steal installs.
    {"MemberSendsAsTheOwner", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->SendAs(c.owner, c.dest, Ping()); },
     Denied("redirect"), Denied("redirect")},
    {"MemberAssumesTheOwnersIdentity", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->AssumeIdentity(c.owner); },
     Denied("redirect"), Denied("redirect")},
    {"ThiefSendsAsItsVictim", true, Who::kThief,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->SendAs(c.owner, c.dest, Ping()); }, Ok(), Ok()},
    {"ThiefSendsAsAProcessItDidNotStealFrom", true, Who::kThief,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->SendAs(c.member, c.dest, Ping()); },
     Denied("redirect"), Denied("redirect")},
    // Failure notification registration: a process configures its own notifications; watching
    // another process's CE is not a capability (see the threat model).
    {"MemberNamesAnUnknownEmergencyContact", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->failures().SetEmergencyContacts({ProcessId{999}}); },
     {Code::kNotFound, "no process"}, {Code::kNotFound, "no process"}},
    {"MemberWatchesItself", false, Who::kMember,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->failures().RegisterStandby(c.member); },
     {Code::kInvalidArgument, "itself"}, {Code::kInvalidArgument, "itself"}},
    {"OutsiderWatchesTheOwner", false, Who::kOutsider,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return c.self->failures().RegisterStandby(c.owner); }, Ok(), Ok()},
    // The namespace has no access control: any unfenced process may rebind any name.
    {"OutsiderRebindsTheOwnersName", false, Who::kOutsider,
     [](Ctx& c) -> asio::awaitable<absl::Status> {
       co_return co_await c.self->memory().Publish("o/root", 0); }, Ok(), Ok()},
  };
  return *kRows;
}
// clang-format on

struct Outcome {
  absl::Status status = memtest::NotRun();
  std::string before, after;
  int dest_received_before = 0;
  int dest_received = 0;
};

// RunRow builds the rack, runs the row's action and returns what happened.
Outcome RunRow(const Row& row, Policy policy) {
  PlatformConfig config = DefaultConfig();
  config.mutable_memory()->set_steal_policy(policy);
  auto sim = MakeSim(config);
  Ctx ctx;
  Outcome out;
  bool ready = false;
  constexpr Duration kStealAt = Microseconds(100);
  constexpr Duration kActAt = Microseconds(200);
  auto act = [&](Process& self, Who who) -> asio::awaitable<void> {
    co_await self.Sleep(kActAt - self.Now());
    if (row.who != who || !ready) co_return;
    Ctx c = ctx;
    c.self = &self;
    out.dest_received_before = out.dest_received;
    out.before = Snapshot(WorldOf(*sim));
    out.status = co_await row.action(c);
    out.after = Snapshot(WorldOf(*sim));
  };
  ctx.owner = Spawn(*sim, "owner", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    if (!(co_await m.JoinTrustGroup("g", "s")).ok()) co_return;
    absl::StatusOr<Region> a = co_await m.Allocate(2 * kPage);
    if (!a.ok()) co_return;
    ctx.a0 = a->Sub(0, kPage);
    ctx.a1 = a->Sub(kPage, kPage);
    if (!(co_await m.Write(ctx.a0.base, "owner data")).ok()) co_return;
    if (!(co_await m.Flush(ctx.a0)).ok()) co_return;
    if (!(co_await m.Write(ctx.a1.base, "dirty")).ok()) co_return;
    if (!(co_await m.Publish("o/root", ctx.a0.base)).ok()) co_return;
    ready = true;
    co_await act(self, Who::kOwner);
    co_await self.Sleep(Seconds(1));
  });
  ctx.member = Spawn(*sim, "member", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    if (!(co_await self.memory().JoinTrustGroup("g", "s")).ok()) co_return;
    absl::StatusOr<Region> b = co_await self.memory().Allocate(kPage);
    if (!b.ok()) co_return;
    ctx.b = *b;
    co_await act(self, Who::kMember);
    co_await self.Sleep(Seconds(1));
  });
  ctx.outsider = Spawn(*sim, "outsider", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    if (!(co_await self.memory().JoinTrustGroup("h", "t")).ok()) co_return;
    co_await act(self, Who::kOutsider);
    co_await self.Sleep(Seconds(1));
  });
  ctx.dest = Spawn(*sim, "dest", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    for (;;) {
      (void)co_await self.Receive();
      ++out.dest_received;
    }
  });
  ctx.thief = Spawn(*sim, "thief", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    if (!(co_await self.memory().JoinTrustGroup("g", "s")).ok()) co_return;
    if (row.owner_fenced) {
      co_await self.Sleep(kStealAt - self.Now());
      absl::StatusOr<std::vector<Region>> stolen =
          co_await self.memory().Steal(ctx.owner, Capability("g", "s"), ctx.a0);
      if (!stolen.ok() || *stolen != std::vector<Region>{ctx.a0}) {
        ADD_FAILURE() << "setup: the thief's steal failed: " << stolen.status();
        co_return;
      }
    }
    co_await act(self, Who::kThief);
    co_await self.Sleep(Seconds(1));
  });
  sim->RunUntil(Milliseconds(5));
  EXPECT_TRUE(ready) << "setup did not complete";
  return out;
}

class SecurityMatrixTest : public ::testing::TestWithParam<std::tuple<Row, Policy>> {};

TEST_P(SecurityMatrixTest, OnlyTheAllowedMaySucceedAndARefusalChangesNothing) {
  const auto& [row, policy] = GetParam();
  const Expect expect =
      policy == config::MemoryConfig::TRUSTED_GROUP ? row.trusted_group : row.group_secret;
  const Outcome out = RunRow(row, policy);
  if (expect.code == Code::kOk) {
    EXPECT_TRUE(out.status.ok()) << row.name << ": " << out.status;
    return;
  }
  memtest::ExpectStatus(out.status, expect.code, expect.word, row.name);
  EXPECT_EQ(out.before, out.after) << row.name << " was refused but changed memory state";
  EXPECT_EQ(out.dest_received, out.dest_received_before)
      << row.name << " was refused but a message got through";
}

INSTANTIATE_TEST_SUITE_P(Primitives, SecurityMatrixTest,
                         ::testing::Combine(::testing::ValuesIn(Rows()),
                                            ::testing::Values(config::MemoryConfig::TRUSTED_GROUP,
                                                              config::MemoryConfig::GROUP_SECRET)),
                         [](const ::testing::TestParamInfo<std::tuple<Row, Policy>>& info) {
                           return absl::StrCat(
                               std::get<0>(info.param).name,
                               std::get<1>(info.param) == config::MemoryConfig::TRUSTED_GROUP
                                   ? "_TrustedGroup"
                                   : "_GroupSecret");
                         });

}  // namespace
}  // namespace ddc
