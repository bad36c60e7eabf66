// Helpers for the durable-structure tests: rack configs, running a coroutine as a process, status
// assertions usable inside coroutines, and a Memory that records when each of its calls starts
// and ends (the crash points of the crash tests).
#ifndef DDC_COMMON_DURABLE_TESTING_DURABLE_TESTING_H_
#define DDC_COMMON_DURABLE_TESTING_DURABLE_TESTING_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/memory.h"
#include "platform/process.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc::durable::testing {

// One rack, three CEs whose caches hold only 4 lines: evictions write back partial state of
// every multi-page update at awkward times.
inline constexpr char kTinyCacheRack[] = R"pb(
  racks {
    name: "r0"
    compute_elements { name: "ce0" cache_lines: 4 }
    compute_elements { name: "ce1" cache_lines: 4 }
    compute_elements { name: "ce2" cache_lines: 4 }
    memory_elements { name: "me0" }
    memory_elements { name: "me1" }
  }
)pb";
// The default rack with 2 MiB pages (4 KiB blocks inside pages).
inline constexpr char kLargePages[] = "memory { page_size: 2097152 }";

std::unique_ptr<Simulation> NewSim(absl::string_view config_text, uint64_t seed = 1);

// RunProcess runs `body` as a process on r0/ce0 of a fresh simulation until it is idle, and
// expects the body to have run to its end.
void RunProcess(absl::string_view config_text, std::function<asio::awaitable<void>(Process&)> body);

// Payload is `size` bytes that start with `i` and differ from one i to the next.
std::string Payload(int i, size_t size);

// SameStrings compares lists of payloads, reporting the first difference without printing
// kilobytes.
::testing::AssertionResult SameStrings(const std::vector<std::string>& actual,
                                       const std::vector<std::string>& expected);

// ExpectRefusesForeignRoots checks that `open` refuses, with FAILED_PRECONDITION, a zero page and
// a root cell that holds something else.
asio::awaitable<void> ExpectRefusesForeignRoots(
    Memory& memory, std::function<asio::awaitable<absl::Status>(VirtAddr)> open);

// ASSERT-like checks for coroutine bodies (gtest's ASSERT_* `return`, which a coroutine cannot).
#define DDC_CO_ASSERT_OK(expr)                                     \
  do {                                                             \
    const ::absl::Status ddc_assert_status_ = (expr);              \
    if (!ddc_assert_status_.ok()) {                                \
      ADD_FAILURE() << #expr << " failed: " << ddc_assert_status_; \
      co_return;                                                   \
    }                                                              \
  } while (0)

#define DDC_CO_ASSERT_TRUE(condition)              \
  do {                                             \
    if (!(condition)) {                            \
      ADD_FAILURE() << "expected: " << #condition; \
      co_return;                                   \
    }                                              \
  } while (0)

#define DDC_CO_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  DDC_CO_ASSERT_OK_AND_ASSIGN_IMPL_(DDC_STATUS_CONCAT_(ddc_assert_, __LINE__), lhs, expr)
#define DDC_CO_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                       \
  if (!statusor.ok()) {                                         \
    ADD_FAILURE() << #expr << " failed: " << statusor.status(); \
    co_return;                                                  \
  }                                                             \
  lhs = *std::move(statusor)

// CallCounts counts the calls a RecordingMemory forwarded, by kind (the cost assertions).
struct CallCounts {
  int reads = 0;
  int writes = 0;
  int flushes = 0;
  int allocates = 0;
  int64_t bytes_written = 0;
};

// RecordingMemory forwards every call to another Memory and appends the virtual time at which
// each call starts and ends to `times` (when not null); it counts calls in counts().
class RecordingMemory : public Memory {
 public:
  RecordingMemory(Memory& inner, const Process& clock, std::vector<Time>* times = nullptr)
      : inner_(inner), clock_(clock), times_(times) {}

  const CallCounts& counts() const { return counts_; }
  // set_drop_flushes(true) makes Flush return OK without flushing (a broken-writer experiment).
  void set_drop_flushes(bool drop) { drop_flushes_ = drop; }
  void ResetCounts() { counts_ = CallCounts(); }

  int64_t page_size() const override { return inner_.page_size(); }
  asio::awaitable<absl::StatusOr<Region>> Allocate(int64_t bytes) override;
  asio::awaitable<absl::Status> Free(Region region) override;
  asio::awaitable<absl::StatusOr<std::string>> Read(VirtAddr address, int64_t length) override;
  asio::awaitable<absl::Status> Write(VirtAddr address, absl::string_view bytes) override;
  asio::awaitable<absl::Status> Flush(Region region) override;
  asio::awaitable<absl::Status> Evict(Region region) override;
  using Memory::Grant;
  asio::awaitable<absl::Status> Grant(std::vector<Region> regions, ProcessId destination) override;
  asio::awaitable<absl::StatusOr<std::vector<Region>>> Steal(ProcessId victim,
                                                             Capability capability,
                                                             std::optional<Region> region) override;
  asio::awaitable<absl::Status> JoinTrustGroup(std::string group, std::string secret) override;
  asio::awaitable<absl::Status> Publish(std::string name, VirtAddr root) override;
  asio::awaitable<absl::StatusOr<VirtAddr>> Lookup(std::string name) override;
  asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> Checksums(Region region) override;
  std::vector<Region> Regions() const override { return inner_.Regions(); }

 private:
  // Timed awaits `call` between two time stamps.
  template <typename T>
  asio::awaitable<T> Timed(asio::awaitable<T> call) {
    Stamp();
    T result = co_await std::move(call);
    Stamp();
    co_return result;
  }
  static asio::awaitable<absl::Status> Nothing();
  void Stamp() {
    if (times_ != nullptr) times_->push_back(clock_.Now());
  }

  Memory& inner_;
  const Process& clock_;
  std::vector<Time>* times_;
  CallCounts counts_;
  bool drop_flushes_ = false;
};

}  // namespace ddc::durable::testing

#endif  // DDC_COMMON_DURABLE_TESTING_DURABLE_TESTING_H_
