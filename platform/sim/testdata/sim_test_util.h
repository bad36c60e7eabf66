// Helpers shared by the simulator's tests: building a simulation from config text, spawning,
// sizing messages exactly, reading MetricsCsv, and small process bodies that record what they
// see into test-owned storage.
//
// Process bodies are free coroutines that take their outputs by pointer; tests wrap them in
// non-coroutine lambdas, so no coroutine ever refers to a lambda's captures.
#ifndef DDC_PLATFORM_SIM_TESTDATA_SIM_TEST_UTIL_H_
#define DDC_PLATFORM_SIM_TESTDATA_SIM_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/process.h"
#include "platform/sim/testdata/test_messages.pb.h"
#include "platform/simulation.h"
#include "platform/testing/simulation_testing.h"

namespace ddc::simtest {

using ::ddc::testdata::Blob;

// CreateSimulation parses `config_text` and builds a simulation; it records a test failure and
// returns null when either step fails.
inline std::unique_ptr<Simulation> CreateSimulation(absl::string_view config_text = "",
                                                    uint64_t seed = 1) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(config_text);
  if (!config.ok()) {
    ADD_FAILURE() << "ParseConfig: " << config.status();
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(*std::move(config), seed);
  if (!sim.ok()) {
    ADD_FAILURE() << "Simulation::Create: " << sim.status();
    return nullptr;
  }
  return *std::move(sim);
}

using ::ddc::testing_util::CeNamed;
using ::ddc::testing_util::MustSpawn;

// MakeBlob returns a Blob whose serialized size is exactly `wire_bytes` (0, or at least 2), so
// tests can state transmission times in whole nanoseconds.
inline Blob MakeBlob(int64_t wire_bytes) {
  Blob blob;
  if (wire_bytes == 0) return blob;
  // The payload field costs one tag byte plus a varint length of 1 to 5 bytes.
  for (int64_t overhead = 2; overhead <= 6 && overhead <= wire_bytes; ++overhead) {
    blob.set_payload(std::string(static_cast<size_t>(wire_bytes - overhead), 'b'));
    if (static_cast<int64_t>(blob.ByteSizeLong()) == wire_bytes) return blob;
  }
  ADD_FAILURE() << "no Blob serializes to exactly " << wire_bytes << " bytes";
  return blob;
}

// MetricValue returns the value of row `name` of a MetricsCsv() rendering.
inline std::optional<int64_t> MetricValue(absl::string_view csv, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    std::pair<absl::string_view, absl::string_view> row = absl::StrSplit(line, ',');
    int64_t value;
    if (row.first == name && absl::SimpleAtoi(row.second, &value)) return value;
  }
  return std::nullopt;
}

// Arrival is what a recording receiver saw of one message.
struct Arrival {
  Time at;
  Time sent_at;
  int64_t wire_bytes;
  ProcessId from;
  uint64_t seq;
};

// RecordArrivals receives forever and appends every message to `arrivals`, if given.
inline asio::awaitable<void> RecordArrivals(Process& self, std::vector<Arrival>* arrivals) {
  for (;;) {
    Envelope in = co_await self.Receive();
    const uint64_t seq = in.Is<Blob>() ? in.As<Blob>().seq() : 0;
    if (arrivals != nullptr) {
      arrivals->push_back({self.Now(), in.sent_at(), in.wire_bytes(), in.from(), seq});
    }
  }
}

// SendMessage sends `message` to `to` at the process's start time.
inline asio::awaitable<void> SendMessage(Process& self, ProcessId to, Blob message) {
  EXPECT_TRUE(self.Send(to, std::move(message)).ok());
  co_return;
}

// SendBlobs sends one Blob per entry of `wire_sizes` to `to`, all at the process's start time.
inline asio::awaitable<void> SendBlobs(Process& self, ProcessId to,
                                       std::vector<int64_t> wire_sizes) {
  for (int64_t size : wire_sizes) {
    EXPECT_TRUE(self.Send(to, MakeBlob(size)).ok());
  }
  co_return;
}

// SendEvery sends `count` Blobs carrying seq 0, 1, ... to `to`, one every `interval`, starting at
// `start`.
inline asio::awaitable<void> SendEvery(Process& self, ProcessId to, Time start, Duration interval,
                                       int count) {
  co_await self.Sleep(start - self.Now());
  for (int i = 0; i < count; ++i) {
    Blob blob;
    blob.set_seq(static_cast<uint64_t>(i));
    EXPECT_TRUE(self.Send(to, blob).ok());
    co_await self.Sleep(interval);
  }
}

// ArrivalTimes projects arrivals onto their times.
inline std::vector<Time> ArrivalTimes(const std::vector<Arrival>& arrivals) {
  std::vector<Time> times;
  for (const Arrival& a : arrivals) times.push_back(a.at);
  return times;
}

}  // namespace ddc::simtest

#endif  // DDC_PLATFORM_SIM_TESTDATA_SIM_TEST_UTIL_H_
