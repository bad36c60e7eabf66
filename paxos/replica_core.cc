#include "paxos/replica_core.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "paxos/kv_state.h"

namespace ddc::paxos {
namespace {

// kChosenRound marks, in a PROMISE, a value this replica knows to be chosen (learned, not
// accepted): it outranks every real ballot, so the new leader keeps it.
constexpr uint64_t kChosenRound = std::numeric_limits<uint64_t>::max();
// kRoundLimit bounds the rounds a peer's ballot may carry. Each campaign takes the highest round
// seen plus one, so a correct replica never gets near it; without the bound a ballot of round
// 2^64 - 1 made the next campaign wrap to round 0 and lower this replica's promise.
constexpr uint64_t kRoundLimit = uint64_t{1} << 63;

Ballot MakeBallot(uint64_t round, int replica) {
  Ballot b;
  b.set_round(round);
  b.set_replica(static_cast<uint32_t>(replica));
  return b;
}

SlotValue MakeSlot(uint64_t slot, const Ballot& ballot, const Batch& batch) {
  SlotValue v;
  v.set_slot(slot);
  *v.mutable_ballot() = ballot;
  *v.mutable_batch() = batch;
  return v;
}

// IsStop: a batch holding a reconfiguration stops its configuration at its slot.
bool IsStop(const Batch& batch) {
  for (const Command& c : batch.commands())
    if (c.op() == OP_RECONFIG) return true;
  return false;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
    case Role::kLearner:
      return "learner";
  }
  return "?";
}

bool BallotLess(const Ballot& a, const Ballot& b) {
  if (a.round() != b.round()) return a.round() < b.round();
  return a.replica() < b.replica();
}
bool BallotEqual(const Ballot& a, const Ballot& b) {
  return a.round() == b.round() && a.replica() == b.replica();
}

ReplicaCore::ReplicaCore(const CoreConfig& config) : config_(config) {
  incarnations_.assign(config.members.size(), 0);
  role_ = config.learner ? Role::kLearner : Role::kFollower;
}

absl::StatusOr<ReplicaCore> ReplicaCore::Create(const CoreConfig& config) {
  if (config.members.empty()) return absl::InvalidArgumentError("config.members: empty");
  if (config.self < 0 || config.self >= static_cast<int>(config.members.size()))
    return absl::InvalidArgumentError(
        absl::StrCat("config.self: ", config.self, " is not in 0..", config.members.size() - 1));
  if (config.heartbeat_ticks < 1)
    return absl::InvalidArgumentError("config.heartbeat_ticks: must be >= 1");
  if (config.election_ticks <= config.heartbeat_ticks)
    return absl::InvalidArgumentError("config.election_ticks: must exceed config.heartbeat_ticks");
  if (config.window < 1) return absl::InvalidArgumentError("config.window: must be >= 1");
  if (config.max_batch < 1) return absl::InvalidArgumentError("config.max_batch: must be >= 1");
  if (config.epoch < 1) return absl::InvalidArgumentError("config.epoch: must be >= 1");
  return ReplicaCore(config);
}

absl::StatusOr<ReplicaCore> ReplicaCore::Restore(const CoreConfig& config,
                                                 const std::vector<AcceptorRecord>& records,
                                                 const SnapshotMeta& snapshot) {
  absl::StatusOr<ReplicaCore> created = Create(config);
  if (!created.ok()) return created.status();
  ReplicaCore core = *std::move(created);
  uint64_t chosen = 0;
  uint64_t compacted = 0;
  uint32_t incarnation = config.incarnation;
  std::map<uint64_t, Batch> learned;
  for (const AcceptorRecord& r : records) {
    if (r.has_promised() && BallotLess(core.promised_, r.promised())) core.promised_ = r.promised();
    if (r.void_from() > 0) {  // before this record's own values, which it does not void
      core.accepted_.erase(core.accepted_.lower_bound(r.void_from()), core.accepted_.end());
      core.void_from_ = std::max(core.void_from_, r.void_from());
    }
    for (const SlotValue& v : r.accepted()) core.accepted_[v.slot()] = v;
    for (const SlotValue& v : r.chosen_values()) learned[v.slot()] = v.batch();
    chosen = std::max(chosen, r.chosen());
    compacted = std::max(compacted, r.snapshot());
    incarnation = std::max(incarnation, r.incarnation());
  }
  // The snapshot is made durable before the log is compacted to it, so a log compacted past the
  // snapshot has lost the slots in between.
  if (compacted > snapshot.index())
    return absl::DataLossError(absl::StrCat("paxos log compacted to slot ", compacted,
                                            " but the durable snapshot is at ", snapshot.index()));
  if (snapshot.index() > 0) {
    if (snapshot.members_size() != core.n() || snapshot.epoch() < 1)
      return absl::DataLossError(absl::StrCat("snapshot at ", snapshot.index(), ": ",
                                              snapshot.members_size(), " members, epoch ",
                                              snapshot.epoch(), " (want ", core.n(), ", >= 1)"));
    core.JumpTo(snapshot);
    core.checkpoint_due_ = false;  // nothing changed since the records were written
  }
  chosen = std::max(chosen, snapshot.index());
  // Every slot below the durable watermark is chosen; its value is the one learned, or the one
  // accepted (a value accepted and then marked chosen is the chosen one, and any later leader
  // re-proposes that same value).
  for (uint64_t s = snapshot.index(); s < chosen; ++s) {
    if (auto it = learned.find(s); it != learned.end()) {
      core.chosen_values_[s] = it->second;
    } else if (auto acc = core.accepted_.find(s); acc != core.accepted_.end()) {
      core.chosen_values_[s] = acc->second.batch();
    } else {
      chosen = s;
      break;
    }
  }
  core.chosen_ = chosen;
  core.persisted_chosen_ = chosen;
  core.max_round_seen_ = core.promised_.round();
  core.config_.incarnation = incarnation + 1;
  AcceptorRecord bump;
  bump.set_incarnation(core.config_.incarnation);
  core.Persist(std::move(bump));
  core.Commit();
  return core;
}

PaxosMessage ReplicaCore::Header(PaxosMessage::Type type) const {
  PaxosMessage m;
  m.set_type(type);
  m.set_epoch(config_.epoch);
  m.set_from(static_cast<uint32_t>(config_.self));
  m.set_incarnation(config_.incarnation);
  return m;
}

void ReplicaCore::Send(int to, PaxosMessage message) {
  if (to == config_.self) return;
  ready_.messages.push_back({to, std::move(message)});
}

void ReplicaCore::Broadcast(const PaxosMessage& message) {
  for (int i = 0; i < n(); ++i) Send(i, message);
}

const Batch* ReplicaCore::ChosenValue(uint64_t slot) const {
  auto it = chosen_values_.find(slot);
  return it == chosen_values_.end() ? nullptr : &it->second;
}
const SlotValue* ReplicaCore::AcceptedValue(uint64_t slot) const {
  auto it = accepted_.find(slot);
  return it == accepted_.end() ? nullptr : &it->second;
}

absl::Status ReplicaCore::Step(const PaxosMessage& m) {
  if (!PaxosMessage::Type_IsValid(m.type()))
    return absl::InvalidArgumentError("message.type: unknown");
  if (m.from() >= config_.members.size() || static_cast<int>(m.from()) == config_.self)
    return absl::InvalidArgumentError(
        absl::StrCat("message.from: ", m.from(), " is not a peer of member ", config_.self));
  if ((m.type() == PaxosMessage::ACCEPT || m.type() == PaxosMessage::PREPARE ||
       m.type() == PaxosMessage::COMMIT || m.type() == PaxosMessage::REJECT) &&
      !m.has_ballot())
    return absl::InvalidArgumentError("message.ballot: missing");
  if (m.ballot().round() >= kRoundLimit)
    return absl::InvalidArgumentError(
        absl::StrCat("message.ballot.round: ", m.ballot().round(), " is not below 2^63"));
  const bool learning = m.type() == PaxosMessage::FETCH || m.type() == PaxosMessage::FETCHED;
  if (m.epoch() < config_.epoch && !learning) {
    if (m.type() == PaxosMessage::PREPARE || m.type() == PaxosMessage::ACCEPT ||
        m.type() == PaxosMessage::COMMIT) {
      // The sender campaigns or leads in a configuration that ended here. Refusing in silence
      // would leave it campaigning for ever if it never hears of the reconfiguration (campaign
      // seed 146: the member that chose it was the one it removed): answer with this replica's
      // watermark, a FETCHED of no values, so the sender fetches the log up to the new epoch.
      // Only this hint is sent; nothing here changes.
      PaxosMessage hint = Header(PaxosMessage::FETCHED);
      hint.set_chosen(chosen_);
      hint.set_snapshot(log_start_);
      Send(static_cast<int>(m.from()), std::move(hint));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "stale epoch: ", m.epoch(), " < current ", config_.epoch, " (from member ", m.from(), ")"));
  }
  if (m.epoch() == config_.epoch && m.incarnation() < incarnations_[m.from()]) {
    return absl::FailedPreconditionError(absl::StrCat("stale incarnation: member ", m.from(),
                                                      " incarnation ", m.incarnation(), " < ",
                                                      incarnations_[m.from()], " already seen"));
  }
  if (m.epoch() == config_.epoch) incarnations_[m.from()] = m.incarnation();
  suspected_.erase(static_cast<int>(m.from()));
  if (m.epoch() > config_.epoch && !learning) {
    // A configuration this replica has not applied yet: learn the log up to it first.
    PaxosMessage fetch = Header(PaxosMessage::FETCH);
    fetch.set_slot(chosen_);
    Send(static_cast<int>(m.from()), std::move(fetch));
    return absl::OkStatus();
  }
  if (role_ == Role::kLearner && !learning && m.type() != PaxosMessage::COMMIT)
    return absl::OkStatus();  // a learner does not vote
  switch (m.type()) {
    case PaxosMessage::PREPARE:
      OnPrepare(m);
      break;
    case PaxosMessage::PROMISE:
      OnPromise(m);
      break;
    case PaxosMessage::ACCEPT:
      OnAccept(m);
      break;
    case PaxosMessage::ACCEPTED:
      OnAccepted(m);
      break;
    case PaxosMessage::COMMIT:
      OnCommit(m);
      break;
    case PaxosMessage::REJECT:
      OnReject(m);
      break;
    case PaxosMessage::FETCH:
      OnFetch(m);
      break;
    case PaxosMessage::FETCHED:
      OnFetched(m);
      break;
    default:
      break;
  }
  Commit();
  ProposeBatches();
  return absl::OkStatus();
}

