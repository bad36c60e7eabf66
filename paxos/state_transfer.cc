#include "paxos/state_transfer.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/durable/crc32c.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"

namespace ddc::paxos {
namespace {

// ChunkSink takes one received chunk: its offset in the stream and the StateChunk.
using ChunkSink = std::function<void(uint64_t offset, const Envelope& chunk)>;

// CopyPart pipelines the chunk requests for the `length` bytes of the image of snapshot `index`
// (or of the bulk state) and hands every chunk, once, to `sink`. FAILED_PRECONDITION ("stale")
// if the source moved on to a newer snapshot.
asio::awaitable<absl::Status> CopyPart(Process& self, ProcessId source, uint64_t index, bool bulk,
                                       uint64_t length, const TransferOptions& options,
                                       const ChunkSink& sink) {
  const uint64_t end = length;
  uint64_t next = 0;
  std::map<uint64_t, uint64_t> outstanding;  // offset -> length
  auto request = [&](uint64_t offset, uint64_t length) -> absl::Status {
    StateChunkRequest r;
    r.set_offset(offset);
    r.set_length(length);
    r.set_snapshot(index);
    r.set_bulk(bulk);
    return self.Send(source, std::move(r));
  };
  uint64_t received = 0;
  int silences = 0;
  while (received < end) {
    while (next < end && static_cast<int>(outstanding.size()) < options.window) {
      const uint64_t length = std::min<uint64_t>(options.chunk_bytes, end - next);
      DDC_CO_RETURN_IF_ERROR(request(next, length));
      outstanding[next] = length;
      next += length;
    }
    std::optional<Envelope> in = co_await self.ReceiveWhere(
        [source, bulk, index](const Envelope& e) {
          if (!e.Is<StateChunk>() || e.from() != source) return false;
          const StateChunk& c = e.As<StateChunk>();
          // An image chunk of an earlier attempt (an older snapshot) is not one of these.
          return c.bulk() == bulk && (bulk || c.snapshot() == index);
        },
        options.timeout);
    if (!in) {
      if (++silences >= options.max_silences)
        co_return absl::DeadlineExceededError(absl::StrCat(
            "state transfer: process ", Index(source), " silent for ", silences, " timeouts"));
      for (const auto& [offset, length] : outstanding)
        DDC_CO_RETURN_IF_ERROR(request(offset, length));
      continue;
    }
    silences = 0;
    const StateChunk& chunk = in->As<StateChunk>();
    auto it = outstanding.find(chunk.offset());
    if (it == outstanding.end()) continue;  // a duplicate, or a chunk of an earlier attempt
    if (chunk.stale())
      co_return absl::FailedPreconditionError(
          absl::StrCat("snapshot ", index, " is stale at its source"));
    if (chunk.data().size() != it->second)
      co_return absl::DataLossError(absl::StrCat("state chunk at ", chunk.offset(), ": ",
                                                 chunk.data().size(), " bytes, want ", it->second));
    sink(chunk.offset(), *in);
    received += it->second;
    outstanding.erase(it);
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<absl::StatusOr<SnapshotImage>> FetchSnapshot(Process& self, ProcessId source,
                                                             Region bulk,
                                                             const TransferOptions& options) {
  if (options.chunk_bytes <= 0 || options.window <= 0 || options.timeout <= 0 ||
      options.max_silences <= 0)
    co_return absl::InvalidArgumentError(
        "state transfer: chunk_bytes, window, timeout and max_silences must be > 0");
  SnapshotInfoRequest ask;
  ask.set_inline_limit(static_cast<uint64_t>(options.chunk_bytes));
  ask.set_nonce(static_cast<uint64_t>(self.Now()));  // one transfer at a time per process
  // The question goes out in the same flight as the first bulk chunk requests: the bulk does not
  // depend on which snapshot the source holds, so the answer costs no round trip of its own.
  DDC_CO_RETURN_IF_ERROR(self.Send(source, ask));
  // The bulk first. Each chunk is stored by a thread of its own (write, then flush), so that
  // storing overlaps with the chunks still on the wire and with each other: one chunk at a time
  // would make the copy a sequence of network, memory-write and flush passes, not a pipeline.
  struct Stores {
    int64_t started = 0;
    int64_t done = 0;
    absl::Status error;
  };
  auto stores = std::make_shared<Stores>();
  Memory& memory = self.memory();
  const ChunkSink into_bulk = [&](uint64_t offset, const Envelope& chunk) {
    const Region piece = bulk.Sub(static_cast<int64_t>(offset),
                                  static_cast<int64_t>(chunk.As<StateChunk>().data().size()));
    ++stores->started;
    self.Go([&memory, piece, data = chunk.shared_message(), stores]() -> asio::awaitable<void> {
      absl::Status stored =
          co_await memory.Write(piece.base, static_cast<const StateChunk&>(*data).data());
      if (stored.ok()) stored = co_await memory.Flush(piece);
      if (!stored.ok() && stores->error.ok()) stores->error = stored;
      ++stores->done;
    });
  };
  DDC_CO_RETURN_IF_ERROR(co_await CopyPart(self, source, /*index=*/0, /*bulk=*/true,
                                           static_cast<uint64_t>(bulk.length), options, into_bulk));
  // Wait for the stores still running (polling at the time one chunk takes on the wire).
  const Duration poll = std::max<Duration>(1000, TransmissionNs(options.chunk_bytes, 100));
  while (stores->done < stores->started) co_await self.Sleep(poll);
  DDC_CO_RETURN_IF_ERROR(stores->error);

  // Then the image: inline in the answer (already here, as a rule), or in chunks.
  for (int silences = 0;;) {
    std::optional<Envelope> in = co_await self.ReceiveWhere(
        [source, nonce = ask.nonce()](const Envelope& e) {
          return e.Is<SnapshotInfo>() && e.from() == source &&
                 e.As<SnapshotInfo>().nonce() == nonce;
        },
        options.timeout);
    if (!in) {
      if (++silences >= options.max_silences)
        co_return absl::DeadlineExceededError(absl::StrCat(
            "state transfer: process ", Index(source), " silent for ", silences, " timeouts"));
      DDC_CO_RETURN_IF_ERROR(self.Send(source, ask));
      continue;
    }
    const SnapshotInfo& info = in->As<SnapshotInfo>();
    if (info.bulk_bytes() != static_cast<uint64_t>(bulk.length))
      co_return absl::FailedPreconditionError(
          absl::StrCat("state transfer: process ", Index(source), " holds ", info.bulk_bytes(),
                       " bytes of bulk state, this replica ", bulk.length));
    std::string image_bytes;
    if (info.has_image()) {
      image_bytes = info.image();
    } else {
      image_bytes.assign(info.image_bytes(), '\0');
      const ChunkSink into_image = [&image_bytes](uint64_t offset, const Envelope& chunk) {
        const std::string& data = chunk.As<StateChunk>().data();
        image_bytes.replace(offset, data.size(), data);
      };
      absl::Status copied = co_await CopyPart(self, source, info.index(), /*bulk=*/false,
                                              info.image_bytes(), options, into_image);
      if (!absl::IsFailedPrecondition(copied)) DDC_CO_RETURN_IF_ERROR(copied);
      if (!copied.ok()) image_bytes.clear();  // stale
    }
    if (image_bytes.size() != info.image_bytes() ||
        durable::crc32c::Value(image_bytes) != info.image_crc()) {
      // The source moved to a newer snapshot while answering: ask for that one.
      DDC_CO_RETURN_IF_ERROR(self.Send(source, ask));
      continue;
    }
    SnapshotImage image;
    if (!image_bytes.empty() && (!image.ParseFromString(image_bytes) || !image.has_meta()))
      co_return absl::DataLossError(absl::StrCat("snapshot ", info.index(), " from process ",
                                                 Index(source), ": the image does not parse"));
    co_return image;
  }
}

void ServeSnapshot(Process& self, std::shared_ptr<const SnapshotSource> source) {
  self.Serve<SnapshotInfoRequest>(
      [&self, source](Received<SnapshotInfoRequest> in) -> asio::awaitable<absl::Status> {
        SnapshotInfo info;
        info.set_index(source->index);
        info.set_image_bytes(static_cast<uint64_t>(source->image.length));
        info.set_image_crc(source->image_crc);
        info.set_bulk_bytes(static_cast<uint64_t>(source->bulk.length));
        info.set_nonce(in->nonce());
        if (source->image.length > 0 &&
            static_cast<uint64_t>(source->image.length) <= in->inline_limit()) {
          absl::StatusOr<std::string> image =
              co_await self.memory().Read(source->image.base, source->image.length);
          // A fenced or memory-less source answers nothing; the requester asks another.
          if (!image.ok()) co_return absl::OkStatus();
          info.set_image(*std::move(image));
        }
        absl::Status sent = self.Send(in.envelope().from(), std::move(info));
        if (absl::IsPermissionDenied(sent)) co_return absl::OkStatus();
        co_return sent;
      });
  self.Serve<StateChunkRequest>(
      [&self, source](Received<StateChunkRequest> in) -> asio::awaitable<absl::Status> {
        const StateChunkRequest& r = *in;
        const Region part = r.bulk() ? source->bulk : source->image;
        StateChunk chunk;
        chunk.set_offset(r.offset());
        chunk.set_bulk(r.bulk());
        chunk.set_snapshot(r.snapshot());
        if (!r.bulk() && r.snapshot() != source->index) {
          chunk.set_stale(true);  // the image asked for was replaced by a newer snapshot
        } else if (r.offset() + r.length() > static_cast<uint64_t>(part.length) ||
                   r.offset() + r.length() < r.offset()) {
          co_return absl::OkStatus();  // out of range: not a request this source can answer
        } else {
          const VirtAddr at = part.base + r.offset();
          absl::StatusOr<std::string> bytes =
              co_await self.memory().Read(at, static_cast<int64_t>(r.length()));
          // A fenced or memory-less source answers nothing; the requester asks another.
          if (!bytes.ok()) co_return absl::OkStatus();
          chunk.set_data(*std::move(bytes));
        }
        absl::Status sent = self.Send(in.envelope().from(), std::move(chunk));
        if (absl::IsPermissionDenied(sent)) co_return absl::OkStatus();
        co_return sent;
      });
}

}  // namespace ddc::paxos
