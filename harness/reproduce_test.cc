// `ddc reproduce` on a claims table of its own: verdicts come from the findings the experiments
// measured, each spec runs once however many claims share it, quick mode picks the quick specs,
// a second run rewrites the same summary, and mistakes in the table stop it before anything runs.
#include "harness/reproduce.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/output.h"

namespace ddc::harness {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Judge reports one finding per claim it is told of: exposed wins when the memory RTT is below
// 3000 ns, so a config decides the verdict. It counts its runs.
class Judge final : public Experiment {
 public:
  explicit Judge(int* runs) : runs_(runs) {}
  absl::string_view name() const override { return "judge"; }
  absl::string_view description() const override { return "reports findings"; }
  std::vector<std::string> parameters() const override { return {"judge.claims"}; }
  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    ++*runs_;
    const double rtt = static_cast<double>(ctx.config.cost_model().memory_rtt_ns());
    ExperimentResult result{absl::StrCat("rtt ", rtt), {}};
    for (char claim : ctx.params.at("judge.claims")) {
      result.findings.push_back({absl::StrCat("C", std::string(1, claim)), "time", "ns", 3000, rtt,
                                 rtt < 3000, "because"});
    }
    absl::Status written = WriteFile(ctx.out_dir, "judge.csv", absl::StrCat("rtt\n", rtt, "\n"));
    if (!written.ok()) return written;
    return result;
  }

 private:
  int* runs_;
};

class ReproduceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/reproduce-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/specs");
    Write("specs/fast.textproto",
          "experiment: \"judge\" params { name: \"judge.claims\" value: \"12\" }");
    Write("specs/fast-quick.textproto",
          "experiment: \"judge\" params { name: \"judge.claims\" value: \"12\" }"
          " platform { cost_model { memory_rtt_ns: 5000 } }");
    Write("specs/slow.textproto",
          "experiment: \"judge\" params { name: \"judge.claims\" value: \"3\" }"
          " platform { cost_model { memory_rtt_ns: 9000 } }");
    Write("specs/claims.textproto", R"(
      claims { id: "C1" statement: "one" spec: "fast.textproto" quick_spec: "fast-quick.textproto" }
      claims { id: "C2" statement: "two" spec: "fast.textproto" context: "elsewhere: 3x" }
      claims { id: "C3" statement: "three" spec: "slow.textproto" }
      claims { id: "C4" statement: "four" }
    )");
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  absl::Status Run(bool quick, std::set<std::string> only = {}) {
    ReproduceOptions options;
    options.quick = quick;
    options.only = std::move(only);
    options.out_dir = dir_ + "/results";
    options.specs_dir = dir_ + "/specs";
    options.report_script.clear();
    std::ostringstream progress;
    return Reproduce(
        options,
        [this](absl::string_view name) -> std::unique_ptr<Experiment> {
          return name == "judge" ? std::make_unique<Judge>(&runs_) : nullptr;
        },
        progress);
  }

  std::string dir_;
  int runs_ = 0;
};

TEST_F(ReproduceTest, VerdictsComeFromTheMeasuredFindingsAndSharedSpecsRunOnce) {
  ASSERT_TRUE(Run(/*quick=*/false).ok());
  EXPECT_EQ(runs_, 2);  // fast (C1 and C2) and slow (C3)
  const std::string summary = Read("results/summary.json");
  EXPECT_THAT(summary, HasSubstr("\"mode\": \"full\""));
  EXPECT_THAT(summary,
              HasSubstr("\"command\": \"ddc run specs/fast.textproto --out results/fast\""));
  EXPECT_THAT(summary, HasSubstr("\"verdict\": \"holds\""));          // C1, C2 at 2500 ns
  EXPECT_THAT(summary, HasSubstr("\"verdict\": \"does not hold\""));  // C3 at 9000 ns
  EXPECT_THAT(summary, HasSubstr("\"verdict\": \"not measured\""));   // C4
  EXPECT_THAT(summary, HasSubstr("elsewhere: 3x"));
  // Every CSV opens with the run's context columns (harness/sweep.h).
  EXPECT_EQ(Read("results/fast/judge.csv"),
            "experiment,point,seed,params.judge.claims,rtt\njudge,0,1,12,2500\n");
}

TEST_F(ReproduceTest, QuickModeRunsTheQuickSpecsIntoTheSameFolders) {
  ASSERT_TRUE(Run(/*quick=*/true, {"C1"}).ok());
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(Read("results/fast/judge.csv"),
            "experiment,point,seed,params.judge.claims,rtt\njudge,0,1,12,5000\n");
  EXPECT_THAT(Read("results/summary.json"), HasSubstr("\"verdict\": \"does not hold\""));
  EXPECT_FALSE(fs::exists(dir_ + "/results/slow"));
}

TEST_F(ReproduceTest, ASecondRunRewritesTheSameSummary) {
  ASSERT_TRUE(Run(false).ok());
  const std::string first = Read("results/summary.json");
  ASSERT_TRUE(Run(false).ok());
  EXPECT_EQ(Read("results/summary.json"), first);
}

TEST_F(ReproduceTest, MistakesInTheTableStopItBeforeAnythingRuns) {
  EXPECT_THAT(std::string(Run(false, {"C9"}).message()), HasSubstr("--only: no claim \"C9\""));
  Write("specs/claims.textproto",
        "claims { id: \"C1\" spec: \"fast.textproto\" } claims { id: \"C2\" spec: \"gone\" }");
  EXPECT_THAT(std::string(Run(false).message()), HasSubstr("cannot open spec file"));
  Write("specs/claims.textproto", "claims { id: \"C1\" } claims { id: \"C1\" }");
  EXPECT_THAT(std::string(Run(false).message()), HasSubstr("claims[1].id: missing or repeated"));
  EXPECT_EQ(runs_, 0);
}

}  // namespace
}  // namespace ddc::harness
