#include "common/lincheck/wgl_search.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace ddc::lincheck {
namespace {

constexpr int kNil = -1;

// Mix is the SplitMix64 finalizer: a cheap, well-spread 64-bit hash of an integer.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// LinearizedSet is the set of operations linearized so far. Operations are numbered by the
// order of their returns (their rank). The search can only pass an operation's return once it
// is linearized, so the set is always every rank below some `prefix` plus a few ranks above it
// (operations linearized ahead of a concurrent one, and unknown outcomes, which never return):
// it is stored that way, so a configuration costs memory in proportion to the concurrency, not
// to the length of the history. The hash is the XOR of the members' mixed ranks, kept up to
// date on every change.
class LinearizedSet {
 public:
  void Insert(int rank) {
    hash_ ^= Mix(rank);
    if (rank != prefix_) {
      beyond_prefix_.insert(std::upper_bound(beyond_prefix_.begin(), beyond_prefix_.end(), rank),
                            rank);
      return;
    }
    ++prefix_;
    auto absorbed = beyond_prefix_.begin();
    while (absorbed != beyond_prefix_.end() && *absorbed == prefix_) {
      ++prefix_;
      ++absorbed;
    }
    beyond_prefix_.erase(beyond_prefix_.begin(), absorbed);
  }

  void Erase(int rank) {
    hash_ ^= Mix(rank);
    if (rank >= prefix_) {
      beyond_prefix_.erase(std::lower_bound(beyond_prefix_.begin(), beyond_prefix_.end(), rank));
      return;
    }
    // The members between `rank` and the old prefix are now beyond the prefix.
    std::vector<int> moved(prefix_ - rank - 1);
    std::iota(moved.begin(), moved.end(), rank + 1);
    beyond_prefix_.insert(beyond_prefix_.begin(), moved.begin(), moved.end());
    prefix_ = rank;
  }

  uint64_t hash() const { return hash_; }
  int prefix() const { return prefix_; }
  const std::vector<int>& beyond_prefix() const { return beyond_prefix_; }

 private:
  int prefix_ = 0;                  // every rank below it is a member
  std::vector<int> beyond_prefix_;  // the members above it, ascending
  uint64_t hash_ = 0;
};

// ConfigurationCache remembers every (linearized set, state) configuration the search has
// entered. Reaching one again leads to the same sub-search, which failed, so it is pruned. The
// sets' ranks beyond their prefix live back to back in one array; entries whose hashes are equal
// are chained.
class ConfigurationCache {
 public:
  explicit ConfigurationCache(const Model& model) : model_(model) {}

  // Insert adds the configuration and returns true, or returns false if it was there already.
  bool Insert(const LinearizedSet& set, const State& state) {
    const uint64_t hash = Mix(set.hash() ^ Mix(model_.HashState(state)));
    auto [bucket, inserted] = first_with_hash_.try_emplace(hash, static_cast<int>(entries_.size()));
    if (!inserted) {
      for (int e = bucket->second; e != kNil; e = entries_[e].next_with_same_hash) {
        if (SameSet(entries_[e], set) && model_.StatesEqual(entries_[e].state, state)) return false;
      }
    }
    Entry& entry = entries_.emplace_back();
    entry.prefix = set.prefix();
    entry.ranks_offset = ranks_.size();
    entry.ranks_size = set.beyond_prefix().size();
    entry.next_with_same_hash = inserted ? kNil : bucket->second;
    entry.state = state;
    bucket->second = static_cast<int>(entries_.size()) - 1;
    ranks_.insert(ranks_.end(), set.beyond_prefix().begin(), set.beyond_prefix().end());
    return true;
  }

 private:
  struct Entry {
    int prefix;
    size_t ranks_offset;
    size_t ranks_size;
    int next_with_same_hash;
    State state;
  };

  bool SameSet(const Entry& entry, const LinearizedSet& set) const {
    const std::vector<int>& beyond = set.beyond_prefix();
    return entry.prefix == set.prefix() && entry.ranks_size == beyond.size() &&
           std::equal(beyond.begin(), beyond.end(), ranks_.begin() + entry.ranks_offset);
  }

  const Model& model_;
  std::vector<Entry> entries_;
  std::vector<int> ranks_;
  absl::flat_hash_map<uint64_t, int> first_with_hash_;
};

// Search holds the events in one doubly linked list after a head node, sorted by time (calls
// before returns at equal times): the call and return of each operation with a known outcome,
// and only the call of each operation with an unknown outcome, which never returns. The
// candidates at a choice point are the calls before the first return; that return's operation
// must be linearized before anything after it, so reaching it is a dead end. The search
// succeeds once every known operation is linearized: the unknown ones still in the list never
// took effect.
class Search {
 public:
  Search(const Model& model, absl::Span<const Operation* const> ops)
      : model_(model), ops_(ops), cache_(model) {
    BuildList();
  }

  SearchResult Run(int64_t max_steps);

 private:
  struct Frame {
    int call;     // the call node that was lifted
    State state;  // the state before it
  };

  bool IsReturn(int node) const { return is_return_[node]; }
  bool IsKnownCall(int node) const { return return_of_[node] != kNil; }
  void BuildList();
  void Unlink(int node);
  void Relink(int node);
  void Lift(int call);
  void Unlift(int call);
  void RecordDeadEnd(int return_node, SearchResult& result);

