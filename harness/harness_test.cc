// The harness's experiments are reproducible and agree with the cost model: running `pingpong`
// twice with one seed writes byte-identical files, and its RTTs match the model exactly.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "platform/config.h"

namespace ddc::harness {
namespace {

namespace fs = std::filesystem;

// ScratchDir is a fresh directory under the test's temp dir, removed when the test ends. Its
// name is unique per process and test, since ctest runs tests in parallel.
class ScratchDir {
 public:
  explicit ScratchDir(absl::string_view name)
      : path_(fs::path(::testing::TempDir()) /
              absl::StrCat("harness_test_", getpid(), "_",
                           ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                           name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// ReadDir maps every file name in `dir` to its contents.
std::map<std::string, std::string> ReadDir(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    files[entry.path().filename().string()] = ReadFile(entry.path());
  }
  return files;
}

std::unique_ptr<Experiment> FindExperiment(absl::string_view name) {
  for (std::unique_ptr<Experiment>& experiment : AllExperiments()) {
    if (experiment->name() == name) return std::move(experiment);
  }
  return nullptr;
}

// RunExperiment runs `name` as `ddc run NAME --seed SEED --out DIR` would, with the default
// config, and returns the files it wrote.
std::map<std::string, std::string> RunExperiment(absl::string_view name, uint64_t seed,
                                                 const ScratchDir& out) {
  std::unique_ptr<Experiment> experiment = FindExperiment(name);
  if (experiment == nullptr) {
    ADD_FAILURE() << "no experiment named " << name;
    return {};
  }
  ExperimentContext context;
  context.config = DefaultConfig();
  context.seed = seed;
  context.out_dir = out.path().string();
  const absl::StatusOr<ExperimentResult> result = experiment->Run(context);
  EXPECT_TRUE(result.ok()) << result.status();
  return ReadDir(out.path());
}

TEST(ExperimentRegistryTest, ListsPingpongWithADescription) {
  std::unique_ptr<Experiment> pingpong = FindExperiment("pingpong");
  ASSERT_NE(pingpong, nullptr);
  EXPECT_FALSE(pingpong->description().empty());
}

TEST(ExperimentRegistryTest, NamesAreUnique) {
  std::vector<std::string> names;
  for (const std::unique_ptr<Experiment>& e : AllExperiments()) {
    names.push_back(std::string(e->name()));
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(PingpongTest, SameSeedWritesByteIdenticalFiles) {
  const ScratchDir first_dir("first");
  const ScratchDir second_dir("second");
  const std::map<std::string, std::string> first = RunExperiment("pingpong", 7, first_dir);
  const std::map<std::string, std::string> second = RunExperiment("pingpong", 7, second_dir);
  ASSERT_EQ(first.count("pingpong.csv"), 1u);
  for (const char* mode : {"transparent", "exposed"}) {
    ASSERT_EQ(first.count(absl::StrCat("pingpong.", mode, ".metrics.csv")), 1u);
    ASSERT_EQ(first.count(absl::StrCat("pingpong.", mode, ".trace.json")), 1u);
  }
  ASSERT_EQ(first.size(), second.size());
  for (const auto& [name, contents] : first) {
    ASSERT_EQ(second.count(name), 1u) << name << " missing from the second run";
    EXPECT_FALSE(contents.empty()) << name;
    EXPECT_TRUE(contents == second.at(name)) << name << " differs between runs";
  }
}

// CsvRows parses a CSV with a header into one column-name -> value map per row.
std::vector<std::map<std::string, std::string>> CsvRows(const std::string& csv) {
  std::vector<std::map<std::string, std::string>> rows;
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  if (lines.empty()) return rows;
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    EXPECT_EQ(cells.size(), header.size()) << "row " << i << ": " << lines[i];
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < cells.size() && c < header.size(); ++c) row[header[c]] = cells[c];
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t Int(const std::map<std::string, std::string>& row, const std::string& column) {
  int64_t value = 0;
  auto it = row.find(column);
  EXPECT_TRUE(it != row.end() && absl::SimpleAtoi(it->second, &value))
      << "column " << column << " missing or not an integer";
  return value;
}

class PingpongResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, std::string> files = RunExperiment("pingpong", 7, out_);
    auto csv = files.find("pingpong.csv");
    ASSERT_NE(csv, files.end());
    rows_ = CsvRows(csv->second);
    ASSERT_FALSE(rows_.empty());
  }

  const std::map<std::string, std::string>* Row(absl::string_view placement, int64_t payload_bytes,
                                                absl::string_view mode = "exposed") const {
    for (const auto& row : rows_) {
      if (row.at("mode") == mode && row.at("placement") == placement &&
          Int(row, "payload_bytes") == payload_bytes) {
        return &row;
      }
    }
    return nullptr;
  }

  ScratchDir out_{"results"};
  std::vector<std::map<std::string, std::string>> rows_;
};

TEST_F(PingpongResultsTest, IntraRackEmptyPingTakes2002Ns) {
  const auto* row = Row("intra-rack", 0);
  ASSERT_NE(row, nullptr);
  // The request is 4 payload bytes (seq and an empty payload) and a 2-byte header (its call id);
  // the reply adds the 2-byte reply flag. 2 x (1000 ns + 1 ns of serialization).
  EXPECT_EQ(Int(*row, "request_wire_bytes"), 6);
  EXPECT_EQ(Int(*row, "reply_wire_bytes"), 8);
  EXPECT_EQ(Int(*row, "rtt_mean_ns"), 2002);
  EXPECT_EQ(Int(*row, "lost"), 0);
}

TEST_F(PingpongResultsTest, CrossRackEmptyPingTakes45002Ns) {
  const auto* row = Row("cross-rack", 0);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(Int(*row, "request_wire_bytes"), 6);
  EXPECT_EQ(Int(*row, "rtt_mean_ns"), 45002);
}

TEST_F(PingpongResultsTest, EveryRowMatchesTheCostModelExactly) {
  EXPECT_EQ(rows_.size(), 24u);  // 2 modes x 2 placements x 6 payload sizes
  for (const auto& row : rows_) {
    SCOPED_TRACE(absl::StrCat(row.at("mode"), " ", row.at("placement"), " ",
                              row.at("payload_bytes"), " bytes"));
    EXPECT_EQ(Int(row, "mean_minus_model_ns"), 0);
    EXPECT_EQ(Int(row, "rtt_mean_ns"), Int(row, "model_rtt_ns"));
    // On an idle path every iteration takes the same time.
    EXPECT_EQ(Int(row, "rtt_min_ns"), Int(row, "rtt_max_ns"));
    EXPECT_EQ(Int(row, "lost"), 0);
    EXPECT_EQ(Int(row, "iterations"), 10);
  }
  // Messaging does not depend on the mode: both modes measure the same.
  for (const auto& row : rows_) {
    if (row.at("mode") != "transparent") continue;
    const auto* exposed = Row(row.at("placement"), Int(row, "payload_bytes"), "exposed");
    ASSERT_NE(exposed, nullptr);
    EXPECT_EQ(row.at("rtt_mean_ns"), exposed->at("rtt_mean_ns"));
  }
}

}  // namespace
}  // namespace ddc::harness
