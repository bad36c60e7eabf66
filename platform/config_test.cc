// Config parsing, resolution and validation (config.h), and the topology built from a config.
#include "platform/config.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/substitute.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "platform/topology.h"

namespace ddc {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::AllOf;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Defaults and resolution.

TEST(DefaultConfigTest, MaterializesTwoRacksOfFourCesAndTwoMes) {
  const PlatformConfig config = DefaultConfig();
  ASSERT_EQ(config.racks_size(), 2);
  for (int r = 0; r < 2; ++r) {
    const config::Rack& rack = config.racks(r);
    EXPECT_EQ(rack.name(), absl::StrCat("r", r));
    ASSERT_EQ(rack.compute_elements_size(), 4);
    ASSERT_EQ(rack.memory_elements_size(), 2);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(rack.compute_elements(i).name(), absl::StrCat("ce", i));
      EXPECT_TRUE(rack.compute_elements(i).has_cores()) << "defaults are materialized";
      EXPECT_EQ(rack.compute_elements(i).cores(), 8);
    }
    EXPECT_EQ(rack.memory_elements(0).name(), "me0");
    EXPECT_EQ(rack.memory_elements(1).name(), "me1");
  }
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(DefaultConfigTest, CostModelMatchesFigure2) {
  const PlatformConfig config = DefaultConfig();
  const config::CostModel& cost = config.cost_model();
  EXPECT_TRUE(cost.has_intra_rack_rtt_ns());
  EXPECT_EQ(cost.intra_rack_rtt_ns(), 2000);
  EXPECT_EQ(cost.cross_rack_rtt_ns(), 45000);
  EXPECT_EQ(cost.nic_bandwidth_gbps(), 100);
  EXPECT_EQ(cost.tor_uplink_bandwidth_gbps(), 100);
  EXPECT_EQ(config.memory().page_size(), 4096);
}

TEST(DefaultConfigTest, EmptyTextParsesToDefaultConfig) {
  absl::StatusOr<PlatformConfig> parsed = ParseConfig("");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*parsed, DefaultConfig()));
}

TEST(DefaultConfigTest, TopologyIndexesElementsInConfigOrder) {
  const Topology topology = Topology::FromConfig(DefaultConfig());
  ASSERT_EQ(topology.racks().size(), 2u);
  ASSERT_EQ(topology.ces().size(), 8u);
  ASSERT_EQ(topology.mes().size(), 4u);
  EXPECT_EQ(topology.ce(CeId{5}).name, "r1/ce1");
  EXPECT_EQ(Index(topology.ce(CeId{5}).rack), 1u);
  EXPECT_EQ(topology.me(MeId{2}).name, "r1/me0");
  EXPECT_EQ(topology.FindCe("r1/ce1"), CeId{5});
  EXPECT_EQ(topology.FindMe("r0/me1"), MeId{1});
  EXPECT_EQ(topology.FindRack("r1"), RackId{1});
  EXPECT_FALSE(topology.FindCe("r0/me0").has_value()) << "an ME is not a CE";
  EXPECT_FALSE(topology.FindCe("ce0").has_value()) << "element names are qualified by rack";
}

TEST(DefaultConfigTest, EndpointsCoverTheirCes) {
  const Topology topology = Topology::FromConfig(DefaultConfig());
  const Endpoint rack1 = *topology.FindEndpoint("r1");
  const Endpoint ce2 = *topology.FindEndpoint("r0/ce2");
  const Endpoint me0 = *topology.FindEndpoint("r0/me0");
  EXPECT_TRUE(topology.Covers(rack1, *topology.FindCe("r1/ce3")));
  EXPECT_FALSE(topology.Covers(rack1, *topology.FindCe("r0/ce3")));
  EXPECT_TRUE(topology.Covers(ce2, *topology.FindCe("r0/ce2")));
  EXPECT_FALSE(topology.Covers(ce2, *topology.FindCe("r0/ce1")));
  EXPECT_FALSE(topology.Covers(me0, *topology.FindCe("r0/ce0")));
}

TEST(ResolveConfigTest, FuturePresetSetsIntraRackRttOnly) {
  absl::StatusOr<PlatformConfig> config = ParseConfig("cost_model { preset: PRESET_FUTURE }");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cost_model().intra_rack_rtt_ns(), 1000);
  EXPECT_EQ(config->cost_model().cross_rack_rtt_ns(), 45000);
}

