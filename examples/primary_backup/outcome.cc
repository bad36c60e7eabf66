#include "examples/primary_backup/outcome.h"

#include <algorithm>

namespace ddc::primary_backup {

const Ack* ClientReport::LongestWait() const {
  auto longest = std::max_element(acks.begin(), acks.end(),
                                  [](const Ack& a, const Ack& b) { return a.wait() < b.wait(); });
  return longest == acks.end() ? nullptr : &*longest;
}

Duration ClientReport::MedianWaitBefore(Time t) const {
  std::vector<Duration> waits;
  for (const Ack& ack : acks) {
    if (ack.acked_at < t) waits.push_back(ack.wait());
  }
  if (waits.empty()) return 0;
  std::nth_element(waits.begin(), waits.begin() + waits.size() / 2, waits.end());
  return waits[waits.size() / 2];
}

}  // namespace ddc::primary_backup
