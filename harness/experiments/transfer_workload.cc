#include "harness/experiments/transfer_workload.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "harness/experiments/transfer.pb.h"
#include "platform/copy_model.h"
#include "platform/cost_model.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;
// The data is produced in pieces of this size during setup.
constexpr int64_t kSetupPiece = 4 * kMiB;
// Verify compares every byte up to kVerifyAllBytes, and beyond that 64 pages spread evenly plus
// the first and the last (reading 1 GiB back would double the experiment's run time).
constexpr int64_t kVerifyAllBytes = 64 * kMiB;

// Pattern fills [offset, offset + length) of the transferred data deterministically.
std::string Pattern(uint64_t seed, int64_t offset, int64_t length) {
  std::string out(static_cast<size_t>(length), '\0');
  for (int64_t i = 0; i < length; i += 8) {
    uint64_t x = seed ^ static_cast<uint64_t>((offset + i) / 8) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    std::memcpy(out.data() + i, &x, static_cast<size_t>(std::min<int64_t>(8, length - i)));
  }
  return out;
}

// ChunkWireBytes is the serialized size of a TransferChunk{offset, data of `length`}.
int64_t ChunkWireBytes(int64_t offset, int64_t length) {
  using google::protobuf::io::CodedOutputStream;
  return 1 + CodedOutputStream::VarintSize64(static_cast<uint64_t>(offset)) + 1 +
         CodedOutputStream::VarintSize64(static_cast<uint64_t>(length)) + length;
}

int64_t GrantNoticeBytes(ProcessId source, const Region& region) {
  platform::GrantNotice notice;
  notice.set_source(Index(source));
  platform::RegionMsg* r = notice.add_regions();
  r->set_base(region.base);
  r->set_length(region.length);
  return static_cast<int64_t>(notice.ByteSizeLong());
}

}  // namespace

// Shared outlives the processes' threads (the workload owns it and outlives the simulation), so
// threads may point into it.
struct TransferWorkload::Shared {
  const Simulation* sim = nullptr;
  ProcessId sender = kNoProcess;
  ProcessId receiver = kNoProcess;
  Time start = -1;
  Time end = -1;
  ddc::Metrics at_start;
  ddc::Metrics at_end;
  Region source;
  bool done = false;
  bool verified = false;
  // Receiver side of a copy: chunks seen (duplicates are ignored), bytes made durable, and the
  // timer the last write-back cancels.
  std::set<uint64_t> offsets;
  int64_t flushed = 0;
  std::unique_ptr<Timer> all_flushed;
};