TEST(ResolveConfigTest, ExplicitFieldWinsOverPreset) {
  absl::StatusOr<PlatformConfig> config =
      ParseConfig("cost_model { preset: PRESET_FUTURE intra_rack_rtt_ns: 3000 }");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cost_model().intra_rack_rtt_ns(), 3000);
}

TEST(ResolveConfigTest, IsIdempotent) {
  absl::StatusOr<PlatformConfig> once = ParseConfig("cost_model { preset: PRESET_FUTURE }");
  ASSERT_TRUE(once.ok()) << once.status();
  PlatformConfig twice = *once;
  ResolveConfig(twice);
  EXPECT_TRUE(MessageDifferencer::Equals(*once, twice));
}

TEST(ResolveConfigTest, ExplicitRacksReplaceTheDefaultTopology) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(R"pb(racks {
                                                             name: "solo"
                                                             compute_elements { name: "c" }
                                                           })pb");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->racks_size(), 1);
  EXPECT_EQ(config->racks(0).compute_elements(0).speed_factor(), 1.0);
  EXPECT_TRUE(config->racks(0).compute_elements(0).has_speed_factor());
}

// A valid config exercising most fields; it must survive print -> parse unchanged.
constexpr char kCustomConfig[] = R"pb(
  mode: TRANSPARENT
  racks {
    name: "east"
    compute_elements { name: "c0" cores: 2 speed_factor: 1.5 cache_lines: 64 }
    compute_elements { name: "c1" }
    memory_elements { name: "m0" capacity_bytes: 4194304 }
  }
  racks {
    name: "west"
    compute_elements { name: "c0" }
  }
  cost_model {
    intra_rack_rtt_ns: 1000
    cross_rack_rtt_ns: 30000
    nic_bandwidth_gbps: 25
    tor_uplink_bandwidth_gbps: 400
  }
  memory { page_size: 2097152 failure_detection: ASYNC_LIVENESS steal_policy: GROUP_SECRET }
  monitor { heartbeat_interval_ns: 5000 missed_beats: 2 }
  placements { process: "ping" ce: "west/c0" }
  faults {
    ce_faults { kind: SLOW ce: "east/c1" at_ns: 10 slowdown: 2.5 }
    message_faults { from: "east" to: "west/c0" drop_probability: 0.25 }
    partitions { a: "east/c0" b: "west" at_ns: 5 heal_at_ns: 50 }
    me_faults { me: "east/m0" at_ns: 7 }
  }
  trace { enabled: false max_events: 10 }
)pb";

TEST(ParseConfigTest, ValidCustomConfigRoundTrips) {
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(kCustomConfig);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mode(), config::PlatformConfig::TRANSPARENT);
  EXPECT_EQ(parsed->racks(0).compute_elements(0).cores(), 2);
  EXPECT_EQ(parsed->racks(0).compute_elements(1).cores(), 8);
  EXPECT_EQ(parsed->cost_model().nic_bandwidth_gbps(), 25);
  EXPECT_EQ(parsed->faults().partitions(0).heal_at_ns(), 50);

  std::string printed;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(*parsed, &printed));
  absl::StatusOr<PlatformConfig> reparsed = ParseConfig(printed);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status() << "\n" << printed;
  std::string differences;
  MessageDifferencer differ;
  differ.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differ.Compare(*parsed, *reparsed)) << differences;
}

TEST(ParseConfigTest, CommentsAndWhitespaceAreAllowed) {
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(R"pb(
    # The intra-rack RTT of Figure 2's future column.
    cost_model {
      intra_rack_rtt_ns: 1000  # ConnectX-6
    }
  )pb");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->cost_model().intra_rack_rtt_ns(), 1000);
}

// ---------------------------------------------------------------------------------------------
// Rejected configs: INVALID_ARGUMENT with a message that names the field and the bad value.

struct BadConfig {
  std::string test_name;
  std::string text;
  std::vector<std::string> message_fragments;
};

void PrintTo(const BadConfig& c, std::ostream* os) { *os << c.test_name; }

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, IsRejectedWithAMessageNamingTheField) {
  const BadConfig& bad = GetParam();
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(bad.text);
  ASSERT_FALSE(parsed.ok()) << "accepted:\n" << bad.text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  const std::string message(parsed.status().message());
  for (const std::string& fragment : bad.message_fragments) {
    EXPECT_THAT(message, HasSubstr(fragment));
  }
}

