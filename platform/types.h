// Basic vocabulary shared by every module: virtual time and element/process identifiers.
//
// Time is virtual and counted in integer nanoseconds from the start of a run. Identifiers are
// strong enum types so that a process id cannot be passed where a CE id is expected.
#ifndef DDC_PLATFORM_TYPES_H_
#define DDC_PLATFORM_TYPES_H_

#include <cstdint>
#include <limits>

namespace ddc {

// Time is a point in virtual time, in nanoseconds since the run started.
using Time = int64_t;
// Duration is a span of virtual time in nanoseconds.
using Duration = int64_t;

inline constexpr Time kInfiniteTime = std::numeric_limits<Time>::max();
// kInfiniteDuration means "no deadline" wherever a timeout is asked for.
inline constexpr Duration kInfiniteDuration = std::numeric_limits<Duration>::max();

// DeadlineAfter is now + timeout, saturating at kInfiniteTime (a negative timeout means now).
constexpr Time DeadlineAfter(Time now, Duration timeout) {
  if (timeout <= 0) return now;
  return timeout >= kInfiniteTime - now ? kInfiniteTime : now + timeout;
}

constexpr Duration Nanoseconds(int64_t n) { return n; }
constexpr Duration Microseconds(int64_t n) { return n * 1000; }
constexpr Duration Milliseconds(int64_t n) { return n * 1000 * 1000; }
constexpr Duration Seconds(int64_t n) { return n * 1000 * 1000 * 1000; }

// ProcessId names an application process for its whole life, across restarts of its CE.
enum class ProcessId : uint32_t {};
// RackId, CeId and MeId index the topology in config order (racks, then elements per rack).
enum class RackId : uint32_t {};
enum class CeId : uint32_t {};
enum class MeId : uint32_t {};

inline constexpr ProcessId kNoProcess{std::numeric_limits<uint32_t>::max()};

template <typename Id>
constexpr uint32_t Index(Id id) {
  return static_cast<uint32_t>(id);
}

}  // namespace ddc

#endif  // DDC_PLATFORM_TYPES_H_
