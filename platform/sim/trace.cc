#include "platform/sim/trace.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ddc::sim {
namespace {

constexpr uint32_t kCeTidBase = 1000000;
constexpr uint32_t kMeTidBase = 2000000;

std::string Micros(Time ns) { return absl::StrFormat("%d.%03d", ns / 1000, ns % 1000); }

}  // namespace

std::string JsonEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Tracer::Tracer(const Topology& topology, bool enabled, int64_t max_events)
    : topology_(topology), enabled_(enabled), max_events_(max_events) {
  if (!enabled_) return;
  for (uint32_t r = 0; r < topology.racks().size(); ++r) {
    metadata_.push_back(
        {{r, 0},
         'M',
         "process_name",
         0,
         0,
         absl::StrCat("\"name\":\"rack ", JsonEscape(topology.racks()[r].name), "\"")});
  }
  metadata_.push_back({FabricTrack(), 'M', "process_name", 0, 0, "\"name\":\"fabric\""});
  for (uint32_t c = 0; c < topology.ces().size(); ++c) {
    metadata_.push_back({CeTrack(CeId{c}), 'M', "thread_name", 0, 0,
                         absl::StrCat("\"name\":\"CE ", JsonEscape(topology.ces()[c].name), "\"")});
  }
  for (uint32_t m = 0; m < topology.mes().size(); ++m) {
    metadata_.push_back({MeTrack(MeId{m}), 'M', "thread_name", 0, 0,
                         absl::StrCat("\"name\":\"ME ", JsonEscape(topology.mes()[m].name), "\"")});
  }
}

Track Tracer::CeTrack(CeId ce) const {
  return {Index(topology_.ce(ce).rack), kCeTidBase + Index(ce)};
}
Track Tracer::MeTrack(MeId me) const {
  return {Index(topology_.me(me).rack), kMeTidBase + Index(me)};
}
Track Tracer::FabricTrack() const { return {static_cast<uint32_t>(topology_.racks().size()), 0}; }

Track Tracer::ProcessTrack(ProcessId process, CeId ce, const std::string& name) {
  const Track track{Index(topology_.ce(ce).rack), 1 + Index(process)};
  if (enabled_) {
    metadata_.push_back(
        {track, 'M', "thread_name", 0, 0,
         absl::StrCat("\"name\":\"", JsonEscape(name), " (p", Index(process), ")\"")});
  }
  return track;
}

bool Tracer::Admit() {
  if (!enabled_) return false;
  if (static_cast<int64_t>(events_.size()) >= max_events_) {
    ++dropped_;
    return false;
  }
  return true;
}

void Tracer::Complete(Track track, absl::string_view name, Time start, Duration duration,
                      std::string args) {
  if (!Admit()) return;
  events_.push_back({track, 'X', std::string(name), start, duration, std::move(args)});
}

void Tracer::Instant(Track track, absl::string_view name, Time at, std::string args) {
  if (!Admit()) return;
  events_.push_back({track, 'i', std::string(name), at, 0, std::move(args)});
}

std::string Tracer::Json() const {
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto append = [&](const Event& e) {
    if (!first) out += ",\n";
    first = false;
    absl::StrAppend(&out, "{\"ph\":\"", std::string(1, e.phase), "\",\"pid\":", e.track.pid,
                    ",\"tid\":", e.track.tid, ",\"name\":\"", JsonEscape(e.name), "\"");
    if (e.phase != 'M') absl::StrAppend(&out, ",\"ts\":", Micros(e.start));
    if (e.phase == 'X') absl::StrAppend(&out, ",\"dur\":", Micros(e.duration));
    if (e.phase == 'i') out += ",\"s\":\"t\"";
    if (!e.args.empty()) absl::StrAppend(&out, ",\"args\":{", e.args, "}");
    out += "}";
  };
  for (const Event& e : metadata_) append(e);
  for (const Event& e : events_) append(e);
  absl::StrAppend(&out, "\n],\"otherData\":{\"dropped_events\":", dropped_, "}}\n");
  return out;
}

}  // namespace ddc::sim