INSTANTIATE_TEST_SUITE_P(
    ParseConfig, BadConfigTest,
    ::testing::Values(
        // Text-format errors.
        BadConfig{"UnknownField", "cost_model { bogus: 1 }", {"bogus"}},
        BadConfig{"UnknownTopLevelField", "bogus_top: 1", {"bogus_top"}},
        BadConfig{"UnknownEnumValue", "mode: SIDEWAYS", {"SIDEWAYS"}},
        BadConfig{"UnterminatedMessage", "cost_model {", {"line 1"}},
        BadConfig{"UnquotedString", "racks { name: r0 }", {"line 1"}},
        BadConfig{
            "WrongValueType", "cost_model { intra_rack_rtt_ns: \"fast\" }", {"intra_rack_rtt_ns"}},
        BadConfig{"ErrorOnLaterLine", "mode: EXPOSED\n\ncost_model { bogus: 1 }", {"line 3"}},
        // Cost model.
        BadConfig{"NegativeLatency",
                  "cost_model { intra_rack_rtt_ns: -5 }",
                  {"cost_model.intra_rack_rtt_ns", "-5"}},
        BadConfig{"NegativeCrossRackLatency",
                  "cost_model { cross_rack_rtt_ns: -1 }",
                  {"cost_model.cross_rack_rtt_ns", "-1"}},
        BadConfig{"ZeroBandwidth",
                  "cost_model { nic_bandwidth_gbps: 0 }",
                  {"cost_model.nic_bandwidth_gbps", "0"}},
        BadConfig{"NegativeUplinkBandwidth",
                  "cost_model { tor_uplink_bandwidth_gbps: -100 }",
                  {"cost_model.tor_uplink_bandwidth_gbps", "-100"}},
        BadConfig{"InfiniteBandwidth",
                  "cost_model { memory_bandwidth_gbps: inf }",
                  {"cost_model.memory_bandwidth_gbps"}},
        BadConfig{"NanBandwidth",
                  "cost_model { checksum_bandwidth_gbps: nan }",
                  {"cost_model.checksum_bandwidth_gbps"}},
        // Topology.
        BadConfig{"DuplicateRackNames",
                  R"pb(racks {
                         name: "a"
                         compute_elements { name: "c" }
                       }
                       racks {
                         name: "a"
                         compute_elements { name: "c" }
                       })pb",
                  {"racks[1].name", "\"a\""}},
        BadConfig{"RackNameWithSlash",
                  R"pb(racks {
                         name: "r/0"
                         compute_elements { name: "c" }
                       })pb",
                  {"racks[0].name", "r/0"}},
        BadConfig{"RackWithoutName",
                  R"pb(racks { compute_elements { name: "c" } })pb",
                  {"racks[0].name"}},
        BadConfig{"EmptyRack", R"pb(racks { name: "r0" })pb", {"racks[0]", "no elements"}},
        BadConfig{"DuplicateElementName",
                  R"pb(racks {
                         name: "r0"
                         compute_elements { name: "x" }
                         memory_elements { name: "x" }
                       })pb",
                  {"racks[0].memory_elements[0].name", "\"x\""}},
        BadConfig{"ZeroCores",
                  R"pb(racks {
                         name: "r0"
                         compute_elements { name: "c" cores: 0 }
                       })pb",
                  {"racks[0].compute_elements[0].cores", "0"}},
        BadConfig{"NegativeSpeedFactor",
                  R"pb(racks {
                         name: "r0"
                         compute_elements { name: "c" speed_factor: -2 }
                       })pb",
                  {"racks[0].compute_elements[0].speed_factor", "-2"}},
        BadConfig{"MemoryElementSmallerThanAPage",
                  R"pb(racks {
                         name: "r0"
                         memory_elements { name: "m" capacity_bytes: 100 }
                       })pb",
                  {"racks[0].memory_elements[0].capacity_bytes", "100"}},
        // Memory, monitor, trace.
        BadConfig{"BadPageSize", "memory { page_size: 8192 }", {"memory.page_size", "8192"}},
        BadConfig{"ZeroHeartbeat",
                  "monitor { heartbeat_interval_ns: 0 }",
                  {"monitor.heartbeat_interval_ns", "0"}},
        BadConfig{"NegativeTraceLimit", "trace { max_events: -1 }", {"trace.max_events", "-1"}},
        // Placements.
        BadConfig{"PlacementOnMissingCe",
                  R"pb(placements { process: "x" ce: "r9/ce0" })pb",
                  {"placements[0].ce", "r9/ce0"}},
        BadConfig{"PlacementOnMemoryElement",
                  R"pb(placements { process: "x" ce: "r0/me0" })pb",
                  {"placements[0].ce", "r0/me0"}},
        BadConfig{"DuplicatePlacementRole",
                  R"pb(placements { process: "x" ce: "r0/ce0" }
                       placements { process: "x" ce: "r0/ce1" })pb",
                  {"placements[1].process", "\"x\""}},
        // Fault schedule.
        BadConfig{"DropProbabilityAboveOne",
                  "faults { message_faults { drop_probability: 1.5 } }",
                  {"faults.message_faults[0].drop_probability", "1.5"}},
        BadConfig{"NegativeDuplicateProbability",
                  "faults { message_faults { duplicate_probability: -0.1 } }",
                  {"faults.message_faults[0].duplicate_probability", "-0.1"}},
        BadConfig{"NanDelayProbability",
                  "faults { message_faults { delay_probability: nan } }",
                  {"faults.message_faults[0].delay_probability"}},
        BadConfig{"MessageFaultEndsBeforeItStarts",
                  "faults { message_faults { start_ns: 100 end_ns: 50 } }",
                  {"faults.message_faults[0].end_ns", "50"}},
        BadConfig{"MessageFaultFromUnknownRack",
                  R"pb(faults { message_faults { from: "r3" } })pb",
                  {"faults.message_faults[0].from", "r3"}},
        BadConfig{"PartitionWithUnknownElement",
                  R"pb(faults { partitions { a: "r0" b: "r7" } })pb",
                  {"faults.partitions[0].b", "r7"}},
        BadConfig{"PartitionWithMissingEndpoint",
                  R"pb(faults { partitions { b: "r1" } })pb",
                  {"faults.partitions[0].a"}},
        BadConfig{"PartitionWithItself",
                  R"pb(faults { partitions { a: "r0" b: "r0" } })pb",
                  {"faults.partitions[0].b", "r0"}},
        BadConfig{"PartitionHealsBeforeItStarts",
                  R"pb(faults { partitions { a: "r0" b: "r1" at_ns: 10 heal_at_ns: 5 } })pb",
                  {"faults.partitions[0].heal_at_ns", "5"}},
        BadConfig{"CeFaultOnUnknownCe",
                  R"pb(faults { ce_faults { ce: "r0/ce9" } })pb",
                  {"faults.ce_faults[0].ce", "r0/ce9"}},
        BadConfig{"CeFaultOnMemoryElement",
                  R"pb(faults { ce_faults { ce: "r0/me0" } })pb",
                  {"faults.ce_faults[0].ce", "r0/me0"}},
        BadConfig{"CeFaultAtNegativeTime",
                  R"pb(faults { ce_faults { ce: "r0/ce0" at_ns: -1 } })pb",
                  {"faults.ce_faults[0].at_ns", "-1"}},
        BadConfig{"SlowFaultWithZeroSlowdown",
                  R"pb(faults { ce_faults { kind: SLOW ce: "r0/ce0" slowdown: 0 } })pb",
                  {"faults.ce_faults[0].slowdown", "0"}},
        BadConfig{"MeFaultOnUnknownMe",
                  R"pb(faults { me_faults { me: "r0/me7" } })pb",
                  {"faults.me_faults[0].me", "r0/me7"}}),
    [](const ::testing::TestParamInfo<BadConfig>& info) { return info.param.test_name; });

