// ReplicaCore is one replica's Multi-Paxos protocol as a pure, deterministic state machine in the
// style of etcd/raft: it is driven by Step (a message from a peer), Tick (one unit of time),
// Propose (a client command) and Suspect (a failure notification), and it performs no I/O.
// After driving it, the caller takes a Ready and must, in this order:
//   1. make ready.persist durable (the acceptor's promise and accepted values: the store's fsync),
//      then ready.checkpoint, if any, as a record of its own, and drop the records before it,
//   2. send ready.messages,
//   3. apply ready.committed to the state machine, in order (slots are consecutive),
//   4. if ready.snapshot is set, make a snapshot of the state machine (now at applied index
//      snapshot->index()) durable and call Compact(index),
//   5. if ready.install is set, fetch member install->from's snapshot, make it durable, load it
//      into the state machine and call InstallSnapshot.
// It then calls nothing else until it has done so (the core assumes step 1 happened).
//
// Protocol (paxos/README.md has the full story):
// - Stable leader; ballots are (round, replica). A replica that has heard nothing from a leader
//   for election_ticks (+ its index, to stagger candidates) ticks, or is told the leader is
//   suspected (Suspect), runs phase 1 over every slot from its chosen watermark on: one PREPARE,
//   PROMISEs carry every accepted value at or above it. The new leader re-proposes the highest-
//   ballot value of every slot it learned of and fills holes with no-ops.
// - The leader batches up to max_batch queued commands per slot and keeps at most `window`
//   slots in flight (proposed, not yet chosen).
// - The chosen watermark (every slot below it is chosen and known here) rides on ACCEPTs and
//   heartbeats (COMMIT); a follower learns a slot below it when it accepted that slot under the
//   leader's ballot, and fetches the rest (hole recovery, FETCH/FETCHED).
// - Every message carries the configuration epoch and the sender's incarnation. Step rejects
//   one from an older epoch or an older incarnation of its sender (FAILED_PRECONDITION, naming
//   it) and changes nothing; to a PREPARE, ACCEPT or COMMIT of an older epoch it answers with
//   its watermark (a FETCHED of no values), so a sender that missed the reconfiguration fetches
//   it instead of campaigning for ever in a configuration that ended. A replica that restarts from
//   its durable records (Restore) comes back with a higher incarnation. A ballot round of 2^63 or
//   more is refused (INVALID_ARGUMENT): campaigns add one to the highest round seen, so no correct
//   replica reaches it, and a higher one would overflow the next campaign's round.
// - Reconfiguration is a command in the log (OP_RECONFIG replaces one member): when it is
//   applied the epoch grows by one. The reconfiguration stops its configuration at that slot
//   (Stoppable Paxos, stop-and-restart): no slot past it is decided in the old epoch. The leader
//   proposes nothing past it until it is applied; a new leader whose phase 1 finds it completes
//   it and proposes nothing past it (unless a later slot holds a value of a higher ballot, which
//   proves the stop was never chosen: it becomes a no-op); an acceptor that accepted or learned
//   it accepts nothing past it in that epoch. Every configuration starts with a phase 1 of its
//   own: a leader (or candidate) that applies a stop announces it (a heartbeat of the old epoch)
//   and campaigns in the new epoch before proposing there. Applying a stop voids (durably) what
//   the acceptor accepted past it: those values were accepted in the old epoch and never chosen.
// - A new leader re-proposes phase 1's values, and no-ops for the holes between them, through
//   its window like any proposal (a far slot in a PROMISE costs no more than a window a step).
// - A learner (a replacement catching up) accepts chosen values and never votes until the
//   reconfiguration that names it is applied.
// - Snapshots (etcd/raft style, the core decides, the caller stores): every snapshot_interval
//   applied slots the core asks for a snapshot of the state machine (Ready::snapshot); once the
//   caller made it durable, Compact drops the log below it (but log_retain slots) and emits a
//   checkpoint record that lets the caller drop its older records. A FETCH for compacted slots is
//   answered with the snapshot index instead of values; the fetcher asks its caller to install that
//   snapshot (Ready::install) and then fetches the suffix. A candidate that learns from a PROMISE
//   that an acceptor compacted past its own watermark cannot know those slots' values: it gives up
//   its campaign and installs the snapshot first (a lagging replica never leads).
#ifndef DDC_PAXOS_REPLICA_CORE_H_
#define DDC_PAXOS_REPLICA_CORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "paxos/paxos.pb.h"

