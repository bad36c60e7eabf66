// Helpers for tests of the `transfer` experiment: run it into a temporary directory and check
// its CSV against the analytic model.
#ifndef DDC_HARNESS_TRANSFER_TEST_UTIL_H_
#define DDC_HARNESS_TRANSFER_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "platform/config.h"

namespace ddc::harness {

inline std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(absl::StrSplit(line, ','));
  return rows;
}

inline int Column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// RunTransfer runs the experiment with `config_text` up to `max_bytes` into TempDir()/transfer-NAME
// and returns the rows of transfer.csv.
inline std::vector<std::vector<std::string>> RunTransfer(const std::string& config_text,
                                                         const std::string& name, int64_t max_bytes,
                                                         uint64_t seed = 3) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(config_text);
  EXPECT_TRUE(config.ok()) << config.status();
  const std::string dir = testing::TempDir() + "/transfer-" + name;
  std::filesystem::create_directories(dir);
  for (auto& e : AllExperiments()) {
    if (e->name() != "transfer") continue;
    absl::StatusOr<ExperimentResult> result =
        e->Run({*config, seed, dir, {{"transfer.max_bytes", std::to_string(max_bytes)}}});
    EXPECT_TRUE(result.ok()) << result.status();
  }
  return ReadCsv(dir + "/transfer.csv");
}

inline void ExpectEveryRunMatchesTheModel(const std::vector<std::vector<std::string>>& rows,
                                          int expected_sizes) {
  ASSERT_GT(rows.size(), 1u);
  const auto& header = rows[0];
  const int mode = Column(header, "mode"), time = Column(header, "time_ns"),
            model = Column(header, "model_ns"), verified = Column(header, "verified"),
            trips = Column(header, "memory_round_trips"),
            messages = Column(header, "network_messages");
  int exposed_rows = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    EXPECT_EQ(row[verified], "yes") << "row " << r;
    EXPECT_EQ(row[time], row[model]) << "row " << r << " (" << row[mode] << ")";
    int64_t t = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row[time], &t));
    EXPECT_GT(t, 0);
    if (row[mode] == "exposed") {
      ++exposed_rows;
      // The paper: one memory round trip and one control message.
      EXPECT_EQ(row[trips], "1");
      EXPECT_EQ(row[messages], "1");
    }
  }
  EXPECT_EQ(exposed_rows, expected_sizes);
}

}  // namespace ddc::harness

#endif  // DDC_HARNESS_TRANSFER_TEST_UTIL_H_