void ReplicaCore::Tick() {
  switch (role_) {
    case Role::kLeader:
      if (++ticks_since_heartbeat_ >= config_.heartbeat_ticks) SendHeartbeat();
      break;
    case Role::kCandidate:
      if (++ticks_silent_ >= config_.election_ticks) Campaign();
      break;
    case Role::kFollower:
      if (++ticks_silent_ >= config_.election_ticks + config_.self) Campaign();
      break;
    case Role::kLearner:
      break;
  }
  Commit();
}

absl::Status ReplicaCore::Propose(const Command& command) {
  if (absl::Status valid = ValidateCommand(command); !valid.ok()) return valid;
  // A leader campaigning in the epoch its reconfiguration began keeps queueing: it proposes the
  // queue if it wins, and drops it (BecomeFollower) if it loses.
  if (role_ != Role::kLeader && !(role_ == Role::kCandidate && reelecting_))
    return absl::FailedPreconditionError(
        absl::StrCat("member ", config_.self, " is not the leader (hint: ", leader_, ")"));
  queue_.push_back(command);
  ProposeBatches();
  return absl::OkStatus();
}

absl::Status ReplicaCore::Compact(uint64_t index) {
  if (index > applied_)
    return absl::InvalidArgumentError(
        absl::StrCat("compact: index ", index, " is above the applied index ", applied_));
  if (index <= snapshot_index_) return absl::OkStatus();
  snapshot_index_ = index;
  // Keep the last log_retain slots below the snapshot: a replica that lags by less than that
  // catches up from the log instead of installing the whole snapshot.
  const uint64_t start = index > config_.log_retain ? index - config_.log_retain : 0;
  if (start <= log_start_) return absl::OkStatus();
  log_start_ = start;
  chosen_values_.erase(chosen_values_.begin(), chosen_values_.lower_bound(start));
  accepted_.erase(accepted_.begin(), accepted_.lower_bound(start));
  checkpoint_due_ = true;
  return absl::OkStatus();
}

