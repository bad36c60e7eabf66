// Grant: zero-copy hand-off of a pointer-linked structure (claim C1 in miniature).
//
// A producer builds a linked list inside a region with a page-confined Arena; the "next" fields
// are plain virtual addresses. It grants the region to a consumer in the same rack. The consumer
// learns of it from a GrantNotice and walks the list at the very same addresses: no byte was
// copied over the network, and the producer can no longer touch the pages.
//
// Every process returns an absl::Status and checks every call with DDC_CO_RETURN_IF_ERROR or
// DDC_CO_ASSIGN_OR_RETURN: a failure ends the process loudly (and this program with exit code 1).
#include <iostream>

#include "absl/strings/str_format.h"
#include "platform/arena.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace {

using ddc::Process;

struct Node {
  uint64_t value;
  ddc::VirtAddr next;  // 0 ends the list
};

void Say(const Process& self, const std::string& what) {
  std::cout << absl::StrFormat("[%8.3f us] %-8s %s\n", self.Now() / 1000.0, self.name(), what);
}

asio::awaitable<absl::Status> Producer(Process& self, ddc::ProcessId consumer) {
  ddc::Memory& memory = self.memory();
  DDC_CO_ASSIGN_OR_RETURN(ddc::Region region, co_await memory.Allocate(4 * memory.page_size()));
  DDC_CO_ASSIGN_OR_RETURN(ddc::Arena arena, co_await ddc::Arena::Create(memory, region));
  ddc::VirtAddr head = 0;
  for (uint64_t v = 1; v <= 4; ++v) {
    DDC_CO_ASSIGN_OR_RETURN(ddc::VirtAddr node, co_await arena.Allocate(sizeof(Node)));
    const Node value{v * 10, head};
    DDC_CO_RETURN_IF_ERROR(co_await memory.WriteValue(node, value));
    head = node;
  }
  // The list head goes where the consumer will look: right after the last node.
  DDC_CO_ASSIGN_OR_RETURN(ddc::VirtAddr head_slot, co_await arena.Allocate(sizeof(head)));
  DDC_CO_RETURN_IF_ERROR(co_await memory.WriteValue(head_slot, head));
  Say(self, absl::StrFormat("built a 4-node list, head at 0x%x", head));
  const ddc::Time before = self.Now();
  DDC_CO_RETURN_IF_ERROR(co_await memory.Grant(region, consumer));
  Say(self, absl::StrFormat("grant: OK after %d ns", self.Now() - before));
  // The pages are the consumer's now: reading them must be refused.
  absl::StatusOr<Node> again = co_await memory.ReadValue<Node>(head);
  Say(self,
      absl::StrFormat("reading my old list: %s",
                      again.ok() ? "allowed?!" : absl::StatusCodeToString(again.status().code())));
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Consumer(Process& self) {
  ddc::Memory& memory = self.memory();
  std::optional<ddc::Received<ddc::platform::GrantNotice>> notice =
      co_await self.ReceiveOf<ddc::platform::GrantNotice>();
  const ddc::Region region{(*notice)->regions(0).base(), (*notice)->regions(0).length()};
  Say(self, absl::StrFormat("GrantNotice: %d bytes at 0x%x", region.length, region.base));
  DDC_CO_ASSIGN_OR_RETURN(ddc::Arena arena, co_await ddc::Arena::Open(memory, region));
  DDC_CO_ASSIGN_OR_RETURN(
      ddc::VirtAddr head,
      co_await memory.ReadValue<ddc::VirtAddr>(arena.next() - sizeof(ddc::VirtAddr)));
  uint64_t sum = 0;
  for (ddc::VirtAddr at = head; at != 0;) {
    DDC_CO_ASSIGN_OR_RETURN(Node node, co_await memory.ReadValue<Node>(at));
    sum += node.value;
    at = node.next;
  }
  Say(self, absl::StrFormat("walked the list in place: sum = %d", sum));
  co_return absl::OkStatus();
}

absl::Status Run() {
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<ddc::Simulation> sim,
                       ddc::Simulation::Create(ddc::DefaultConfig(), /*seed=*/1));
  DDC_ASSIGN_OR_RETURN(ddc::CeId consumer_ce, sim->CeForRole("consumer", "r0/ce1"));
  DDC_ASSIGN_OR_RETURN(ddc::CeId producer_ce, sim->CeForRole("producer", "r0/ce0"));
  DDC_ASSIGN_OR_RETURN(ddc::ProcessId consumer,
                       sim->Spawn({.name = "consumer", .ce = consumer_ce, .main = Consumer}));
  DDC_RETURN_IF_ERROR(
      sim->Spawn({.name = "producer",
                  .ce = producer_ce,
                  .main = [consumer](Process& self) { return Producer(self, consumer); }})
          .status());
  sim->RunUntilIdle();
  if (!sim->ProcessFailures().empty()) {
    return absl::InternalError(absl::StrCat(sim->ProcessFailures()[0].process, " failed: ",
                                            sim->ProcessFailures()[0].error));
  }
  std::cout << absl::StrFormat("network bytes=%d memory bytes=%d grants=%d pages_granted=%d\n",
                               sim->metrics().bytes_sent, sim->metrics().memory_bytes,
                               sim->metrics().grants, sim->metrics().pages_granted);
  return absl::OkStatus();
}

}  // namespace

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "grant_list: " << status << "\n";
    return 1;
  }
  return 0;
}
