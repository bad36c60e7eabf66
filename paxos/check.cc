#include "paxos/check.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"

namespace ddc::paxos {

absl::Status CheckOutcome(const Outcome& outcome) {
  if (!outcome.violations.empty())
    return absl::InternalError(absl::StrCat("safety: ", absl::StrJoin(outcome.violations, "; ")));
  if (outcome.zombie_effects > 0)
    return absl::InternalError(
        absl::StrCat("a fenced zombie had ", outcome.zombie_effects, " effects after the steal"));
  if (outcome.client_errors > 0)
    return absl::InternalError(absl::StrCat("clients saw ", outcome.client_errors,
                                            " unexpected errors, first: ", outcome.errors[0]));
  absl::StatusOr<lincheck::CheckResult> result =
      lincheck::Check(lincheck::KvModel(), outcome.history.Operations());
  if (!result.ok()) return result.status();
  if (result->verdict != lincheck::Verdict::kOk)
    return absl::InternalError(absl::StrCat("history not linearizable (",
                                            lincheck::VerdictName(result->verdict),
                                            "): ", result->explanation));
  return absl::OkStatus();
}

}  // namespace ddc::paxos
