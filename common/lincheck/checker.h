// Check decides whether a concurrent history is linearizable with respect to a Model: whether
// every operation can be given a point in time inside its [call, ret] interval such that,
// executed one by one in that order, the model accepts each operation's output.
//
// Algorithm: the Wing-Gong search with Lowe's improvements, as in Porcupine. Call and return
// events sit in a doubly linked list ordered by time (calls before returns at equal times: closed
// intervals). The search repeatedly linearizes the first call whose model step succeeds, lifting
// its call and return out of the list and pushing it on a stack; reaching a return event means
// that operation could not be placed, so it pops the last choice and tries the next call. A cache
// of visited (set of linearized operations, model state) configurations prunes repeated work.
// Each sub-history returned by Model::Partition is searched on its own (P-compositionality).
//
// Unknown outcomes (operation.h): such an operation has a call event and no return event, so
// it stays a candidate from its call on and never forces a dead end; the search succeeds once
// every known operation is linearized, and the unknown ones not linearized by then never took
// effect. Read-only ones (Model::IsReadOnly) are dropped before the search.
//
// Determinism: the search order depends only on the history (events ordered by time, then
// calls first, then by position in the history) and the model; the cache is consulted only for
// membership. The same inputs give the same result, step counts included.
//
// Complexity: linearizability checking is NP-complete; the search is exponential in the worst
// case (many mutually concurrent operations on one partition) and near linear in the number of
// operations for histories with little concurrency per partition (README.md has figures).
// CheckOptions::max_steps bounds the work: past it, undecided partitions are reported kUnknown.
// Memory: one cache entry per successful model step, holding a state and the linearized set,
// stored as "every operation up to the k-th return, plus these few": O(concurrency) each.
//
// Errors: INVALID_ARGUMENT for a malformed history (duplicate ids, ret < call, unknown outcome
// with a finite ret or a known outcome without one, operations the model rejects in Validate).
#ifndef DDC_COMMON_LINCHECK_CHECKER_H_
#define DDC_COMMON_LINCHECK_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/lincheck/model.h"
#include "common/lincheck/operation.h"

namespace ddc::lincheck {

enum class Verdict {
  kOk,       // linearizable
  kIllegal,  // not linearizable (definitive, whatever the budget)
  kUnknown,  // the step budget ran out before a verdict
};
absl::string_view VerdictName(Verdict verdict);

struct CheckOptions {
  // Upper bound on model steps over the whole check; 0 means no bound. Partitions are searched
  // smallest first, so a budget decides as many of them as it can.
  int64_t max_steps = 0;
};

struct PartitionResult {
  std::string name;   // Subhistory::name, e.g. the key
  std::string label;  // Subhistory::label, e.g. key "k3"
  Verdict verdict = Verdict::kUnknown;
  int64_t operations = 0;  // operations searched
  int64_t dropped = 0;     // unknown-outcome read-only operations left out
  int64_t steps = 0;       // model steps spent on this partition
  // kOk: a linearization (operation ids in order) of every searched operation with a known
  // outcome, and of the unknown ones that took effect in it. kIllegal: the longest linearizable
  // prefix the search found. kUnknown: empty.
  std::vector<int64_t> linearization;
  // kIllegal: after that prefix, the operation whose return the search reached before it could
  // be linearized, and the operations that could have come next (all tried, none led on).
  int64_t blocked = -1;
  std::vector<int64_t> candidates;
  // kIllegal and kUnknown: a human explanation naming the partition and the operations.
  std::string explanation;
};

struct CheckResult {
  Verdict verdict = Verdict::kOk;
  int64_t steps = 0;  // model steps over all partitions
  // One per sub-history, in the model's partition order.
  std::vector<PartitionResult> partitions;
  // Empty when kOk; otherwise a summary naming every illegal (or undecided) partition followed
  // by the explanation of the first one.
  std::string explanation;
};

absl::StatusOr<CheckResult> Check(const Model& model, absl::Span<const Operation> history,
                                  const CheckOptions& options = {});

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_CHECKER_H_
