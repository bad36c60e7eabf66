#include "paxos/replica.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "paxos/kv_state.h"
#include "paxos/replica_core.h"
#include "paxos/replica_state.h"
#include "paxos/state_transfer.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::paxos {
namespace {

// CPU costs of the replica's own work (the network and memory costs are the platform's).
constexpr Duration kStepCost = Nanoseconds(300);
constexpr Duration kApplyCost = Nanoseconds(200);
// Encoding or decoding a snapshot image: a serialization pass over its bytes (about 4 GB/s).
Duration CodecCost(size_t bytes) { return Nanoseconds(static_cast<int64_t>(bytes / 4)); }

uint64_t HashBytes(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool IsReplicaInput(const Envelope& e) {
  return e.Is<PaxosMessage>() || e.Is<ClientRequest>() || e.Is<SuspectNotice>() ||
         e.Is<platform::MemoryFailureNotice>() || e.Is<JoinRequest>() || e.Is<LogSinceRequest>();
}

CoreConfig MakeCoreConfig(const ServiceConfig& config, int member, std::vector<uint64_t> members) {
  CoreConfig c;
  c.self = member;
  c.members = std::move(members);
  c.heartbeat_ticks = 1;
  c.election_ticks = config.election_ticks;
  c.window = config.window;
  c.max_batch = config.max_batch;
  c.snapshot_interval = config.snapshot_interval;
  c.log_retain = config.log_retain;
  return c;
}

// Stop is why a replica stopped serving without an error.
enum class Stop { kNone, kFenced, kMemoryLost };

class Replica {
 public:
  Replica(Process& self, ServiceConfig config, int member, ReplicaState state, ReplicaCore core,
          KvStateMachine kv, Outcome* outcome)
      : self_(self),
        config_(std::move(config)),
        member_(member),
        state_(std::move(state)),
        core_(std::move(core)),
        kv_(std::move(kv)),
        outcome_(outcome),
        life_(outcome->lives.size()),
        source_(std::make_shared<SnapshotSource>()) {
    ReplicaLife life;
    life.member = member;
    life.process = self.name();
    life.process_index = Index(self.id());
    life.started_at = self.Now();
    outcome_->lives.push_back(std::move(life));
    UpdateSource();
  }

  // Serve runs the replica until the process ends (or it is fenced or loses its memory).
  asio::awaitable<absl::Status> Serve() {
    ServeSnapshot(self_, source_);
    Time next_tick = self_.Now() + config_.heartbeat_interval;
    for (;;) {
      DDC_CO_RETURN_IF_ERROR(co_await HandleReady());
      if (stop_ != Stop::kNone) co_return absl::OkStatus();
      const Duration wait = std::max<Duration>(0, next_tick - self_.Now());
      std::optional<Envelope> in = co_await self_.ReceiveWhere(IsReplicaInput, wait);
      if (!in) {
        next_tick = self_.Now() + config_.heartbeat_interval;
        OnTick();
        continue;
      }
      co_await self_.Compute(kStepCost);
      DDC_CO_RETURN_IF_ERROR(co_await OnInput(*in));
    }
  }

  // CatchUp is the learner's life before it votes: read the chosen log from `peer` and apply it,
  // ask the leader to reconfigure this process in, and wait until that reconfiguration is
  // applied here. Returns when the core votes.
  asio::awaitable<absl::Status> CatchUp(ProcessId peer) {
    ProcessId ask = peer;
    bool joined = false;
    Time joined_at = 0;
    Duration rejoin_after = config_.election_timeout();
    for (;;) {
      const uint64_t watermark = core_.chosen_watermark();
      absl::StatusOr<LogSinceReply> reply = co_await ReadLog(ask);
      if (!reply.ok()) {
        if (!absl::IsDeadlineExceeded(reply.status())) co_return reply.status();
        ask = NextPeer(ask);
        continue;
      }
      if (stop_ != Stop::kNone || core_.role() != Role::kLearner) co_return absl::OkStatus();
      if (reply->snapshot() > core_.chosen_watermark()) {
        // The peer compacted the slots this learner needs: install its snapshot first.
        const int from = MemberOf(ask);
        if (from < 0) {
          ask = NextPeer(ask);
          continue;
        }
        DDC_CO_RETURN_IF_ERROR(co_await Install(from));
        DDC_CO_RETURN_IF_ERROR(co_await HandleReady());
        if (stop_ != Stop::kNone) co_return absl::OkStatus();
        continue;
      }
      const bool behind = core_.chosen_watermark() + 1 < reply->chosen();
      if (joined && self_.Now() - joined_at >= rejoin_after) {
        // The join was accepted, but the reconfiguration admitting this learner has not reached
        // it: the leader that proposed it may have died, or chosen it and fallen silent before
        // the peer read here learned of it (campaign seed 146). Ask again, of another peer, with
        // a doubling backoff (if the first join is chosen after all, the second only moves the
        // epoch once more: the member already is this process).
        joined = false;
        ask = NextPeer(ask);
        rejoin_after = std::min(rejoin_after * 2, 8 * config_.election_timeout());
      }
      if (!behind && !joined) {
        JoinRequest join;
        join.set_member(static_cast<uint32_t>(member_));
        join.set_process(Index(self_.id()));
        absl::StatusOr<Received<JoinReply>> joined_reply =
            co_await self_.Call<JoinReply>(ask, join, config_.election_timeout());
        if (joined_reply.ok() && (*joined_reply)->code() == 0) {
          joined = true;
          joined_at = self_.Now();
        } else if (joined_reply.ok() && (*joined_reply)->leader_hint() >= 0) {
          ask = ProcessId{static_cast<uint32_t>(core_.members()[(*joined_reply)->leader_hint()])};
        } else {
          ask = NextPeer(ask);
        }
      }
      // Caught up: poll the peer for the reconfiguration that admits this learner. It is chosen
      // within a round trip or two of the join, so the poll is capped at 100 µs rather than a
      // whole heartbeat (100 ms with etcd's timeouts would dominate the baseline's recovery).
      if (!behind && core_.chosen_watermark() == watermark)
        co_await self_.Sleep(std::min<Duration>(config_.heartbeat_interval, Microseconds(100)));
    }
  }

  // ReadLog learns `peer`'s chosen log from this replica's watermark on, with up to
  // config_.log_window one-way LogSinceRequests of config_.log_batch slots in flight, as far as
  // the peer's watermark reaches (the first request alone when that is not known yet), so that
  // the log streams at link rate rather than one batch per round trip. Replies are learned in
  // any order (the core keeps values above its watermark until the gap fills). Returns the last
  // reply (the peer's watermark and log start), early if the peer's log starts past this
  // replica's watermark (the caller installs its snapshot) or once this replica votes;
  // DEADLINE_EXCEEDED if the peer stays silent for an election timeout.
  asio::awaitable<absl::StatusOr<LogSinceReply>> ReadLog(ProcessId peer) {
    const uint64_t batch = static_cast<uint64_t>(std::max(1, config_.log_batch));
    const size_t window = static_cast<size_t>(std::max(1, config_.log_window));
    uint64_t next = core_.chosen_watermark();
    uint64_t until = std::max(next + 1, peer_chosen_[Index(peer)]);
    std::set<uint64_t> outstanding;  // the slot of every request in flight
    LogSinceReply last;
    for (;;) {
      while (next < until && outstanding.size() < window) {
        LogSinceRequest since;
        since.set_slot(next);
        since.set_limit(static_cast<uint32_t>(batch));
        absl::Status sent = self_.Send(peer, std::move(since));
        if (!sent.ok()) co_return Refused(sent);
        outstanding.insert(next);
        ++outcome_->log_requests;
        outcome_->log_requests_in_flight_max =
            std::max<int64_t>(outcome_->log_requests_in_flight_max, outstanding.size());
        next += batch;
      }
      if (outstanding.empty()) co_return last;
      std::optional<Envelope> in = co_await self_.ReceiveWhere(
          [peer](const Envelope& e) { return e.Is<LogSinceReply>() && e.from() == peer; },
          config_.election_timeout());
      if (!in) {
        co_return absl::DeadlineExceededError(
            absl::StrCat("log catch-up: process ", Index(peer), " silent"));
      }
      const LogSinceReply& reply = in->As<LogSinceReply>();
      if (!outstanding.erase(reply.slot())) continue;  // an answer to an earlier ReadLog
      last = reply;
      peer_chosen_[Index(peer)] = std::max(peer_chosen_[Index(peer)], reply.chosen());
      until = std::max(until, reply.chosen());
      if (reply.snapshot() > core_.chosen_watermark()) co_return last;
      core_.Learn(std::vector<SlotValue>(reply.entries().begin(), reply.entries().end()));
      DDC_CO_RETURN_IF_ERROR(co_await HandleReady());
      if (stop_ != Stop::kNone || core_.role() != Role::kLearner) co_return last;
    }
  }

  Stop stop() const { return stop_; }
  ReplicaCore& core() { return core_; }
  // A learner that copied its bulk state from the checkpoint store installs a peer's snapshot
  // (when the peers compacted past the checkpoint) without copying the bulk again: the
  // checkpoint's bulk is the peers' (it never changes), so the fair baseline replays from the
  // checkpoint as if the peers had kept their log back to it.
  void set_bulk_from_checkpoint() { bulk_from_checkpoint_ = true; }

  // InstallImage makes a fetched snapshot this replica's (durable, then loaded), and tells the
  // core, which then fetches the log after it from member `from`. An image no newer than what
  // is applied here changes nothing.
  asio::awaitable<absl::Status> InstallImage(const SnapshotImage& image, int from) {
    if (image.meta().index() <= core_.applied()) co_return absl::OkStatus();
    co_await self_.Compute(CodecCost(image.ByteSizeLong()));
    DDC_CO_ASSIGN_OR_RETURN(KvStateMachine kv, KvStateMachine::Decode(image.kv()));
    const Time started = self_.Now();
    absl::Status stored = co_await state_.StoreSnapshot(image);
    if (!stored.ok()) co_return Refused(stored);
    Effect("stored a snapshot", started);
    kv_ = std::move(kv);
    DDC_CO_RETURN_IF_ERROR(core_.InstallSnapshot(image.meta(), from));
    UpdateSource();
    ++outcome_->snapshot_installs;
    NoteDigest(image.meta().index(), "installed a snapshot");
    self_.TraceInstant("installed a snapshot",
                       absl::StrCat("\"index\":", image.meta().index(), ",\"from\":", from));
    co_return absl::OkStatus();
  }

 private:
  // Install fetches member `from`'s snapshot (image and bulk, pipelined chunks) and installs it.
  // A source that does not answer is no error: the core asks again on a later heartbeat.
  asio::awaitable<absl::Status> Install(int from) {
    TransferOptions options;
    options.chunk_bytes = config_.chunk_bytes;
    options.window = config_.transfer_window;
    options.timeout = config_.election_timeout();
    options.copy_bulk = !bulk_from_checkpoint_;
    absl::StatusOr<SnapshotImage> image =
        co_await FetchSnapshot(self_, MemberProcess(from), state_.bulk(), options);
    if (absl::IsDeadlineExceeded(image.status()) || absl::IsUnavailable(image.status()))
      co_return absl::OkStatus();
    DDC_CO_RETURN_IF_ERROR(image.status());
    co_return co_await InstallImage(*image, from);
  }

  // TakeSnapshot stores the state machine at the applied index the core asked for, then lets
  // the core compact its log.
  asio::awaitable<absl::Status> TakeSnapshot(const SnapshotMeta& meta) {
    SnapshotImage image;
    *image.mutable_meta() = meta;
    *image.mutable_kv() = kv_.Encode();
    co_await self_.Compute(CodecCost(image.ByteSizeLong()));
    const Time started = self_.Now();
    absl::Status stored = co_await state_.StoreSnapshot(image);
    if (!stored.ok()) co_return Refused(stored);
    Effect("stored a snapshot", started);
    DDC_CO_RETURN_IF_ERROR(core_.Compact(meta.index()));
    UpdateSource();
    ++outcome_->snapshots;
    self_.TraceInstant(
        "snapshot", absl::StrCat("\"index\":", meta.index(), ",\"bytes\":", state_.image().length));
    co_return absl::OkStatus();
  }

  void UpdateSource() {
    source_->index = core_.snapshot_index();
    source_->image = state_.image();
    source_->image_crc = state_.image_crc();
    source_->bulk = state_.bulk();
  }

  int MemberOf(ProcessId process) const {
    for (size_t i = 0; i < core_.members().size(); ++i)
      if (core_.members()[i] == Index(process) && static_cast<int>(i) != member_)
        return static_cast<int>(i);
    return -1;
  }

  // NoteDigest records the state's digest at `applied`; replicas at equal applied indexes must
  // agree.
  void NoteDigest(uint64_t applied, const char* how) {
    const uint64_t digest = kv_.Digest();
    auto [d, first] = outcome_->digest_at_applied.emplace(applied, digest);
    if (!first && d->second != digest)
      outcome_->violations.push_back(absl::StrCat(
          "applied index ", applied, ": digests differ (member ", member_, ", ", how, ")"));
    outcome_->applied_by_member[member_] = {applied, digest};
    outcome_->lives[life_].digest_at[applied] = digest;
  }

  ProcessId NextPeer(ProcessId current) {
    const std::vector<uint64_t>& members = core_.members();
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i] == Index(current)) {
        for (size_t k = 1; k <= members.size(); ++k) {
          const size_t j = (i + k) % members.size();
          if (static_cast<int>(j) != member_) return ProcessId{static_cast<uint32_t>(members[j])};
        }
      }
    }
    return ProcessId{static_cast<uint32_t>(members[(member_ + 1) % members.size()])};
  }

  ProcessId MemberProcess(int member) const {
    return ProcessId{static_cast<uint32_t>(core_.members()[member])};
  }

  bool FencedBefore(Time t) const {
    auto it = outcome_->fenced_at.find(Index(self_.id()));
    return it != outcome_->fenced_at.end() && t >= it->second;
  }
  // Effect notes a successful persist, send or reply that began at `started` (now, unless
  // given); one that began after a steal fenced this process is a zombie effect. (A persist in
  // flight when the CE paused may complete after the steal: its flush reached the ME before the
  // fence, so the thief read it.)
  void Effect(const char* what, std::optional<Time> started = std::nullopt) {
    ReplicaLife& life = outcome_->lives[life_];
    life.last_effect_started = std::max(life.last_effect_started, started.value_or(self_.Now()));
    if (FencedBefore(started.value_or(self_.Now()))) {
      ++outcome_->zombie_effects;
      outcome_->violations.push_back(absl::StrCat("zombie ", self_.name(), " ", what, " at ",
                                                  self_.Now(), " after the steal"));
    }
  }
  // Refused turns a refused effect into a stop: PERMISSION_DENIED (fenced by a steal) or
  // UNAVAILABLE (the memory element died). Anything else is an error.
  absl::Status Refused(const absl::Status& status) {
    if (absl::IsPermissionDenied(status)) {
      ++outcome_->zombie_refusals;
      self_.TraceInstant("fenced: stepping down");
      stop_ = Stop::kFenced;
      return absl::OkStatus();
    }
    if (absl::IsUnavailable(status)) {
      self_.TraceInstant("memory lost: stepping down");
      stop_ = Stop::kMemoryLost;
      return absl::OkStatus();
    }
    return status;
  }

  void OnTick() {
    const int leader = core_.leader();
    core_.Tick();
    if (leader >= 0 && leader != member_ && core_.role() == Role::kCandidate) {
      // The leader's silence outlasted the election timeout: a timeout's suspicion.
      MemberRecovery& r = outcome_->recovery[leader];
      if (r.suspected_at < 0) r.suspected_at = self_.Now();
    }
    if (self_.mode() != Mode::kTransparent || core_.role() != Role::kLeader) return;
    // Transparent mode: a member silent for an election timeout is replaced (its standby builds
    // a learner from a peer's state). Exposed mode leaves dead members to their standbys.
    for (int m = 0; m < static_cast<int>(core_.members().size()); ++m) {
      if (m == member_) continue;
      auto heard = last_heard_.find(m);
      const Time last = heard == last_heard_.end() ? leader_since_ : heard->second;
      if (self_.Now() - last < config_.election_timeout()) continue;
      if (!replace_asked_.insert({core_.epoch(), m}).second) continue;
      MemberRecovery& r = outcome_->recovery[m];
      if (r.suspected_at < 0) r.suspected_at = self_.Now();
      self_.TraceInstant("member silent: asking for a replacement", absl::StrCat("\"member\":", m));
      std::optional<ProcessId> standby = self_.FindProcess(StandbyName(m));
      if (!standby) continue;
      ReplaceRequest request;
      request.set_member(static_cast<uint32_t>(m));
      pending_sends_.push_back({*standby, std::make_shared<const ReplaceRequest>(request)});
    }
  }

  void SuspectMember(int m, const char* why) {
    if (m < 0 || m >= static_cast<int>(core_.members().size())) return;
    MemberRecovery& r = outcome_->recovery[m];
    if (r.suspected_at < 0) r.suspected_at = self_.Now();
    self_.TraceInstant(why, absl::StrCat("\"member\":", m));
    core_.Suspect(m);
  }

  asio::awaitable<absl::Status> OnInput(const Envelope& in) {
    if (const PaxosMessage* m = in.TryAs<PaxosMessage>()) {
      if (m->from() < core_.members().size())
        last_heard_[static_cast<int>(m->from())] = self_.Now();
      if (catchup_target_ < 0 &&
          (m->type() == PaxosMessage::ACCEPT || m->type() == PaxosMessage::COMMIT))
        catchup_target_ = static_cast<int64_t>(m->chosen());
      const uint64_t epoch = core_.epoch();
      absl::Status stepped = core_.Step(*m);
      if (absl::IsFailedPrecondition(stepped)) {
        ++outcome_->stale_messages;  // an old epoch or incarnation: ignored, nothing changed
      } else if (!stepped.ok()) {
        co_return stepped;
      } else {
        NoteActed(*m, epoch);
      }
    } else if (const ClientRequest* request = in.TryAs<ClientRequest>()) {
      co_return co_await OnClientRequest(in, *request);
    } else if (const SuspectNotice* notice = in.TryAs<SuspectNotice>()) {
      SuspectMember(static_cast<int>(notice->member()), "suspect (rack monitor's notice)");
    } else if (const auto* failure = in.TryAs<platform::MemoryFailureNotice>()) {
      for (int m = 0; m < static_cast<int>(core_.members().size()); ++m) {
        if (core_.members()[m] == failure->process())
          SuspectMember(m, "suspect (forwarded memory failure)");
      }
    } else if (const JoinRequest* join = in.TryAs<JoinRequest>()) {
      JoinReply reply;
      absl::Status proposed =
          core_.ProposeReconfig(static_cast<int>(join->member()), join->process());
      reply.set_code(static_cast<int32_t>(proposed.code()));
      reply.set_error(std::string(proposed.message()));
      reply.set_leader_hint(core_.leader());
      co_return ReplyOrStop(in, std::move(reply));
    } else if (const LogSinceRequest* since = in.TryAs<LogSinceRequest>()) {
      LogSinceReply reply;
      reply.set_slot(since->slot());
      // Below the snapshot the log is gone: the reply names the snapshot to install instead.
      if (since->slot() >= core_.log_start()) {
        const size_t limit = since->limit() > 0 ? std::min<size_t>(since->limit(), 4096) : 512;
        for (SlotValue& v : core_.ChosenSince(since->slot(), limit))
          *reply.add_entries() = std::move(v);
      }
      reply.set_chosen(core_.chosen_watermark());
      reply.set_snapshot(core_.log_start());
      if (in.is_request()) co_return ReplyOrStop(in, std::move(reply));
      absl::Status sent = self_.Send(in.from(), std::move(reply));  // a learner's pipelined read
      if (!sent.ok()) co_return Refused(sent);
      Effect("sent");
      co_return absl::OkStatus();
    }
    co_return absl::OkStatus();
  }

  // NoteActed records, for the checks, a peer message the core accepted (ReplicaLife::acted):
  // one entry whenever the sender's (epoch, incarnation) changes. FETCH and FETCHED only move
  // chosen values and may cross epochs, so they are not recorded.
  void NoteActed(const PaxosMessage& m, uint64_t receiver_epoch) {
    if (m.type() == PaxosMessage::FETCH || m.type() == PaxosMessage::FETCHED) return;
    std::vector<ReplicaLife::Acted>& acted = outcome_->lives[life_].acted;
    for (auto it = acted.rbegin(); it != acted.rend(); ++it) {
      if (it->from != m.from()) continue;
      if (it->epoch == m.epoch() && it->incarnation == m.incarnation()) return;
      break;
    }
    acted.push_back({.at = self_.Now(),
                     .from = m.from(),
                     .epoch = m.epoch(),
                     .incarnation = m.incarnation(),
                     .receiver_epoch = receiver_epoch});
  }

  template <typename M>
  absl::Status ReplyOrStop(const Envelope& request, M reply) {
    absl::Status sent = self_.Reply(request, std::move(reply));
    if (!sent.ok()) return Refused(sent);
    Effect("replied");
    return absl::OkStatus();
  }

  ClientReply NotLeader(const absl::Status& why) {
    ClientReply reply;
    reply.set_code(static_cast<int32_t>(absl::StatusCode::kUnavailable));
    reply.set_error(std::string(why.message()));
    reply.set_leader_hint(core_.leader());
    if (core_.leader() >= 0) reply.set_leader_process(core_.members()[core_.leader()]);
    return reply;
  }

  asio::awaitable<absl::Status> OnClientRequest(const Envelope& in, const ClientRequest& request) {
    absl::Status proposed = core_.Propose(request.command());
    if (proposed.ok()) {
      pending_[{request.command().client_id(), request.command().client_seq()}] = in;
      co_return absl::OkStatus();
    }
    ClientReply reply;
    if (absl::IsFailedPrecondition(proposed)) {
      reply = NotLeader(proposed);
    } else {
      reply.set_code(static_cast<int32_t>(proposed.code()));
      reply.set_error(std::string(proposed.message()));
    }
    co_return ReplyOrStop(in, std::move(reply));
  }

  // HandleReady: persist, then send, then apply, then snapshot or install (the core's
  // contract), until the core has nothing more to do.
  asio::awaitable<absl::Status> HandleReady() {
    for (;;) {
      Ready ready = core_.TakeReady();
      if (ready.empty()) break;
      DDC_CO_RETURN_IF_ERROR(co_await HandleOneReady(std::move(ready)));
      if (stop_ != Stop::kNone) break;
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> HandleOneReady(Ready ready) {
    const Role before = role_;
    if (!ready.persist.empty()) {
      const Time started = self_.Now();
      absl::Status persisted = co_await state_.Append(ready.persist);
      if (!persisted.ok()) co_return Refused(persisted);
      Effect("persisted", started);
      for (const AcceptorRecord& record : ready.persist) {
        for (const SlotValue& v : record.chosen_values())
          outcome_->lives[life_].persisted_chosen[v.slot()] =
              HashBytes(v.batch().SerializeAsString());
      }
    }
    if (ready.checkpoint) {
      const Time started = self_.Now();
      absl::Status persisted = co_await state_.AppendCheckpoint(*ready.checkpoint);
      if (!persisted.ok()) co_return Refused(persisted);
      Effect("persisted a checkpoint", started);
    }
    for (Outgoing& out : ready.messages) {
      absl::Status sent = self_.Send(MemberProcess(out.to), std::move(out.message));
      if (!sent.ok()) co_return Refused(sent);
      Effect("sent");
    }
    for (auto& [to, message] : pending_sends_) {
      absl::Status sent = self_.SendShared(to, message);
      if (!sent.ok()) co_return Refused(sent);
    }
    pending_sends_.clear();
    for (const SlotValue& v : ready.committed) {
      DDC_CO_RETURN_IF_ERROR(co_await Apply(v));
      if (stop_ != Stop::kNone) co_return absl::OkStatus();
    }
    if (ready.snapshot) {
      DDC_CO_RETURN_IF_ERROR(co_await TakeSnapshot(*ready.snapshot));
      if (stop_ != Stop::kNone) co_return absl::OkStatus();
    }
    if (ready.install) {
      DDC_CO_RETURN_IF_ERROR(co_await Install(ready.install->from));
      if (stop_ != Stop::kNone) co_return absl::OkStatus();
    }
    role_ = core_.role();
    if (role_ != before) OnRoleChange(before);
    NoteCaughtUp();
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> Apply(const SlotValue& v) {
    const uint64_t slot = v.slot();
    const uint64_t hash = HashBytes(v.batch().SerializeAsString());
    auto [it, fresh] = outcome_->chosen_hash.emplace(slot, hash);
    if (!fresh && it->second != hash)
      outcome_->violations.push_back(absl::StrCat("slot ", slot, ": two values chosen"));
    outcome_->lives[life_].applied[slot] = hash;
    outcome_->chosen_log.emplace(slot, v.batch());
    for (const Command& c : v.batch().commands()) {
      co_await self_.Compute(kApplyCost);
      ClientReply reply = kv_.Apply(c);
      auto waiting = pending_.find({c.client_id(), c.client_seq()});
      if (waiting == pending_.end()) continue;
      const Envelope request = std::move(waiting->second);
      pending_.erase(waiting);
      if (core_.leader() >= 0) reply.set_leader_process(core_.members()[core_.leader()]);
      DDC_CO_RETURN_IF_ERROR(ReplyOrStop(request, std::move(reply)));
      if (stop_ != Stop::kNone) co_return absl::OkStatus();
    }
    NoteDigest(slot + 1, "applied a slot");
    co_return absl::OkStatus();
  }

  void OnRoleChange(Role before) {
    // A leader that applies a reconfiguration runs a phase 1 of the new epoch (replica_core.h):
    // it keeps its waiting clients (the core keeps their commands queued) and, if it wins, is
    // not a change of leader.
    const bool was_leading = before == Role::kLeader || reelecting_;
    reelecting_ = before == Role::kLeader && role_ == Role::kCandidate;
    if (role_ == Role::kCandidate) ++outcome_->elections;
    if (role_ == Role::kLeader) {
      if (!was_leading) ++outcome_->leader_changes;
      leader_since_ = self_.Now();
      // Followers hear only the leader: start every peer's silence clock now, except members
      // already suspected (the old leader keeps its last-heard time).
      for (int m = 0; m < static_cast<int>(core_.members().size()); ++m) {
        if (outcome_->recovery.contains(m) && outcome_->recovery[m].suspected_at >= 0 &&
            outcome_->recovery[m].resumed_at < 0)
          continue;
        last_heard_[m] = self_.Now();
      }
      self_.TraceInstant("leader");
    }
    if (was_leading && role_ != Role::kLeader && !reelecting_) {
      // Leadership lost: the waiting clients must ask the new leader.
      for (auto& [key, request] : pending_) {
        absl::Status sent =
            self_.Reply(request, NotLeader(absl::UnavailableError("leadership lost")));
        if (!sent.ok() && !absl::IsPermissionDenied(sent)) {
          outcome_->errors.push_back(std::string(sent.message()));
        }
      }
      pending_.clear();
    }
  }

  void NoteCaughtUp() {
    auto it = outcome_->recovery.find(member_);
    if (it == outcome_->recovery.end()) return;
    MemberRecovery& r = it->second;
    if (r.resumed_at < 0 || r.caught_up_at >= 0 || catchup_target_ < 0) return;
    if (core_.role() == Role::kLearner) return;
    if (core_.applied() >= static_cast<uint64_t>(catchup_target_)) {
      r.caught_up_at = self_.Now();
      self_.TraceInstant("caught up", absl::StrCat("\"applied\":", core_.applied()));
    }
  }

  Process& self_;
  ServiceConfig config_;
  int member_;
  ReplicaState state_;
  ReplicaCore core_;
  KvStateMachine kv_;
  Outcome* outcome_;
  size_t life_;                             // this instance's entry in outcome_->lives
  std::shared_ptr<SnapshotSource> source_;  // what ServeSnapshot serves
  bool bulk_from_checkpoint_ = false;
  bool reelecting_ = false;
  std::map<uint32_t, uint64_t>
      peer_chosen_;  // the highest watermark each peer reported  // a leader campaigning in the
                     // epoch its reconfiguration began
  Role role_ = Role::kFollower;
  Stop stop_ = Stop::kNone;
  std::map<std::pair<uint64_t, uint64_t>, Envelope> pending_;
  std::map<int, Time> last_heard_;
  Time leader_since_ = 0;
  std::set<std::pair<uint64_t, int>> replace_asked_;
  std::vector<std::pair<ProcessId, std::shared_ptr<const google::protobuf::Message>>>
      pending_sends_;
  int64_t catchup_target_ = -1;
};

asio::awaitable<absl::Status> PrepareExposed(Process& self, const ServiceConfig& config, int member,
                                             const ReplicaState& state) {
  if (self.mode() != Mode::kExposed) co_return absl::OkStatus();
  DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup(kTrustGroup, kTrustSecret));
  DDC_CO_RETURN_IF_ERROR(co_await self.memory().Publish(RootName(member), state.root()));
  // A memory failure under this replica goes to the other replicas and to its standby, which
  // suspect it / replace it at once.
  std::vector<ProcessId> contacts;
  for (int m = 0; m < config.replicas; ++m) {
    if (m == member) continue;
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId peer, FindPeer(self, ReplicaName(m)));
    contacts.push_back(peer);
  }
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId standby, FindPeer(self, StandbyName(member)));
  contacts.push_back(standby);
  co_return self.failures().SetEmergencyContacts(std::move(contacts));
}

}  // namespace

