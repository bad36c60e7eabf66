// Random key-value histories for tests and benchmarks, linearizable by construction.
//
// Each client issues operations one after another with random latencies. Every operation gets
// a random linearization point inside its interval; executing the operations in the order of
// those points against the KvModel semantics gives each its output, so the history has a valid
// linearization. An operation with an unknown outcome returns never; it took effect at a point
// within its time-out window, or (with even odds) not at all; its client moves on after the
// time-out. Deterministic for a given seed (the generator is std::mt19937_64, sampled without
// the standard distributions, whose output differs between standard libraries).
#ifndef DDC_COMMON_LINCHECK_RANDOM_HISTORY_H_
#define DDC_COMMON_LINCHECK_RANDOM_HISTORY_H_

#include <cstdint>
#include <random>
#include <vector>

#include "common/lincheck/operation.h"
#include "platform/types.h"

namespace ddc::lincheck {

struct RandomHistoryOptions {
  uint64_t seed = 1;
  int operations = 100;
  int keys = 4;
  // Key popularity: 0 picks keys uniformly; s > 0 picks key i (from 0) with probability
  // proportional to 1 / (i + 1)^s (Zipf), so low keys are hot and see overlapping operations.
  double zipf_exponent = 0;
  int clients = 4;
  // Relative weights of the operation types; cas, delete and increment default to none.
  int get_weight = 1;
  int put_weight = 1;
  int delete_weight = 0;
  int cas_weight = 0;
  int increment_weight = 0;
  // Probability (in 1/1000) that an operation's outcome is unknown.
  int unknown_per_mille = 0;
  Duration max_latency = 100;  // each operation takes 1..max_latency; also the time-out
  Duration max_think = 50;     // a client waits 0..max_think between operations
};

// RandomHistory generates a linearizable KvModel history; ids are 0.. in call order. Put values
// are the decimal operation id, so increments can apply to them and every put's value is
// distinct.
std::vector<Operation> RandomHistory(const RandomHistoryOptions& options);

// MutateRead changes the output of a random get with a known outcome to one it could not have
// returned if nothing else changed: another put's value, not_found, or (with
// `never_written_value`) a value no operation ever wrote, which makes the history certainly not
// linearizable. Returns the id of the changed get, or -1 when the history has none.
int64_t MutateRead(std::vector<Operation>& history, std::mt19937_64& rng, bool never_written_value);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_RANDOM_HISTORY_H_
