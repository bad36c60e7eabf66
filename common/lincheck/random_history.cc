#include "common/lincheck/random_history.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/lincheck/kv_model.h"

namespace ddc::lincheck {
namespace {

// Uniform returns a number in [0, n); the modulo bias is negligible for the small n used here.
uint64_t Uniform(std::mt19937_64& rng, uint64_t n) { return rng() % n; }

// KeyPicker draws key indices with the popularity RandomHistoryOptions::zipf_exponent asks for.
class KeyPicker {
 public:
  KeyPicker(int keys, double zipf_exponent) : keys_(keys) {
    if (zipf_exponent <= 0) return;
    double total = 0;
    for (int i = 0; i < keys; ++i) {
      total += std::pow(i + 1, -zipf_exponent);
      cumulative_.push_back(total);
    }
    for (double& c : cumulative_) c /= total;
  }

  int Pick(std::mt19937_64& rng) const {
    if (cumulative_.empty()) return static_cast<int>(Uniform(rng, keys_));
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    return std::min(static_cast<int>(it - cumulative_.begin()), keys_ - 1);
  }

 private:
  int keys_;
  std::vector<double> cumulative_;  // empty for uniform
};

OpType RandomType(const RandomHistoryOptions& options, std::mt19937_64& rng) {
  const std::pair<OpType, int> weights[] = {
      {OpType::kGet, options.get_weight},
      {OpType::kPut, options.put_weight},
      {OpType::kDelete, options.delete_weight},
      {OpType::kCas, options.cas_weight},
      {OpType::kIncrement, options.increment_weight},
  };
  int total = 0;
  for (const auto& [type, weight] : weights) total += weight;
  int pick = static_cast<int>(Uniform(rng, total));
  for (const auto& [type, weight] : weights) {
    if (pick < weight) return type;
    pick -= weight;
  }
  return OpType::kGet;
}

// SequentialMap executes operations one at a time: the specification, written independently of
// KvModel so that tests comparing the two can catch a mistake in either.
class SequentialMap {
 public:
  // Apply fills in the operation's output (unless it is unknown) and, when `takes_effect`, its
  // effect on the map. Cas expectations and increment deltas are chosen here, knowing the
  // current value, so that about half the cas operations succeed.
  void Apply(Operation& op, bool takes_effect, std::mt19937_64& rng) {
    auto it = values_.find(op.input.key);
    const std::optional<std::string> current =
        it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
    Output output;
    std::optional<std::optional<std::string>> next;  // set when the operation writes
    switch (op.input.type) {
      case OpType::kGet:
        output.outcome = current ? Outcome::kOk : Outcome::kNotFound;
        output.value = current;
        break;
      case OpType::kPut:
        next = op.input.value;
        break;
      case OpType::kDelete:
        next = std::optional<std::string>();
        break;
      case OpType::kCas:
        op.input.expected = Uniform(rng, 2) == 0 ? current : std::optional<std::string>("x");
        if (op.input.expected == current) {
          next = op.input.value;
        } else {
          output.outcome = Outcome::kFailed;
        }
        break;
      case OpType::kIncrement: {
        op.input.delta = 1 + static_cast<int64_t>(Uniform(rng, 5));
        const std::optional<int64_t> number = current ? ParseInteger(*current) : 0;
        if (number) {
          output.value = absl::StrCat(*number + op.input.delta);
          next = output.value;
        } else {
          output.outcome = Outcome::kFailed;
        }
        break;
      }
      default:
        break;
    }
    if (op.output.outcome != Outcome::kUnknown) op.output = std::move(output);
    if (!takes_effect || !next) return;
    if (*next) {
      values_[op.input.key] = **next;
    } else {
      values_.erase(op.input.key);
    }
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace

std::vector<Operation> RandomHistory(const RandomHistoryOptions& options) {
  std::mt19937_64 rng(options.seed);
  const KeyPicker keys(options.keys, options.zipf_exponent);
  std::vector<Time> client_free_at(options.clients, 0);
  std::vector<Operation> history(options.operations);
  std::vector<Time> point(options.operations);
  std::vector<bool> takes_effect(options.operations, true);
  for (int i = 0; i < options.operations; ++i) {
    // The client free the earliest calls next, so ids follow call times.
    const int client = static_cast<int>(
        std::min_element(client_free_at.begin(), client_free_at.end()) - client_free_at.begin());
    Operation& op = history[i];
    op.id = i;
    op.client = client;
    op.call = client_free_at[client];
    op.input.type = RandomType(options, rng);
    op.input.key = absl::StrCat("k", keys.Pick(rng));
    op.input.value = absl::StrCat(i);
    const Duration latency = 1 + static_cast<Duration>(Uniform(rng, options.max_latency));
    point[i] = op.call + static_cast<Duration>(Uniform(rng, latency + 1));
    Time done = op.call + latency;
    if (static_cast<int>(Uniform(rng, 1000)) < options.unknown_per_mille) {
      op.output.outcome = Outcome::kUnknown;
      op.ret = kInfiniteTime;
      takes_effect[i] = Uniform(rng, 2) == 0;
      done = op.call + options.max_latency;  // the client's time-out
    } else {
      op.ret = done;
    }
    client_free_at[client] = done + static_cast<Duration>(Uniform(rng, options.max_think + 1));
  }

  std::vector<int> order(options.operations);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return point[a] < point[b]; });
  SequentialMap map;
  for (int i : order) map.Apply(history[i], takes_effect[i], rng);
  return history;
}

int64_t MutateRead(std::vector<Operation>& history, std::mt19937_64& rng,
                   bool never_written_value) {
  std::vector<Operation*> gets;
  std::vector<const std::string*> put_values;
  for (Operation& op : history) {
    if (op.input.type == OpType::kGet && op.output.outcome != Outcome::kUnknown) {
      gets.push_back(&op);
    }
    if (op.input.type == OpType::kPut) put_values.push_back(&op.input.value);
  }
  if (gets.empty()) return -1;
  Operation& get = *gets[Uniform(rng, gets.size())];
  Output changed;
  if (never_written_value) {
    changed.value = "never written";
  } else if (get.output.outcome == Outcome::kOk && (put_values.empty() || Uniform(rng, 3) == 0)) {
    changed.outcome = Outcome::kNotFound;
  } else {
    for (int attempt = 0; attempt < 8 && !put_values.empty(); ++attempt) {
      changed.value = *put_values[Uniform(rng, put_values.size())];
      if (changed.value != get.output.value) break;
    }
    if (!changed.value || changed.value == get.output.value) changed.value = "never written";
  }
  get.output = std::move(changed);
  return get.id;
}

}  // namespace ddc::lincheck
