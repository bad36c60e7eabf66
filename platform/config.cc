#include "platform/config.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "platform/status_macros.h"
#include "platform/topology.h"

namespace ddc {
namespace {

using config::CostModel;
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

absl::Status CheckNonNegative(absl::string_view field, int64_t value) {
  if (value < 0) return Invalid(field, absl::StrCat("must be >= 0, got ", value));
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view field, int64_t value) {
  if (value <= 0) return Invalid(field, absl::StrCat("must be > 0, got ", value));
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view field, double value) {
  if (!(value > 0) || !std::isfinite(value)) {
    return Invalid(field, absl::StrCat("must be a finite number > 0, got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckProbability(absl::string_view field, double value) {
  if (!(value >= 0 && value <= 1)) {
    return Invalid(field, absl::StrCat("must be a probability in [0, 1], got ", value));
  }
  return absl::OkStatus();
}

absl::Status ValidateTopology(const PlatformConfig& config) {
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
    std::set<std::string> element_names;
    for (int i = 0; i < rack.compute_elements_size(); ++i) {
      const config::ComputeElement& ce = rack.compute_elements(i);
      const std::string p = absl::StrCat(path, ".compute_elements[", i, "]");
      if (!ValidName(ce.name()) || !element_names.insert(ce.name()).second) {
        return Invalid(p + ".name", absl::StrCat("must be a unique [A-Za-z0-9_-] name, got \"",
                                                 ce.name(), "\""));
      }
      DDC_RETURN_IF_ERROR(CheckPositive(p + ".cores", int64_t{ce.cores()}));
      DDC_RETURN_IF_ERROR(CheckPositive(p + ".speed_factor", ce.speed_factor()));
      DDC_RETURN_IF_ERROR(CheckPositive(p + ".cache_lines", ce.cache_lines()));
    }
    for (int i = 0; i < rack.memory_elements_size(); ++i) {
      const config::MemoryElement& me = rack.memory_elements(i);
      const std::string p = absl::StrCat(path, ".memory_elements[", i, "]");
      if (!ValidName(me.name()) || !element_names.insert(me.name()).second) {
        return Invalid(p + ".name", absl::StrCat("must be a unique [A-Za-z0-9_-] name, got \"",
                                                 me.name(), "\""));
      }
      if (me.capacity_bytes() < config.memory().page_size()) {
        return Invalid(p + ".capacity_bytes",
                       absl::StrCat("must hold at least one page (", config.memory().page_size(),
                                    " bytes), got ", me.capacity_bytes()));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCostModel(const CostModel& c) {
  DDC_RETURN_IF_ERROR(CheckNonNegative("cost_model.intra_rack_rtt_ns", c.intra_rack_rtt_ns()));
  DDC_RETURN_IF_ERROR(CheckNonNegative("cost_model.cross_rack_rtt_ns", c.cross_rack_rtt_ns()));
  DDC_RETURN_IF_ERROR(CheckPositive("cost_model.nic_bandwidth_gbps", c.nic_bandwidth_gbps()));
  DDC_RETURN_IF_ERROR(
      CheckPositive("cost_model.tor_uplink_bandwidth_gbps", c.tor_uplink_bandwidth_gbps()));
  DDC_RETURN_IF_ERROR(CheckNonNegative("cost_model.memory_rtt_ns", c.memory_rtt_ns()));
  DDC_RETURN_IF_ERROR(CheckPositive("cost_model.memory_bandwidth_gbps", c.memory_bandwidth_gbps()));
  DDC_RETURN_IF_ERROR(
      CheckNonNegative("cost_model.local_dram_access_ns", c.local_dram_access_ns()));
  DDC_RETURN_IF_ERROR(
      CheckPositive("cost_model.local_dram_bandwidth_gbps", c.local_dram_bandwidth_gbps()));
  DDC_RETURN_IF_ERROR(
      CheckNonNegative("cost_model.mmu_update_per_page_ns", c.mmu_update_per_page_ns()));
  DDC_RETURN_IF_ERROR(
      CheckPositive("cost_model.checksum_bandwidth_gbps", c.checksum_bandwidth_gbps()));
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
    DDC_RETURN_IF_ERROR(CheckNonNegative(p + ".at_ns", fault.at_ns()));
    if (fault.kind() == config::CeFault::SLOW) {
      DDC_RETURN_IF_ERROR(CheckPositive(p + ".slowdown", fault.slowdown()));
    }
    if (fault.kind() == config::CeFault::PAUSE) {
      DDC_RETURN_IF_ERROR(CheckPositive(p + ".duration_ns", fault.duration_ns()));
    }
  }
  for (int i = 0; i < f.me_faults_size(); ++i) {
    const std::string p = absl::StrCat("faults.me_faults[", i, "]");
    if (!topology.FindMe(f.me_faults(i).me())) {
      return Invalid(p + ".me",
                     absl::StrCat("no memory element named \"", f.me_faults(i).me(), "\""));
    }
    DDC_RETURN_IF_ERROR(CheckNonNegative(p + ".at_ns", f.me_faults(i).at_ns()));
  }
  for (int i = 0; i < f.message_faults_size(); ++i) {
    const config::MessageFault& m = f.message_faults(i);
    const std::string p = absl::StrCat("faults.message_faults[", i, "]");
    DDC_RETURN_IF_ERROR(CheckNonNegative(p + ".start_ns", m.start_ns()));
    if (m.end_ns() < m.start_ns()) {
      return Invalid(p + ".end_ns",
                     absl::StrCat("must be >= start_ns (", m.start_ns(), "), got ", m.end_ns()));
    }
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".from", m.from(), /*optional=*/true));
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".to", m.to(), /*optional=*/true));
    DDC_RETURN_IF_ERROR(CheckProbability(p + ".drop_probability", m.drop_probability()));
    DDC_RETURN_IF_ERROR(CheckProbability(p + ".duplicate_probability", m.duplicate_probability()));
    DDC_RETURN_IF_ERROR(CheckProbability(p + ".delay_probability", m.delay_probability()));
    DDC_RETURN_IF_ERROR(CheckNonNegative(p + ".delay_ns", m.delay_ns()));
  }
  for (int i = 0; i < f.partitions_size(); ++i) {
    const config::Partition& part = f.partitions(i);
    const std::string p = absl::StrCat("faults.partitions[", i, "]");
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".a", part.a(), /*optional=*/false));
    DDC_RETURN_IF_ERROR(CheckEndpoint(topology, p + ".b", part.b(), /*optional=*/false));
    if (part.a() == part.b()) {
      return Invalid(p + ".b", absl::StrCat("must differ from a, got \"", part.b(), "\""));
    }
    DDC_RETURN_IF_ERROR(CheckNonNegative(p + ".at_ns", part.at_ns()));
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
  CostModel* c = config.mutable_cost_model();
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
  config::MonitorConfig* mon = config.mutable_monitor();
  mon->set_heartbeat_interval_ns(mon->heartbeat_interval_ns());
  mon->set_missed_beats(mon->missed_beats());
  config::TraceConfig* trace = config.mutable_trace();
  trace->set_enabled(trace->enabled());
  trace->set_max_events(trace->max_events());
}

absl::Status ValidateConfig(const PlatformConfig& config) {
  const int64_t page = config.memory().page_size();
  if (page != 4096 && page != 2097152) {
    return Invalid("memory.page_size", absl::StrCat("must be 4096 or 2097152, got ", page));
  }
  const int64_t line = config.memory().cache_line_bytes();
  if (line < 64 || line > page || (line & (line - 1)) != 0) {
    return Invalid("memory.cache_line_bytes",
                   absl::StrCat("must be a power of two in [64, page_size = ", page, "], got ", line));
  }
  DDC_RETURN_IF_ERROR(ValidateTopology(config));
  DDC_RETURN_IF_ERROR(ValidateCostModel(config.cost_model()));
  DDC_RETURN_IF_ERROR(
      CheckPositive("monitor.heartbeat_interval_ns", config.monitor().heartbeat_interval_ns()));
  DDC_RETURN_IF_ERROR(
      CheckPositive("monitor.missed_beats", int64_t{config.monitor().missed_beats()}));
  DDC_RETURN_IF_ERROR(CheckNonNegative("trace.max_events", config.trace().max_events()));

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

absl::StatusOr<PlatformConfig> ParseConfig(absl::string_view text) {
  PlatformConfig config;
  ErrorCollector errors(text);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", errors.Joined()));
  }
  ResolveConfig(config);
  DDC_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

absl::StatusOr<PlatformConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open config file \"", path, "\""));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<PlatformConfig> config = ParseConfig(text.str());
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
