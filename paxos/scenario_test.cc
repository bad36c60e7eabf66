// Data-driven scenario tests of the pure protocol core (ReplicaCore) and the KV state machine.
// Each file in paxos/testdata/*.txt is a script of steps, one a line ('#' starts a comment):
//
//   config replicas=3 election=10 heartbeat=1 window=32 batch=16 snapshot=0 retain=0
//                                   (first; defaults shown; snapshot = the snapshot interval,
//                                   retain = the log slots kept below a snapshot)
//   tick <r|all> [times]            tick replicas, delivering nothing
//   propose <r> put|get|delete <key> [value]   a client command at replica r (fresh client)
//   propose <r> cas <key> <expected|-> <value>
//   retry <r> [n]                   propose the n-th (default: last) proposed command again
//                                   (same client and sequence)
//   reconfig <r> <member> <process>           replica r proposes a membership change
//   deliver [all | <a>-><b>]        deliver queued messages in order until none is left
//   drop [all | <a>-><b>]           drop the queued messages
//   dup <a>-><b>                    duplicate the queued messages from a to b
//   crash <r>                       r loses everything but its persisted records and snapshot
//   restart <r>                     r restores from its persisted records and snapshot
//   compact <r> <index>             call Compact by hand (its result is kept)
//   install <r> [crash]             r installs the snapshot its core asked for (copied from the
//                                   source's current snapshot); with `crash`, r stores the
//                                   snapshot durably and crashes before its core learns of it
//   suspect <r> <member>            a failure notification at r names member
//   replace <r> <process>           member r's process is gone; a fresh learner (process id
//                                   <process>, epoch 1, nothing promised) takes its place
//   learn <r> <from>                r learns every chosen value <from> knows (the learner's
//                                   LogSinceRequest catch-up, as Replace does)
//   inject <r> <from> epoch=<e> incarnation=<i> type=<t>   craft a message; its result is kept
//   expect role <r> <role> | leader <r> <member> | chosen <r> <n> | applied <r> <n>
//   expect value <r> <key> <value|-> | digests-equal | inflight <r> <= <n>
//   expect error <substring> | ok | reply <r> <field>=<value> | epoch <r> <n>
//   expect incarnation <r> <n>
//   expect snapshot <r> <index> | log-start <r> <slot> | records <r> <n> (durable records)
//   expect installing <r> <from>
//   expect accepted <r> <slot> none|<n commands>   what r's acceptor holds at slot
//   expect not-installing <r>
//
// Every replica takes the snapshots its core asks for at once (the image is the KV state
// machine's Encode, decoded again on install and restart), compacts, and keeps only the records
// from the last checkpoint on, as the replica process does with its DurableLog.
// After every step the interpreter checks that no two replicas know different values for one
// chosen slot, and that replicas at the same applied index have equal digests.
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "paxos/kv_state.h"
#include "paxos/replica_core.h"

namespace ddc::paxos {
namespace {

struct Wire {
  int from;
  int to;
  PaxosMessage message;
};

struct Snapshot {
  SnapshotMeta meta;
  KvImage kv;
};

struct Replica {
  uint64_t process = 0;
  std::optional<ReplicaCore> core;
  std::vector<AcceptorRecord> durable;
  Snapshot snapshot;  // durable too (meta.index 0: none)
  std::optional<InstallRequest> installing;
  KvStateMachine kv;
  std::vector<ClientReply> replies;
};

class Scenario {
 public:
  explicit Scenario(std::string name) : name_(std::move(name)) {}

