#include "harness/experiments/primary_backup_workload.h"

#include "absl/strings/str_cat.h"
#include "examples/primary_backup/check.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

// SinceCrash renders `at` - crash, or NA when either is missing.
std::string SinceCrash(const std::optional<Time>& at, const std::optional<Time>& crash) {
  return at && crash ? absl::StrCat(*at - *crash) : "NA";
}

}  // namespace

absl::Status PrimaryBackupWorkload::Setup(Simulation& sim) {
  DDC_ASSIGN_OR_RETURN(const primary_backup::Deployment service,
                       primary_backup::Launch(sim, options_, &outcome_));
  if (crash_at_) DDC_RETURN_IF_ERROR(sim.CrashCe(service.primary_ce, *crash_at_));
  return absl::OkStatus();
}

absl::Status PrimaryBackupWorkload::Check(const Simulation&) {
  return primary_backup::CheckExactlyOnce(outcome_.client);
}

Duration PrimaryBackupWorkload::LongestWait() const {
  const primary_backup::Ack* longest = outcome_.client.LongestWait();
  return longest == nullptr ? 0 : longest->wait();
}

std::vector<MetricRow> PrimaryBackupWorkload::Metrics() const {
  const primary_backup::ClientReport& client = outcome_.client;
  const primary_backup::Ack* longest = client.LongestWait();
  const primary_backup::Verdict verdict = primary_backup::Judge(client);
  const primary_backup::Takeover& takeover = outcome_.takeover;
  return {{
      {"increments", absl::StrCat(options_.increments)},
      {"crash_at_ns", crash_at_ ? absl::StrCat(*crash_at_) : "NA"},
      {"acks", absl::StrCat(client.acks.size())},
      {"failed_calls", absl::StrCat(client.failed_calls.size())},
      {"ack_p50_before_crash_ns",
       absl::StrCat(client.MedianWaitBefore(crash_at_.value_or(kInfiniteTime)))},
      {"longest_ack_wait_ns", absl::StrCat(LongestWait())},
      {"longest_wait_increment", absl::StrCat(longest == nullptr ? 0 : longest->seq)},
      {"detection_ns", SinceCrash(takeover.detected_at, crash_at_)},
      {"takeover_ns", SinceCrash(takeover.serving_at, crash_at_)},
      {"final_value", client.final_state ? absl::StrCat(client.final_state->value) : "NA"},
      {"lost_acked_increments", absl::StrCat(verdict.lost_acked_increments)},
      {"applied_twice", absl::StrCat(verdict.applied_twice)},
  }};
}

}  // namespace ddc::harness