namespace ddc::paxos {

struct CoreConfig {
  int self = 0;
  // members are the processes of the configuration, by member index (opaque ids for the caller).
  std::vector<uint64_t> members;
  uint64_t epoch = 1;
  uint32_t incarnation = 0;
  int heartbeat_ticks = 1;
  int election_ticks = 10;
  int window = 32;
  int max_batch = 16;
  // learner: this process (id `process`) is catching up to replace member `self`; it votes only
  // once the reconfiguration naming it is applied.
  bool learner = false;
  uint64_t process = 0;
  // snapshot_interval: ask for a snapshot (and compact the log) every this many applied slots;
  // 0 never does. The store's default is ServiceConfig::snapshot_interval.
  uint64_t snapshot_interval = 0;
  // log_retain: compaction keeps this many slots below the snapshot in the log, so that a replica
  // lagging by less catches up from the log (FETCH), not by installing the snapshot.
  uint64_t log_retain = 0;
};

// InstallRequest: the caller must install member `from`'s snapshot (whose index is at least
// `index`) before this replica can learn more of the log.
struct InstallRequest {
  int from = 0;
  uint64_t index = 0;
};

struct Outgoing {
  int to = 0;  // member index
  PaxosMessage message;
};

struct Ready {
  std::vector<AcceptorRecord> persist;
  std::optional<AcceptorRecord> checkpoint;  // the whole acceptor state; older records may go
  std::vector<Outgoing> messages;
  std::vector<SlotValue> committed;
  std::optional<SnapshotMeta> snapshot;  // snapshot the state machine at this applied index
  std::optional<InstallRequest> install;
  bool empty() const {
    return persist.empty() && !checkpoint && messages.empty() && committed.empty() && !snapshot &&
           !install;
  }
};

enum class Role { kFollower, kCandidate, kLeader, kLearner };
const char* RoleName(Role role);

// BallotLess orders ballots (round, then replica); an absent ballot is the lowest.
bool BallotLess(const Ballot& a, const Ballot& b);
bool BallotEqual(const Ballot& a, const Ballot& b);

class ReplicaCore {
 public:
  // Create validates the config (INVALID_ARGUMENT naming the field).
  static absl::StatusOr<ReplicaCore> Create(const CoreConfig& config);
  // Restore rebuilds a replica from its durable records (oldest first) and its durable snapshot
  // (`snapshot`, index 0: none; the caller loads the state machine from it) and bumps its
  // incarnation; the caller persists ready.persist (the new incarnation) before anything else.
  // DATA_LOSS if the records were compacted past the snapshot.
  static absl::StatusOr<ReplicaCore> Restore(const CoreConfig& config,
                                             const std::vector<AcceptorRecord>& records,
                                             const SnapshotMeta& snapshot = SnapshotMeta());

  absl::Status Step(const PaxosMessage& message);
  void Tick();
  // Propose queues a client command at the leader (or at a leader campaigning in the epoch its
  // reconfiguration began): FAILED_PRECONDITION (with the leader hint in leader()) when this
  // replica is not the leader, INVALID_ARGUMENT for a bad command.
  absl::Status Propose(const Command& command);
  // ProposeReconfig queues a membership change (leader only).
  absl::Status ProposeReconfig(int member, uint64_t process);
  // Suspect: a failure notification names `member` as dead or fenced.
  void Suspect(int member);
  // Compact: the caller made the snapshot at `index` (one Ready::snapshot asked for) durable.
  // The core forgets the log below it and emits a checkpoint. INVALID_ARGUMENT if `index` is
  // above the applied index; an index at or below the current snapshot changes nothing.
  absl::Status Compact(uint64_t index);
  // InstallSnapshot: the caller made `snapshot` (fetched from member `from`) durable and loaded
  // the state machine from it. The core jumps to it (watermark, applied index, configuration),
  // emits a checkpoint and fetches the log suffix from `from`. A snapshot at or below the applied
  // index changes nothing; INVALID_ARGUMENT for a malformed one (wrong member count, epoch 0,
  // `from` not a peer).
  absl::Status InstallSnapshot(const SnapshotMeta& snapshot, int from);

  Ready TakeReady();

  Role role() const { return role_; }
  int self() const { return config_.self; }
  int leader() const { return leader_; }
  uint64_t epoch() const { return config_.epoch; }
  uint32_t incarnation() const { return config_.incarnation; }
  const std::vector<uint64_t>& members() const { return config_.members; }
  const Ballot& promised() const { return promised_; }
  uint64_t chosen_watermark() const { return chosen_; }
  uint64_t applied() const { return applied_; }
  // snapshot_index: the applied index of the latest snapshot (taken or installed).
  uint64_t snapshot_index() const { return snapshot_index_; }
  // log_start: the log starts here (slots below were compacted; <= snapshot_index()).
  uint64_t log_start() const { return log_start_; }
  // ChosenValue is the chosen batch of `slot` if this replica knows it.
  const Batch* ChosenValue(uint64_t slot) const;
  // AcceptedValue is what this acceptor accepted at `slot` (nullptr: nothing).
  const SlotValue* AcceptedValue(uint64_t slot) const;
  size_t queued() const { return queue_.size(); }
  uint64_t in_flight() const { return next_slot_ > chosen_ ? next_slot_ - chosen_ : 0; }
  // Learn installs chosen values from state transfer (slots at or above the watermark).
  void Learn(const std::vector<SlotValue>& chosen);
  // ChosenSince returns the chosen values of [from, chosen watermark), at most `limit` (none
  // below log_start(): those were compacted).
  std::vector<SlotValue> ChosenSince(uint64_t from, size_t limit) const;

