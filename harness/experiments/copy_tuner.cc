#include "harness/experiments/copy_tuner.h"

#include <algorithm>
#include <map>
#include <utility>

#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr int64_t kMaxChunk = int64_t{16} << 20;
constexpr int kMaxWindow = 64;
constexpr int64_t kExhaustiveBytes = int64_t{16} << 20;

}  // namespace

absl::StatusOr<TunedCopy> BestCopy(int64_t bytes, int64_t line, const RunCopy& run,
                                   CopyChoice hint) {
  const int64_t max_chunk = std::max(line, std::min(bytes, kMaxChunk));
  auto chunks_of = [&](int64_t chunk) { return (bytes + chunk - 1) / chunk; };
  std::map<std::pair<int64_t, int>, TransferResult> tried;
  auto measure = [&](CopyChoice c) -> absl::StatusOr<TransferResult> {
    auto it = tried.find({c.chunk, c.window});
    if (it != tried.end()) return it->second;
    DDC_ASSIGN_OR_RETURN(TransferResult r, run(c));
    tried.emplace(std::pair{c.chunk, c.window}, r);
    return r;
  };
  auto valid = [&](CopyChoice c) {
    return c.chunk >= line && c.chunk <= max_chunk && c.chunk % line == 0 && c.window >= 1 &&
           c.window <= kMaxWindow && c.window <= chunks_of(c.chunk);
  };
  TunedCopy best;
  auto consider = [&](CopyChoice c) -> absl::StatusOr<bool> {
    DDC_ASSIGN_OR_RETURN(TransferResult r, measure(c));
    if (best.result.time >= 0 && r.time >= best.result.time) return false;
    best = {r, c};
    return true;
  };
  if (bytes <= line) {  // one chunk smaller than a line: nothing to tune
    DDC_RETURN_IF_ERROR(consider({bytes, 1}).status());
    return best;
  }
  if (bytes <= kExhaustiveBytes) {
    for (int64_t chunk = line; chunk <= max_chunk; chunk *= 2) {
      for (int window = 1; window <= kMaxWindow; window *= 2) {
        if (valid({chunk, window})) DDC_RETURN_IF_ERROR(consider({chunk, window}).status());
      }
    }
    return best;
  }
  for (CopyChoice start : {hint, CopyChoice{}}) {
    start.chunk = std::clamp<int64_t>(start.chunk / line * line, line, max_chunk);
    start.window = static_cast<int>(std::min<int64_t>(start.window, chunks_of(start.chunk)));
    DDC_RETURN_IF_ERROR(consider(start).status());
  }
  for (bool improved = true; improved;) {
    improved = false;
    const CopyChoice at = best.choice;
    for (CopyChoice next :
         {CopyChoice{at.chunk / 2, at.window}, CopyChoice{at.chunk * 2, at.window},
          CopyChoice{at.chunk, at.window / 2}, CopyChoice{at.chunk, at.window * 2}}) {
      if (!valid(next)) continue;
      DDC_ASSIGN_OR_RETURN(bool better, consider(next));
      improved = improved || better;
    }
  }
  return best;
}

}  // namespace ddc::harness
