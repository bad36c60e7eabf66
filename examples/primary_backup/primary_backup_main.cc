// Primary-backup: one replicated counter, two ways to survive the death of its primary.
//
// The same service code (this folder's library) runs twice on the same seed, with the same client
// workload and the same fault: the primary's compute element crashes 1 ms into the run.
//
// - transparent (LegoOS-like): no steal and no failure notification. The primary replicates every
//   increment to a backup before acknowledging it; the backup suspects the primary after a
//   failure timeout without heartbeats (the fair rule, CostModel::AggressiveTimeouts: about
//   20 us in a rack) and serves its replica under its own id. The client retries at the backup.
// - exposed: the primary flushes every increment to its own memory-element pages. A standby
//   learns of the death from the rack monitor (5 missed 2 ms beats: about 10 ms), steals the
//   pages, takes over the primary's id and serves. The client keeps calling the same id: it sees
//   its call reset, and the retry succeeds.
//
// With the default rack the timeout detects the crash sooner than the monitor, so the client
// waits longer in exposed mode; exposed mode acknowledges each increment sooner (no replica).
// Either way no acknowledged increment is lost and none is applied twice: the checks at the end
// of each story say so, and this program fails (exit code 1) if they do not hold.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "examples/primary_backup/check.h"
#include "examples/primary_backup/launch.h"
#include "examples/primary_backup/outcome.h"
#include "platform/config.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace {

namespace pb = ddc::primary_backup;

constexpr uint64_t kSeed = 1;
constexpr ddc::Time kCrashAt = ddc::Milliseconds(1);

std::string Us(ddc::Duration ns) { return absl::StrFormat("%.3f us", ns / 1000.0); }

const char* RoleName(pb::Role role) { return role == pb::Role::kPrimary ? "primary" : "backup"; }
pb::Role Other(pb::Role role) {
  return role == pb::Role::kPrimary ? pb::Role::kBackup : pb::Role::kPrimary;
}

// Line is one event of the story.
struct Line {
  ddc::Time at;
  std::string who;
  std::string what;
};

// Story turns what the backup and the client reported into lines, in time order.
std::vector<Line> Story(ddc::Mode mode, const pb::Outcome& outcome, const std::string& crashed_ce) {
  const bool exposed = mode == ddc::Mode::kExposed;
  std::vector<Line> lines;
  lines.push_back(
      {kCrashAt, "primary", absl::StrFormat("its compute element %s crashes", crashed_ce)});
  for (const pb::FailedCall& failed : outcome.client.failed_calls) {
    const bool reset = failed.code == absl::StatusCode::kUnavailable;
    lines.push_back({failed.failed_at, "client",
                     absl::StrFormat("increment %d to %s: %s %s (%s); retry at %s", failed.seq,
                                     RoleName(failed.target), reset ? "reset after" : "no reply in",
                                     Us(failed.failed_at - failed.sent_at),
                                     absl::StatusCodeToString(failed.code),
                                     exposed ? "the same id" : RoleName(Other(failed.target)))});
  }
  const pb::Takeover& takeover = outcome.takeover;
  if (takeover.detected_at) {
    lines.push_back({*takeover.detected_at, "backup",
                     exposed ? "the rack monitor's notice: the primary is dead"
                             : "no heartbeat for a failure timeout: the primary is suspected"});
  }
  if (takeover.serving_at) {
    lines.push_back({*takeover.serving_at, "backup",
                     absl::StrFormat("%s; serving from value %d",
                                     exposed ? "stole the primary's pages and took over its id"
                                             : "took over under its own id with its replica",
                                     takeover.resumed_from.value)});
  }
  // The acknowledgement that ended each outage: the first one after a failed call.
  for (const pb::Ack& ack : outcome.client.acks) {
    const bool after_failure =
        std::any_of(outcome.client.failed_calls.begin(), outcome.client.failed_calls.end(),
                    [&ack](const pb::FailedCall& f) { return f.seq == ack.seq; });
    if (!after_failure) continue;
    lines.push_back({ack.acked_at, "client",
                     absl::StrFormat("increment %d acked by %s: value %d, %s after its first "
                                     "attempt",
                                     ack.seq, RoleName(ack.target), ack.value, Us(ack.wait()))});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.at < b.at; });
  return lines;
}

