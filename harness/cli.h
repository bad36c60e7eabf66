// RunCli is the `ddc` command line, as a function so that tests can run it on experiments of
// their own and check what a user sees:
//
//   ddc list                       the experiments, and the shipped specs (specs/*.textproto)
//   ddc run WHAT [FLAGS]           WHAT is an experiment name, `all`, or a spec file
//   ddc sweep WHAT [FLAGS] [--emit-slurm DIR | --task I]
//   ddc merge DIR                  merge a Slurm array's points (see harness/sweep.h)
//   ddc config [--config FILE]     print the resolved config (every default filled in)
//   ddc help                       the usage, on `out`
//
// Commands built outside ddc_harness (`ddc check`, which depends on the applications' check
// targets) are passed in as CliCommands, so that ddc_harness never depends on them.
//
//   FLAGS: --seed N  --config FILE  --out DIR (default results)  --set NAME=VALUE...
//          --sweep FIELD=V1,V2,...  --jobs N (points run at once; default: the cores)
//
// `run` and `sweep` are one path: the command line becomes a spec (harness/spec.h): a spec file,
// or {experiment, --config, --set, --seed}, plus the --sweep axes, and its points run as
// harness/sweep.h describes. --seed replaces a spec's seeds, --config its platform, --set adds to
// its params. `sweep --emit-slurm DIR` writes a job array instead of running; `sweep --task I`
// runs point I only (what each array task does).
//
// It returns the exit code: 0 on success; 1 when a run fails, with "ddc: EXPERIMENT: why" on
// `err` (a process that failed is named with its error); 2 for a usage error (unknown command,
// experiment or flag). Each finished point prints its headline figure on `out`.
#ifndef DDC_HARNESS_CLI_H_
#define DDC_HARNESS_CLI_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "harness/experiment.h"

namespace ddc::harness {

// ExperimentList returns fresh instances of every experiment, in `ddc run all` order.
using ExperimentList = std::function<std::vector<std::unique_ptr<Experiment>>()>;

// CliCommand is one more `ddc NAME ...` command: `run` gets the arguments after NAME and returns
// the exit code (2 for a usage error); `usage` is its lines of the usage text.
struct CliCommand {
  std::string name;
  std::string usage;
  std::function<int(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)>
      run;
};

int RunCli(const std::vector<std::string>& args, const ExperimentList& experiments,
           std::ostream& out, std::ostream& err, const std::vector<CliCommand>& commands = {});

}  // namespace ddc::harness

#endif  // DDC_HARNESS_CLI_H_
