#include <memory>
#include <vector>

#include "harness/experiment.h"

namespace ddc::harness {

std::unique_ptr<Experiment> MakePingpongExperiment();

std::vector<std::unique_ptr<Experiment>> AllExperiments() {
  std::vector<std::unique_ptr<Experiment>> all;
  all.push_back(MakePingpongExperiment());
  return all;
}

}  // namespace ddc::harness