 private:
  explicit ReplicaCore(const CoreConfig& config);
  int quorum() const { return static_cast<int>(config_.members.size()) / 2 + 1; }
  int n() const { return static_cast<int>(config_.members.size()); }
  PaxosMessage Header(PaxosMessage::Type type) const;
  void Send(int to, PaxosMessage message);
  void Broadcast(const PaxosMessage& message);
  void Persist(AcceptorRecord record) { ready_.persist.push_back(std::move(record)); }

  void Campaign();
  void BecomeFollower(int leader);
  void BecomeLeader();
  // ProposeBatches proposes what the window allows: phase 1's refill first, then the queue;
  // false if it proposed nothing.
  bool ProposeBatches();
  void SendHeartbeat();
  void MarkChosen(uint64_t slot, const Batch& batch);
  void AdvanceWatermark();
  void Commit();

  void OnPrepare(const PaxosMessage& m);
  void OnPromise(const PaxosMessage& m);
  void OnAccept(const PaxosMessage& m);
  void OnAccepted(const PaxosMessage& m);
  void OnCommit(const PaxosMessage& m);
  void OnReject(const PaxosMessage& m);
  void OnFetch(const PaxosMessage& m);
  void OnFetched(const PaxosMessage& m);
  // StopBefore: this acceptor accepted or learned a reconfiguration (a stop) of its current
  // epoch at a slot below `slot`, so it must accept nothing at `slot` in this epoch.
  bool StopBefore(uint64_t slot) const;
  // LearnUpTo marks chosen what this acceptor accepted under `ballot` below `watermark`, and
  // fetches the rest from `from`.
  void LearnUpTo(uint64_t watermark, const Ballot& ballot, int from);
  // JumpTo moves this replica to a snapshot: forgets the log below its index, adopts its
  // configuration, and marks a checkpoint due.
  void JumpTo(const SnapshotMeta& snapshot);
  // AdoptConfiguration takes the epoch and members of `snapshot` if newer than this replica's.
  void AdoptConfiguration(const SnapshotMeta& snapshot);
  // TakeRole applies a change of member `member` to process `process` to this replica's role.
  void TakeRole(int member, uint64_t process);
  // AskInstall asks the caller (Ready::install) to install member `from`'s snapshot, once.
  void AskInstall(int from, uint64_t index);
  // VoidPast drops (durably) every value accepted at or past `from`: called when a stop at
  // from - 1 is applied (or a snapshot of a newer epoch is installed at `from`), those values
  // were accepted in the old epoch past its stop, were never chosen, and must not be reported
  // to a phase 1 of the new epoch.
  void VoidPast(uint64_t from);
  AcceptorRecord Checkpoint() const;
  SnapshotMeta Meta(uint64_t index) const;

  CoreConfig config_;
  Role role_ = Role::kFollower;
  int leader_ = -1;
  Ballot promised_;
  std::map<uint64_t, SlotValue> accepted_;
  std::map<uint64_t, Batch> chosen_values_;  // known chosen, not yet compacted
  uint64_t chosen_ = 0;                      // every slot below is chosen and known
  uint64_t applied_ = 0;                     // every slot below was handed out as committed
  std::vector<uint32_t> incarnations_;       // highest seen, by member
  std::set<int> suspected_;
  int ticks_silent_ = 0;
  int ticks_since_heartbeat_ = 0;
  uint64_t fetch_requested_ = 0;  // watermark a FETCH is in flight for
  uint64_t persisted_chosen_ = 0;
  uint64_t max_round_seen_ = 0;
  uint64_t snapshot_index_ = 0;  // the latest snapshot's index
  uint64_t log_start_ = 0;       // the log starts here
  uint64_t snapshot_asked_ = 0;  // index of the snapshot asked for, not compacted yet
  uint64_t install_asked_ = 0;   // index of the snapshot install asked for, not done yet
  bool checkpoint_due_ = false;
  uint64_t void_from_ = 0;  // accepted values at or past it were voided by an applied stop

  // Candidate / leader.
  Ballot ballot_;
  std::map<int, PaxosMessage> promises_;
  uint64_t next_slot_ = 0;
  std::map<uint64_t, std::set<int>> acks_;
  std::map<uint64_t, Batch> proposals_;
  std::deque<Command> queue_;
  std::map<uint64_t, Batch> refill_;  // phase 1's values still to re-propose, by slot
  uint64_t refill_end_ = 0;           // slots below it (from next_slot_) are phase 1's: refill
                                      // or no-op
  bool reelecting_ = false;           // a leader's campaign in the epoch its reconfiguration began
  std::optional<uint64_t> reconfig_slot_;  // a reconfiguration in flight, not applied yet

  Ready ready_;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_REPLICA_CORE_H_