  // Run executes every line; a failure names the file and line.
  void Run(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::vector<std::string> w = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      if (w.empty()) continue;
      SCOPED_TRACE(absl::StrCat(name_, ":", line_no_, ": ", line));
      Execute(w);
      CheckInvariants();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  int R(const std::string& s) { return std::stoi(s); }
  std::vector<int> Targets(const std::string& s) {
    if (s != "all") return {R(s)};
    std::vector<int> all;
    for (int i = 0; i < static_cast<int>(replicas_.size()); ++i) all.push_back(i);
    return all;
  }
  ReplicaCore& Core(int r) {
    if (!replicas_.at(r).core) ADD_FAILURE() << "replica " << r << " is crashed";
    return *replicas_.at(r).core;
  }

  void Configure(const std::vector<std::string>& w) {
    int n = 3;
    for (size_t i = 1; i < w.size(); ++i) {
      std::pair<std::string, std::string> kv = absl::StrSplit(w[i], '=');
      const int v = std::stoi(kv.second);
      if (kv.first == "replicas") n = v;
      if (kv.first == "election") config_.election_ticks = v;
      if (kv.first == "heartbeat") config_.heartbeat_ticks = v;
      if (kv.first == "window") config_.window = v;
      if (kv.first == "batch") config_.max_batch = v;
      if (kv.first == "snapshot") config_.snapshot_interval = static_cast<uint64_t>(v);
      if (kv.first == "retain") config_.log_retain = static_cast<uint64_t>(v);
    }
    config_.members.clear();
    for (int i = 0; i < n; ++i) config_.members.push_back(100 + i);
    replicas_.clear();
    replicas_.resize(n);
    for (int i = 0; i < n; ++i) {
      CoreConfig c = config_;
      c.self = i;
      c.process = 100 + i;
      absl::StatusOr<ReplicaCore> core = ReplicaCore::Create(c);
      ASSERT_TRUE(core.ok()) << core.status();
      replicas_[i].core.emplace(*std::move(core));
      replicas_[i].process = c.process;
    }
  }

  // Drain moves replica r's Ready into the world: persist, send, apply.
  void Drain(int r) {
    Replica& rep = replicas_[r];
    if (!rep.core) return;
    Ready ready = rep.core->TakeReady();
    for (AcceptorRecord& rec : ready.persist) rep.durable.push_back(std::move(rec));
    if (ready.checkpoint) rep.durable = {*std::move(ready.checkpoint)};
    for (Outgoing& out : ready.messages) wire_.push_back({r, out.to, std::move(out.message)});
    for (const SlotValue& v : ready.committed) {
      for (const Command& c : v.batch().commands()) rep.replies.push_back(rep.kv.Apply(c));
      applied_digest_[{r, v.slot() + 1}] = rep.kv.Digest();
    }
    if (ready.install) rep.installing = ready.install;
    if (ready.snapshot) {
      ASSERT_EQ(ready.snapshot->index(), rep.core->applied());
      rep.snapshot = {*ready.snapshot, rep.kv.Encode()};
      ASSERT_TRUE(rep.core->Compact(ready.snapshot->index()).ok());
      Drain(r);
    }
  }

  // Install copies the snapshot r's core asked for from its source (the source's current one,
  // at least as new), makes it durable at r, and (unless `crash`) hands it to r's core.
  void Install(int r, bool crash) {
    Replica& rep = replicas_.at(r);
    ASSERT_TRUE(rep.installing) << "replica " << r << " has no install to do";
    const InstallRequest install = *rep.installing;
    const Snapshot& source = replicas_.at(install.from).snapshot;
    ASSERT_GE(source.meta.index(), install.index) << "the source has no such snapshot";
    if (source.meta.index() <= Core(r).applied()) {  // the log got there first: nothing to do
      rep.installing.reset();
      return;
    }
    rep.snapshot = source;
    rep.installing.reset();
    if (crash) return Crash(r);
    absl::StatusOr<KvStateMachine> kv = KvStateMachine::Decode(rep.snapshot.kv);
    ASSERT_TRUE(kv.ok()) << kv.status();
    rep.kv = *std::move(kv);
    last_ = Core(r).InstallSnapshot(rep.snapshot.meta, install.from);
    if (last_.ok()) applied_digest_[{r, rep.snapshot.meta.index()}] = rep.kv.Digest();
    Drain(r);
  }

  void Replace(int r, uint64_t process) {
    Crash(r);
    Replica& rep = replicas_[r];
    rep = Replica();
    rep.process = process;
    CoreConfig c = config_;
    c.self = r;
    c.process = process;
    c.learner = true;
    absl::StatusOr<ReplicaCore> core = ReplicaCore::Create(c);
    ASSERT_TRUE(core.ok()) << core.status();
    rep.core.emplace(*std::move(core));
  }

  void Crash(int r) {
    replicas_[r].core.reset();
    replicas_[r].kv = KvStateMachine();
    replicas_[r].replies.clear();
    replicas_[r].installing.reset();
    std::erase_if(wire_, [&](const Wire& m) { return m.from == r || m.to == r; });
  }

  bool Matches(const Wire& m, const std::string& sel) {
    if (sel == "all") return true;
    std::vector<std::string> ab = absl::StrSplit(sel, "->");
    return m.from == R(ab.at(0)) && m.to == R(ab.at(1));
  }

  void Deliver(const std::string& sel) {
    for (int guard = 0; guard < 100000; ++guard) {
      auto it =
          std::find_if(wire_.begin(), wire_.end(), [&](const Wire& m) { return Matches(m, sel); });
      if (it == wire_.end()) return;
      Wire m = std::move(*it);
      wire_.erase(it);
      Replica& to = replicas_.at(m.to);
      if (!to.core) continue;
      last_ = to.core->Step(m.message);
      Drain(m.to);
    }
    FAIL() << "deliver did not quiesce";
  }

  Command ClientCommand(const std::vector<std::string>& w, size_t at) {
    Command c;
    c.set_client_id(++next_client_);
    c.set_client_seq(1);
    const std::string& op = w.at(at);
    if (op == "put") c.set_op(OP_PUT);
    if (op == "get") c.set_op(OP_GET);
    if (op == "delete") c.set_op(OP_DELETE);
    if (op == "cas") c.set_op(OP_CAS);
    // An operation number the enum does not declare, as a peer would send it: on the wire. `op`
    // is a closed (proto2) enum, so the parser keeps 42 among the unknown fields and leaves `op`
    // unset; set_op(42) would break protobuf's contract (its debug builds assert on it).
    if (op == "bogus" && (!c.MergeFromString(std::string("\x08\x2a", 2)) || c.has_op()))
      ADD_FAILURE() << "op 42 (field 1 = 42 on the wire) was not kept as an unknown field";
    if (at + 1 < w.size()) c.set_key(w[at + 1] == "''" ? "" : w[at + 1]);
    if (c.op() == OP_CAS) {
      if (w.at(at + 2) != "-") c.set_expected(w[at + 2]);
      c.set_value(w.at(at + 3));
    } else if (at + 2 < w.size()) {
      c.set_value(w[at + 2].rfind("x*", 0) == 0 ? std::string(std::stoi(w[at + 2].substr(2)), 'x')
                                                : w[at + 2]);
    }
    return c;
  }

  void Execute(const std::vector<std::string>& w) {
    const std::string& verb = w[0];
    if (verb == "config") return Configure(w);
    if (verb == "tick") {
      const int times = w.size() > 2 ? R(w[2]) : 1;
      for (int t = 0; t < times; ++t) {
        for (int r : Targets(w.at(1))) {
          if (!replicas_[r].core) continue;
          replicas_[r].core->Tick();
          Drain(r);
        }
      }
      return;
    }
    if (verb == "propose") {
      const int r = R(w.at(1));
      proposed_.push_back(ClientCommand(w, 2));
      last_ = Core(r).Propose(proposed_.back());
      Drain(r);
      return;
    }
    if (verb == "retry") {
      const int r = R(w.at(1));
      const size_t n = w.size() > 2 ? std::stoul(w[2]) : proposed_.size();
      last_ = Core(r).Propose(proposed_.at(n - 1));
      Drain(r);
      return;
    }
    if (verb == "reconfig") {
      const int r = R(w.at(1));
      last_ = Core(r).ProposeReconfig(R(w.at(2)), std::stoull(w.at(3)));
      Drain(r);
      return;
    }
    if (verb == "deliver") return Deliver(w.size() > 1 ? w[1] : "all");
    if (verb == "drop") {
      const std::string sel = w.size() > 1 ? w[1] : "all";
      std::erase_if(wire_, [&](const Wire& m) { return Matches(m, sel); });
      return;
    }
    if (verb == "dup") {
      std::vector<Wire> copies;
      for (const Wire& m : wire_)
        if (Matches(m, w.at(1))) copies.push_back(m);
      wire_.insert(wire_.end(), copies.begin(), copies.end());
      return;
    }
    if (verb == "crash") return Crash(R(w.at(1)));
    if (verb == "install") return Install(R(w.at(1)), w.size() > 2 && w[2] == "crash");
    if (verb == "compact") {
      const int r = R(w.at(1));
      last_ = Core(r).Compact(std::stoull(w.at(2)));
      Drain(r);
      return;
    }
    if (verb == "restart") {
      const int r = R(w.at(1));
      CoreConfig c = config_;
      c.self = r;
      Replica& rep = replicas_[r];
      c.process = rep.process;
      c.learner = rep.process != static_cast<uint64_t>(100 + r);
      absl::StatusOr<KvStateMachine> kv = KvStateMachine::Decode(rep.snapshot.kv);
      ASSERT_TRUE(kv.ok()) << kv.status();
      rep.kv = *std::move(kv);
      absl::StatusOr<ReplicaCore> core = ReplicaCore::Restore(c, rep.durable, rep.snapshot.meta);
      ASSERT_TRUE(core.ok()) << core.status();
      rep.core.emplace(*std::move(core));
      Drain(r);
      return;
    }
    if (verb == "replace") return Replace(R(w.at(1)), std::stoull(w.at(2)));
    if (verb == "learn") {
      const int r = R(w.at(1));
      const ReplicaCore& from = Core(R(w.at(2)));
      Core(r).Learn(from.ChosenSince(from.log_start(), std::numeric_limits<size_t>::max()));
      Drain(r);
      return;
    }
    if (verb == "suspect") {
      const int r = R(w.at(1));
      Core(r).Suspect(R(w.at(2)));
      Drain(r);
      return;
    }
    if (verb == "inject") {
      const int r = R(w.at(1));
      PaxosMessage m;
      m.set_from(static_cast<uint32_t>(R(w.at(2))));
      m.set_epoch(Core(r).epoch());
      m.set_type(PaxosMessage::COMMIT);
      m.mutable_ballot()->set_round(1000);
      for (size_t i = 3; i < w.size(); ++i) {
        std::pair<std::string, std::string> kv = absl::StrSplit(w[i], '=');
        if (kv.first == "epoch") m.set_epoch(std::stoull(kv.second));
        if (kv.first == "incarnation") m.set_incarnation(static_cast<uint32_t>(R(kv.second)));
        if (kv.first == "type") m.set_type(static_cast<PaxosMessage::Type>(R(kv.second)));
        if (kv.first == "noballot") m.clear_ballot();
      }
      const uint64_t digest = replicas_[r].kv.Digest();
      const Ballot promised = Core(r).promised();
      last_ = Core(r).Step(m);
      if (!last_.ok()) {
        // A rejected message changes nothing (a stale-epoch one may only be answered with a hint
        // of this replica's watermark).
        Ready ready = Core(r).TakeReady();
        for (const Outgoing& out : ready.messages)
          EXPECT_TRUE(out.message.type() == PaxosMessage::FETCHED &&
                      out.message.entries_size() == 0)
              << "a rejected message was answered with " << out.message.ShortDebugString();
        ready.messages.clear();
        EXPECT_TRUE(ready.empty()) << "a rejected message produced work";
        EXPECT_EQ(digest, replicas_[r].kv.Digest());
        EXPECT_TRUE(BallotEqual(promised, Core(r).promised()));
      }
      Drain(r);
      return;
    }
    if (verb == "expect") return Expect(w);
    FAIL() << "unknown step " << verb;
  }

  void Expect(const std::vector<std::string>& w) {
    const std::string& what = w.at(1);
    if (what == "ok") {
      EXPECT_TRUE(last_.ok()) << last_;
    } else if (what == "error") {
      std::string want;
      for (size_t i = 2; i < w.size(); ++i) absl::StrAppend(&want, i > 2 ? " " : "", w[i]);
      EXPECT_FALSE(last_.ok());
      EXPECT_NE(last_.ToString().find(want), std::string::npos) << last_;
    } else if (what == "role") {
      EXPECT_EQ(RoleName(Core(R(w.at(2))).role()), w.at(3));
    } else if (what == "leader") {
      EXPECT_EQ(Core(R(w.at(2))).leader(), R(w.at(3)));
    } else if (what == "chosen") {
      EXPECT_EQ(Core(R(w.at(2))).chosen_watermark(), std::stoull(w.at(3)));
    } else if (what == "applied") {
      EXPECT_EQ(Core(R(w.at(2))).applied(), std::stoull(w.at(3)));
    } else if (what == "epoch") {
      EXPECT_EQ(Core(R(w.at(2))).epoch(), std::stoull(w.at(3)));
    } else if (what == "incarnation") {
      EXPECT_EQ(Core(R(w.at(2))).incarnation(), std::stoul(w.at(3)));
    } else if (what == "inflight") {
      EXPECT_LE(Core(R(w.at(2))).in_flight(), std::stoull(w.at(4)));
    } else if (what == "value") {
      const auto& data = replicas_.at(R(w.at(2))).kv.data();
      auto it = data.find(w.at(3));
      if (w.at(4) == "-") {
        EXPECT_TRUE(it == data.end()) << w[3] << " = " << it->second;
      } else {
        ASSERT_TRUE(it != data.end()) << w[3] << " missing";
        EXPECT_EQ(it->second, w[4]);
      }
    } else if (what == "slot") {
      // expect slot <r> <slot> noop|<n commands>
      const Batch* b = Core(R(w.at(2))).ChosenValue(std::stoull(w.at(3)));
      ASSERT_NE(b, nullptr) << "slot not chosen";
      EXPECT_EQ(b->commands_size(), w.at(4) == "noop" ? 0 : R(w[4]));
    } else if (what == "accepted") {
      const SlotValue* v = Core(R(w.at(2))).AcceptedValue(std::stoull(w.at(3)));
      if (w.at(4) == "none") {
        EXPECT_EQ(v, nullptr) << v->ShortDebugString();
      } else {
        ASSERT_NE(v, nullptr) << "nothing accepted";
        EXPECT_EQ(v->batch().commands_size(), R(w[4]));
      }
    } else if (what == "reply") {
      const auto& replies = replicas_.at(R(w.at(2))).replies;
      ASSERT_FALSE(replies.empty());
      const ClientReply& reply = replies.back();
      std::pair<std::string, std::string> kv = absl::StrSplit(w.at(3), '=');
      std::string got;
      if (kv.first == "found") got = reply.found() ? "true" : "false";
      if (kv.first == "swapped") got = reply.swapped() ? "true" : "false";
      if (kv.first == "value") got = reply.value();
      if (kv.first == "code") got = absl::StrCat(reply.code());
      EXPECT_EQ(got, kv.second) << kv.first;
    } else if (what == "snapshot") {
      EXPECT_EQ(Core(R(w.at(2))).snapshot_index(), std::stoull(w.at(3)));
      EXPECT_EQ(replicas_.at(R(w[2])).snapshot.meta.index(), std::stoull(w[3]));
    } else if (what == "log-start") {
      EXPECT_EQ(Core(R(w.at(2))).log_start(), std::stoull(w.at(3)));
    } else if (what == "records") {
      EXPECT_EQ(replicas_.at(R(w.at(2))).durable.size(), std::stoul(w.at(3)));
    } else if (what == "installing") {
      const auto& installing = replicas_.at(R(w.at(2))).installing;
      ASSERT_TRUE(installing.has_value()) << "no install asked for";
      EXPECT_EQ(installing->from, R(w.at(3)));
    } else if (what == "not-installing") {
      EXPECT_FALSE(replicas_.at(R(w.at(2))).installing.has_value());
    } else if (what == "digests-equal") {
      std::optional<uint64_t> digest;
      std::optional<uint64_t> applied;
      for (const Replica& rep : replicas_) {
        if (!rep.core) continue;
        if (!applied) applied = rep.core->applied();
        EXPECT_EQ(*applied, rep.core->applied()) << "replicas applied different prefixes";
        if (!digest) digest = rep.kv.Digest();
        EXPECT_EQ(*digest, rep.kv.Digest());
      }
    } else {
      FAIL() << "unknown expectation " << what;
    }
  }

  void CheckInvariants() {
    for (int r = 0; r < static_cast<int>(replicas_.size()); ++r) {
      if (!replicas_[r].core) continue;
      const ReplicaCore& core = *replicas_[r].core;
      for (uint64_t s = core.log_start(); s < core.chosen_watermark(); ++s) {
        const Batch* b = core.ChosenValue(s);
        ASSERT_NE(b, nullptr);
        const std::string bytes = b->SerializeAsString();
        auto [it, fresh] = chosen_.emplace(s, bytes);
        ASSERT_TRUE(fresh || it->second == bytes)
            << "two values chosen for slot " << s << " (replica " << r << ")";
      }
    }
    std::map<uint64_t, uint64_t> by_index;
    for (const auto& [key, digest] : applied_digest_) {
      auto [it, fresh] = by_index.emplace(key.second, digest);
      ASSERT_TRUE(fresh || it->second == digest)
          << "replicas differ at applied index " << key.second;
    }
  }

  std::string name_;
  int line_no_ = 0;
  CoreConfig config_;
  std::vector<Replica> replicas_;
  std::vector<Wire> wire_;
  absl::Status last_;
  uint64_t next_client_ = 0;
  std::vector<Command> proposed_;
  std::map<uint64_t, std::string> chosen_;
  std::map<std::pair<int, uint64_t>, uint64_t> applied_digest_;
};

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(__FILE__).parent_path() / "testdata";
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, Runs) {
  std::ifstream in(GetParam());
  ASSERT_TRUE(in) << "cannot open " << GetParam();
  std::stringstream text;
  text << in.rdbuf();
  Scenario(std::filesystem::path(GetParam()).filename().string()).Run(text.str());
}

INSTANTIATE_TEST_SUITE_P(Files, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string stem = std::filesystem::path(info.param).stem().string();
                           for (char& c : stem)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return stem;
                         });

TEST(ScenarioFilesTest, Exist) { EXPECT_GE(ScenarioFiles().size(), 6u); }

// A PROMISE that reports a value at a far slot (a faulty peer's; the fuzzer sends such) makes
// the new leader re-propose through its window, not allocate and send a no-op for every slot up
// to it: a window's worth per step, in one message.
TEST(ReplicaCoreTest, FarPromiseFillsHolesThroughTheWindow) {
  for (uint64_t far : {uint64_t{1'000'000}, uint64_t{1} << 62, ~uint64_t{0}}) {
    SCOPED_TRACE(far);
    CoreConfig config;
    config.members = {100, 101, 102};
    config.window = 8;
    absl::StatusOr<ReplicaCore> created = ReplicaCore::Create(config);
    ASSERT_TRUE(created.ok()) << created.status();
    ReplicaCore core = *std::move(created);
    for (int t = 0; t < config.election_ticks; ++t) core.Tick();
    ASSERT_EQ(core.role(), Role::kCandidate);
    Ready campaign = core.TakeReady();
    ASSERT_FALSE(campaign.messages.empty());
    const PaxosMessage& prepare = campaign.messages.front().message;
    PaxosMessage promise;
    promise.set_type(PaxosMessage::PROMISE);
    promise.set_epoch(1);
    promise.set_from(1);
    *promise.mutable_ballot() = prepare.ballot();
    SlotValue* v = promise.add_entries();
    v->set_slot(far);
    v->mutable_ballot()->set_round(1);
    Command* put = v->mutable_batch()->add_commands();
    put->set_op(OP_PUT);
    put->set_key("k");
    ASSERT_TRUE(core.Step(promise).ok());
    EXPECT_EQ(core.role(), Role::kLeader);
    EXPECT_LE(core.in_flight(), 8u);
    Ready ready = core.TakeReady();
    size_t entries = 0;
    for (const Outgoing& out : ready.messages) entries += out.message.entries_size();
    EXPECT_LE(entries, 2u * 8u);  // one window, to each of two peers
  }
}

}  // namespace
}  // namespace ddc::paxos