TEST(ValidateConfigTest, ReportsTheFirstBadFieldOfAProgrammaticConfig) {
  PlatformConfig config = DefaultConfig();
  config.mutable_cost_model()->set_intra_rack_rtt_ns(-5);
  const absl::Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "cost_model.intra_rack_rtt_ns: must be in [0, 3600000000000], got -5");
}

// The defect that introduced the bounds: a per-page MMU cost this large made
// pages x mmu_update_per_page_ns wrap, so a grant looked faster than under the default.
TEST(ValidateConfigTest, RejectsAnMmuCostThatWouldOverflowAGrant) {
  PlatformConfig config = DefaultConfig();
  config.mutable_cost_model()->set_mmu_update_per_page_ns(std::numeric_limits<int64_t>::max());
  const absl::Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "cost_model.mmu_update_per_page_ns: must be in [0, 1000000], got 9223372036854775807");
}

// ---------------------------------------------------------------------------------------------
// Bounds (docs/cost-model.md, "Bounds"): each numeric field is accepted at both ends of its range
// and rejected just outside them, with the field, the range and the value in the message.

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kHour = 3'600'000'000'000;
constexpr int64_t kMaxTime = int64_t{1} << 62;

// BoundedField is a numeric field, a config that sets it to $0, its documented range, and the
// largest value its proto type holds.
template <typename T>
struct BoundedField {
  std::string field;
  std::string text;
  T min;
  T max;
  T largest = std::numeric_limits<T>::max();
};

