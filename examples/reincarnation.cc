// Reincarnation: dead compute, live memory (claim C5 in miniature).
//
// A counter service keeps its state in memory-element pages, flushing each update before it
// acknowledges it. A standby in the same rack asks the rack monitor to watch it. When the
// counter's compute element crashes, the monitor tells the standby, which steals the dead
// process's memory, finds the state through the rack namespace, checks it against the ME-side
// checksums, and carries on from the last acknowledged value: nothing is fetched from a peer or a
// checkpoint. Unflushed work is lost, as it must be.
#include <iostream>

#include "absl/strings/str_format.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"

namespace {

using ddc::Process;

struct CounterState {
  uint64_t value;
  uint32_t checksum_of_value;  // what the writer intends the ME to hold
};

void Say(const Process& self, const std::string& what) {
  std::cout << absl::StrFormat("[%9.3f us] %-8s %s\n", self.Now() / 1000.0, self.name(), what);
}

asio::awaitable<void> Counter(Process& self) {
  ddc::Memory& memory = self.memory();
  (void)co_await memory.JoinTrustGroup("counter", "s3cret");
  ddc::Region state = *co_await memory.Allocate(memory.page_size());
  (void)co_await memory.Publish("counter/root", state.base);
  for (uint64_t i = 1; i <= 5; ++i) {
    (void)co_await memory.WriteValue(state.base, CounterState{i, 0});
    (void)co_await memory.Flush({state.base, sizeof(CounterState)});
    Say(self, absl::StrFormat("value %d is durable", i));
    co_await self.Sleep(ddc::Microseconds(100));
  }
  (void)co_await memory.WriteValue(state.base, CounterState{6, 0});
  Say(self, "value 6 written but not flushed");
  co_await self.Sleep(ddc::Seconds(1));  // the crash comes first
}

asio::awaitable<void> Standby(Process& self, ddc::ProcessId counter) {
  ddc::Memory& memory = self.memory();
  (void)co_await memory.JoinTrustGroup("counter", "s3cret");
  (void)self.failures().RegisterStandby(counter);
  for (;;) {
    ddc::Envelope in = co_await self.Receive();
    if (!in.Is<ddc::platform::ProcessDeathNotice>()) continue;
    Say(self, "rack monitor: the counter's compute element is dead");
    break;
  }
  auto stolen = co_await memory.Steal(counter, {"counter", "s3cret"}, std::nullopt);
  Say(self, absl::StrFormat("stole %d region(s), %d bytes", stolen->size(), (*stolen)[0].length));
  ddc::VirtAddr root = *co_await memory.Lookup("counter/root");
  Say(self,
      absl::StrFormat("namespace: counter/root is 0x%x (the address the counter used)", root));
  CounterState state = *co_await memory.ReadValue<CounterState>(root);
  std::string page = *co_await memory.Read(root, memory.page_size());
  uint32_t at_me = (*co_await memory.Checksums({root, memory.page_size()}))[0];
  Say(self,
      absl::StrFormat("checksum %s; resuming from value %d",
                      at_me == ddc::PageChecksum(page) ? "matches" : "MISMATCH", state.value));
  (void)co_await memory.WriteValue(root, CounterState{state.value + 1, 0});
  (void)co_await memory.Flush({root, sizeof(CounterState)});
  Say(self, absl::StrFormat("value %d is durable", state.value + 1));
}

}  // namespace

int main() {
  auto sim = ddc::Simulation::Create(ddc::DefaultConfig(), /*seed=*/1).value();
  const ddc::CeId counter_ce = *sim->topology().FindCe("r0/ce0");
  const ddc::CeId standby_ce = *sim->topology().FindCe("r0/ce1");
  ddc::ProcessId counter = *sim->Spawn({.name = "counter", .ce = counter_ce, .main = Counter});
  (void)sim->Spawn({.name = "standby", .ce = standby_ce, .main = [counter](Process& self) {
                      return Standby(self, counter);
                    }});
  (void)sim->CrashCe(counter_ce, ddc::Microseconds(700));
  sim->RunUntilIdle();
  std::cout << absl::StrFormat("steals=%d pages_stolen=%d monitor_detections=%d\n",
                               sim->metrics().steals, sim->metrics().pages_stolen,
                               sim->metrics().monitor_detections);
  return 0;
}
