// Paxos: every message a replica's core takes from the network (ReplicaCore::Step), client
// commands (Propose), ticks, failure notifications (Suspect) and a restart from the records the
// core asked to persist (Restore). Messages are built from the input field by field, with values
// near the replica's own (epochs, ballots, slots), so they reach the protocol's branches; some are
// decoded from raw bytes as a wire would.
//
// Checked, whatever a peer sends (peers may be buggy or stale, not only slow):
//   - a message from an older configuration epoch is refused (but FETCH and FETCHED, which carry
//     the log across epochs);
//   - an invalid command is refused by Propose with INVALID_ARGUMENT;
//   - the acceptor's promise never goes down, the chosen watermark and the applied index never
//     go down, a chosen slot's value never changes;
//   - committed values come out in consecutive slots and equal the chosen values;
//   - Restore from the persisted records gives back the same promise and accepted values, under
//     a higher incarnation.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/targets.h"
#include "paxos/kv_state.h"
#include "paxos/paxos.pb.h"
#include "paxos/replica_core.h"

namespace ddc::fuzz {
namespace {

using paxos::Ballot;
using paxos::Batch;
using paxos::Command;
using paxos::PaxosMessage;
using paxos::ReplicaCore;

constexpr int kMembers = 3;
constexpr int kMaxOps = 256;

paxos::CoreConfig Config() {
  paxos::CoreConfig config;
  config.self = 0;
  for (int i = 0; i < kMembers; ++i) config.members.push_back(100 + i);
  config.election_ticks = 3;
  config.window = 4;
  config.max_batch = 2;
  return config;
}

Command DrawCommand(FuzzInput& in) {
  Command c;
  // Only valid enum values can be set (protobuf asserts); unknown ones arrive only through parsing,
  // where proto2 keeps them out of the field.
  c.set_op(static_cast<paxos::OpType>(in.Below(6)));
  if (in.Bool()) c.set_key(in.Bytes(300));
  if (in.Bool()) c.set_value(in.Bytes(64));
  if (in.Bool()) c.set_expected(in.Bytes(8));
  c.set_client_id(in.Below(4));
  c.set_client_seq(in.Below(8));
  if (c.op() == paxos::OP_RECONFIG) {
    c.set_member(static_cast<uint32_t>(in.Below(5)));
    c.set_process(200 + in.Below(4));
  }
  return c;
}

// Near draws a value close to `around`, sometimes far from it.
uint64_t Near(FuzzInput& in, uint64_t around) {
  switch (in.Below(4)) {
    case 0:
      return around;
    case 1:
      return around + in.Below(4);
    case 2:
      return around > 0 ? around - 1 : 0;
    default:
      return in.Int(8);
  }
}

PaxosMessage DrawMessage(FuzzInput& in, const ReplicaCore& core) {
  PaxosMessage m;
  m.set_type(static_cast<PaxosMessage::Type>(in.Below(8)));
  m.set_epoch(Near(in, core.epoch()));
  m.set_from(static_cast<uint32_t>(in.Below(kMembers + 1)));
  m.set_incarnation(static_cast<uint32_t>(in.Below(3)));
  Ballot* b = m.mutable_ballot();
  b->set_round(Near(in, core.promised().round()));
  b->set_replica(static_cast<uint32_t>(in.Below(kMembers)));
  m.set_slot(Near(in, core.chosen_watermark()));
  m.set_chosen(Near(in, core.chosen_watermark()));
  const int entries = static_cast<int>(in.Below(4));
  for (int i = 0; i < entries; ++i) {
    paxos::SlotValue* v = m.add_entries();
    v->set_slot(Near(in, core.chosen_watermark()));
    *v->mutable_ballot() = *b;
    if (in.Bool()) v->mutable_ballot()->set_round(in.Below(4));
    const int commands = static_cast<int>(in.Below(3));
    for (int c = 0; c < commands; ++c) *v->mutable_batch()->add_commands() = DrawCommand(in);
  }
  const int slots = static_cast<int>(in.Below(3));
  for (int i = 0; i < slots; ++i) m.add_slots(Near(in, core.chosen_watermark()));
  return m;
}

class CoreChecker {
 public:
  explicit CoreChecker(ReplicaCore core) : core_(std::move(core)) {}

  absl::Status Step(const PaxosMessage& m) {
    const uint64_t epoch = core_.epoch();
    const absl::Status s = core_.Step(m);
    // FETCH and FETCHED are exempt: a lagging replica learns the log across epochs.
    const bool learning = m.type() == PaxosMessage::FETCH || m.type() == PaxosMessage::FETCHED;
    if (m.epoch() < epoch && !learning && s.ok()) {
      return absl::InternalError(absl::StrCat("a message of epoch ", m.epoch(), " < ", epoch,
                                              " was not refused: ", s.ToString()));
    }
    return Observe();
  }

  absl::Status Propose(const Command& c) {
    const bool valid = paxos::ValidateCommand(c).ok();
    const absl::Status s = core_.Propose(c);
    if (!valid && s.code() != absl::StatusCode::kInvalidArgument) {
      return absl::InternalError(absl::StrCat(
          "an invalid command was not refused: ", c.ShortDebugString(), " ", s.ToString()));
    }
    return Observe();
  }

