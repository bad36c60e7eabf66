// SearchLinearization: the Wing-Gong-Lowe search over one sub-history (see checker.h for the
// algorithm and its guarantees). An internal piece of Check, public so that it can be tested and
// reused on its own; most callers want Check.
#ifndef DDC_COMMON_LINCHECK_WGL_SEARCH_H_
#define DDC_COMMON_LINCHECK_WGL_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/model.h"
#include "common/lincheck/operation.h"

namespace ddc::lincheck {

struct SearchResult {
  Verdict verdict = Verdict::kUnknown;
  int64_t steps = 0;
  // Positions in `ops` (not operation ids), with the meaning of PartitionResult's fields:
  // kOk: a full linearization; kIllegal: the longest linearizable prefix found, the operation
  // whose return ended it and the calls that could have come next.
  std::vector<int> linearization;
  int blocked = -1;
  std::vector<int> candidates;
};

// SearchLinearization searches a linearization of `ops`, which the model validated, spending
// at most `max_steps` model steps (then kUnknown).
SearchResult SearchLinearization(const Model& model, absl::Span<const Operation* const> ops,
                                 int64_t max_steps);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_WGL_SEARCH_H_