absl::Status RunOneMode(ddc::Mode mode, const pb::Options& options) {
  ddc::PlatformConfig config = ddc::DefaultConfig();
  config.set_mode(mode == ddc::Mode::kExposed ? ddc::config::PlatformConfig::EXPOSED
                                              : ddc::config::PlatformConfig::TRANSPARENT);
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<ddc::Simulation> sim,
                       ddc::Simulation::Create(config, kSeed));
  pb::Outcome outcome;
  DDC_ASSIGN_OR_RETURN(const pb::Deployment service, pb::Launch(*sim, options, &outcome));
  DDC_RETURN_IF_ERROR(sim->CrashCe(service.primary_ce, kCrashAt));
  // The transparent primary heartbeats forever, so the run stops when the client is done.
  const bool finished =
      sim->RunUntil([&outcome] { return outcome.client.finished; }, ddc::Seconds(1));
  if (!sim->ProcessFailures().empty()) {
    const ddc::ProcessFailure& failure = sim->ProcessFailures()[0];
    return absl::InternalError(absl::StrFormat(
        "%s mode: process \"%s\" failed: %s", ddc::ModeName(mode), failure.process, failure.error));
  }
  if (!finished) return absl::DeadlineExceededError("the client did not finish within 1 s");

  std::cout << "== " << ddc::ModeName(mode)
            << (mode == ddc::Mode::kExposed
                    ? ": the primary flushes each increment to its own pages; the backup is a "
                      "standby\n"
                    : ": the primary replicates each increment to the backup, which watches "
                      "heartbeats\n");
  const std::string crashed_ce = sim->topology().ce(service.primary_ce).name;
  for (const Line& line : Story(mode, outcome, crashed_ce)) {
    std::cout << absl::StrFormat("[%10.3f us] %-8s %s\n", line.at / 1000.0, line.who, line.what);
  }
  const pb::ClientReport& client = outcome.client;
  std::cout << absl::StrFormat(
      "acks:     %d of %d, after %d failed call(s); %s each before the "
      "crash (median)\n",
      client.acks.size(), options.increments, client.failed_calls.size(),
      Us(client.MedianWaitBefore(kCrashAt)));
  if (const pb::Ack* longest = client.LongestWait()) {
    std::cout << absl::StrFormat("longest:  %s waiting for increment %d\n", Us(longest->wait()),
                                 longest->seq);
  }
  if (outcome.takeover.detected_at && outcome.takeover.serving_at) {
    std::cout << absl::StrFormat("takeover: detected %s after the crash, serving %s after it\n",
                                 Us(*outcome.takeover.detected_at - kCrashAt),
                                 Us(*outcome.takeover.serving_at - kCrashAt));
  }
  DDC_RETURN_IF_ERROR(pb::CheckExactlyOnce(client));
  std::cout << absl::StrFormat(
      "final:    value %d, increments applied up to %d: none lost, none applied twice\n\n",
      client.final_state->value, client.final_state->last_client_seq);
  return absl::OkStatus();
}

absl::Status Run() {
  const pb::Options options;
  std::cout << absl::StrFormat(
      "A replicated counter: %d increments, one at a time, seed %d. The primary's compute element "
      "crashes at %s.\n\n",
      options.increments, kSeed, Us(kCrashAt));
  for (ddc::Mode mode : {ddc::Mode::kTransparent, ddc::Mode::kExposed}) {
    DDC_RETURN_IF_ERROR(RunOneMode(mode, options));
  }
  return absl::OkStatus();
}

}  // namespace

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "primary_backup: " << status << "\n";
    return 1;
  }
  return 0;
}
