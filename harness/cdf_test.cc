#include "harness/cdf.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace ddc::harness {
namespace {

TEST(LatencyCdf, OneRowPerQuantileFromTheMinimumToTheMaximum) {
  Histogram h;
  for (int64_t v = 1; v <= 1000; ++v) ASSERT_TRUE(h.Record(v * 1000).ok());
  CsvTable table = LatencyCdfTable();
  AddLatencyCdf(table, "a/b", Mode::kExposed, "during", h);
  const std::vector<std::string> lines = absl::StrSplit(table.Render(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1 + CdfQuantiles().size());
  EXPECT_EQ(lines[0], "run,mode,window,quantile,latency_ns,count");
  EXPECT_EQ(lines[1], "a/b,exposed,during,0,1000,1000");
  EXPECT_EQ(lines.back(), "a/b,exposed,during,1,1000000,1000");
  // The median is within the histogram's precision (1/128) of the exact 500 us.
  const std::vector<std::string> median = absl::StrSplit(lines[51], ',');
  EXPECT_EQ(median[3], "0.5");
  const int64_t p50 = std::stoll(median[4]);
  EXPECT_NEAR(p50, 500000, 500000 / 128);
}

TEST(LatencyCdf, AnEmptyWindowAddsNoRow) {
  CsvTable table = LatencyCdfTable();
  AddLatencyCdf(table, "x", Mode::kTransparent, "before", Histogram());
  EXPECT_EQ(table.Render(), "run,mode,window,quantile,latency_ns,count\n");
}

}  // namespace
}  // namespace ddc::harness