namespace {

using Shared = TransferWorkload::Shared;

asio::awaitable<bool> Verify(Process& self, Region region, uint64_t seed) {
  const int64_t page = self.memory().page_size();
  std::vector<std::pair<int64_t, int64_t>> pieces;  // (offset, length)
  if (region.length <= kVerifyAllBytes) {
    for (int64_t offset = 0; offset < region.length; offset += kSetupPiece) {
      pieces.push_back({offset, std::min(kSetupPiece, region.length - offset)});
    }
  } else {
    const int64_t pages = region.length / page;
    for (int64_t i = 0; i <= 64; ++i) {
      pieces.push_back({std::min(i * (pages / 64), pages - 1) * page, page});
    }
  }
  for (const auto& [offset, length] : pieces) {
    absl::StatusOr<std::string> got = co_await self.memory().Read(region.base + offset, length);
    if (!got.ok() || *got != Pattern(seed, offset, length)) co_return false;
  }
  co_return true;
}

// ReadAndSend is one of the sender's `window` readers: it copies chunks first, first + window, ...
asio::awaitable<absl::Status> ReadAndSend(Process& self, ProcessId receiver, Region source,
                                          int64_t chunk, int window, int64_t first) {
  for (int64_t k = first; k * chunk < source.length; k += window) {
    const int64_t offset = k * chunk;
    const int64_t n = std::min(chunk, source.length - offset);
    DDC_CO_ASSIGN_OR_RETURN(std::string data, co_await self.memory().Read(source.base + offset, n));
    TransferChunk message;
    message.set_offset(static_cast<uint64_t>(offset));
    message.set_data(std::move(data));
    DDC_CO_RETURN_IF_ERROR(self.Send(receiver, std::move(message)));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Sender(Process& self, TransferShape shape, uint64_t seed,
                                     Shared* shared) {
  Memory& memory = self.memory();
  DDC_CO_ASSIGN_OR_RETURN(Region region, co_await memory.Allocate(shape.bytes));
  shared->source = region;
  for (int64_t offset = 0; offset < shape.bytes; offset += kSetupPiece) {
    const int64_t n = std::min(kSetupPiece, shape.bytes - offset);
    DDC_CO_RETURN_IF_ERROR(co_await memory.Write(region.base + offset, Pattern(seed, offset, n)));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Evict(region.Sub(offset, n)));
  }
  std::optional<Received<TransferReady>> ready = co_await self.ReceiveOf<TransferReady>();
  (void)ready;  // an infinite wait ends only with the message

  shared->start = self.Now();
  shared->at_start = shared->sim->metrics();
  if (self.mode() == Mode::kExposed) co_return co_await memory.Grant(region, shared->receiver);
  const Region source{region.base, shape.bytes};  // the allocation may be rounded up to pages
  for (int reader = 1; reader < shape.window; ++reader) {
    self.Go([&self, receiver = shared->receiver, source, shape, reader] {
      return ReadAndSend(self, receiver, source, shape.chunk, shape.window, reader);
    });
  }
  co_return co_await ReadAndSend(self, shared->receiver, source, shape.chunk, shape.window, 0);
}

// WriteAndFlush makes one received chunk durable in the receiver's memory.
asio::awaitable<absl::Status> WriteAndFlush(Process& self, VirtAddr at, Envelope in, int64_t bytes,
                                            Shared* shared) {
  const std::string& data = in.As<TransferChunk>().data();
  const int64_t n = static_cast<int64_t>(data.size());
  DDC_CO_RETURN_IF_ERROR(co_await self.memory().Write(at, data));
  DDC_CO_RETURN_IF_ERROR(co_await self.memory().Flush({at, n}));
  shared->flushed += n;
  if (shared->flushed == bytes) {
    shared->end = self.Now();
    shared->at_end = shared->sim->metrics();
    shared->all_flushed->Cancel();
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Receiver(Process& self, int64_t bytes, uint64_t seed,
                                       Shared* shared) {
  Region destination;
  if (self.mode() == Mode::kTransparent) {
    DDC_CO_ASSIGN_OR_RETURN(destination, co_await self.memory().Allocate(bytes));
  }
  DDC_CO_RETURN_IF_ERROR(self.Send(shared->sender, TransferReady()));
  int64_t received = 0;
  shared->all_flushed = self.NewTimer();
  while (received < bytes) {
    Envelope in = co_await self.Receive();
    if (const auto* notice = in.TryAs<platform::GrantNotice>()) {
      destination = {notice->regions(0).base(), notice->regions(0).length()};
      received = bytes;
      shared->end = self.Now();
      shared->at_end = shared->sim->metrics();
    } else if (const auto* chunk = in.TryAs<TransferChunk>()) {
      if (!shared->offsets.insert(chunk->offset()).second) continue;  // a duplicate
      const VirtAddr at = destination.base + chunk->offset();
      received += static_cast<int64_t>(chunk->data().size());
      self.Go([&self, at, in = std::move(in), bytes, shared]() mutable {
        return WriteAndFlush(self, at, std::move(in), bytes, shared);
      });
    }
  }
  // The last write-back cancels the timer; an hour of virtual time means the transfer hung.
  if (self.mode() == Mode::kTransparent && shared->flushed < bytes) {
    (void)co_await shared->all_flushed->Wait(Seconds(3600));
  }
  shared->verified = co_await Verify(self, {destination.base, bytes}, seed);
  shared->done = true;
  co_return absl::OkStatus();
}

}  // namespace

TransferWorkload::TransferWorkload(const PlatformConfig& config, Mode mode, uint64_t seed,
                                   TransferShape shape)
    : config_(config), mode_(mode), seed_(seed), shape_(shape), shared_(new Shared) {}

TransferWorkload::~TransferWorkload() = default;

absl::Status TransferWorkload::Setup(Simulation& sim) {
  shared_->sim = &sim;
  DDC_ASSIGN_OR_RETURN(CeId sender_ce, sim.CeForRole("sender", "r0/ce0"));
  DDC_ASSIGN_OR_RETURN(CeId receiver_ce, sim.CeForRole("receiver", "r0/ce1"));
  if (sim.topology().ce(sender_ce).rack != sim.topology().ce(receiver_ce).rack) {
    return absl::InvalidArgumentError("transfer: sender and receiver must share a rack");
  }
  Shared* shared = shared_.get();
  DDC_ASSIGN_OR_RETURN(
      shared->receiver,
      sim.Spawn({.name = "receiver", .ce = receiver_ce, .main = [this, shared](Process& self) {
                   return Receiver(self, shape_.bytes, seed_, shared);
                 }}));
  DDC_ASSIGN_OR_RETURN(
      shared->sender,
      sim.Spawn({.name = "sender", .ce = sender_ce, .main = [this, shared](Process& self) {
                   return Sender(self, shape_, seed_, shared);
                 }}));
  return absl::OkStatus();
}

bool TransferWorkload::Finished() const { return shared_->done; }

absl::Status TransferWorkload::Check(const Simulation&) {
  const Shared& s = *shared_;
  if (s.end < 0 || s.start < 0) {
    return absl::InternalError(absl::StrCat("transfer of ", shape_.bytes,
                                            " bytes did not complete (the copy protocol does not "
                                            "retransmit: run it without message drops)"));
  }
  if (!s.verified) {
    return absl::DataLossError(
        absl::StrCat("transfer of ", shape_.bytes, " bytes: the receiver read back wrong bytes"));
  }
  result_.time = s.end - s.start;
  result_.network_bytes = s.at_end.bytes_sent - s.at_start.bytes_sent;
  result_.network_messages = s.at_end.messages_sent - s.at_start.messages_sent;
  result_.memory_bytes = s.at_end.memory_bytes - s.at_start.memory_bytes;
  result_.memory_round_trips = s.at_end.memory_round_trips - s.at_start.memory_round_trips;
  result_.verified = s.verified;
  const CostModel model(config_.cost_model());
  const int64_t page = config_.memory().page_size();
  result_.model = mode_ == Mode::kExposed
                      ? model.GrantTransferNs((shape_.bytes + page - 1) / page,
                                              GrantNoticeBytes(s.sender, s.source))
                      : CopyPipelineNs(model, shape_.bytes, shape_.chunk, shape_.window,
                                       config_.memory().cache_line_bytes(), ChunkWireBytes);
  return absl::OkStatus();
}

std::vector<MetricRow> TransferWorkload::Metrics() const {
  const TransferResult& r = result_;
  const bool copy = mode_ == Mode::kTransparent;
  return {{{"bytes", absl::StrCat(shape_.bytes)},
           {"size", SizeName(shape_.bytes)},
           {"chunk_bytes", absl::StrCat(copy ? shape_.chunk : 0)},
           {"window", absl::StrCat(copy ? shape_.window : 0)},
           {"time_ns", absl::StrCat(r.time)},
           {"model_ns", absl::StrCat(r.model)},
           {"time_minus_model_ns", absl::StrCat(r.time - r.model)},
           {"network_bytes", absl::StrCat(r.network_bytes)},
           {"network_messages", absl::StrCat(r.network_messages)},
           {"memory_bytes", absl::StrCat(r.memory_bytes)},
           {"memory_round_trips", absl::StrCat(r.memory_round_trips)},
           {"verified", r.verified ? "yes" : "NO"}}};
}

std::string SizeName(int64_t bytes) {
  if (bytes >= kGiB && bytes % kGiB == 0) return absl::StrCat(bytes / kGiB, "GiB");
  if (bytes >= kMiB && bytes % kMiB == 0) return absl::StrCat(bytes / kMiB, "MiB");
  return absl::StrCat(bytes / kKiB, "KiB");
}

}  // namespace ddc::harness
