// The crash harness: a chain of processes in one rack (exposed mode) where generation 0 runs a
// workload on r0/ce0, its CE crashes at a chosen time, generation 1 on r0/ce1 (its registered
// standby, in the same trust group) receives the rack monitor's ProcessDeathNotice, steals all of
// generation 0's memory, recovers the structure, checks it against what generation 0
// acknowledged, and carries on with the workload; generation 2 may do the same to generation 1.
//
// A CrashWorkload owns the journal of what was attempted and acknowledged; it lives outside the
// simulation, so it survives every crash, and each generation checks what it recovers against
// it. Generation 0 runs with a RecordingMemory, so a run without a crash yields the times of all
// its memory calls: the crash points.
#ifndef DDC_COMMON_DURABLE_TESTING_CRASH_HARNESS_H_
#define DDC_COMMON_DURABLE_TESTING_CRASH_HARNESS_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asio/awaitable.hpp"
#include "platform/memory.h"
#include "platform/process.h"
#include "platform/types.h"

namespace ddc::durable::testing {

class CrashWorkload {
 public:
  virtual ~CrashWorkload() = default;
  // Run is generation `generation`'s body. Generation 0 starts from nothing; a later one runs
  // after stealing its predecessor's pages: it recovers the structure, reports what contradicts
  // the journal with Violation(), and continues the workload to its end.
  virtual asio::awaitable<void> Run(Process& self, Memory& memory, int generation) = 0;

  void Violation(std::string what) { violations_.push_back(std::move(what)); }
  const std::vector<std::string>& violations() const { return violations_; }
  // Note counts something a recovery observed (e.g. "in-flight op applied"), for the test's
  // summary: evidence that the crash points reach the interesting states.
  void Note(const std::string& what, int64_t count = 1) { notes_[what] += count; }
  const std::map<std::string, int64_t>& notes() const { return notes_; }

 private:
  std::vector<std::string> violations_;
  std::map<std::string, int64_t> notes_;
};

using WorkloadFactory = std::function<std::unique_ptr<CrashWorkload>()>;

struct CrashPlan {
  std::string config_text;
  uint64_t seed = 1;
  int generations = 2;
  // crash_after[g]: generation g's CE crashes this long after g starts its workload (for g = 0,
  // that is virtual time 0 + this). Missing or nullopt: no crash. The last generation never
  // crashes.
  std::vector<std::optional<Duration>> crash_after;
  // drop_flushes makes generation 0's Flush calls return OK without flushing: a deliberately
  // broken writer (acknowledging before its data is durable) that the checks must catch.
  bool drop_flushes = false;
};

struct CrashOutcome {
  std::vector<Time> step_times;  // start and end of every memory call of generation 0
  int started = 0;               // generations whose workload started
  int finished = 0;              // generations whose workload returned
  std::vector<std::string> violations;
  std::map<std::string, int64_t> notes;
};

CrashOutcome RunCrashChain(const CrashPlan& plan, CrashWorkload& workload);

// SweepResult summarizes many crash runs of one workload.
struct SweepResult {
  int runs = 0;
  int failed = 0;                           // runs with a violation or an unfinished chain
  std::vector<std::string> first_failures;  // what the first few failed runs reported
  std::map<std::string, int64_t> notes;     // summed over all runs
  std::string Summary() const;
};

// SweepEveryCrashPoint runs `make(options)` once without a crash to learn generation 0's call
// times, then once per crash point (CrashPoints) with generation 0's CE crashing there and
// generation 1 recovering and finishing the workload.
SweepResult SweepEveryCrashPoint(const std::function<std::unique_ptr<CrashWorkload>()>& make,
                                 const std::string& config_text, bool drop_flushes = false);

// SweepRandomChains runs `count` three-generation chains, seeds first_seed.., each crashing
// generations 0 and 1 at random times (up to `horizon` after they start); `make(seed)` builds
// the workload of each seed.
SweepResult SweepRandomChains(
    const std::function<std::unique_ptr<CrashWorkload>(uint64_t seed)>& make,
    const std::string& config_text, uint64_t first_seed, int count, Duration horizon);

// CrashPoints turns call times into crash times: t-1, t and t+1 of every distinct time t >= 1,
// plus one point after the last, in order.
std::vector<Time> CrashPoints(const std::vector<Time>& step_times);

}  // namespace ddc::durable::testing

#endif  // DDC_COMMON_DURABLE_TESTING_CRASH_HARNESS_H_
