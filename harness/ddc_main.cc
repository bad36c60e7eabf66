// ddc: the command line of the suite (harness/cli.h), with `ddc check` (harness/check/check_cli.h)
// passed in, since ddc_check depends on ddc_harness and not the other way round.
#include <iostream>
#include <string>
#include <vector>

#include "harness/check/check_cli.h"
#include "harness/cli.h"
#include "harness/experiment.h"

int main(int argc, char** argv) {
  const std::vector<ddc::harness::CliCommand> commands = {
      {"check", ddc::check::kCheckUsage, ddc::check::RunCheckCli}};
  return ddc::harness::RunCli(std::vector<std::string>(argv + 1, argv + argc),
                              ddc::harness::AllExperiments, std::cout, std::cerr, commands);
}
