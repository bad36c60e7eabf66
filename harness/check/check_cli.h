// `ddc check`: the command line of the runner (harness/check/runner.h).
//
//   ddc check [--app NAME|all] [--seeds N] [--from S] [--threads T] [--no-shrink] [--out DIR]
//   ddc check --replay FILE      run a scenario written by the shrinker (check.proto)
//   ddc check --list             the targets and the invariants each checks
//
// Defaults: --app all, --seeds 100, --from 0, --threads = the cores, --out results/check.
// Exit code: 0 when every seed passed, 1 when one failed (or a run could not be made), 2 for a
// usage error, which names the flag.
#ifndef DDC_HARNESS_CHECK_CHECK_CLI_H_
#define DDC_HARNESS_CHECK_CHECK_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace ddc::check {

inline constexpr char kCheckUsage[] =
    "  ddc check [--app paxos|mapreduce|kvstore|platform|all] [--seeds N] [--from S]\n"
    "            [--threads T] [--no-shrink] [--out DIR] | --replay FILE | --list\n";

// RunCheckCli runs `ddc check ARGS` (ARGS after the word "check") on AllCheckTargets().
int RunCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_CHECK_CLI_H_
