// Tracer records a Chrome trace-event timeline (JSON object format) of a run, which opens in
// Perfetto (ui.perfetto.dev) or chrome://tracing.
//
// Internal to platform/.
//
// Tracks: one trace "process" per rack (pid = rack index) plus one for the data center fabric
// (pid = number of racks); inside a rack, one "thread" track per compute element, per memory
// element, and per application process placed there. Timestamps are virtual microseconds with
// nanosecond precision, printed deterministically.
#ifndef DDC_PLATFORM_SIM_TRACE_H_
#define DDC_PLATFORM_SIM_TRACE_H_

#include <string>
#include <vector>

#include "platform/topology.h"
#include "platform/types.h"

namespace ddc::sim {

// JsonEscape makes `s` safe inside a JSON string literal.
std::string JsonEscape(absl::string_view s);

struct Track {
  uint32_t pid;
  uint32_t tid;
};

class Tracer {
 public:
  Tracer(const Topology& topology, bool enabled, int64_t max_events);

  Track CeTrack(CeId ce) const;
  Track MeTrack(MeId me) const;
  Track FabricTrack() const;
  // ProcessTrack names (or renames) the track of a process placed on `ce`.
  Track ProcessTrack(ProcessId process, CeId ce, const std::string& name);

  // Complete records a span; Instant a point event. `args` is a JSON object body without braces
  // (e.g. "\"bytes\":64"), or empty.
  void Complete(Track track, absl::string_view name, Time start, Duration duration,
                std::string args = {});
  void Instant(Track track, absl::string_view name, Time at, std::string args = {});

  bool enabled() const { return enabled_; }
  int64_t recorded() const { return static_cast<int64_t>(events_.size()); }
  int64_t dropped() const { return dropped_; }
  std::string Json() const;

 private:
  struct Event {
    Track track;
    char phase;
    std::string name;
    Time start;
    Duration duration;
    std::string args;
  };
  bool Admit();

  const Topology& topology_;
  bool enabled_;
  int64_t max_events_;
  int64_t dropped_ = 0;
  std::vector<Event> events_;
  std::vector<Event> metadata_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_TRACE_H_