asio::awaitable<absl::Status> RunReplica(Process& self, ServiceConfig config, int member,
                                         Outcome* outcome) {
  DDC_CO_ASSIGN_OR_RETURN(std::vector<uint64_t> members, InitialMembers(self, config));
  DDC_CO_ASSIGN_OR_RETURN(
      ReplicaState state,
      co_await ReplicaState::Create(self.memory(), config.log_bytes, config.state_bytes));
  DDC_CO_RETURN_IF_ERROR(co_await PrepareExposed(self, config, member, state));
  CoreConfig core_config = MakeCoreConfig(config, member, std::move(members));
  core_config.process = Index(self.id());
  DDC_CO_ASSIGN_OR_RETURN(ReplicaCore core, ReplicaCore::Create(core_config));
  Replica replica(self, config, member, std::move(state), std::move(core), KvStateMachine(),
                  outcome);
  co_return co_await replica.Serve();
}

// StolenState is what a reincarnation reads from the stolen memory.
struct StolenState {
  ReplicaState state;
  std::vector<AcceptorRecord> records;
  SnapshotImage image;
};

asio::awaitable<absl::StatusOr<StolenState>> ReadStolenState(Process& self, int member) {
  DDC_CO_ASSIGN_OR_RETURN(const VirtAddr root, co_await self.memory().Lookup(RootName(member)));
  DDC_CO_ASSIGN_OR_RETURN(ReplicaState state, co_await ReplicaState::Open(self.memory(), root));
  DDC_CO_ASSIGN_OR_RETURN(std::vector<AcceptorRecord> records, co_await state.ReadAll());
  DDC_CO_ASSIGN_OR_RETURN(SnapshotImage image, co_await state.ReadSnapshot());
  StolenState stolen{std::move(state), std::move(records), std::move(image)};
  co_return stolen;
}

