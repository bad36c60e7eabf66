// Grant: zero-copy hand-off of a pointer-linked structure (claim C1 in miniature).
//
// A producer builds a linked list inside a region with a page-confined Arena; the "next" fields
// are plain virtual addresses. It grants the region to a consumer in the same rack. The consumer
// learns of it from a GrantNotice and walks the list at the very same addresses: no byte was
// copied over the network, and the producer can no longer touch the pages.
#include <iostream>

#include "absl/strings/str_format.h"
#include "platform/arena.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"

namespace {

using ddc::Process;

struct Node {
  uint64_t value;
  ddc::VirtAddr next;  // 0 ends the list
};

void Say(const Process& self, const std::string& what) {
  std::cout << absl::StrFormat("[%8.3f us] %-8s %s\n", self.Now() / 1000.0, self.name(), what);
}

asio::awaitable<void> Producer(Process& self, ddc::ProcessId consumer) {
  ddc::Memory& memory = self.memory();
  ddc::Region region = *co_await memory.Allocate(4 * memory.page_size());
  ddc::Arena arena = *co_await ddc::Arena::Create(memory, region);
  ddc::VirtAddr head = 0;
  for (uint64_t v = 1; v <= 4; ++v) {
    ddc::VirtAddr node = *co_await arena.Allocate(sizeof(Node));
    (void)co_await memory.WriteValue(node, Node{v * 10, head});
    head = node;
  }
  // The list head goes where the consumer will look: right after the arena header.
  ddc::VirtAddr head_slot = *co_await arena.Allocate(sizeof(ddc::VirtAddr));
  (void)co_await memory.WriteValue(head_slot, head);
  Say(self, absl::StrFormat("built a 4-node list, head at 0x%x", head));
  const ddc::Time before = self.Now();
  absl::Status granted = co_await memory.Grant(region, consumer);
  Say(self, absl::StrFormat("grant: %s after %d ns", granted.ToString(), self.Now() - before));
  absl::StatusOr<Node> again = co_await memory.ReadValue<Node>(head);
  Say(self,
      absl::StrFormat("reading my old list: %s",
                      again.ok() ? "allowed?!" : absl::StatusCodeToString(again.status().code())));
}

asio::awaitable<void> Consumer(Process& self) {
  ddc::Memory& memory = self.memory();
  ddc::Envelope in = co_await self.Receive();
  const auto& notice = in.As<ddc::platform::GrantNotice>();
  ddc::Region region{notice.regions(0).base(), notice.regions(0).length()};
  Say(self, absl::StrFormat("GrantNotice: %d bytes at 0x%x", region.length, region.base));
  ddc::Arena arena = *co_await ddc::Arena::Open(memory, region);
  ddc::VirtAddr head =
      *co_await memory.ReadValue<ddc::VirtAddr>(arena.next() - sizeof(ddc::VirtAddr));
  uint64_t sum = 0;
  for (ddc::VirtAddr at = head; at != 0;) {
    Node node = *co_await memory.ReadValue<Node>(at);
    sum += node.value;
    at = node.next;
  }
  Say(self, absl::StrFormat("walked the list in place: sum = %d", sum));
}

}  // namespace

int main() {
  auto sim = ddc::Simulation::Create(ddc::DefaultConfig(), /*seed=*/1).value();
  ddc::ProcessId consumer =
      *sim->Spawn({.name = "consumer", .ce = *sim->topology().FindCe("r0/ce1"), .main = Consumer});
  (void)sim->Spawn({.name = "producer",
                    .ce = *sim->topology().FindCe("r0/ce0"),
                    .main = [consumer](Process& self) { return Producer(self, consumer); }});
  sim->RunUntilIdle();
  std::cout << absl::StrFormat("network bytes=%d memory bytes=%d grants=%d pages_granted=%d\n",
                               sim->metrics().bytes_sent, sim->metrics().memory_bytes,
                               sim->metrics().grants, sim->metrics().pages_granted);
  return 0;
}