  const Model& model_;
  absl::Span<const Operation* const> ops_;
  // Per node: the operation (position in ops_), whether it is a return, the matching return of
  // a known call (kNil otherwise), and the list links.
  std::vector<int> op_;
  std::vector<bool> is_return_;
  std::vector<int> return_of_, next_, prev_;
  int head_ = 0;
  int known_left_ = 0;     // operations with a known outcome not linearized yet
  std::vector<int> rank_;  // per operation: the position of its return among all returns
  LinearizedSet linearized_;
  ConfigurationCache cache_;
  std::vector<Frame> stack_;
  // The longest prefix recorded so far, and how much of it the stack still holds: the stack
  // only changes at its top, so a new record copies the frames above that height only.
  int longest_prefix_ = -1;
  size_t stack_matches_record_below_ = 0;
};

void Search::BuildList() {
  const int n = static_cast<int>(ops_.size());
  // (time, 0 for a call and 1 for a return, position): calls precede returns at equal times.
  std::vector<std::tuple<Time, int, int>> events;
  events.reserve(2 * n);
  for (int i = 0; i < n; ++i) {
    events.emplace_back(ops_[i]->call, 0, i);
    if (ops_[i]->output.outcome != Outcome::kUnknown) {
      events.emplace_back(ops_[i]->ret, 1, i);
      ++known_left_;
    }
  }
  std::sort(events.begin(), events.end());
  const int nodes = static_cast<int>(events.size());
  head_ = nodes;
  op_.assign(nodes + 1, kNil);
  is_return_.assign(nodes + 1, false);
  return_of_.assign(nodes + 1, kNil);
  next_.assign(nodes + 1, kNil);
  prev_.assign(nodes + 1, kNil);
  rank_.assign(n, kNil);
  int ranked = 0;
  std::vector<int> call_node(n, kNil);
  for (int node = 0; node < nodes; ++node) {
    const auto [time, is_return, op] = events[node];
    op_[node] = op;
    is_return_[node] = is_return;
    if (is_return) {
      return_of_[call_node[op]] = node;
      rank_[op] = ranked++;
    } else {
      call_node[op] = node;
    }
    prev_[node] = node == 0 ? head_ : node - 1;
    next_[node] = node + 1 < nodes ? node + 1 : kNil;
  }
  next_[head_] = nodes > 0 ? 0 : kNil;
  // Operations that never return rank after all the others.
  for (int op = 0; op < n; ++op) {
    if (rank_[op] == kNil) rank_[op] = ranked++;
  }
}

// Unlink takes a node out of the list; Relink puts it back, which is valid when done in the
// reverse order of the Unlinks, since the neighbours' links are then as they were.
void Search::Unlink(int node) {
  next_[prev_[node]] = next_[node];
  if (next_[node] != kNil) prev_[next_[node]] = prev_[node];
}

void Search::Relink(int node) {
  next_[prev_[node]] = node;
  if (next_[node] != kNil) prev_[next_[node]] = node;
}

void Search::Lift(int call) {
  Unlink(call);
  if (IsKnownCall(call)) {
    Unlink(return_of_[call]);
    --known_left_;
  }
}

void Search::Unlift(int call) {
  if (IsKnownCall(call)) {
    Relink(return_of_[call]);
    ++known_left_;
  }
  Relink(call);
}

// RecordDeadEnd keeps the longest prefix that reached a dead end. The search walks from the
// head over calls only, so `return_node` is the first return in the list and every node before
// it is a call that could have come next.
void Search::RecordDeadEnd(int return_node, SearchResult& result) {
  if (static_cast<int>(stack_.size()) <= longest_prefix_) return;
  longest_prefix_ = static_cast<int>(stack_.size());
  result.linearization.resize(stack_matches_record_below_);
  for (size_t k = stack_matches_record_below_; k < stack_.size(); ++k) {
    result.linearization.push_back(op_[stack_[k].call]);
  }
  stack_matches_record_below_ = stack_.size();
  result.blocked = op_[return_node];
  result.candidates.clear();
  for (int node = next_[head_]; node != return_node; node = next_[node]) {
    result.candidates.push_back(op_[node]);
  }
}

SearchResult Search::Run(int64_t max_steps) {
  SearchResult result;
  State state = model_.Init();
  int node = next_[head_];
  // While a known operation is left, its return is in the list, so the walk from the head
  // meets a return before the end of the list.
  while (known_left_ > 0) {
    if (IsReturn(node)) {
      // Operation op_[node] had to be linearized by its return and was not: undo the last
      // choice and try the call after it.
      RecordDeadEnd(node, result);
      if (stack_.empty()) {
        result.verdict = Verdict::kIllegal;
        return result;
      }
      Frame top = std::move(stack_.back());
      stack_.pop_back();
      stack_matches_record_below_ = std::min(stack_matches_record_below_, stack_.size());
      state = std::move(top.state);
      linearized_.Erase(rank_[op_[top.call]]);
      Unlift(top.call);
      node = next_[top.call];
      continue;
    }
    if (result.steps == max_steps) {
      SearchResult undecided;
      undecided.steps = max_steps;
      return undecided;  // kUnknown, with no prefix
    }
    ++result.steps;
    const Operation& op = *ops_[op_[node]];
    std::optional<State> after = model_.Step(state, op.input, op.output);
    if (after) {
      linearized_.Insert(rank_[op_[node]]);
      if (cache_.Insert(linearized_, *after)) {
        stack_.push_back(Frame{.call = node, .state = std::move(state)});
        state = *std::move(after);
        Lift(node);
        node = next_[head_];
        continue;
      }
      linearized_.Erase(rank_[op_[node]]);
    }
    node = next_[node];
  }
  SearchResult linearizable;
  linearizable.verdict = Verdict::kOk;
  linearizable.steps = result.steps;
  for (const Frame& frame : stack_) linearizable.linearization.push_back(op_[frame.call]);
  return linearizable;
}

}  // namespace

SearchResult SearchLinearization(const Model& model, absl::Span<const Operation* const> ops,
                                 int64_t max_steps) {
  return Search(model, ops).Run(max_steps);
}

}  // namespace ddc::lincheck
