// Exactly once: what a run of the counter must guarantee, checked from the client's report.
//
// The client sends increments one at a time and retries each until it is acknowledged, so if every
// increment is applied exactly once, the acknowledgement of increment s carries the value s, and
// the final state holds the last acknowledged increment (or one more, if the client stopped while
// its last increment was applied but not yet acknowledged). An acknowledgement with a smaller
// value, or a final value below an acknowledged sequence number, means an acknowledged increment
// was lost; a larger value means an increment was applied twice.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_CHECK_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_CHECK_H_

#include <cstdint>

#include "absl/status/status.h"
#include "examples/primary_backup/outcome.h"

namespace ddc::primary_backup {

struct Verdict {
  // lost_acked_increments counts acknowledged increments that the final state (or a later
  // acknowledgement) does not include.
  int64_t lost_acked_increments = 0;
  // applied_twice counts increments applied more than once.
  int64_t applied_twice = 0;
};

Verdict Judge(const ClientReport& report);

// CheckExactlyOnce returns OK when nothing acknowledged was lost and nothing was applied twice,
// else FAILED_PRECONDITION describing the first violation. A report without a final state (the
// client did not finish) is FAILED_PRECONDITION too.
absl::Status CheckExactlyOnce(const ClientReport& report);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_CHECK_H_
