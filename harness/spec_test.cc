// Specs and field paths: what a bad spec or sweep is told, and the points a spec expands into.
#include "harness/spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/field_path.h"

namespace ddc::harness {
namespace {

using ::testing::HasSubstr;

void ExpectInvalid(const absl::Status& status, absl::string_view substring) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(substring)));
}

TEST(FieldPathTest, SetsNestedScalarsEnumsAndRepeatedElements) {
  PlatformConfig config = DefaultConfig();
  ASSERT_TRUE(SetFieldByPath(config, "cost_model.memory_rtt_ns", "500").ok());
  ASSERT_TRUE(SetFieldByPath(config, "cost_model.memory_bandwidth_gbps", "12.5").ok());
  ASSERT_TRUE(SetFieldByPath(config, "memory.failure_detection", "ASYNC_LIVENESS").ok());
  ASSERT_TRUE(SetFieldByPath(config, "racks[0].compute_elements[1].cache_lines", "64").ok());
  EXPECT_EQ(config.cost_model().memory_rtt_ns(), 500);
  EXPECT_EQ(config.cost_model().memory_bandwidth_gbps(), 12.5);
  EXPECT_EQ(config.memory().failure_detection(), config::MemoryConfig::ASYNC_LIVENESS);
  EXPECT_EQ(config.racks(0).compute_elements(1).cache_lines(), 64);
}

TEST(FieldPathTest, ErrorsNameThePathAndValueAndChangeNothing) {
  const PlatformConfig before = DefaultConfig();
  PlatformConfig config = before;
  ExpectInvalid(SetFieldByPath(config, "cost_model.memory_rtt", "5"),
                "has no field \"memory_rtt\"");
  ExpectInvalid(SetFieldByPath(config, "cost_model.memory_rtt_ns", "fast"),
                "cost_model.memory_rtt_ns=fast: \"fast\" is not a 64-bit integer");
  ExpectInvalid(SetFieldByPath(config, "memory.failure_detection", "SOMETIMES"),
                "not a value of FailureDetection");
  ExpectInvalid(SetFieldByPath(config, "racks[7].name", "x"), "has 2 elements, no [7]");
  ExpectInvalid(SetFieldByPath(config, "racks.name", "x"), "is repeated");
  ExpectInvalid(SetFieldByPath(config, "cost_model", "5"), "is a message");
  // A failure after part of the path was walked (and a nested message created) leaves nothing.
  ExpectInvalid(SetFieldByPath(config, "trace.no_such_field", "1"), "has no field");
  EXPECT_EQ(config.SerializeAsString(), before.SerializeAsString());
}

TEST(SpecTest, BadSpecsAreRejectedNamingTheField) {
  ExpectInvalid(ParseSpec("seeds: 1").status(), "experiment: required");
  ExpectInvalid(ParseSpec("experiment: \"x\" seeds: 1 seeds: 1").status(),
                "seeds[1]: seed 1 is listed twice");
  ExpectInvalid(ParseSpec("experiment: \"x\" sweep { field: \"a\" }").status(),
                "sweep[0] (a): no values");
  ExpectInvalid(ParseSpec("experiment: \"x\"\nplatfrom {}").status(), "line 2");
  ExpectInvalid(
      ParseSpec("experiment: \"x\" params { name: \"p\" } params { name: \"p\" }").status(),
      "\"p\" is given twice");
  // A config error inside the spec's platform names the point and the config field.
  absl::StatusOr<ExperimentSpec> spec = ParseSpec(R"(
    experiment: "x"
    sweep { field: "cost_model.intra_rack_rtt_ns" values: ["1000", "-5"] }
  )");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ExpectInvalid(ExpandSpec(*spec).status(), "point cost_model.intra_rack_rtt_ns=-5");
  ExpectInvalid(ExpandSpec(*spec).status(), "got -5");
}

TEST(SpecTest, PointsAreTheProductOfTheAxesTimesTheSeedsInOrder) {
  absl::StatusOr<ExperimentSpec> spec = ParseSpec(R"(
    experiment: "x"
    params { name: "p" value: "base" }
    seeds: [7, 9]
    sweep { field: "cost_model.memory_rtt_ns" values: ["500", "1000"] }
    sweep { field: "params.p" values: ["a", "b", "c"] }
  )");
  ASSERT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSpec(*spec);
  ASSERT_TRUE(points.ok()) << points.status();
  ASSERT_EQ(points->size(), 12u);
  const SweepPoint& p = (*points)[7];  // rtt 1000 (second), p = "a" (first), seed 9 (second)
  EXPECT_EQ(p.index, 7);
  EXPECT_EQ(p.seed, 9u);
  EXPECT_EQ(p.config.cost_model().memory_rtt_ns(), 1000);
  EXPECT_EQ(p.params.at("p"), "a");
  EXPECT_EQ(p.settings, (std::vector<std::pair<std::string, std::string>>{
                            {"cost_model.memory_rtt_ns", "1000"}, {"params.p", "a"}}));
  // Defaults still apply around the swept field, and the config is resolved (a topology exists).
  EXPECT_EQ(p.config.cost_model().intra_rack_rtt_ns(), 2000);
  EXPECT_GT(p.config.racks_size(), 0);
}

TEST(SpecTest, APresetStillFillsWhatASweptFieldDoesNotSet) {
  absl::StatusOr<ExperimentSpec> spec = ParseSpec(R"(
    experiment: "x"
    sweep { field: "cost_model.preset" values: ["PRESET_FUTURE"] }
    sweep { field: "racks[0].compute_elements[0].cache_lines" values: ["32"] }
  )");
  ASSERT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSpec(*spec);
  ASSERT_TRUE(points.ok()) << points.status();
  const PlatformConfig& config = (*points)[0].config;
  PlatformConfig future;
  future.mutable_cost_model()->set_preset(config::PRESET_FUTURE);
  ResolveConfig(future);
  EXPECT_EQ(config.cost_model().intra_rack_rtt_ns(), future.cost_model().intra_rack_rtt_ns());
  EXPECT_EQ(config.racks(0).compute_elements(0).cache_lines(), 32);
}

TEST(SpecTest, CommandLineAxesAreCheckedLikeSpecAxes) {
  ExperimentSpec spec;
  spec.set_experiment("x");
  ExpectInvalid(AddSweepAxis("cost_model.memory_rtt_ns", spec), "expected FIELD=V1,V2");
  ExpectInvalid(AddSweepAxis("cost_model.memory_rtt_ns=1,,2", spec), "an empty value");
  ASSERT_TRUE(AddSweepAxis("cost_model.memory_rtt_ns=1,2", spec).ok());
  ExpectInvalid(AddSweepAxis("cost_model.memory_rtt_ns=3", spec), "swept twice");
  EXPECT_EQ(spec.sweep_size(), 1);
}

}  // namespace
}  // namespace ddc::harness
