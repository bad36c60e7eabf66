#include "common/durable/testing/durable_testing.h"

#include "absl/strings/str_format.h"
#include "common/durable/cell.h"
#include "platform/testing/simulation_testing.h"

namespace ddc::durable::testing {

std::unique_ptr<Simulation> NewSim(absl::string_view config_text, uint64_t seed) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(config_text);
  if (!config.ok()) {
    ADD_FAILURE() << "ParseConfig: " << config.status();
    config = DefaultConfig();
  }
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(*config, seed);
  EXPECT_TRUE(sim.ok()) << sim.status();
  return *std::move(sim);
}

void RunProcess(absl::string_view config_text,
                std::function<asio::awaitable<void>(Process&)> body) {
  std::unique_ptr<Simulation> sim = NewSim(config_text);
  bool finished = false;
  ::ddc::testing_util::MustSpawn(*sim, "test", "r0/ce0",
                                 [&](Process& self) -> asio::awaitable<void> {
                                   co_await body(self);
                                   finished = true;
                                 });
  sim->RunUntilIdle();
  EXPECT_TRUE(finished) << "the test process did not run to its end";
}

std::string Payload(int i, size_t size) {
  std::string payload = absl::StrFormat("%d:", i);
  payload.resize(size, static_cast<char>('a' + i % 26));
  return payload.substr(0, size);
}

::testing::AssertionResult SameStrings(const std::vector<std::string>& actual,
                                       const std::vector<std::string>& expected) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << actual.size() << " records, expected " << expected.size();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] != expected[i]) {
      return ::testing::AssertionFailure() << "record " << i << " differs (" << actual[i].size()
                                           << " bytes, expected " << expected[i].size() << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

asio::awaitable<void> ExpectRefusesForeignRoots(
    Memory& memory, std::function<asio::awaitable<absl::Status>(VirtAddr)> open) {
  DDC_CO_ASSERT_OK_AND_ASSIGN(Region page, co_await memory.Allocate(4096));
  const absl::Status zero = co_await open(page.base);
  EXPECT_EQ(zero.code(), absl::StatusCode::kFailedPrecondition) << zero;
  DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell cell, co_await DurableCell::Open(memory, page.base));
  DDC_CO_ASSERT_OK(co_await cell.Write("something else"));
  const absl::Status foreign = co_await open(page.base);
  EXPECT_EQ(foreign.code(), absl::StatusCode::kFailedPrecondition) << foreign;
}

asio::awaitable<absl::StatusOr<Region>> RecordingMemory::Allocate(int64_t bytes) {
  ++counts_.allocates;
  return Timed(inner_.Allocate(bytes));
}
asio::awaitable<absl::Status> RecordingMemory::Free(Region region) {
  return Timed(inner_.Free(region));
}
asio::awaitable<absl::StatusOr<std::string>> RecordingMemory::Read(VirtAddr address,
                                                                   int64_t length) {
  ++counts_.reads;
  return Timed(inner_.Read(address, length));
}
asio::awaitable<absl::Status> RecordingMemory::Write(VirtAddr address, absl::string_view bytes) {
  ++counts_.writes;
  counts_.bytes_written += static_cast<int64_t>(bytes.size());
  return Timed(inner_.Write(address, bytes));
}
asio::awaitable<absl::Status> RecordingMemory::Flush(Region region) {
  ++counts_.flushes;
  if (drop_flushes_) return Timed(Nothing());
  return Timed(inner_.Flush(region));
}
asio::awaitable<absl::Status> RecordingMemory::Nothing() { co_return absl::OkStatus(); }

asio::awaitable<absl::Status> RecordingMemory::Evict(Region region) {
  return Timed(inner_.Evict(region));
}
asio::awaitable<absl::Status> RecordingMemory::Grant(std::vector<Region> regions,
                                                     ProcessId destination) {
  return Timed(inner_.Grant(std::move(regions), destination));
}
asio::awaitable<absl::StatusOr<std::vector<Region>>> RecordingMemory::Steal(
    ProcessId victim, Capability capability, std::optional<Region> region) {
  return Timed(inner_.Steal(victim, std::move(capability), region));
}
asio::awaitable<absl::Status> RecordingMemory::JoinTrustGroup(std::string group,
                                                              std::string secret) {
  return Timed(inner_.JoinTrustGroup(std::move(group), std::move(secret)));
}
asio::awaitable<absl::Status> RecordingMemory::Publish(std::string name, VirtAddr root) {
  return Timed(inner_.Publish(std::move(name), root));
}
asio::awaitable<absl::StatusOr<VirtAddr>> RecordingMemory::Lookup(std::string name) {
  return Timed(inner_.Lookup(std::move(name)));
}
asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> RecordingMemory::Checksums(Region region) {
  return Timed(inner_.Checksums(region));
}

}  // namespace ddc::durable::testing