template <typename T>
void PrintTo(const BoundedField<T>& f, std::ostream* os) {
  *os << f.field;
}

// FieldWith is the config text with the field set to `value`; doubles are printed exactly.
std::string FieldWith(const std::string& text, int64_t value) {
  return absl::Substitute(text, value);
}
std::string FieldWith(const std::string& text, double value) {
  return absl::Substitute(text, absl::StrFormat("%.17g", value));
}

// Shortest is how a user would write a double: the shortest text that reads back as it.
std::string Shortest(int64_t value) { return absl::StrCat(value); }
std::string Shortest(double value) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr);
}

template <typename T>
std::string RangeMessage(const BoundedField<T>& f) {
  return absl::StrCat(f.field, ": must be in [", Shortest(f.min), ", ", Shortest(f.max), "], got ");
}

template <typename T>
void ExpectAccepted(const BoundedField<T>& f, T value) {
  const std::string text = FieldWith(f.text, value);
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(text);
  EXPECT_TRUE(parsed.ok()) << text << "\n" << parsed.status();
}

// ExpectRejected checks the whole message: the field path, its range and the value as given.
template <typename T>
void ExpectRejected(const BoundedField<T>& f, T value, absl::string_view shown) {
  const std::string text = FieldWith(f.text, value);
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(text);
  ASSERT_FALSE(parsed.ok()) << "accepted:\n" << text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(parsed.status().message()), absl::StrCat(RangeMessage(f), shown));
}

template <typename T>
void ExpectBothEndsAccepted(const BoundedField<T>& f) {
  ExpectAccepted(f, f.min);
  ExpectAccepted(f, f.max);
}

// Next and Previous are the nearest values of the type past a bound.
int64_t Next(int64_t value) { return value + 1; }
int64_t Previous(int64_t value) { return value - 1; }
double Next(double value) { return std::nextafter(value, std::numeric_limits<double>::infinity()); }
double Previous(double value) {
  return std::nextafter(value, -std::numeric_limits<double>::infinity());
}

template <typename T>
void ExpectJustOutsideRejected(const BoundedField<T>& f) {
  ExpectRejected(f, Next(f.max), Shortest(Next(f.max)));
  ExpectRejected(f, Previous(f.min), Shortest(Previous(f.min)));
}

// FieldTestName names a parameterized test after its field: racks[0].cores -> racks_0__cores.
struct FieldTestName {
  template <typename Info>
  std::string operator()(const Info& info) const {
    std::string name = info.param.field;
    absl::c_replace_if(
        name, [](char c) { return !absl::ascii_isalnum(c); }, '_');
    return name;
  }
};

class Int64BoundTest : public ::testing::TestWithParam<BoundedField<int64_t>> {};

TEST_P(Int64BoundTest, AcceptsBothEnds) { ExpectBothEndsAccepted(GetParam()); }

TEST_P(Int64BoundTest, RejectsJustOutside) { ExpectJustOutsideRejected(GetParam()); }

// The defect's value for int64 fields; int32 fields stop at INT32_MAX, since the text parser
// refuses anything larger before validation sees it.
TEST_P(Int64BoundTest, RejectsTheLargestValueOfItsType) {
  ExpectRejected(GetParam(), GetParam().largest, absl::StrCat(GetParam().largest));
}

