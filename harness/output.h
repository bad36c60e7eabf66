// Output helpers for experiments: files written into the run's output directory, and a CSV table
// that formats numbers deterministically.
#ifndef DDC_HARNESS_OUTPUT_H_
#define DDC_HARNESS_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace ddc {
class Simulation;
}

namespace ddc::harness {

// WriteFile writes `contents` to dir/name, replacing it.
absl::Status WriteFile(absl::string_view dir, absl::string_view name, absl::string_view contents);

// WriteRunArtifacts writes what a finished simulation measured: <prefix>.metrics.csv (platform
// counters and link statistics), <prefix>.trace.json, and what the processes recorded through
// Process::stats(), when they recorded anything: <prefix>.counters.csv, <prefix>.histograms.csv
// and <prefix>.series.csv (columns in platform/stats.h and docs/experiments.md).
absl::Status WriteRunArtifacts(absl::string_view dir, absl::string_view prefix,
                               const Simulation& simulation);

// CsvEscape quotes a cell that holds a comma, a quote or a newline (RFC 4180).
std::string CsvEscape(absl::string_view value);

class CsvTable {
 public:
  CsvTable() = default;
  explicit CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}

  template <typename... Cells>
  void AddRow(const Cells&... cells) {
    rows_.push_back({absl::StrCat(cells)...});
  }
  void AddCells(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void SetHeader(std::vector<std::string> header) { header_ = std::move(header); }
  bool empty() const { return header_.empty(); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ddc::harness

#endif  // DDC_HARNESS_OUTPUT_H_
