// ddc: the command line of the suite (harness/cli.h).
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli.h"
#include "harness/experiment.h"

int main(int argc, char** argv) {
  return ddc::harness::RunCli(std::vector<std::string>(argv + 1, argv + argc),
                              ddc::harness::AllExperiments, std::cout, std::cerr);
}