INSTANTIATE_TEST_SUITE_P(
    ParseConfig, Int64BoundTest,
    ::testing::Values(
        BoundedField<int64_t>{"cost_model.intra_rack_rtt_ns",
                              "cost_model { intra_rack_rtt_ns: $0 }", 0, kHour},
        BoundedField<int64_t>{"cost_model.cross_rack_rtt_ns",
                              "cost_model { cross_rack_rtt_ns: $0 }", 0, kHour},
        BoundedField<int64_t>{"cost_model.memory_rtt_ns", "cost_model { memory_rtt_ns: $0 }", 0,
                              kHour},
        BoundedField<int64_t>{"cost_model.local_dram_access_ns",
                              "cost_model { local_dram_access_ns: $0 }", 0, kHour},
        BoundedField<int64_t>{"cost_model.mmu_update_per_page_ns",
                              "cost_model { mmu_update_per_page_ns: $0 }", 0, 1'000'000},
        BoundedField<int64_t>{"racks[0].compute_elements[0].cache_lines",
                              R"pb(racks {
                                     name: "r"
                                     compute_elements { name: "c" cache_lines: $0 }
                                   })pb",
                              1, int64_t{1} << 28},
        BoundedField<int64_t>{"racks[0].memory_elements[0].capacity_bytes",
                              R"pb(racks {
                                     name: "r"
                                     memory_elements { name: "m" capacity_bytes: $0 }
                                   })pb",
                              4096, int64_t{1} << 50},
        BoundedField<int64_t>{"monitor.heartbeat_interval_ns",
                              "monitor { heartbeat_interval_ns: $0 }", 1, kHour},
        BoundedField<int64_t>{"trace.max_events", "trace { max_events: $0 }", 0, 100'000'000},
        BoundedField<int64_t>{"faults.ce_faults[0].at_ns",
                              R"pb(faults { ce_faults { ce: "r0/ce0" at_ns: $0 } })pb", 0,
                              kMaxTime},
        BoundedField<int64_t>{
            "faults.ce_faults[0].duration_ns",
            R"pb(faults { ce_faults { kind: PAUSE ce: "r0/ce0" duration_ns: $0 } })pb", 1, kHour},
        BoundedField<int64_t>{"faults.me_faults[0].at_ns",
                              R"pb(faults { me_faults { me: "r0/me0" at_ns: $0 } })pb", 0,
                              kMaxTime},
        BoundedField<int64_t>{"faults.message_faults[0].start_ns",
                              "faults { message_faults { start_ns: $0 } }", 0, kMaxTime},
        BoundedField<int64_t>{"faults.message_faults[0].delay_ns",
                              "faults { message_faults { delay_ns: $0 } }", 0, kHour},
        BoundedField<int64_t>{"faults.partitions[0].at_ns",
                              R"pb(faults { partitions { a: "r0" b: "r1" at_ns: $0 } })pb", 0,
                              kMaxTime},
        BoundedField<int64_t>{"racks[0].compute_elements[0].cores",
                              R"pb(racks {
                                     name: "r"
                                     compute_elements { name: "c" cores: $0 }
                                   })pb",
                              1, 1024, std::numeric_limits<int32_t>::max()},
        BoundedField<int64_t>{"monitor.missed_beats", "monitor { missed_beats: $0 }", 1, 1000,
                              std::numeric_limits<int32_t>::max()}),
    FieldTestName());

class DoubleBoundTest : public ::testing::TestWithParam<BoundedField<double>> {};

TEST_P(DoubleBoundTest, AcceptsBothEnds) { ExpectBothEndsAccepted(GetParam()); }

TEST_P(DoubleBoundTest, RejectsJustOutside) { ExpectJustOutsideRejected(GetParam()); }

TEST_P(DoubleBoundTest, RejectsNanAndInfinities) {
  const BoundedField<double>& f = GetParam();
  ExpectRejected(f, std::numeric_limits<double>::quiet_NaN(), "nan");
  ExpectRejected(f, std::numeric_limits<double>::infinity(), "inf");
  ExpectRejected(f, -std::numeric_limits<double>::infinity(), "-inf");
}

INSTANTIATE_TEST_SUITE_P(
    ParseConfig, DoubleBoundTest,
    ::testing::Values(
        BoundedField<double>{"cost_model.nic_bandwidth_gbps",
                             "cost_model { nic_bandwidth_gbps: $0 }", 1e-3, 1e6},
        BoundedField<double>{"cost_model.tor_uplink_bandwidth_gbps",
                             "cost_model { tor_uplink_bandwidth_gbps: $0 }", 1e-3, 1e6},
        BoundedField<double>{"cost_model.memory_bandwidth_gbps",
                             "cost_model { memory_bandwidth_gbps: $0 }", 1e-3, 1e6},
        BoundedField<double>{"cost_model.local_dram_bandwidth_gbps",
                             "cost_model { local_dram_bandwidth_gbps: $0 }", 1e-3, 1e6},
        BoundedField<double>{"cost_model.checksum_bandwidth_gbps",
                             "cost_model { checksum_bandwidth_gbps: $0 }", 1e-3, 1e6},
        BoundedField<double>{"racks[0].compute_elements[0].speed_factor",
                             R"pb(racks {
                                    name: "r"
                                    compute_elements { name: "c" speed_factor: $0 }
                                  })pb",
                             1e-3, 1e3},
        BoundedField<double>{"faults.ce_faults[0].slowdown",
                             R"pb(faults { ce_faults { kind: SLOW ce: "r0/ce0" slowdown: $0 } })pb",
                             1e-3, 1e3},
        BoundedField<double>{"faults.message_faults[0].drop_probability",
                             "faults { message_faults { drop_probability: $0 } }", 0, 1},
        BoundedField<double>{"faults.message_faults[0].duplicate_probability",
                             "faults { message_faults { duplicate_probability: $0 } }", 0, 1},
        BoundedField<double>{"faults.message_faults[0].delay_probability",
                             "faults { message_faults { delay_probability: $0 } }", 0, 1}),
    FieldTestName());

