#include "examples/primary_backup/check.h"

#include "absl/strings/str_cat.h"

namespace ddc::primary_backup {

Verdict Judge(const ClientReport& report) {
  Verdict verdict;
  const uint64_t final_value = report.final_state ? report.final_state->value : 0;
  for (const Ack& ack : report.acks) {
    if (ack.value < ack.seq) ++verdict.lost_acked_increments;
    if (ack.value > ack.seq) ++verdict.applied_twice;
    if (report.final_state && ack.seq > final_value) ++verdict.lost_acked_increments;
  }
  // No more increments can have been applied than were sent.
  if (final_value > report.last_sent_seq) {
    verdict.applied_twice += static_cast<int64_t>(final_value - report.last_sent_seq);
  }
  return verdict;
}

absl::Status CheckExactlyOnce(const ClientReport& report) {
  for (const Ack& ack : report.acks) {
    if (ack.value != ack.seq) {
      return absl::FailedPreconditionError(
          absl::StrCat("increment ", ack.seq, " was acknowledged with value ", ack.value, ": ",
                       ack.value < ack.seq ? "an acknowledged increment was lost"
                                           : "an increment was applied twice"));
    }
  }
  if (!report.final_state) {
    return absl::FailedPreconditionError(
        absl::StrCat("the client did not finish: ", report.acks.size(),
                     " increments acknowledged, no final "
                     "read"));
  }
  const CounterState& final_state = *report.final_state;
  const uint64_t last_acked = report.acks.empty() ? 0 : report.acks.back().seq;
  if (final_state.value < last_acked) {
    return absl::FailedPreconditionError(
        absl::StrCat("the final value is ", final_state.value, " but increment ", last_acked,
                     " was acknowledged: acknowledged increments were lost"));
  }
  if (final_state.value > report.last_sent_seq) {
    return absl::FailedPreconditionError(
        absl::StrCat("the final value is ", final_state.value, " but only ", report.last_sent_seq,
                     " increments were sent (the last acknowledged was ", last_acked,
                     "): an increment was applied twice"));
  }
  if (final_state.value > last_acked + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the final value is ", final_state.value, " after increment ", last_acked,
        " was acknowledged: at most one unacknowledged increment may have been applied"));
  }
  if (final_state.last_client_seq != final_state.value) {
    return absl::FailedPreconditionError(absl::StrCat("the final state applied increments up to ",
                                                      final_state.last_client_seq,
                                                      " but holds the value ", final_state.value));
  }
  return absl::OkStatus();
}

}  // namespace ddc::primary_backup
