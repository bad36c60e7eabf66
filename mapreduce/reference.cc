#include "mapreduce/reference.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "mapreduce/kv.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

class VectorSink final : public KvSink {
 public:
  absl::Status Emit(absl::string_view key, absl::string_view value) override {
    pairs.emplace_back(std::string(key), std::string(value));
    return absl::OkStatus();
  }
  std::vector<KvPair> pairs;
};

class ValuesOf final : public ValueCursor {
 public:
  ValuesOf(const std::vector<KvPair>& pairs, size_t begin, size_t end)
      : pairs_(pairs), next_(begin), end_(end) {}
  bool Next(absl::string_view* value) override {
    if (next_ >= end_) return false;
    *value = pairs_[next_++].second;
    return true;
  }

 private:
  const std::vector<KvPair>& pairs_;
  size_t next_;
  size_t end_;
};

}  // namespace

std::vector<KvPair> SortedPairs(std::vector<KvPair> pairs) {
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

absl::StatusOr<std::vector<KvPair>> RunReference(const JobPlan& plan) {
  DDC_RETURN_IF_ERROR(ValidatePlan(plan));
  std::unique_ptr<MapFunction> mapper = plan.new_mapper();
  TaskContext map_context(plan.name, "reference map");
  VectorSink emitted;
  const Dataset& input = *plan.input;
  for (int64_t b = 0; b < input.blocks(); ++b) {
    const std::string block = input.Block(b);
    const int64_t base = b * input.BlockBytes();
    for (size_t at = 0; at < block.size();) {
      absl::StatusOr<int64_t> n = plan.record_format->NextRecord(
          absl::string_view(block).substr(at), /*end_of_split=*/true);
      if (!n.ok() || *n <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "job ", plan.name, ": reference: input at byte ", base + static_cast<int64_t>(at), ": ",
            n.ok() ? "no record" : n.status().message()));
      }
      const absl::string_view record = absl::string_view(block).substr(at, *n);
      DDC_RETURN_IF_ERROR(CallUser([&] {
        return mapper->Map(base + static_cast<int64_t>(at), record, emitted, map_context);
      }));
      at += static_cast<size_t>(*n);
    }
  }
  std::vector<KvPair> pairs = SortedPairs(std::move(emitted.pairs));
  std::unique_ptr<ReduceFunction> reducer = plan.new_reducer();
  TaskContext reduce_context(plan.name, "reference reduce");
  VectorSink output;
  for (size_t i = 0; i < pairs.size();) {
    size_t end = i;
    while (end < pairs.size() && pairs[end].first == pairs[i].first) ++end;
    ValuesOf values(pairs, i, end);
    DDC_RETURN_IF_ERROR(
        CallUser([&] { return reducer->Reduce(pairs[i].first, values, output, reduce_context); }));
    i = end;
  }
  return std::move(output.pairs);
}

}  // namespace ddc::mapreduce
