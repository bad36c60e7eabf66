// RetryingCall: the rebalancing's calls and a shard's readiness message survive lost, delayed
// and duplicated messages, partitions and a peer's takeover by sending the same request again.
//
// A call that times out (the request or its reply was lost, the callee is paused or cut off) or
// is reset (the callee was stolen from or relaunched: the retry reaches its new owner through
// the ToR's redirect) is sent again, the same request each time; a reset waits `timeout` first,
// so a callee that keeps failing is not hammered. Any other error (NOT_FOUND, PERMISSION_DENIED
// for a fenced caller, INTERNAL for a reply of the wrong type) ends it at once. It gives up with
// the last error once `give_up_after` has passed since the first attempt.
//
// So every handler a RetryingCall reaches is idempotent: it may receive the request twice (a
// retry after a lost reply, or a duplicate on the wire) and late (a delayed duplicate after the
// caller moved on), and neither may change what the first delivery did. The handlers say how
// (kvstore/README.md, "Lost messages and takeovers").
#ifndef DDC_KVSTORE_RETRY_H_
#define DDC_KVSTORE_RETRY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "platform/process.h"

namespace ddc::kvstore {

struct RetryPolicy {
  Duration timeout = Seconds(2);               // per attempt
  Duration give_up_after = kInfiniteDuration;  // from the first attempt
};

// IsRetryable is true for the errors a retry can cure: a timeout or a connection reset.
inline bool IsRetryable(const absl::Status& status) {
  return absl::IsDeadlineExceeded(status) || absl::IsUnavailable(status);
}

// RetryingCall calls `to` with `request` until it answers; `retries`, when given, counts the
// attempts after the first.
template <typename Rep, typename Req>
asio::awaitable<absl::StatusOr<Received<Rep>>> RetryingCall(Process& self, ProcessId to,
                                                            const Req& request, RetryPolicy policy,
                                                            int64_t* retries = nullptr) {
  const Time started = self.Now();
  for (;;) {
    absl::StatusOr<Received<Rep>> reply = co_await self.Call<Rep>(to, request, policy.timeout);
    if (reply.ok() || !IsRetryable(reply.status())) co_return reply;
    if (policy.give_up_after != kInfiniteDuration && self.Now() - started >= policy.give_up_after) {
      co_return reply;
    }
    if (absl::IsUnavailable(reply.status())) co_await self.Sleep(policy.timeout);
    if (retries != nullptr) ++*retries;
  }
}

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_RETRY_H_
