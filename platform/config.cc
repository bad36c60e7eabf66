#include "platform/config.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"
#include "platform/topology.h"

namespace ddc {
namespace {

using config::CostPreset;

// ErrorCollector keeps the text-format parser's messages, which already name the unknown field
// or the bad token, so that ParseConfig can return them as a Status.
// The parser reports positions, not field paths, so each message quotes the offending line too.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit ErrorCollector(absl::string_view text) : lines_(absl::StrSplit(text, '\n')) {}

  void AddError(int line, int column, const std::string& message) override {
    std::string error = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    if (line >= 0 && static_cast<size_t>(line) < lines_.size()) {
      absl::StrAppend(&error, " (in: ", absl::StripAsciiWhitespace(lines_[line]), ")");
    }
    errors_.push_back(std::move(error));
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<absl::string_view> lines_;
  std::vector<std::string> errors_;
};

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Range is the inclusive range [min, max] a numeric field must lie in.
template <typename T>
struct Range {
  T min;
  T max;
};

// Bounds of every numeric field. Each is chosen so that the simulator's int64 nanosecond
// arithmetic on a valid config cannot overflow within a run; the comment names the product or sum
// the field enters. docs/cost-model.md ("Bounds") lists the same table.
constexpr int64_t kHourNs = 3'600'000'000'000;
// Latencies: 1 h is ~10^8 cross-rack RTTs; a time (<= kMaxVirtualTime) plus a few of them stays
// far below 2^63.
constexpr Range<int64_t> kLatencyNs{0, kHourNs};
// 1 ms per page-table entry (10^4 x the default): x the 2^28 pages of a process's 2^40-byte
// address space (4 KiB pages) is < 2^48 ns. A steal also rewrites the victim's other pages, but
// no host has the RAM for 2^40 V2P entries, and 2^40 x 1 ms is still < 2^60.
constexpr Range<int64_t> kMmuPerPageNs{0, 1'000'000};
// 1 Mb/s to 1 Pb/s, finite: at the floor, the largest access (2^40 bytes) serializes in 2^53 ns.
constexpr Range<double> kBandwidthGbps{1e-3, 1e6};
// speed_factor and SLOW's slowdown: a compute cost is scaled by slowdown / speed_factor <= 10^6.
constexpr Range<double> kComputeFactor{1e-3, 1e3};
// One core-free time each; more cores than any socket slice has.
constexpr Range<int64_t> kCores{1, 1024};
// 2^28 lines x cache_line_bytes (<= 2 MiB) is <= 2^49 bytes per CE, 2^61 summed over every CE.
constexpr Range<int64_t> kCacheLines{1, int64_t{1} << 28};
// 1 PiB per ME (the minimum, one page, depends on page_size): <= 2^62 summed over every ME.
constexpr int64_t kMaxCapacityBytes = int64_t{1} << 50;
// Racks and elements per rack: 64 x 64 = 2^12 elements of each kind bounds the sums above.
constexpr int kMaxRacks = 64;
constexpr int kMaxElementsPerRack = 64;
// Verdict time = crash time + interval x missed_beats: <= 2^62 + 3.6e15 fits.
constexpr Range<int64_t> kHeartbeatIntervalNs{1, kHourNs};
constexpr Range<int64_t> kMissedBeats{1, 1000};
// Fault times: a scheduled time plus any duration above still fits in int64.
constexpr Range<int64_t> kFaultTimeNs{0, kMaxVirtualTime};
// A PAUSE ends at at_ns + duration_ns <= 2^62 + 3.6e12.
constexpr Range<int64_t> kPauseNs{1, kHourNs};
// A message's delays add up over every matching message fault: 1024 x 1 h < 2^52.
constexpr Range<int64_t> kDelayNs{0, kHourNs};
constexpr int kMaxMessageFaults = 1024;
// Drop, duplicate and delay probabilities are Bernoulli draws.
constexpr Range<double> kProbability{0, 1};
// Recorded events are held in memory until the run ends (~100 B each): 10^8 is ~10 GB.
constexpr Range<int64_t> kTraceEvents{0, 100'000'000};

// Shown formats a value for an error message. Doubles use the shortest text that reads back as
// the same number, so a value just past a bound never prints as the bound itself (StrCat's six
// digits would show 1000000.5 as 1e+06).
std::string Shown(int64_t value) { return absl::StrCat(value); }
std::string Shown(double value) {
  if (std::isnan(value)) return "nan";  // to_chars would also print NaN's sign
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// CheckRange is the one check of a bounded numeric field. NaN fails both comparisons and an
// infinity is outside every finite range, so a double in range is also finite. `or_also` names a
// sentinel the caller accepts besides the range, for the message only.
template <typename T>
absl::Status CheckRange(absl::string_view field, std::type_identity_t<T> value, Range<T> range,
                        absl::string_view or_also = "") {
  if (value >= range.min && value <= range.max) return absl::OkStatus();
  return Invalid(field,
                 absl::StrCat("must be in [", Shown(range.min), ", ", Shown(range.max), "]",
                              or_also.empty() ? "" : " or ", or_also, ", got ", Shown(value)));
}

// CheckEndTime accepts kInfiniteTime, the documented "never" default of message faults' end_ns
// and partitions' heal_at_ns (compared, never added to), or a time in kFaultTimeNs.
absl::Status CheckEndTime(absl::string_view field, int64_t value) {
  if (value == kInfiniteTime) return absl::OkStatus();
  return CheckRange(field, value, kFaultTimeNs, absl::StrCat(kInfiniteTime, " (never)"));
}

// CheckCount bounds the length of a repeated field.
absl::Status CheckCount(absl::string_view field, int size, int max) {
  if (size <= max) return absl::OkStatus();
  return Invalid(field, absl::StrCat("must have at most ", max, " entries, got ", size));
}

absl::Status ValidateTopology(const PlatformConfig& config) {
  DDC_RETURN_IF_ERROR(CheckCount("racks", config.racks_size(), kMaxRacks));
  std::set<std::string> rack_names;
  for (int r = 0; r < config.racks_size(); ++r) {
    const config::Rack& rack = config.racks(r);
    const std::string path = absl::StrCat("racks[", r, "]");
    if (!ValidName(rack.name())) {
      return Invalid(path + ".name", absl::StrCat("must be a non-empty [A-Za-z0-9_-] name, got \"",
                                                  rack.name(), "\""));
    }
    if (!rack_names.insert(rack.name()).second) {
      return Invalid(path + ".name", absl::StrCat("duplicate rack name \"", rack.name(), "\""));
    }
    if (rack.compute_elements_size() == 0 && rack.memory_elements_size() == 0) {
      return Invalid(path, absl::StrCat("rack \"", rack.name(), "\" has no elements"));
    }
    DDC_RETURN_IF_ERROR(
        CheckCount(path + ".compute_elements", rack.compute_elements_size(), kMaxElementsPerRack));
    DDC_RETURN_IF_ERROR(
        CheckCount(path + ".memory_elements", rack.memory_elements_size(), kMaxElementsPerRack));
    std::set<std::string> element_names;
    for (int i = 0; i < rack.compute_elements_size(); ++i) {
      const config::ComputeElement& ce = rack.compute_elements(i);
      const std::string p = absl::StrCat(path, ".compute_elements[", i, "]");
      if (!ValidName(ce.name()) || !element_names.insert(ce.name()).second) {
        return Invalid(p + ".name", absl::StrCat("must be a unique [A-Za-z0-9_-] name, got \"",
                                                 ce.name(), "\""));
      }
      DDC_RETURN_IF_ERROR(CheckRange(p + ".cores", ce.cores(), kCores));
      DDC_RETURN_IF_ERROR(CheckRange(p + ".speed_factor", ce.speed_factor(), kComputeFactor));
      DDC_RETURN_IF_ERROR(CheckRange(p + ".cache_lines", ce.cache_lines(), kCacheLines));
    }
    for (int i = 0; i < rack.memory_elements_size(); ++i) {
      const config::MemoryElement& me = rack.memory_elements(i);
      const std::string p = absl::StrCat(path, ".memory_elements[", i, "]");
      if (!ValidName(me.name()) || !element_names.insert(me.name()).second) {
        return Invalid(p + ".name", absl::StrCat("must be a unique [A-Za-z0-9_-] name, got \"",
                                                 me.name(), "\""));
      }
      // At least one page, so that the ME has a frame to hand out.
      DDC_RETURN_IF_ERROR(
          CheckRange(p + ".capacity_bytes", me.capacity_bytes(),
                     Range<int64_t>{config.memory().page_size(), kMaxCapacityBytes}));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCostModel(const config::CostModel& c) {
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.intra_rack_rtt_ns", c.intra_rack_rtt_ns(), kLatencyNs));
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.cross_rack_rtt_ns", c.cross_rack_rtt_ns(), kLatencyNs));
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.nic_bandwidth_gbps", c.nic_bandwidth_gbps(), kBandwidthGbps));
  DDC_RETURN_IF_ERROR(CheckRange("cost_model.tor_uplink_bandwidth_gbps",
                                 c.tor_uplink_bandwidth_gbps(), kBandwidthGbps));
  DDC_RETURN_IF_ERROR(CheckRange("cost_model.memory_rtt_ns", c.memory_rtt_ns(), kLatencyNs));
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.memory_bandwidth_gbps", c.memory_bandwidth_gbps(), kBandwidthGbps));
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.local_dram_access_ns", c.local_dram_access_ns(), kLatencyNs));
  DDC_RETURN_IF_ERROR(CheckRange("cost_model.local_dram_bandwidth_gbps",
                                 c.local_dram_bandwidth_gbps(), kBandwidthGbps));
  DDC_RETURN_IF_ERROR(
      CheckRange("cost_model.mmu_update_per_page_ns", c.mmu_update_per_page_ns(), kMmuPerPageNs));
  DDC_RETURN_IF_ERROR(CheckRange("cost_model.checksum_bandwidth_gbps", c.checksum_bandwidth_gbps(),
                                 kBandwidthGbps));
  return absl::OkStatus();
}

absl::Status CheckCe(const Topology& topology, absl::string_view field, const std::string& name) {
  if (!topology.FindCe(name)) {
    return Invalid(field, absl::StrCat("no compute element named \"", name, "\""));
  }
  return absl::OkStatus();
}

// CheckEndpoint accepts an empty name only when `optional` is set.
absl::Status CheckEndpoint(const Topology& topology, absl::string_view field,
                           const std::string& name, bool optional) {
  if (name.empty() && optional) return absl::OkStatus();
  if (!topology.FindEndpoint(name)) {
    return Invalid(field, absl::StrCat("no rack or element named \"", name, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateFaultSchedule(const Topology& topology, const config::FaultSchedule& f) {
  for (int i = 0; i < f.ce_faults_size(); ++i) {
    const config::CeFault& fault = f.ce_faults(i);
    const std::string p = absl::StrCat("faults.ce_faults[", i, "]");
    DDC_RETURN_IF_ERROR(CheckCe(topology, p + ".ce", fault.ce()));
    DDC_RETURN_IF_ERROR(CheckRange(p + ".at_ns", fault.at_ns(), kFaultTimeNs));
    // slowdown and duration_ns are read only by their kind, so only that kind bounds them.
    if (fault.kind() == config::CeFault::SLOW) {
      DDC_RETURN_IF_ERROR(CheckRange(p + ".slowdown", fault.slowdown(), kComputeFactor));
    }
    if (fault.kind() == config::CeFault::PAUSE) {
      DDC_RETURN_IF_ERROR(CheckRange(p + ".duration_ns", fault.duration_ns(), kPauseNs));
    }
  }
  for (int i = 0; i < f.me_faults_size(); ++i) {
    const std::string p = absl::StrCat("faults.me_faults[", i, "]");
    if (!topology.FindMe(f.me_faults(i).me())) {
      return Invalid(p + ".me",
                     absl::StrCat("no memory element named \"", f.me_faults(i).me(), "\""));
    }
    DDC_RETURN_IF_ERROR(CheckRange(p + ".at_ns", f.me_faults(i).at_ns(), kFaultTimeNs));
  }
  DDC_RETURN_IF_ERROR(
      CheckCount("faults.message_faults", f.message_faults_size(), kMaxMessageFaults));
  for (int i = 0; i < f.message_faults_size(); ++i) {
    const config::MessageFault& m = f.message_faults(i);
    const std::string p = absl::StrCat("faults.message_faults[", i, "]");
    DDC_RETURN_IF_ERROR(CheckRange(p + ".start_ns", m.start_ns(), kFaultTimeNs));
    DDC_RETURN_IF_ERROR(CheckEndTime(p + ".end_ns", m.end_ns()));
    if (m.end_ns() < m.start_ns()) {
      return Invalid(p + ".end_ns",
                     absl::StrCat("must be >= start_ns (", m.start_ns(), "), got ", m.end_ns()));
    }
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".from", m.from(), /*optional=*/true));
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".to", m.to(), /*optional=*/true));
    DDC_RETURN_IF_ERROR(CheckRange(p + ".drop_probability", m.drop_probability(), kProbability));
    DDC_RETURN_IF_ERROR(
        CheckRange(p + ".duplicate_probability", m.duplicate_probability(), kProbability));
    DDC_RETURN_IF_ERROR(CheckRange(p + ".delay_probability", m.delay_probability(), kProbability));
    DDC_RETURN_IF_ERROR(CheckRange(p + ".delay_ns", m.delay_ns(), kDelayNs));
  }
  for (int i = 0; i < f.partitions_size(); ++i) {
    const config::Partition& part = f.partitions(i);
    const std::string p = absl::StrCat("faults.partitions[", i, "]");
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".a", part.a(), /*optional=*/false));
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".b", part.b(), /*optional=*/false));
    if (part.a() == part.b()) {
      return Invalid(p + ".b", absl::StrCat("must differ from a, got \"", part.b(), "\""));
    }
    DDC_RETURN_IF_ERROR(CheckRange(p + ".at_ns", part.at_ns(), kFaultTimeNs));
    DDC_RETURN_IF_ERROR(CheckEndTime(p + ".heal_at_ns", part.heal_at_ns()));
    if (part.heal_at_ns() < part.at_ns()) {
      return Invalid(p + ".heal_at_ns", absl::StrCat("must be >= at_ns (", part.at_ns(), "), got ",
                                                     part.heal_at_ns()));
    }
  }
  return absl::OkStatus();
}

void ResolveConfig(PlatformConfig& config) {
  if (config.racks_size() == 0) {
    for (const char* rack_name : {"r0", "r1"}) {
      config::Rack* rack = config.add_racks();
      rack->set_name(rack_name);
      for (int i = 0; i < 4; ++i) rack->add_compute_elements()->set_name(absl::StrCat("ce", i));
      for (int i = 0; i < 2; ++i) rack->add_memory_elements()->set_name(absl::StrCat("me", i));
    }
  }
  // Materialize every default so that the resolved config, when printed, documents the run.
  for (config::Rack& rack : *config.mutable_racks()) {
    for (config::ComputeElement& ce : *rack.mutable_compute_elements()) {
      ce.set_cores(ce.cores());
      ce.set_speed_factor(ce.speed_factor());
      ce.set_cache_lines(ce.cache_lines());
    }
    for (config::MemoryElement& me : *rack.mutable_memory_elements()) {
      me.set_capacity_bytes(me.capacity_bytes());
    }
  }
  config::CostModel* c = config.mutable_cost_model();
  if (c->preset() == config::PRESET_FUTURE && !c->has_intra_rack_rtt_ns()) {
    c->set_intra_rack_rtt_ns(1000);
  }
  c->set_intra_rack_rtt_ns(c->intra_rack_rtt_ns());
  c->set_cross_rack_rtt_ns(c->cross_rack_rtt_ns());
  c->set_nic_bandwidth_gbps(c->nic_bandwidth_gbps());
  c->set_tor_uplink_bandwidth_gbps(c->tor_uplink_bandwidth_gbps());
  c->set_memory_rtt_ns(c->memory_rtt_ns());
  c->set_memory_bandwidth_gbps(c->memory_bandwidth_gbps());
  c->set_local_dram_access_ns(c->local_dram_access_ns());
  c->set_local_dram_bandwidth_gbps(c->local_dram_bandwidth_gbps());
  c->set_mmu_update_per_page_ns(c->mmu_update_per_page_ns());
  c->set_checksum_bandwidth_gbps(c->checksum_bandwidth_gbps());
  config::MemoryConfig* m = config.mutable_memory();
  m->set_page_size(m->page_size());
  m->set_cache_line_bytes(m->cache_line_bytes());
  m->set_steal_granularity(m->steal_granularity());
  config::MonitorConfig* mon = config.mutable_monitor();
  mon->set_heartbeat_interval_ns(mon->heartbeat_interval_ns());
  mon->set_missed_beats(mon->missed_beats());
  config::TraceConfig* trace = config.mutable_trace();
  trace->set_enabled(trace->enabled());
  trace->set_max_events(trace->max_events());
}

absl::Status ValidateConfig(const PlatformConfig& config) {
  const int64_t page = config.memory().page_size();
  // Page and line sizes come from a short list (<= 2 MiB = 2^21), so a page or line count times
  // its size stays below 2^63 for any count the bounds below admit.
  if (page != 4096 && page != 2097152) {
    return Invalid("memory.page_size", absl::StrCat("must be 4096 or 2097152, got ", page));
  }
  const int64_t line = config.memory().cache_line_bytes();
  if (line < 64 || line > page || (line & (line - 1)) != 0) {
    return Invalid(
        "memory.cache_line_bytes",
        absl::StrCat("must be a power of two in [64, page_size = ", page, "], got ", line));
  }
  DDC_RETURN_IF_ERROR(ValidateTopology(config));
  DDC_RETURN_IF_ERROR(ValidateCostModel(config.cost_model()));
  DDC_RETURN_IF_ERROR(CheckRange("monitor.heartbeat_interval_ns",
                                 config.monitor().heartbeat_interval_ns(), kHeartbeatIntervalNs));
  DDC_RETURN_IF_ERROR(
      CheckRange("monitor.missed_beats", config.monitor().missed_beats(), kMissedBeats));
  DDC_RETURN_IF_ERROR(CheckRange("trace.max_events", config.trace().max_events(), kTraceEvents));

  const Topology topology = Topology::FromConfig(config);
  std::set<std::string> roles;
  for (int i = 0; i < config.placements_size(); ++i) {
    const config::Placement& p = config.placements(i);
    const std::string path = absl::StrCat("placements[", i, "]");
    if (p.process().empty() || !roles.insert(p.process()).second) {
      return Invalid(path + ".process",
                     absl::StrCat("must be a unique non-empty role, got \"", p.process(), "\""));
    }
    DDC_RETURN_IF_ERROR(CheckCe(topology, path + ".ce", p.ce()));
  }
  return ValidateFaultSchedule(topology, config.faults());
}

absl::Status ParseTextProto(absl::string_view text, absl::string_view what,
                            google::protobuf::Message& message) {
  ErrorCollector errors(text);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &message)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", errors.Joined()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", what, " file \"", path, "\""));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<PlatformConfig> ParseConfig(absl::string_view text) {
  PlatformConfig config;
  DDC_RETURN_IF_ERROR(ParseTextProto(text, "config", config));
  ResolveConfig(config);
  DDC_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

absl::StatusOr<PlatformConfig> LoadConfigFile(const std::string& path) {
  DDC_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "config"));
  absl::StatusOr<PlatformConfig> config = ParseConfig(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

PlatformConfig DefaultConfig() {
  PlatformConfig config;
  ResolveConfig(config);
  return config;
}

}  // namespace ddc