absl::Status ReplicaCore::InstallSnapshot(const SnapshotMeta& snapshot, int from) {
  if (from < 0 || from >= n() || from == config_.self)
    return absl::InvalidArgumentError(
        absl::StrCat("install: member ", from, " is not a peer of member ", config_.self));
  if (snapshot.members_size() != n())
    return absl::InvalidArgumentError(absl::StrCat(
        "install: snapshot.members has ", snapshot.members_size(), " members, want ", n()));
  if (snapshot.epoch() < 1) return absl::InvalidArgumentError("install: snapshot.epoch is 0");
  if (snapshot.index() <= applied_) {
    install_asked_ = 0;
    return absl::OkStatus();  // nothing new (another install or the log got here first)
  }
  if (role_ == Role::kLeader || role_ == Role::kCandidate) BecomeFollower(-1);
  // A snapshot of a newer epoch applied stops this replica never applied: what it accepted
  // at or past the snapshot was accepted in an old epoch past its stop, and is void.
  if (snapshot.epoch() > config_.epoch) VoidPast(snapshot.index());
  JumpTo(snapshot);
  install_asked_ = 0;
  fetch_requested_ = 0;
  PaxosMessage fetch = Header(PaxosMessage::FETCH);
  fetch.set_slot(chosen_);
  Send(from, std::move(fetch));
  Commit();
  return absl::OkStatus();
}