// The ends of message faults and partitions are times too, but their default, INT64_MAX, means
// "never" and is only compared with the clock, never added to.
class EndTimeBoundTest : public ::testing::TestWithParam<BoundedField<int64_t>> {};

TEST_P(EndTimeBoundTest, AcceptsTheMaximumTimeAndNever) {
  ExpectAccepted(GetParam(), kMaxTime);
  ExpectAccepted(GetParam(), kInt64Max);
}

TEST_P(EndTimeBoundTest, RejectsTimesBetweenTheMaximumAndNever) {
  const BoundedField<int64_t>& f = GetParam();
  for (const int64_t value : {kMaxTime + 1, kInt64Max - 1}) {
    const std::string text = FieldWith(f.text, value);
    absl::StatusOr<PlatformConfig> parsed = ParseConfig(text);
    ASSERT_FALSE(parsed.ok()) << "accepted:\n" << text;
    EXPECT_EQ(std::string(parsed.status().message()),
              absl::StrCat(f.field, ": must be in [0, ", kMaxTime, "] or ", kInt64Max,
                           " (never), got ", value));
  }
}

INSTANTIATE_TEST_SUITE_P(
    ParseConfig, EndTimeBoundTest,
    ::testing::Values(
        BoundedField<int64_t>{"faults.message_faults[0].end_ns",
                              "faults { message_faults { end_ns: $0 } }", 0, kMaxTime},
        BoundedField<int64_t>{"faults.partitions[0].heal_at_ns",
                              R"pb(faults { partitions { a: "r0" b: "r1" heal_at_ns: $0 } })pb", 0,
                              kMaxTime}),
    FieldTestName());

// Enumerated sizes: no arithmetic range, but the defect's value must not slip through either.
TEST(SizeBoundTest, PageSizeAndCacheLineRejectInt64Max) {
  absl::StatusOr<PlatformConfig> page = ParseConfig("memory { page_size: 9223372036854775807 }");
  EXPECT_THAT(std::string(page.status().message()),
              AllOf(HasSubstr("memory.page_size"), HasSubstr("9223372036854775807")));
  absl::StatusOr<PlatformConfig> line =
      ParseConfig("memory { cache_line_bytes: 9223372036854775807 }");
  EXPECT_THAT(std::string(line.status().message()),
              AllOf(HasSubstr("memory.cache_line_bytes"), HasSubstr("9223372036854775807")));
}

TEST(SizeBoundTest, CacheLineBytesIsAPowerOfTwoFrom64ToThePageSize) {
  EXPECT_TRUE(ParseConfig("memory { cache_line_bytes: 64 }").ok());
  EXPECT_TRUE(ParseConfig("memory { cache_line_bytes: 4096 }").ok());
  EXPECT_TRUE(ParseConfig("memory { page_size: 2097152 cache_line_bytes: 2097152 }").ok());
  for (const char* text : {"memory { cache_line_bytes: 32 }", "memory { cache_line_bytes: 8192 }",
                           "memory { cache_line_bytes: 96 }",
                           "memory { page_size: 2097152 cache_line_bytes: 4194304 }"}) {
    absl::StatusOr<PlatformConfig> parsed = ParseConfig(text);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("memory.cache_line_bytes"))
        << text;
  }
}

// Repeated fields whose length enters a sum: `count` copies of `entry` inside `wrapper` ($0).
struct BoundedList {
  std::string field;
  std::string wrapper;
  std::string entry;
  int max;
};

void PrintTo(const BoundedList& list, std::ostream* os) { *os << list.field; }

std::string ListText(const BoundedList& list, int count) {
  std::string entries;
  for (int i = 0; i < count; ++i) absl::StrAppend(&entries, absl::Substitute(list.entry, i), "\n");
  return absl::Substitute(list.wrapper, entries);
}

class ListBoundTest : public ::testing::TestWithParam<BoundedList> {};

