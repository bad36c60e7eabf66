// Latency CDFs for the experiments' CSVs: one row per quantile of a run's latencies, so a plot can
// draw the whole distribution (and its tail) rather than a few percentiles.
//
//   CsvTable cdf = LatencyCdfTable();
//   AddLatencyCdf(cdf, "scale-out/A/50%/GRANT", Mode::kExposed, "during", during_histogram);
//
// Columns: run,mode,window,quantile,latency_ns,count. The quantiles are 0 (the minimum), 0.01 to
// 0.99 in steps of 0.01, then 0.995, 0.999, 0.9999 and 1 (the maximum); latency_ns is
// Histogram::ValueAtQuantile, within the histogram's precision (1/128 of the value by default).
// An empty window adds no row.
#ifndef DDC_HARNESS_CDF_H_
#define DDC_HARNESS_CDF_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "harness/output.h"
#include "platform/process.h"
#include "platform/stats.h"

namespace ddc::harness {

std::vector<double> CdfQuantiles();

CsvTable LatencyCdfTable();

void AddLatencyCdf(CsvTable& table, absl::string_view run, Mode mode, absl::string_view window,
                   const Histogram& latencies);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_CDF_H_
