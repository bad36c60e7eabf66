// CostModel is the analytic side of the cost model: closed-form predictions of what an operation
// costs on idle hardware, computed from the same config fields the simulator charges. Experiments
// print these next to measured times, and tests check the simulator against them.
//
// Every parameter and its source is listed in docs/cost-model.md.
//
// Overflow. Virtual time is int64 nanoseconds, so a product such as pages × per-page cost could
// wrap into a small or negative number and make an operation look fast. ValidateConfig bounds
// every field so that no valid config comes near int64's range (docs/cost-model.md, "Bounds");
// on top of that, every function here saturates: a result that would exceed kMaxDuration is
// kMaxDuration, never a wrapped value. A saturated cost is deliberately absurd (decades), so a
// run that hits it stands out instead of quietly reporting a wrong figure.
#ifndef DDC_PLATFORM_COST_MODEL_H_
#define DDC_PLATFORM_COST_MODEL_H_

#include <cstdint>

#include "platform/config.pb.h"
#include "platform/types.h"

namespace ddc {

// kMaxVirtualTime is the latest virtual time a config may schedule anything at (fault times):
// 2^62 ns, about 146 years. It leaves int64 headroom for the durations added to such a time.
inline constexpr Time kMaxVirtualTime = Time{1} << 62;

// kMaxDuration is where the cost model's arithmetic saturates: 2^60 ns, about 36 years. A time up
// to kMaxVirtualTime plus three saturated durations still fits in int64 (2^62 + 3 × 2^60 < 2^63).
inline constexpr Duration kMaxDuration = Duration{1} << 60;

// SaturatingAdd and SaturatingMul combine non-negative durations (or a count and a duration).
// The exact result is returned when it lies in [0, kMaxDuration]; anything larger, including a
// result that would overflow int64, is kMaxDuration, and a negative one (only reachable with
// negative arguments, which no valid config produces) is 0.
Duration SaturatingAdd(Duration a, Duration b);
Duration SaturatingMul(int64_t count, Duration each);

// TransmissionNs is the time to serialize `bytes` on a link of `gbps` (bits per ns), rounded up
// to whole nanoseconds and saturated at kMaxDuration. `bytes` <= 0 costs 0; a link without a
// positive rate (`gbps` <= 0 or NaN, which validation rejects) never finishes: kMaxDuration.
Duration TransmissionNs(int64_t bytes, double gbps);

// FailureTimeouts are the timeouts of a heartbeat failure detector (see
// CostModel::AggressiveTimeouts).
struct FailureTimeouts {
  Duration heartbeat_interval = 0;
  Duration failure_timeout = 0;
};

class CostModel {
 public:
  explicit CostModel(const config::CostModel& params) : p_(params) {}

  const config::CostModel& params() const { return p_; }

  // MessageOneWayNs predicts one message of `bytes` (serialized size) on an idle path:
  // one-way latency (RTT / 2) + bytes / slowest link bandwidth on the path.
  Duration MessageOneWayNs(bool same_rack, int64_t bytes) const;
  // MessageRttNs predicts a request and its reply on an idle path.
  Duration MessageRttNs(bool same_rack, int64_t request_bytes, int64_t reply_bytes) const {
    return SaturatingAdd(MessageOneWayNs(same_rack, request_bytes),
                         MessageOneWayNs(same_rack, reply_bytes));
  }

  // MemoryFetchNs predicts fetching `bytes` of pages from one ME on an idle interconnect:
  // memory RTT + bytes / memory bandwidth. A store costs the same.
  Duration MemoryFetchNs(int64_t bytes) const;
  // LocalCopyNs predicts a CE-cache hit touching `bytes`.
  Duration LocalCopyNs(int64_t bytes) const;
  // GrantNs predicts a grant of `pages` clean pages until the source resumes: one memory RTT to
  // the Rack MMU plus the per-page MMU update.
  Duration GrantNs(int64_t pages) const;
  // GrantTransferNs adds the control message (the GrantNotice of `notice_bytes`) that tells the
  // destination, on the same rack.
  Duration GrantTransferNs(int64_t pages, int64_t notice_bytes) const {
    return SaturatingAdd(GrantNs(pages), MessageOneWayNs(/*same_rack=*/true, notice_bytes));
  }

  // AggressiveTimeouts is the one rule every experiment applies to timeout-based failure
  // detection, which is all transparent mode has: the most aggressive setting that is still safe,
  // derived from the cost model, so that the transparent baseline detects failures as fast as a
  // timeout can. With r the round trip of the largest message the peers exchange (on an idle
  // path), a peer sends a heartbeat every r and is suspected after 10 r of silence: etcd's tuning
  // guide asks for an election timeout of at least ten round trips. Exposed mode keeps the same
  // timeouts as a backstop; its rack monitor usually answers first.
  FailureTimeouts AggressiveTimeouts(bool same_rack, int64_t largest_message_bytes = 0) const;

 private:
  config::CostModel p_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_COST_MODEL_H_
