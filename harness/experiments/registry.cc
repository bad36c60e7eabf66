#include <memory>
#include <vector>

#include "harness/experiment.h"

namespace ddc::harness {

std::unique_ptr<Experiment> MakePingpongExperiment();
std::unique_ptr<Experiment> MakeTransferExperiment();

std::vector<std::unique_ptr<Experiment>> AllExperiments() {
  std::vector<std::unique_ptr<Experiment>> all;
  all.push_back(MakePingpongExperiment());
  all.push_back(MakeTransferExperiment());
  return all;
}

}  // namespace ddc::harness
