#include "harness/output.h"

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "harness/experiment.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc::harness {

absl::StatusOr<int64_t> ExperimentContext::IntParam(const std::string& name,
                                                    int64_t fallback) const {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  int64_t value;
  if (!absl::SimpleAtoi(it->second, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--set ", name, ": not an integer: \"", it->second, "\""));
  }
  return value;
}

absl::Status WriteFile(absl::string_view dir, absl::string_view name, absl::string_view contents) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write \"", path, "\""));
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) return absl::DataLossError(absl::StrCat("short write to \"", path, "\""));
  return absl::OkStatus();
}

absl::Status WriteRunArtifacts(absl::string_view dir, absl::string_view prefix,
                               const Simulation& simulation) {
  DDC_RETURN_IF_ERROR(
      WriteFile(dir, absl::StrCat(prefix, ".metrics.csv"), simulation.MetricsCsv()));
  const StatsRegistry& stats = simulation.stats();
  if (!stats.counters().empty()) {
    DDC_RETURN_IF_ERROR(WriteFile(dir, absl::StrCat(prefix, ".counters.csv"), stats.CountersCsv()));
  }
  if (!stats.histograms().empty()) {
    DDC_RETURN_IF_ERROR(
        WriteFile(dir, absl::StrCat(prefix, ".histograms.csv"), stats.HistogramsCsv()));
  }
  if (!stats.series().empty()) {
    DDC_RETURN_IF_ERROR(WriteFile(dir, absl::StrCat(prefix, ".series.csv"), stats.SeriesCsv()));
  }
  return WriteFile(dir, absl::StrCat(prefix, ".trace.json"), simulation.TraceJson());
}

std::string CsvEscape(absl::string_view value) {
  if (value.find_first_of(",\"\n") == absl::string_view::npos) return std::string(value);
  return absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\"\""}}), "\"");
}

std::string CsvTable::Render() const {
  std::string out = absl::StrJoin(header_, ",") + "\n";
  for (const auto& row : rows_) absl::StrAppend(&out, absl::StrJoin(row, ","), "\n");
  return out;
}

}  // namespace ddc::harness