void ReplicaCore::JumpTo(const SnapshotMeta& snapshot) {
  AdoptConfiguration(snapshot);
  const uint64_t index = snapshot.index();
  snapshot_index_ = index;
  log_start_ = index;
  applied_ = std::max(applied_, index);
  chosen_ = std::max(chosen_, index);
  chosen_values_.erase(chosen_values_.begin(), chosen_values_.lower_bound(index));
  accepted_.erase(accepted_.begin(), accepted_.lower_bound(index));
  if (reconfig_slot_ && *reconfig_slot_ < index) reconfig_slot_.reset();
  AdvanceWatermark();
  checkpoint_due_ = true;
}

void ReplicaCore::AdoptConfiguration(const SnapshotMeta& snapshot) {
  if (snapshot.epoch() <= config_.epoch) return;
  for (int i = 0; i < n(); ++i) {
    if (config_.members[i] == snapshot.members(i)) continue;
    config_.members[i] = snapshot.members(i);
    incarnations_[i] = 0;
    suspected_.erase(i);
    TakeRole(i, snapshot.members(i));
  }
  config_.epoch = snapshot.epoch();
}

void ReplicaCore::TakeRole(int member, uint64_t process) {
  if (member != config_.self) return;
  if (role_ == Role::kLearner && process == config_.process) {
    role_ = Role::kFollower;
    ticks_silent_ = 0;
  } else if (process != config_.process || config_.process == 0) {
    role_ = Role::kLearner;  // replaced: this replica no longer votes
  }
}

SnapshotMeta ReplicaCore::Meta(uint64_t index) const {
  SnapshotMeta meta;
  meta.set_index(index);
  meta.set_epoch(config_.epoch);
  for (uint64_t m : config_.members) meta.add_members(m);
  return meta;
}

AcceptorRecord ReplicaCore::Checkpoint() const {
  AcceptorRecord r;
  if (promised_.has_round()) *r.mutable_promised() = promised_;
  r.set_incarnation(config_.incarnation);
  r.set_chosen(chosen_);
  r.set_snapshot(log_start_);
  if (void_from_ > 0) r.set_void_from(void_from_);
  for (const auto& [slot, value] : accepted_) *r.add_accepted() = value;
  for (const auto& [slot, batch] : chosen_values_)
    *r.add_chosen_values() = MakeSlot(slot, Ballot(), batch);
  return r;
}

absl::Status ReplicaCore::ProposeReconfig(int member, uint64_t process) {
  if (member < 0 || member >= n())
    return absl::InvalidArgumentError(absl::StrCat("reconfig.member: ", member, " out of range"));
  if (role_ != Role::kLeader)
    return absl::FailedPreconditionError(
        absl::StrCat("member ", config_.self, " is not the leader (hint: ", leader_, ")"));
  Command c;
  c.set_op(OP_RECONFIG);
  c.set_member(static_cast<uint32_t>(member));
  c.set_process(process);
  queue_.push_back(std::move(c));
  ProposeBatches();
  return absl::OkStatus();
}

void ReplicaCore::Suspect(int member) {
  if (member < 0 || member >= n() || member == config_.self) return;
  suspected_.insert(member);
  if (role_ == Role::kLearner || role_ == Role::kLeader) return;
  if (member != leader_ && leader_ != -1) return;
  leader_ = -1;
  // The lowest-numbered member not suspected campaigns at once; the others give it time.
  int first = -1;
  for (int i = 0; i < n(); ++i) {
    if (!suspected_.contains(i)) {
      first = i;
      break;
    }
  }
  if (first == config_.self) {
    Campaign();
  } else {
    ticks_silent_ = 0;
  }
}

Ready ReplicaCore::TakeReady() {
  if (chosen_ > persisted_chosen_ && !ready_.persist.empty()) {
    ready_.persist.back().set_chosen(chosen_);
    persisted_chosen_ = chosen_;
  }
  if (checkpoint_due_) {
    ready_.checkpoint = Checkpoint();
    persisted_chosen_ = chosen_;
    checkpoint_due_ = false;
  }
  if (config_.snapshot_interval > 0 && applied_ >= snapshot_index_ + config_.snapshot_interval &&
      snapshot_asked_ <= snapshot_index_) {
    ready_.snapshot = Meta(applied_);
    snapshot_asked_ = applied_;
  }
  Ready out = std::move(ready_);
  ready_ = Ready();
  return out;
}

