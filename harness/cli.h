// RunCli is the `ddc` command line, as a function so that tests can run it on experiments of
// their own and check what a user sees:
//
//   ddc list
//   ddc run EXPERIMENT|all [--seed N] [--config FILE] [--out DIR] [--set NAME=VALUE]...
//   ddc config [--config FILE]          print the resolved config (every default filled in)
//
// It returns the exit code: 0 on success; 1 when a run fails, with "ddc: EXPERIMENT: why" on
// `err` (a process that failed is named with its error); 2 for a usage error. Each finished
// experiment prints its headline figure on `out`.
#ifndef DDC_HARNESS_CLI_H_
#define DDC_HARNESS_CLI_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "harness/experiment.h"

namespace ddc::harness {

int RunCli(const std::vector<std::string>& args,
           std::vector<std::unique_ptr<Experiment>> experiments, std::ostream& out,
           std::ostream& err);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_CLI_H_
