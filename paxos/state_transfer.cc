#include "paxos/state_transfer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "paxos/paxos.pb.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"

namespace ddc::paxos {

asio::awaitable<absl::Status> FetchState(Process& self, ProcessId source, Region into,
                                         int64_t chunk_bytes, int window, Duration timeout) {
  if (chunk_bytes <= 0 || window <= 0)
    co_return absl::InvalidArgumentError("state transfer: chunk_bytes and window must be > 0");
  Memory& memory = self.memory();
  const uint64_t total = static_cast<uint64_t>(into.length);
  uint64_t next = 0;
  std::map<uint64_t, uint64_t> outstanding;  // offset -> length
  auto request = [&](uint64_t offset, uint64_t length) -> absl::Status {
    StateChunkRequest r;
    r.set_offset(offset);
    r.set_length(length);
    return self.Send(source, std::move(r));
  };
  uint64_t received = 0;
  struct Stores {
    int64_t started = 0;
    int64_t done = 0;
    absl::Status error;
  };
  auto stores = std::make_shared<Stores>();
  while (received < total) {
    while (next < total && static_cast<int>(outstanding.size()) < window) {
      const uint64_t length = std::min<uint64_t>(chunk_bytes, total - next);
      DDC_CO_RETURN_IF_ERROR(request(next, length));
      outstanding[next] = length;
      next += length;
    }
    std::optional<Envelope> in = co_await self.ReceiveWhere(
        [source](const Envelope& e) { return e.Is<StateChunk>() && e.from() == source; }, timeout);
    if (!in) {
      for (const auto& [offset, length] : outstanding)
        DDC_CO_RETURN_IF_ERROR(request(offset, length));
      continue;
    }
    const StateChunk& chunk = in->As<StateChunk>();
    auto it = outstanding.find(chunk.offset());
    if (it == outstanding.end()) continue;  // a duplicate
    if (chunk.data().size() != it->second)
      co_return absl::DataLossError(absl::StrCat("state chunk at ", chunk.offset(), ": ",
                                                 chunk.data().size(), " bytes, want ", it->second));
    // Store each chunk in a thread of its own (write, then flush), so that storing overlaps
    // with the chunks still on the wire and with each other: one chunk at a time would make the
    // copy a sequence of network, memory-write and flush passes instead of a pipeline.
    const Region piece =
        into.Sub(static_cast<int64_t>(chunk.offset()), static_cast<int64_t>(it->second));
    ++stores->started;
    self.Go([&memory, piece, data = in->shared_message(), stores]() -> asio::awaitable<void> {
      absl::Status stored =
          co_await memory.Write(piece.base, static_cast<const StateChunk&>(*data).data());
      if (stored.ok()) stored = co_await memory.Flush(piece);
      if (!stored.ok() && stores->error.ok()) stores->error = stored;
      ++stores->done;
    });
    received += it->second;
    outstanding.erase(it);
  }
  // Wait for the stores still running (polling at the time one chunk takes on the wire).
  const Duration poll = std::max<Duration>(1000, TransmissionNs(chunk_bytes, 100));
  while (stores->done < stores->started) co_await self.Sleep(poll);
  DDC_CO_RETURN_IF_ERROR(stores->error);
  co_return absl::OkStatus();
}

void ServeStateChunks(Process& self, Region bulk) {
  self.Serve<StateChunkRequest>(
      [&self, bulk](Received<StateChunkRequest> in) -> asio::awaitable<absl::Status> {
        const StateChunkRequest& r = *in;
        if (r.offset() + r.length() > static_cast<uint64_t>(bulk.length) ||
            r.offset() + r.length() < r.offset()) {
          co_return absl::OkStatus();  // out of range: not a request this state can answer
        }
        absl::StatusOr<std::string> bytes =
            co_await self.memory().Read(bulk.base + r.offset(), static_cast<int64_t>(r.length()));
        // A fenced or memory-less source answers nothing; the requester asks another.
        if (!bytes.ok()) co_return absl::OkStatus();
        StateChunk chunk;
        chunk.set_offset(r.offset());
        chunk.set_data(*std::move(bytes));
        absl::Status sent = self.Send(in.envelope().from(), std::move(chunk));
        if (absl::IsPermissionDenied(sent)) co_return absl::OkStatus();
        co_return sent;
      });
}

}  // namespace ddc::paxos