void ReplicaCore::Campaign() {
  max_round_seen_ = std::max({max_round_seen_, promised_.round(), ballot_.round()});
  ballot_ = MakeBallot(max_round_seen_ + 1, config_.self);
  max_round_seen_ = ballot_.round();
  role_ = Role::kCandidate;
  leader_ = -1;
  ticks_silent_ = 0;
  promises_.clear();
  proposals_.clear();
  acks_.clear();
  refill_.clear();
  refill_end_ = 0;
  promised_ = ballot_;
  AcceptorRecord r;
  *r.mutable_promised() = promised_;
  Persist(std::move(r));
  PaxosMessage prepare = Header(PaxosMessage::PREPARE);
  *prepare.mutable_ballot() = ballot_;
  prepare.set_slot(chosen_);
  // This replica's own promise.
  PaxosMessage own = Header(PaxosMessage::PROMISE);
  *own.mutable_ballot() = ballot_;
  own.set_slot(chosen_);
  for (auto it = accepted_.lower_bound(chosen_); it != accepted_.end(); ++it)
    *own.add_entries() = it->second;
  promises_[config_.self] = std::move(own);
  Broadcast(prepare);
  if (static_cast<int>(promises_.size()) >= quorum()) BecomeLeader();
}

void ReplicaCore::BecomeFollower(int leader) {
  reelecting_ = false;
  if (role_ == Role::kLeader || role_ == Role::kCandidate) {
    queue_.clear();
    proposals_.clear();
    acks_.clear();
    refill_.clear();
    refill_end_ = 0;
    reconfig_slot_.reset();
  }
  if (role_ != Role::kLearner) role_ = Role::kFollower;
  leader_ = leader;
  ticks_silent_ = 0;
}

void ReplicaCore::BecomeLeader() {
  reelecting_ = false;
  role_ = Role::kLeader;
  leader_ = config_.self;
  ticks_since_heartbeat_ = 0;
  // Phase 1 is over for every slot from the watermark on: keep the highest-ballot value of
  // each slot any promise reported, and fill the holes with no-ops.
  std::map<uint64_t, SlotValue> best;
  for (const auto& [member, promise] : promises_) {
    for (const SlotValue& v : promise.entries()) {
      // (The last slot number has no successor to end a refill at; no real log reaches it.)
      if (v.slot() < chosen_ || v.slot() == std::numeric_limits<uint64_t>::max()) continue;
      auto it = best.find(v.slot());
      if (it == best.end() || BallotLess(it->second.ballot(), v.ballot())) best[v.slot()] = v;
    }
  }
  for (const auto& [slot, batch] : chosen_values_) {
    if (slot >= chosen_) best[slot] = MakeSlot(slot, MakeBallot(kChosenRound, 0), batch);
  }
  // Stoppable Paxos: a configuration decides nothing past its stop (its reconfiguration slot).
  // A stop outranked by a value at a later slot (a higher ballot) cannot have been chosen: it
  // becomes a no-op. Otherwise nothing past the first stop may be proposed in this epoch: the
  // values past it (of lower ballots, from leaders that did not know of the stop) were never
  // chosen here, and the slots after the stop belong to the next configuration.
  for (auto it = best.begin(); it != best.end(); ++it) {
    if (!IsStop(it->second.batch())) continue;
    const Ballot& stop_ballot = it->second.ballot();
    const bool outranked = std::any_of(std::next(it), best.end(), [&](const auto& later) {
      return BallotLess(stop_ballot, later.second.ballot());
    });
    if (outranked) {
      it->second.clear_batch();
      continue;
    }
    best.erase(std::next(it), best.end());
    break;
  }
  // The re-proposals and the no-ops between them go out through the window like any proposal
  // (ProposeBatches): only the reported values are held, never one entry per hole, so a
  // PROMISE that reports a far slot (a faulty peer's, or a fuzzer's) costs no more than a window
  // per step, and the holes are filled only as the window reaches them.
  refill_.clear();
  for (auto& [slot, value] : best) refill_.emplace(slot, std::move(*value.mutable_batch()));
  refill_end_ = best.empty() ? chosen_ : best.rbegin()->first + 1;
  next_slot_ = chosen_;
  proposals_.clear();
  acks_.clear();
  reconfig_slot_.reset();
  if (!ProposeBatches()) SendHeartbeat();
}

