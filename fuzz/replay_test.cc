// Replays the fuzz targets in the ordinary test suite: every file of fuzz/corpus/<target>/ (the
// seeds, and every input a fuzzer found a bug with, kept as a regression), and a fixed set of
// pseudo-random inputs, so that the targets' checks run in every build, sanitizers included.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fuzz/targets.h"
#include "gtest/gtest.h"
#include "platform/random.h"

namespace ddc::fuzz {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class FuzzReplayTest : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplayTest, EveryCorpusFileKeepsThePromises) {
  const std::filesystem::path dir = std::filesystem::path(DDC_FUZZ_CORPUS_DIR) / GetParam().name;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir << " is missing: every target has seeds";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  // The spec target also starts from the repository's own specs.
  if (std::string(GetParam().name) == "spec") {
    for (const auto& entry : std::filesystem::directory_iterator(DDC_SPECS_DIR)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << dir;
  for (const std::filesystem::path& file : files) {
    const absl::Status status = GetParam().run(ReadFile(file));
    EXPECT_TRUE(status.ok()) << file.filename() << ": " << status;
  }
}

// kRandomInputs inputs of up to 2 KiB from a fixed seed: a smoke test of the target's own
// checks, not a substitute for fuzzing.
constexpr int kRandomInputs = 40;

TEST_P(FuzzReplayTest, PseudoRandomInputsKeepThePromises) {
  Rng rng = Rng::ForStream(1, "fuzz-replay", std::string(GetParam().name));
  for (int i = 0; i < kRandomInputs; ++i) {
    std::string input(static_cast<size_t>(rng.Next64() % 2048), '\0');
    for (char& c : input) c = static_cast<char>(rng.Next64());
    const absl::Status status = GetParam().run(input);
    EXPECT_TRUE(status.ok()) << "input " << i << ": " << status;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(FuzzTargets()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace ddc::fuzz
