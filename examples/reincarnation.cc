// Reincarnation: dead compute, live memory (claim C5 in miniature).
//
// A counter service keeps its state in memory-element pages, flushing each update before it
// acknowledges it. A standby in the same rack asks the rack monitor to watch it. When the
// counter's compute element crashes, the monitor tells the standby, which steals the dead
// process's memory, finds the state through the rack namespace, checks it against the ME-side
// checksums, and carries on from the last acknowledged value: nothing is fetched from a peer or a
// checkpoint. Unflushed work is lost, as it must be.
//
// Every process returns an absl::Status and checks every call with DDC_CO_RETURN_IF_ERROR or
// DDC_CO_ASSIGN_OR_RETURN: a failure ends the process loudly (and this program with exit code 1).
#include <iostream>

#include "absl/strings/str_format.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace {

using ddc::Process;

struct CounterState {
  uint64_t value;
  uint32_t checksum_of_value;  // what the writer intends the ME to hold
};

void Say(const Process& self, const std::string& what) {
  std::cout << absl::StrFormat("[%9.3f us] %-8s %s\n", self.Now() / 1000.0, self.name(), what);
}

asio::awaitable<absl::Status> Counter(Process& self) {
  ddc::Memory& memory = self.memory();
  DDC_CO_RETURN_IF_ERROR(co_await memory.JoinTrustGroup("counter", "s3cret"));
  DDC_CO_ASSIGN_OR_RETURN(ddc::Region state, co_await memory.Allocate(memory.page_size()));
  DDC_CO_RETURN_IF_ERROR(co_await memory.Publish("counter/root", state.base));
  for (uint64_t i = 1; i <= 5; ++i) {
    DDC_CO_RETURN_IF_ERROR(co_await memory.WriteValue(state.base, CounterState{i, 0}));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Flush({state.base, sizeof(CounterState)}));
    Say(self, absl::StrFormat("value %d is durable", i));
    co_await self.Sleep(ddc::Microseconds(100));
  }
  DDC_CO_RETURN_IF_ERROR(co_await memory.WriteValue(state.base, CounterState{6, 0}));
  Say(self, "value 6 written but not flushed");
  co_await self.Sleep(ddc::Seconds(1));  // the crash comes first
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Standby(Process& self, ddc::ProcessId counter) {
  ddc::Memory& memory = self.memory();
  DDC_CO_RETURN_IF_ERROR(co_await memory.JoinTrustGroup("counter", "s3cret"));
  DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(counter));
  std::optional<ddc::Received<ddc::platform::ProcessDeathNotice>> death =
      co_await self.ReceiveOf<ddc::platform::ProcessDeathNotice>();  // no timeout: always a notice
  Say(self, absl::StrFormat("rack monitor: the counter's compute element %s is dead",
                            (*death)->compute_element()));
  const ddc::Capability capability("counter", "s3cret");
  DDC_CO_ASSIGN_OR_RETURN(std::vector<ddc::Region> stolen,
                          co_await memory.Steal(counter, capability, std::nullopt));
  Say(self, absl::StrFormat("stole %d region(s), %d bytes", stolen.size(), stolen[0].length));
  DDC_CO_ASSIGN_OR_RETURN(ddc::VirtAddr root, co_await memory.Lookup("counter/root"));
  Say(self,
      absl::StrFormat("namespace: counter/root is 0x%x (the address the counter used)", root));
  DDC_CO_ASSIGN_OR_RETURN(CounterState state, co_await memory.ReadValue<CounterState>(root));
  DDC_CO_ASSIGN_OR_RETURN(std::string page, co_await memory.Read(root, memory.page_size()));
  DDC_CO_ASSIGN_OR_RETURN(std::vector<uint32_t> at_me,
                          co_await memory.Checksums({root, memory.page_size()}));
  Say(self,
      absl::StrFormat("checksum %s; resuming from value %d",
                      at_me[0] == ddc::PageChecksum(page) ? "matches" : "MISMATCH", state.value));
  DDC_CO_RETURN_IF_ERROR(co_await memory.WriteValue(root, CounterState{state.value + 1, 0}));
  DDC_CO_RETURN_IF_ERROR(co_await memory.Flush({root, sizeof(CounterState)}));
  Say(self, absl::StrFormat("value %d is durable", state.value + 1));
  co_return absl::OkStatus();
}

absl::Status Run() {
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<ddc::Simulation> sim,
                       ddc::Simulation::Create(ddc::DefaultConfig(), /*seed=*/1));
  DDC_ASSIGN_OR_RETURN(ddc::CeId counter_ce, sim->CeForRole("counter", "r0/ce0"));
  DDC_ASSIGN_OR_RETURN(ddc::CeId standby_ce, sim->CeForRole("standby", "r0/ce1"));
  DDC_ASSIGN_OR_RETURN(ddc::ProcessId counter,
                       sim->Spawn({.name = "counter", .ce = counter_ce, .main = Counter}));
  DDC_RETURN_IF_ERROR(
      sim->Spawn({.name = "standby",
                  .ce = standby_ce,
                  .main = [counter](Process& self) { return Standby(self, counter); }})
          .status());
  DDC_RETURN_IF_ERROR(sim->CrashCe(counter_ce, ddc::Microseconds(700)));
  sim->RunUntilIdle();
  if (!sim->ProcessFailures().empty()) {
    return absl::InternalError(absl::StrCat(sim->ProcessFailures()[0].process, " failed: ",
                                            sim->ProcessFailures()[0].error));
  }
  std::cout << absl::StrFormat("steals=%d pages_stolen=%d monitor_detections=%d\n",
                               sim->metrics().steals, sim->metrics().pages_stolen,
                               sim->metrics().monitor_detections);
  return absl::OkStatus();
}

}  // namespace

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "reincarnation: " << status << "\n";
    return 1;
  }
  return 0;
}