// MemoryLost: reading the stolen state failed because part of it is gone: a page on a failed
// memory element (UNAVAILABLE; PERMISSION_DENIED where the steal left such a page with the
// victim), a root that was never published or was lost (NOT_FOUND), or a torn structure
// (DATA_LOSS).
bool MemoryLost(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsPermissionDenied(status) ||
         absl::IsNotFound(status) || absl::IsDataLoss(status);
}

asio::awaitable<absl::Status> Reincarnate(Process& self, ServiceConfig config, int member,
                                          ProcessId victim, Outcome* outcome) {
  DDC_CO_ASSIGN_OR_RETURN(std::vector<uint64_t> members, InitialMembers(self, config));
  absl::StatusOr<StolenState> stolen = co_await ReadStolenState(self, member);
  if (!stolen.ok() && MemoryLost(stolen.status())) {
    // The member's compute died and part of its memory too (an ME of its rack failed between
    // the crash and the steal): there is nothing whole to resume from. Fall back to what a
    // transparent system does: a replacement with state transfer from a live peer. The victim
    // stays fenced (the steal took its pages), so it cannot come back as a zombie.
    self.TraceInstant("stolen state unreadable: replacing the member",
                      absl::StrCat("\"error\":\"", absl::CEscape(stolen.status().message()), "\""));
    outcome->recovery[member].how = Recovery::kPeerTransfer;
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId source,
                            FindPeer(self, ReplicaName((member + 1) % config.replicas)));
    co_return co_await Replace(self, config, member, source, outcome);
  }
  DDC_CO_RETURN_IF_ERROR(stolen.status());
  ReplicaState& state = stolen->state;
  const std::vector<AcceptorRecord>& records = stolen->records;
  const SnapshotImage& image = stolen->image;
  co_await self.Compute(CodecCost(image.ByteSizeLong()));
  DDC_CO_ASSIGN_OR_RETURN(KvStateMachine kv, KvStateMachine::Decode(image.kv()));
  CoreConfig core_config = MakeCoreConfig(config, member, std::move(members));
  core_config.process = Index(victim);
  DDC_CO_ASSIGN_OR_RETURN(ReplicaCore core,
                          ReplicaCore::Restore(core_config, records, image.meta()));
  // From now on this process speaks as the member: peers and clients see the identity they know,
  // with a higher incarnation.
  DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(victim));
  outcome->recovery[member].resumed_at = self.Now();
  self.TraceInstant("reincarnated", absl::StrCat("\"records\":", records.size(),
                                                 ",\"snapshot\":", image.meta().index()));
  Replica replica(self, config, member, std::move(state), std::move(core), std::move(kv), outcome);
  co_return co_await replica.Serve();
}