  absl::Status Tick() {
    core_.Tick();
    return Observe();
  }

  absl::Status Suspect(int member) {
    core_.Suspect(member);
    return Observe();
  }

  // Restart rebuilds the core from every record it asked to persist, as a crashed replica does.
  absl::Status Restart() {
    absl::StatusOr<ReplicaCore> restored = ReplicaCore::Restore(Config(), persisted_);
    if (!restored.ok()) {
      return absl::InternalError(
          absl::StrCat("Restore refused the core's own records: ", restored.status().ToString()));
    }
    if (!paxos::BallotEqual(restored->promised(), core_.promised())) {
      return absl::InternalError(absl::StrCat("Restore lost the promise: had ",
                                              core_.promised().ShortDebugString(), ", restored ",
                                              restored->promised().ShortDebugString()));
    }
    if (restored->incarnation() <= core_.incarnation()) {
      return absl::InternalError("Restore did not bump the incarnation");
    }
    for (const auto& [slot, value] : accepted_) {
      const paxos::SlotValue* v = restored->AcceptedValue(slot);
      if (v == nullptr || v->SerializeAsString() != value) {
        return absl::InternalError(absl::StrCat("Restore lost the accepted value of slot ", slot));
      }
    }
    // The state machine is rebuilt too: the restored core commits again from where its own
    // records let it start, which the next Observe takes as the new next slot to apply.
    core_ = *std::move(restored);
    resync_ = true;
    return Observe();
  }

 private:
  // Observe drains the core's Ready and checks every invariant against what was seen before.
  absl::Status Observe() {
    paxos::Ready ready = core_.TakeReady();
    for (paxos::AcceptorRecord& r : ready.persist) persisted_.push_back(std::move(r));
    if (resync_) {
      applied_ = ready.committed.empty() ? core_.applied() : ready.committed.front().slot();
      resync_ = false;
    }
    for (const paxos::SlotValue& v : ready.committed) {
      if (v.slot() != applied_) {
        return absl::InternalError(
            absl::StrCat("committed slot ", v.slot(), " while the next to apply is ", applied_));
      }
      ++applied_;
    }
    if (paxos::BallotLess(core_.promised(), promised_)) {
      return absl::InternalError(absl::StrCat("the promise went down from ",
                                              promised_.ShortDebugString(), " to ",
                                              core_.promised().ShortDebugString()));
    }
    promised_ = core_.promised();
    if (core_.chosen_watermark() < watermark_) {
      return absl::InternalError(absl::StrCat("the chosen watermark went down from ", watermark_,
                                              " to ", core_.chosen_watermark()));
    }
    watermark_ = core_.chosen_watermark();
    for (uint64_t slot = 0; slot < watermark_ && slot < kTrackedSlots; ++slot) {
      const Batch* batch = core_.ChosenValue(slot);
      if (batch == nullptr) continue;
      const std::string bytes = batch->SerializeAsString();
      auto [it, fresh] = chosen_.emplace(slot, bytes);
      if (!fresh && it->second != bytes) {
        return absl::InternalError(absl::StrCat("the chosen value of slot ", slot, " changed"));
      }
    }
    for (uint64_t slot = watermark_; slot < watermark_ + kTrackedSlots; ++slot) {
      if (const paxos::SlotValue* v = core_.AcceptedValue(slot)) {
        accepted_[slot] = v->SerializeAsString();
      }
    }
    return absl::OkStatus();
  }

  static constexpr uint64_t kTrackedSlots = 64;
  ReplicaCore core_;
  std::vector<paxos::AcceptorRecord> persisted_;
  Ballot promised_;
  uint64_t watermark_ = 0;
  uint64_t applied_ = 0;
  bool resync_ = false;  // after a restart: take the next committed slot as the start
  std::map<uint64_t, std::string> chosen_;
  std::map<uint64_t, std::string> accepted_;

 public:
  const ReplicaCore& core() const { return core_; }
};

}  // namespace

absl::Status FuzzPaxosMessages(absl::string_view input) {
  FuzzInput in(input);
  absl::StatusOr<ReplicaCore> core = ReplicaCore::Create(Config());
  if (!core.ok()) return core.status();
  CoreChecker checker(*std::move(core));
  for (int op = 0; op < kMaxOps && !in.empty(); ++op) {
    absl::Status s;
    switch (in.Below(7)) {
      case 0:
      case 1:
        s = checker.Step(DrawMessage(in, checker.core()));
        break;
      case 2: {  // bytes off the wire
        PaxosMessage m;
        if (m.ParseFromString(in.Bytes(512))) s = checker.Step(m);
        break;
      }
      case 3:
        s = checker.Tick();
        break;
      case 4:
        s = checker.Propose(DrawCommand(in));
        break;
      case 5:
        s = checker.Suspect(static_cast<int>(in.Below(kMembers + 2)) - 1);
        break;
      default:
        s = checker.Restart();
        break;
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ddc::fuzz
