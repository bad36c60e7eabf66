// CostModel is the analytic side of the cost model: closed-form predictions of what an operation
// costs on idle hardware, computed from the same config fields the simulator charges. Experiments
// print these next to measured times, and tests check the simulator against them.
//
// Every parameter and its source is listed in docs/cost-model.md.
#ifndef DDC_PLATFORM_COST_MODEL_H_
#define DDC_PLATFORM_COST_MODEL_H_

#include <cstdint>

#include "platform/config.pb.h"
#include "platform/types.h"

namespace ddc {

// TransmissionNs is the time to serialize `bytes` on a link of `gbps` (bits per ns), rounded up
// to whole nanoseconds.
Duration TransmissionNs(int64_t bytes, double gbps);

class CostModel {
 public:
  explicit CostModel(const config::CostModel& params) : p_(params) {}

  const config::CostModel& params() const { return p_; }

  // MessageOneWayNs predicts one message of `bytes` (serialized size) on an idle path:
  // one-way latency (RTT / 2) + bytes / slowest link bandwidth on the path.
  Duration MessageOneWayNs(bool same_rack, int64_t bytes) const;
  // MessageRttNs predicts a request and its reply on an idle path.
  Duration MessageRttNs(bool same_rack, int64_t request_bytes, int64_t reply_bytes) const {
    return MessageOneWayNs(same_rack, request_bytes) + MessageOneWayNs(same_rack, reply_bytes);
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
    return GrantNs(pages) + MessageOneWayNs(/*same_rack=*/true, notice_bytes);
  }

 private:
  config::CostModel p_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_COST_MODEL_H_