TEST_P(ListBoundTest, AcceptsTheMaximumAndRejectsOneMore) {
  const BoundedList& list = GetParam();
  absl::StatusOr<PlatformConfig> at_max = ParseConfig(ListText(list, list.max));
  EXPECT_TRUE(at_max.ok()) << at_max.status();
  absl::StatusOr<PlatformConfig> over = ParseConfig(ListText(list, list.max + 1));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(
      std::string(over.status().message()),
      absl::StrCat(list.field, ": must have at most ", list.max, " entries, got ", list.max + 1));
}

INSTANTIATE_TEST_SUITE_P(
    ParseConfig, ListBoundTest,
    ::testing::Values(BoundedList{"racks", "$0", R"pb(racks {
                                                        name: "r$0"
                                                        compute_elements { name: "c" }
                                                      })pb",
                                  64},
                      BoundedList{"racks[0].compute_elements", R"pb(racks { name: "r" $0 })pb",
                                  R"pb(compute_elements { name: "c$0" })pb", 64},
                      BoundedList{"racks[0].memory_elements", R"pb(racks { name: "r" $0 })pb",
                                  R"pb(memory_elements { name: "m$0" })pb", 64},
                      BoundedList{"faults.message_faults", "faults { $0 }",
                                  "message_faults { delay_ns: 1 }", 1024}),
    FieldTestName());

TEST(BoundsTest, ResolvedDefaultConfigIsWithinEveryBound) {
  EXPECT_TRUE(ValidateConfig(DefaultConfig()).ok()) << ValidateConfig(DefaultConfig());
  absl::StatusOr<PlatformConfig> future = ParseConfig("cost_model { preset: PRESET_FUTURE }");
  EXPECT_TRUE(future.ok()) << future.status();
}

TEST(BoundsTest, FaultsWithEveryFieldDefaultedAreValid) {
  absl::StatusOr<PlatformConfig> parsed = ParseConfig(R"pb(
    faults {
      ce_faults { ce: "r0/ce0" }
      me_faults { me: "r0/me0" }
      message_faults {}
      partitions { a: "r0" b: "r1" }
    }
  )pb");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->faults().message_faults(0).end_ns(), kInt64Max);
  EXPECT_EQ(parsed->faults().partitions(0).heal_at_ns(), kInt64Max);
}

// slowdown and duration_ns mean something only for their kind, so other kinds ignore them.
TEST(BoundsTest, KindSpecificFieldsAreCheckedOnlyForTheirKind) {
  EXPECT_TRUE(ParseConfig(R"pb(faults { ce_faults { ce: "r0/ce0" slowdown: 0 } })pb").ok());
  EXPECT_TRUE(
      ParseConfig(R"pb(faults { ce_faults { kind: SLOW ce: "r0/ce0" duration_ns: -1 } })pb").ok());
  absl::StatusOr<PlatformConfig> pause =
      ParseConfig(R"pb(faults { ce_faults { kind: PAUSE ce: "r0/ce0" } })pb");
  EXPECT_THAT(std::string(pause.status().message()),
              HasSubstr("faults.ce_faults[0].duration_ns: must be in [1, 3600000000000], got 0"));
}

// ---------------------------------------------------------------------------------------------
// Files.

class LoadConfigFileTest : public ::testing::Test {
 protected:
  std::string WriteTempFile(absl::string_view name, absl::string_view contents) {
    const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
    std::ofstream out(path, std::ios::trunc);
    out << contents;
    paths_.push_back(path);
    return path;
  }
  ~LoadConfigFileTest() override {
    for (const std::string& path : paths_) std::remove(path.c_str());
  }

 private:
  std::vector<std::string> paths_;
};

TEST_F(LoadConfigFileTest, LoadsAValidFile) {
  const std::string path =
      WriteTempFile("config_test_valid.txtpb", "cost_model { intra_rack_rtt_ns: 1500 }\n");
  absl::StatusOr<PlatformConfig> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cost_model().intra_rack_rtt_ns(), 1500);
}

TEST_F(LoadConfigFileTest, PrefixesErrorsWithThePath) {
  const std::string path = WriteTempFile("config_test_invalid.txtpb", "memory { page_size: 1 }\n");
  absl::StatusOr<PlatformConfig> config = LoadConfigFile(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              AllOf(HasSubstr(path), HasSubstr("memory.page_size")));
}

TEST_F(LoadConfigFileTest, MissingFileIsNotFound) {
  absl::StatusOr<PlatformConfig> config =
      LoadConfigFile(absl::StrCat(::testing::TempDir(), "/config_test_does_not_exist.txtpb"));
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ddc