asio::awaitable<absl::Status> Replace(Process& self, ServiceConfig config, int member,
                                      ProcessId source, Outcome* outcome) {
  DDC_CO_ASSIGN_OR_RETURN(std::vector<uint64_t> members, InitialMembers(self, config));
  DDC_CO_ASSIGN_OR_RETURN(
      ReplicaState state,
      co_await ReplicaState::Create(self.memory(), config.log_bytes, config.state_bytes));
  MemberRecovery& r = outcome->recovery[member];
  // The same snapshot transfer a lagging replica uses: the source's image and bulk, pipelined.
  TransferOptions options;
  options.chunk_bytes = config.chunk_bytes;
  options.window = config.transfer_window;
  options.timeout = config.election_timeout();
  absl::StatusOr<SnapshotImage> image;
  for (;;) {
    image = co_await FetchSnapshot(self, source, state.bulk(), options);
    if (!absl::IsDeadlineExceeded(image.status())) break;
    self.TraceInstant("state transfer: the source is silent, asking again");
  }
  DDC_CO_RETURN_IF_ERROR(image.status());
  r.transferred_at = self.Now();
  r.bytes_copied = state.bulk().length + static_cast<int64_t>(image->ByteSizeLong());
  self.TraceInstant("snapshot copied", absl::StrCat("\"bytes\":", r.bytes_copied,
                                                    ",\"index\":", image->meta().index()));
  const int peer_member = (member + 1) % static_cast<int>(members.size());
  const ProcessId peer{static_cast<uint32_t>(members[peer_member])};
  CoreConfig core_config = MakeCoreConfig(config, member, std::move(members));
  core_config.learner = true;
  core_config.process = Index(self.id());
  DDC_CO_ASSIGN_OR_RETURN(ReplicaCore core, ReplicaCore::Create(core_config));
  Replica replica(self, config, member, std::move(state), std::move(core), KvStateMachine(),
                  outcome);
  if (self.FindProcess(kCheckpointStoreName) == std::optional<ProcessId>(source))
    replica.set_bulk_from_checkpoint();
  DDC_CO_RETURN_IF_ERROR(co_await replica.InstallImage(*image, peer_member));
  DDC_CO_RETURN_IF_ERROR(co_await replica.CatchUp(peer));
  r.resumed_at = self.Now();
  r.caught_up_at = self.Now();  // a learner joins only once it has caught up
  self.TraceInstant("voting member", absl::StrCat("\"applied\":", replica.core().applied()));
  co_return co_await replica.Serve();
}

}  // namespace ddc::paxos
