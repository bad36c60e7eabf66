// The Paxos target's invariants (paxos_target.h), each a function of recorded data.
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"
#include "harness/check/paxos_target.h"

namespace ddc::check::paxos_invariants {
namespace {

// A broken invariant usually breaks many times over; the first few say what happened.
constexpr int kMaxReportsPerInvariant = 5;

class Reporter {
 public:
  Reporter(const char* invariant, std::vector<Violation>& out) : invariant_(invariant), out_(out) {}
  ~Reporter() {
    if (dropped_ > 0)
      out_.push_back({invariant_, absl::StrCat("... and ", dropped_, " more like these")});
  }
  void Add(std::string detail) {
    if (added_++ < kMaxReportsPerInvariant) {
      out_.push_back({invariant_, std::move(detail)});
    } else {
      ++dropped_;
    }
  }

 private:
  const char* invariant_;
  std::vector<Violation>& out_;
  int added_ = 0;
  int dropped_ = 0;
};

std::string LifeName(const paxos::ReplicaLife& life) {
  return absl::StrCat("member ", life.member, " (", life.process, ", started at ", life.started_at,
                      " ns)");
}

// Merge merges per-life maps (key -> value) and reports keys on which two lives disagree.
void Merge(const std::vector<paxos::ReplicaLife>& lives,
           std::map<uint64_t, uint64_t> paxos::ReplicaLife::*field, const char* what,
           Reporter& report) {
  std::map<uint64_t, std::pair<uint64_t, size_t>> first;  // key -> (value, life)
  for (size_t i = 0; i < lives.size(); ++i) {
    for (const auto& [key, value] : lives[i].*field) {
      auto [it, fresh] = first.emplace(key, std::make_pair(value, i));
      if (fresh || it->second.first == value) continue;
      report.Add(absl::StrCat(what, " ", key, ": ", LifeName(lives[it->second.second]), " has ",
                              it->second.first, ", ", LifeName(lives[i]), " has ", value));
    }
  }
}

}  // namespace

void CheckLinearizable(const std::vector<lincheck::Operation>& history,
                       std::vector<Violation>& out) {
  absl::StatusOr<lincheck::CheckResult> result = lincheck::Check(lincheck::KvModel(), history);
  if (!result.ok()) {
    out.push_back(
        {kLinearizable, absl::StrCat("the checker failed: ", result.status().ToString())});
  } else if (result->verdict != lincheck::Verdict::kOk) {
    out.push_back({kLinearizable, absl::StrCat(lincheck::VerdictName(result->verdict), ": ",
                                               result->explanation)});
  }
}

void CheckOneValuePerSlot(const std::vector<paxos::ReplicaLife>& lives,
                          std::vector<Violation>& out) {
  // Applied values and values persisted as chosen are one map: a dead life's persisted state
  // must agree with what the survivors applied.
  std::vector<paxos::ReplicaLife> merged;
  merged.reserve(lives.size());
  for (const paxos::ReplicaLife& life : lives) {
    paxos::ReplicaLife copy;
    copy.member = life.member;
    copy.process = life.process;
    copy.started_at = life.started_at;
    copy.applied = life.applied;
    for (const auto& [slot, hash] : life.persisted_chosen) {
      auto [it, fresh] = copy.applied.emplace(slot, hash);
      if (!fresh && it->second != hash) {
        out.push_back(
            {kOneValuePerSlot, absl::StrCat("slot ", slot, ": ", LifeName(life), " applied ",
                                            it->second, " but persisted ", hash, " as chosen")});
      }
    }
    merged.push_back(std::move(copy));
  }
  Reporter report(kOneValuePerSlot, out);
  Merge(merged, &paxos::ReplicaLife::applied, "slot", report);
}

void CheckEqualDigests(const std::vector<paxos::ReplicaLife>& lives, std::vector<Violation>& out) {
  Reporter report(kEqualDigests, out);
  Merge(lives, &paxos::ReplicaLife::digest_at, "applied index", report);
}

void CheckZombiesFenced(const std::vector<paxos::ReplicaLife>& lives,
                        const std::map<uint32_t, Time>& fenced_at, std::vector<Violation>& out) {
  Reporter report(kZombiesFenced, out);
  for (const paxos::ReplicaLife& life : lives) {
    auto fenced = fenced_at.find(life.process_index);
    if (fenced != fenced_at.end() && life.last_effect_started >= fenced->second)
      report.Add(absl::StrCat(LifeName(life), " was fenced by a steal at ", fenced->second,
                              " ns but had an effect that began at ", life.last_effect_started,
                              " ns"));
    // (epoch, sender) -> the newest incarnation acted on so far.
    std::map<std::pair<uint64_t, uint32_t>, uint32_t> newest;
    for (const paxos::ReplicaLife::Acted& acted : life.acted) {
      if (acted.epoch < acted.receiver_epoch) {
        report.Add(absl::StrCat(LifeName(life), " acted at ", acted.at,
                                " ns on a message of epoch ", acted.epoch, " from member ",
                                acted.from, " in its epoch ", acted.receiver_epoch));
        continue;
      }
      if (acted.epoch > acted.receiver_epoch) continue;  // a newer epoch: only prompts a fetch
      auto [it, fresh] = newest.emplace(std::make_pair(acted.epoch, acted.from), acted.incarnation);
      if (fresh) continue;
      if (acted.incarnation < it->second) {
        report.Add(absl::StrCat(LifeName(life), " acted at ", acted.at, " ns on incarnation ",
                                acted.incarnation, " of member ", acted.from,
                                " after acting on its incarnation ", it->second, " (epoch ",
                                acted.epoch, ")"));
      } else {
        it->second = acted.incarnation;
      }
    }
  }
}

void CheckProgress(int64_t liveness_operations, std::vector<Violation>& out) {
  if (liveness_operations <= 0)
    out.push_back({kProgress, "no client operation completed in the liveness phase"});
}

namespace {

// ReferenceReply is what one execution of a command returned, by the store's documented
// semantics (paxos/kv_state.h), computed here independently of the store's code.
struct ReferenceReply {
  bool found = false;
  std::string value;
  bool swapped = false;
};

}  // namespace

void CheckExactlyOnce(const std::map<uint64_t, paxos::Batch>& chosen_log,
                      const std::vector<lincheck::Operation>& history,
                      const std::map<int64_t, ClientTag>& tags, std::vector<Violation>& out) {
  Reporter report(kExactlyOnce, out);
  std::map<std::string, std::string> data;
  std::map<uint64_t, uint64_t> last_seq;  // client -> last executed sequence
  std::map<std::pair<uint64_t, uint64_t>, ReferenceReply> replies;
  uint64_t expected_slot = 0;
  for (const auto& [slot, batch] : chosen_log) {
    if (slot != expected_slot) {
      report.Add(absl::StrCat("the applied log has a hole: slot ", expected_slot, " missing"));
      break;
    }
    ++expected_slot;
    for (const paxos::Command& c : batch.commands()) {
      if (c.op() == paxos::OP_NOOP || c.op() == paxos::OP_RECONFIG) continue;
      uint64_t& last = last_seq[c.client_id()];
      if (c.client_seq() <= last) continue;  // a retry (or older): answered from the table
      last = c.client_seq();
      ReferenceReply& r = replies[{c.client_id(), c.client_seq()}];
      auto it = data.find(c.key());
      switch (c.op()) {
        case paxos::OP_GET:
          r.found = it != data.end();
          if (r.found) r.value = it->second;
          break;
        case paxos::OP_PUT:
          data[c.key()] = c.value();
          break;
        case paxos::OP_DELETE:
          if (it != data.end()) data.erase(it);
          break;
        case paxos::OP_CAS:
          r.swapped = c.has_expected() ? (it != data.end() && it->second == c.expected())
                                       : it == data.end();
          if (r.swapped) data[c.key()] = c.value();
          break;
        default:
          report.Add(absl::StrCat("slot ", slot, ": unknown operation ", c.op()));
      }
    }
  }
  for (const lincheck::Operation& op : history) {
    if (op.output.outcome == lincheck::Outcome::kUnknown) continue;
    auto tag = tags.find(op.id);
    if (tag == tags.end()) {
      report.Add(absl::StrCat("operation #", op.id, " has no (client, seq) tag"));
      continue;
    }
    auto r = replies.find({tag->second.client_id, tag->second.seq});
    if (r == replies.end()) {
      report.Add(absl::StrCat("acknowledged ", lincheck::DescribeOperation(op),
                              " is in no applied slot (client ", tag->second.client_id, ", seq ",
                              tag->second.seq, ")"));
      continue;
    }
    bool matches = true;
    switch (op.input.type) {
      case lincheck::OpType::kGet:
        matches = r->second.found ? (op.output.outcome == lincheck::Outcome::kOk &&
                                     op.output.value == r->second.value)
                                  : op.output.outcome == lincheck::Outcome::kNotFound;
        break;
      case lincheck::OpType::kCas:
        matches = (op.output.outcome == lincheck::Outcome::kOk) == r->second.swapped;
        break;
      default:
        break;
    }
    if (!matches)
      report.Add(absl::StrCat(lincheck::DescribeOperation(op),
                              " does not match its one execution in the log (found ",
                              r->second.found, ", value ", lincheck::Quote(r->second.value),
                              ", swapped ", r->second.swapped, ")"));
  }
}

void CheckNoProcessFailure(const std::vector<ProcessFailure>& failures,
                           std::vector<Violation>& out) {
  Reporter report(kNoProcessFailure, out);
  for (const ProcessFailure& f : failures)
    report.Add(absl::StrCat(f.process, " (incarnation ", f.incarnation, ") failed at ", f.at,
                            " ns: ", f.error));
}

}  // namespace ddc::check::paxos_invariants