bool ReplicaCore::ProposeBatches() {
  if (role_ != Role::kLeader) return false;
  if (next_slot_ < chosen_) {
    // The leader learned chosen slots it had not proposed yet (a FETCHED it asked for as a
    // follower, answered after it won): they need no proposal. Without this the window test
    // below underflows and the leader proposes nothing again (campaign seed 26).
    refill_.erase(refill_.begin(), refill_.lower_bound(chosen_));
    next_slot_ = chosen_;
  }
  PaxosMessage accept = Header(PaxosMessage::ACCEPT);
  *accept.mutable_ballot() = ballot_;
  AcceptorRecord record;
  while ((next_slot_ < refill_end_ || !queue_.empty()) && !reconfig_slot_ &&
         next_slot_ - chosen_ < static_cast<uint64_t>(config_.window)) {
    Batch batch;
    const uint64_t slot = next_slot_++;
    if (slot < refill_end_) {
      // Phase 1's outcome first: the highest-ballot value reported for the slot, else a no-op.
      if (auto it = refill_.find(slot); it != refill_.end()) {
        batch = std::move(it->second);
        refill_.erase(it);
      }
      if (IsStop(batch)) reconfig_slot_ = slot;
    } else if (queue_.front().op() == OP_RECONFIG) {
      // A reconfiguration sits alone in its slot, and nothing is proposed after it until it is
      // applied: the next slots belong to the new configuration.
      *batch.add_commands() = std::move(queue_.front());
      queue_.pop_front();
      reconfig_slot_ = slot;
    } else {
      while (!queue_.empty() && queue_.front().op() != OP_RECONFIG &&
             batch.commands_size() < config_.max_batch) {
        *batch.add_commands() = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    const SlotValue v = MakeSlot(slot, ballot_, batch);
    accepted_[slot] = v;
    *record.add_accepted() = v;
    *accept.add_entries() = v;
    proposals_[slot] = batch;
    acks_[slot] = {config_.self};
  }
  if (accept.entries_size() == 0) return false;
  Persist(std::move(record));
  accept.set_chosen(chosen_);
  Broadcast(accept);
  if (quorum() == 1) {
    for (const auto& [slot, batch] : std::map<uint64_t, Batch>(proposals_)) MarkChosen(slot, batch);
    proposals_.clear();
    acks_.clear();
    AdvanceWatermark();
    Commit();
  }
  return true;
}

void ReplicaCore::SendHeartbeat() {
  ticks_since_heartbeat_ = 0;
  PaxosMessage commit = Header(PaxosMessage::COMMIT);
  *commit.mutable_ballot() = ballot_;
  commit.set_chosen(chosen_);
  for (int peer = 0; peer < n(); ++peer) {
    if (peer == config_.self) continue;
    Send(peer, commit);
    // Retransmit what this peer has not acknowledged (messages may be lost).
    PaxosMessage accept = Header(PaxosMessage::ACCEPT);
    *accept.mutable_ballot() = ballot_;
    accept.set_chosen(chosen_);
    for (const auto& [slot, batch] : proposals_) {
      if (!acks_[slot].contains(peer)) *accept.add_entries() = MakeSlot(slot, ballot_, batch);
    }
    if (accept.entries_size() > 0) Send(peer, std::move(accept));
  }
}

void ReplicaCore::MarkChosen(uint64_t slot, const Batch& batch) {
  if (slot < chosen_) return;
  chosen_values_.emplace(slot, batch);
}

void ReplicaCore::AdvanceWatermark() {
  while (chosen_values_.contains(chosen_)) ++chosen_;
}

void ReplicaCore::Commit() {
  const uint64_t epoch = config_.epoch;
  while (applied_ < chosen_) {
    const uint64_t slot = applied_;
    const Batch& batch = chosen_values_.at(slot);
    ready_.committed.push_back(MakeSlot(slot, Ballot(), batch));
    // The leader announces the stop's watermark in the old epoch first, so that a follower that
    // accepted the stop applies it before the PREPARE of the new epoch (below) reaches it, and
    // promises at once (links are FIFO) instead of only fetching the stop.
    if (role_ == Role::kLeader && IsStop(batch)) SendHeartbeat();
    for (const Command& c : batch.commands()) {
      if (c.op() != OP_RECONFIG || c.member() >= config_.members.size()) continue;
      config_.members[c.member()] = c.process();
      incarnations_[c.member()] = 0;
      config_.epoch += 1;
      suspected_.erase(static_cast<int>(c.member()));
      TakeRole(static_cast<int>(c.member()), c.process());
      VoidPast(slot + 1);
    }
    if (reconfig_slot_ && *reconfig_slot_ == slot) reconfig_slot_.reset();
    ++applied_;
  }
  // Every configuration starts with a phase 1 of its own. A leader (or candidate) of the old
  // epoch holds promises of the old configuration only: the member that joined never promised
  // its ballot, and members that learned the stop by FETCH may not have either, so a quorum of
  // the new configuration could elect a lower ballot and choose another value at a slot this
  // leader also gets chosen (scenario 19). It campaigns again, in the new epoch, before
  // proposing there; its queued commands wait for the outcome.
  if (config_.epoch != epoch && (role_ == Role::kLeader || role_ == Role::kCandidate)) {
    const bool leading = role_ == Role::kLeader;
    Campaign();
    reelecting_ = leading && role_ == Role::kCandidate;
  }
}

void ReplicaCore::VoidPast(uint64_t from) {
  if (from <= void_from_) return;  // done already (and durable): a Restore applying it again
  void_from_ = from;
  accepted_.erase(accepted_.lower_bound(from), accepted_.end());
  AcceptorRecord r;
  r.set_void_from(from);
  Persist(std::move(r));
}

void ReplicaCore::OnPrepare(const PaxosMessage& m) {
  if (BallotLess(m.ballot(), promised_)) {
    PaxosMessage reject = Header(PaxosMessage::REJECT);
    *reject.mutable_ballot() = promised_;
    Send(static_cast<int>(m.from()), std::move(reject));
    return;
  }
  if (!BallotEqual(m.ballot(), promised_)) {
    promised_ = m.ballot();
    AcceptorRecord r;
    *r.mutable_promised() = promised_;
    Persist(std::move(r));
  }
  max_round_seen_ = std::max(max_round_seen_, m.ballot().round());
  BecomeFollower(-1);
  PaxosMessage promise = Header(PaxosMessage::PROMISE);
  *promise.mutable_ballot() = m.ballot();
  promise.set_slot(m.slot());
  promise.set_chosen(chosen_);
  promise.set_snapshot(log_start_);
  for (auto it = accepted_.lower_bound(m.slot()); it != accepted_.end(); ++it)
    *promise.add_entries() = it->second;
  // Values this replica knows chosen (learned, perhaps never accepted here) outrank any ballot.
  for (auto it = chosen_values_.lower_bound(m.slot()); it != chosen_values_.end(); ++it)
    *promise.add_entries() = MakeSlot(it->first, MakeBallot(kChosenRound, 0), it->second);
  Send(static_cast<int>(m.from()), std::move(promise));
}

void ReplicaCore::OnPromise(const PaxosMessage& m) {
  if (role_ != Role::kCandidate || !BallotEqual(m.ballot(), ballot_)) return;
  if (m.snapshot() > chosen_) {
    // The acceptor compacted slots this candidate does not know: it cannot tell which values
    // they hold, so it must not lead. It installs the snapshot instead.
    BecomeFollower(-1);
    AskInstall(static_cast<int>(m.from()), m.snapshot());
    return;
  }
  promises_[static_cast<int>(m.from())] = m;
  if (static_cast<int>(promises_.size()) >= quorum()) BecomeLeader();
}

void ReplicaCore::OnAccept(const PaxosMessage& m) {
  if (BallotLess(m.ballot(), promised_)) {
    PaxosMessage reject = Header(PaxosMessage::REJECT);
    *reject.mutable_ballot() = promised_;
    Send(static_cast<int>(m.from()), std::move(reject));
    return;
  }
  AcceptorRecord record;
  if (!BallotEqual(m.ballot(), promised_)) {
    promised_ = m.ballot();
    *record.mutable_promised() = promised_;
  }
  max_round_seen_ = std::max(max_round_seen_, m.ballot().round());
  BecomeFollower(static_cast<int>(m.ballot().replica()));
  PaxosMessage accepted = Header(PaxosMessage::ACCEPTED);
  *accepted.mutable_ballot() = m.ballot();
  for (const SlotValue& entry : m.entries()) {
    // Stoppable Paxos, the acceptor's half: past a stop this acceptor accepted or learned in its
    // current epoch it accepts nothing more of this epoch (the next configuration owns those
    // slots). No correct leader sends such a value; one that did not know of the stop might.
    if (StopBefore(entry.slot())) continue;
    SlotValue v = MakeSlot(entry.slot(), m.ballot(), entry.batch());
    accepted_[entry.slot()] = v;
    *record.add_accepted() = std::move(v);
    accepted.add_slots(entry.slot());
  }
  if (record.has_promised() || record.accepted_size() > 0) Persist(std::move(record));
  if (accepted.slots_size() > 0) Send(static_cast<int>(m.from()), std::move(accepted));
  LearnUpTo(m.chosen(), m.ballot(), static_cast<int>(m.from()));
}

bool ReplicaCore::StopBefore(uint64_t slot) const {
  // Stops below applied_ were applied (the epoch moved past them); a chosen value outranks
  // whatever this acceptor accepted at its slot.
  for (auto it = chosen_values_.lower_bound(applied_);
       it != chosen_values_.end() && it->first < slot; ++it) {
    if (IsStop(it->second)) return true;
  }
  for (auto it = accepted_.lower_bound(applied_); it != accepted_.end() && it->first < slot; ++it) {
    if (IsStop(it->second.batch()) && !chosen_values_.contains(it->first)) return true;
  }
  return false;
}

void ReplicaCore::OnAccepted(const PaxosMessage& m) {
  if (role_ != Role::kLeader || !BallotEqual(m.ballot(), ballot_)) return;
  for (uint64_t slot : m.slots()) {
    auto p = proposals_.find(slot);
    if (p == proposals_.end()) continue;
    std::set<int>& acks = acks_[slot];
    acks.insert(static_cast<int>(m.from()));
    if (static_cast<int>(acks.size()) >= quorum()) {
      MarkChosen(slot, p->second);
      proposals_.erase(p);
      acks_.erase(slot);
    }
  }
  AdvanceWatermark();
}

void ReplicaCore::OnCommit(const PaxosMessage& m) {
  if (role_ == Role::kLearner) {
    LearnUpTo(m.chosen(), m.ballot(), static_cast<int>(m.from()));
    return;
  }
  if (BallotLess(m.ballot(), promised_)) {
    PaxosMessage reject = Header(PaxosMessage::REJECT);
    *reject.mutable_ballot() = promised_;
    Send(static_cast<int>(m.from()), std::move(reject));
    return;
  }
  if (!BallotEqual(m.ballot(), promised_)) {
    promised_ = m.ballot();
    AcceptorRecord r;
    *r.mutable_promised() = promised_;
    Persist(std::move(r));
  }
  max_round_seen_ = std::max(max_round_seen_, m.ballot().round());
  BecomeFollower(static_cast<int>(m.ballot().replica()));
  fetch_requested_ = 0;  // a heartbeat may re-request a lost fetch (or install)
  install_asked_ = 0;
  // Answer the heartbeat (an ACCEPTED of no slots), so the leader knows who is alive.
  PaxosMessage ack = Header(PaxosMessage::ACCEPTED);
  *ack.mutable_ballot() = m.ballot();
  Send(static_cast<int>(m.from()), std::move(ack));
  LearnUpTo(m.chosen(), m.ballot(), static_cast<int>(m.from()));
}

void ReplicaCore::OnReject(const PaxosMessage& m) {
  max_round_seen_ = std::max(max_round_seen_, m.ballot().round());
  if ((role_ == Role::kLeader || role_ == Role::kCandidate) && BallotLess(ballot_, m.ballot()))
    BecomeFollower(-1);
}

void ReplicaCore::OnFetch(const PaxosMessage& m) {
  PaxosMessage fetched = Header(PaxosMessage::FETCHED);
  fetched.set_chosen(chosen_);
  fetched.set_snapshot(log_start_);
  // Below the snapshot the log is gone: the answer is the snapshot index alone.
  if (m.slot() >= log_start_) {
    for (const SlotValue& v : ChosenSince(m.slot(), 256)) *fetched.add_entries() = v;
  }
  Send(static_cast<int>(m.from()), std::move(fetched));
}

void ReplicaCore::AskInstall(int from, uint64_t index) {
  if (install_asked_ >= index) return;
  install_asked_ = index;
  ready_.install = InstallRequest{from, index};
}

void ReplicaCore::OnFetched(const PaxosMessage& m) {
  if (m.snapshot() > chosen_) {
    AskInstall(static_cast<int>(m.from()), m.snapshot());
    return;
  }
  std::vector<SlotValue> values(m.entries().begin(), m.entries().end());
  Learn(values);
  if (chosen_ < m.chosen()) {
    PaxosMessage fetch = Header(PaxosMessage::FETCH);
    fetch.set_slot(chosen_);
    Send(static_cast<int>(m.from()), std::move(fetch));
  }
}

void ReplicaCore::Learn(const std::vector<SlotValue>& chosen) {
  AcceptorRecord record;
  for (const SlotValue& v : chosen) {
    if (v.slot() < chosen_ || chosen_values_.contains(v.slot())) continue;
    chosen_values_[v.slot()] = v.batch();
    *record.add_chosen_values() = v;
  }
  if (record.chosen_values_size() == 0) return;
  Persist(std::move(record));
  AdvanceWatermark();
  Commit();
}

std::vector<SlotValue> ReplicaCore::ChosenSince(uint64_t from, size_t limit) const {
  std::vector<SlotValue> out;
  for (auto it = chosen_values_.lower_bound(from);
       it != chosen_values_.end() && it->first < chosen_ && out.size() < limit; ++it) {
    out.push_back(MakeSlot(it->first, Ballot(), it->second));
  }
  return out;
}

void ReplicaCore::LearnUpTo(uint64_t watermark, const Ballot& ballot, int from) {
  // Only accepted slots can be learned here, so walk those, not every slot number below the
  // watermark: a peer's watermark may be far ahead (or, from a faulty peer, absurd).
  for (auto it = accepted_.lower_bound(chosen_); it != accepted_.end() && it->first < watermark;
       ++it) {
    if (!chosen_values_.contains(it->first) && BallotEqual(it->second.ballot(), ballot))
      chosen_values_[it->first] = it->second.batch();
  }
  AdvanceWatermark();
  if (chosen_ < watermark && fetch_requested_ < watermark) {
    PaxosMessage fetch = Header(PaxosMessage::FETCH);
    fetch.set_slot(chosen_);
    Send(from, std::move(fetch));
    fetch_requested_ = watermark;
  }
}

}  // namespace ddc::paxos
