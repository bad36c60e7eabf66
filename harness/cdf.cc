#include "harness/cdf.h"

#include "absl/strings/str_format.h"

namespace ddc::harness {

std::vector<double> CdfQuantiles() {
  std::vector<double> quantiles;
  for (int percent = 0; percent <= 99; ++percent) quantiles.push_back(percent / 100.0);
  for (double tail : {0.995, 0.999, 0.9999, 1.0}) quantiles.push_back(tail);
  return quantiles;
}

CsvTable LatencyCdfTable() {
  return CsvTable({"run", "mode", "window", "quantile", "latency_ns", "count"});
}

void AddLatencyCdf(CsvTable& table, absl::string_view run, Mode mode, absl::string_view window,
                   const Histogram& latencies) {
  if (latencies.count() == 0) return;
  for (double q : CdfQuantiles()) {
    table.AddCells({CsvEscape(run), std::string(ModeName(mode)), std::string(window),
                    absl::StrFormat("%g", q),
                    // Quantile 0 is the exact minimum, as quantile 1 is the exact maximum.
                    absl::StrCat(q == 0 ? latencies.min() : latencies.ValueAtQuantile(q)),
                    absl::StrCat(latencies.count())});
  }
}

}  // namespace ddc::harness
