#include <memory>
#include <vector>

#include "harness/experiment.h"

namespace ddc::harness {

std::unique_ptr<Experiment> MakePingpongExperiment();
std::unique_ptr<Experiment> MakeTransferExperiment();
std::unique_ptr<Experiment> MakePrimaryBackupExperiment();
std::unique_ptr<Experiment> MakePaxosRecoveryExperiment();
std::unique_ptr<Experiment> MakeMapReduceShuffleExperiment();
std::unique_ptr<Experiment> MakeMapReduceStragglerExperiment();
std::unique_ptr<Experiment> MakeKvRebalanceExperiment();

std::vector<std::unique_ptr<Experiment>> AllExperiments() {
  std::vector<std::unique_ptr<Experiment>> all;
  all.push_back(MakePingpongExperiment());
  all.push_back(MakeTransferExperiment());
  all.push_back(MakePrimaryBackupExperiment());
  all.push_back(MakePaxosRecoveryExperiment());
  all.push_back(MakeMapReduceShuffleExperiment());
  all.push_back(MakeMapReduceStragglerExperiment());
  all.push_back(MakeKvRebalanceExperiment());
  return all;
}

}  // namespace ddc::harness
