#include "harness/workload.h"

#include "absl/strings/str_cat.h"
#include "platform/status_macros.h"

namespace ddc::harness {

absl::Status RunWorkload(const PlatformConfig& config, Mode mode, uint64_t seed, Workload& workload,
                         const std::string& out_dir, const RunOptions& options) {
  PlatformConfig moded = config;
  moded.set_mode(mode == Mode::kExposed ? config::PlatformConfig::EXPOSED
                                        : config::PlatformConfig::TRANSPARENT);
  if (options.artifacts.empty()) moded.mutable_trace()->set_enabled(false);
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<Simulation> sim, Simulation::Create(moded, seed));
  DDC_RETURN_IF_ERROR(workload.Setup(*sim));
  const bool finished =
      sim->RunUntil([&workload] { return workload.Finished(); }, workload.time_limit());
  for (const ProcessFailure& failure : sim->ProcessFailures()) {
    if (workload.ExpectedFailure(failure)) continue;
    return absl::InternalError(absl::StrCat("process \"", failure.process, "\" (incarnation ",
                                            failure.incarnation, ") failed at ", failure.at,
                                            " ns in ", ModeName(mode), " mode: ", failure.error));
  }
  if (!finished) {
    return absl::DeadlineExceededError(
        absl::StrCat("the run did not finish within its time limit of ", workload.time_limit(),
                     " ns of virtual time (", ModeName(mode), " mode)"));
  }
  DDC_RETURN_IF_ERROR(workload.Check(*sim));
  if (!options.artifacts.empty()) {
    DDC_RETURN_IF_ERROR(WriteRunArtifacts(out_dir, options.artifacts, *sim));
  }
  return absl::OkStatus();
}

absl::Status RunAndTabulate(const ExperimentContext& context, Mode mode, Workload& workload,
                            CsvTable& table, const RunOptions& options) {
  DDC_RETURN_IF_ERROR(
      RunWorkload(context.config, mode, context.seed, workload, context.out_dir, options));
  for (const MetricRow& metrics : workload.Metrics()) {
    std::vector<std::string> header{"mode"};
    std::vector<std::string> row{std::string(ModeName(mode))};
    for (const auto& [name, value] : metrics) {
      header.push_back(name);
      row.push_back(value);
    }
    if (table.empty()) table.SetHeader(std::move(header));
    table.AddCells(std::move(row));
  }
  return absl::OkStatus();
}

}  // namespace ddc::harness
