// Experiment `transfer` (claim C1): move N bytes from one process to another in the same rack.
//
// - transparent (LegoOS-like): the sender reads the data through its CE cache from remote
//   memory, sends it over the network, and the receiver writes it into its own remote memory and
//   flushes it. This is the best a copy-based system can do here: chunked and pipelined (up to
//   `window` reads in flight at the sender, the NICs streaming, one write-and-flush in flight per
//   arrived chunk at the receiver), buffers preallocated outside the timed window, and the chunk
//   size and window tuned per N by a local search (BestCopy); the fastest run is the baseline.
// - exposed: one Grant of the region, then the GrantNotice control message.
//
// In both modes the data starts flushed and out of the sender's cache (it was produced earlier),
// and the transfer ends when the data is durable in memory the receiver owns and the receiver
// knows it. Each run is compared with the analytic model. A sensitivity sweep then varies the
// per-page MMU cost and the page size at one size. Parameters: --set transfer.max_bytes=N
// (default 1 GiB), transfer.min_bytes=N (default 4 KiB), transfer.sweep_bytes=N (default 16 MiB,
// 0 skips the sweep).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "harness/experiment.h"
#include "harness/experiments/transfer.pb.h"
#include "harness/output.h"
#include "platform/cost_model.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;
// Bounds of the copy tuner's search (BestCopy).
constexpr int64_t kMaxChunk = 16 * kMiB;
constexpr int kMaxWindow = 64;
constexpr int64_t kExhaustiveBytes = 16 * kMiB;
// The data is produced in pieces of this size during setup.
constexpr int64_t kSetupPiece = 4 * kMiB;

struct RunResult {
  Duration time = -1;
  Duration model = 0;
  uint64_t network_bytes = 0;
  uint64_t network_messages = 0;
  uint64_t memory_bytes = 0;
  uint64_t memory_round_trips = 0;
  bool verified = false;
};

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

int64_t ChunkWireBytes(int64_t offset, int64_t length) {
  using google::protobuf::io::CodedOutputStream;
  return 1 + CodedOutputStream::VarintSize64(static_cast<uint64_t>(offset)) + 1 +
         CodedOutputStream::VarintSize64(static_cast<uint64_t>(length)) + length;
}

// TransparentModelNs replays the copy pipeline analytically on idle links, with the FIFO rule of
// docs/cost-model.md: chunk k is read when the reader that owns it (k mod window) finished its
// previous chunk; the fetch's data crosses the ME port and the CE port (cut-through), and the
// read completes when both the fetch and the local copy are done; each chunk then crosses the
// sender's and the receiver's NIC; the receiver copies it into its cache and flushes it, the
// flush crossing the receiver's CE port and the ME port. Header-only packets cost latency only.
Duration TransparentModelNs(const CostModel& m, int64_t bytes, int64_t chunk, int window,
                            int64_t page) {
  const config::CostModel& p = m.params();
  const Duration mem_one_way = p.memory_rtt_ns() / 2;
  const Duration net_one_way = p.intra_rack_rtt_ns() / 2;
  // Each pipelined hop pair is two equal-bandwidth FIFO links traversed cut-through.
  struct Hop {
    Time first_free = 0, second_free = 0;
    Time Cross(Time ready, Duration serialize) {
      const Time enter = std::max(ready, first_free);
      first_free = enter + serialize;
      const Time enter_second = std::max(enter, second_free);
      second_free = std::max(enter_second + serialize, first_free);
      return second_free;
    }
  };
  Hop fetch, network, flush;
  std::vector<Time> read_done;
  Time done = 0;
  for (int64_t offset = 0, k = 0; offset < bytes; offset += chunk, ++k) {
    const int64_t c = std::min(chunk, bytes - offset);
    const int64_t page_bytes = (c + page - 1) / page * page;
    const Time issue = k < window ? 0 : read_done[static_cast<size_t>(k - window)];
    const Time fetched =
        fetch.Cross(issue + mem_one_way, TransmissionNs(page_bytes, p.memory_bandwidth_gbps())) +
        mem_one_way;
    read_done.push_back(std::max(fetched, issue + m.LocalCopyNs(c)));
    const Time arrival = network.Cross(read_done.back(), TransmissionNs(ChunkWireBytes(offset, c),
                                                                        p.nic_bandwidth_gbps())) +
                         net_one_way;
    // A chunk that ends inside a page (only a transfer smaller than one page) makes the
    // receiver fetch that page before writing into it; whole pages are overwritten in place.
    const Duration write =
        c % page == 0 ? m.LocalCopyNs(c) : std::max(m.MemoryFetchNs(page_bytes), m.LocalCopyNs(c));
    const Time written = arrival + write;
    const Time flushed =
        flush.Cross(written, TransmissionNs(page_bytes, p.memory_bandwidth_gbps())) +
        2 * mem_one_way;
    done = std::max(done, flushed);
  }
  return done;
}

int64_t GrantNoticeBytes(ProcessId source, const Region& region) {
  platform::GrantNotice notice;
  notice.set_source(Index(source));
  platform::RegionMsg* r = notice.add_regions();
  r->set_base(region.base);
  r->set_length(region.length);
  return static_cast<int64_t>(notice.ByteSizeLong());
}

// Shared is what the harness and the two processes of one run share. It outlives the processes'
// threads (it lives in RunOnce, next to the Simulation), so threads may point into it.
struct Shared {
  Time start = -1;
  Time end = -1;
  Metrics at_start;
  Metrics at_end;
  std::string error;
  bool verified = false;
  Region source;
  // Receiver side of a copy: chunks seen (duplicates are ignored), bytes made durable, and the
  // timer the last write-back cancels.
  std::set<uint64_t> offsets;
  int64_t flushed = 0;
  std::unique_ptr<Timer> all_flushed;
};

// Verify compares the received region with the pattern: every byte up to kVerifyAllBytes, and
// beyond that 64 pages spread evenly plus the first and the last (reading 1 GiB back would double
// the experiment's run time).
constexpr int64_t kVerifyAllBytes = 64 * kMiB;
asio::awaitable<bool> Verify(Process& self, Region region, uint64_t seed) {
  const int64_t page = self.memory().page_size();
  std::vector<std::pair<int64_t, int64_t>> pieces;  // (offset, length)
  if (region.length <= kVerifyAllBytes) {
    for (int64_t offset = 0; offset < region.length; offset += kSetupPiece) {
      pieces.push_back({offset, std::min(kSetupPiece, region.length - offset)});
    }
  } else {
    const int64_t pages = region.length / page;
    for (int64_t i = 0; i <= 64; ++i)
      pieces.push_back({std::min(i * (pages / 64), pages - 1) * page, page});
  }
  for (const auto& [offset, length] : pieces) {
    absl::StatusOr<std::string> got = co_await self.memory().Read(region.base + offset, length);
    if (!got.ok() || *got != Pattern(seed, offset, length)) co_return false;
  }
  co_return true;
}

// ReadAndSend is one of the sender's `window` readers: it copies chunks first, first + window, ...
asio::awaitable<void> ReadAndSend(Process& self, ProcessId receiver, Region source, int64_t chunk,
                                  int window, int64_t first, Shared* shared) {
  for (int64_t k = first; k * chunk < source.length; k += window) {
    const int64_t offset = k * chunk;
    const int64_t n = std::min(chunk, source.length - offset);
    absl::StatusOr<std::string> data = co_await self.memory().Read(source.base + offset, n);
    if (!data.ok()) {
      shared->error = std::string(data.status().message());
      co_return;
    }
    TransferChunk message;
    message.set_offset(static_cast<uint64_t>(offset));
    message.set_data(*std::move(data));
    (void)self.Send(receiver, std::move(message));
  }
}

asio::awaitable<void> Sender(Process& self, ProcessId receiver, int64_t bytes, int64_t chunk,
                             int window, uint64_t seed, const Simulation* sim, Shared* shared) {
  Memory& memory = self.memory();
  absl::StatusOr<Region> region = co_await memory.Allocate(bytes);
  if (!region.ok()) {
    shared->error = std::string(region.status().message());
    co_return;
  }
  shared->source = *region;
  for (int64_t offset = 0; offset < bytes; offset += kSetupPiece) {
    const int64_t n = std::min(kSetupPiece, bytes - offset);
    (void)co_await memory.Write(region->base + offset, Pattern(seed, offset, n));
    (void)co_await memory.Evict(region->Sub(offset, n));
  }
  Envelope ready = co_await self.Receive();
  (void)ready;

  shared->start = self.Now();
  shared->at_start = sim->metrics();
  if (self.mode() == Mode::kExposed) {
    absl::Status granted = co_await memory.Grant(*region, receiver);
    if (!granted.ok()) shared->error = std::string(granted.message());
    co_return;
  }
  const Region source{region->base, bytes};  // the allocation may be rounded up to pages
  for (int reader = 1; reader < window; ++reader) {
    self.Go([&self, receiver, source, chunk, window, reader, shared] {
      return ReadAndSend(self, receiver, source, chunk, window, reader, shared);
    });
  }
  co_await ReadAndSend(self, receiver, source, chunk, window, 0, shared);
}

// WriteAndFlush makes one received chunk durable in the receiver's memory.
asio::awaitable<void> WriteAndFlush(Process& self, VirtAddr at, std::shared_ptr<const Envelope> in,
                                    int64_t bytes, const Simulation* sim, Shared* shared) {
  const std::string& data = in->As<TransferChunk>().data();
  const int64_t n = static_cast<int64_t>(data.size());
  absl::Status status = co_await self.memory().Write(at, data);
  if (status.ok()) status = co_await self.memory().Flush({at, n});
  if (!status.ok()) {
    shared->error = std::string(status.message());
    shared->all_flushed->Cancel();
    co_return;
  }
  shared->flushed += n;
  if (shared->flushed == bytes) {
    shared->end = self.Now();
    shared->at_end = sim->metrics();
    shared->all_flushed->Cancel();
  }
}

asio::awaitable<void> Receiver(Process& self, ProcessId* sender, int64_t bytes, uint64_t seed,
                               const Simulation* sim, Shared* shared) {
  Memory& memory = self.memory();
  Region destination;
  if (self.mode() == Mode::kTransparent) {
    absl::StatusOr<Region> region = co_await memory.Allocate(bytes);
    if (!region.ok()) {
      shared->error = std::string(region.status().message());
      co_return;
    }
    destination = *region;
  }
  (void)self.Send(*sender, TransferReady());
  int64_t received = 0;
  shared->all_flushed = self.NewTimer();
  while (received < bytes) {
    Envelope in = co_await self.Receive();
    if (in.Is<platform::GrantNotice>()) {
      const platform::RegionMsg& r = in.As<platform::GrantNotice>().regions(0);
      destination = {r.base(), r.length()};
      received = bytes;
      shared->end = self.Now();
      shared->at_end = sim->metrics();
    } else if (in.Is<TransferChunk>()) {
      if (!shared->offsets.insert(in.As<TransferChunk>().offset()).second) continue;  // duplicate
      auto chunk = std::make_shared<const Envelope>(std::move(in));
      const VirtAddr at = destination.base + chunk->As<TransferChunk>().offset();
      received += static_cast<int64_t>(chunk->As<TransferChunk>().data().size());
      self.Go([&self, at, chunk, bytes, sim, shared] {
        return WriteAndFlush(self, at, chunk, bytes, sim, shared);
      });
    }
  }
  // The last write-back cancels the timer; an hour of virtual time means the transfer hung.
  if (self.mode() == Mode::kTransparent && shared->flushed < bytes && shared->error.empty()) {
    (void)co_await shared->all_flushed->Wait(Seconds(3600));
  }
  shared->verified = co_await Verify(self, {destination.base, bytes}, seed);
}

absl::StatusOr<RunResult> RunOnce(const ExperimentContext& ctx, Mode mode, int64_t bytes,
                                  int64_t chunk, int window, const std::string& trace_prefix) {
  PlatformConfig config = ctx.config;
  config.set_mode(mode == Mode::kExposed ? config::PlatformConfig::EXPOSED
                                         : config::PlatformConfig::TRANSPARENT);
  config.mutable_trace()->set_enabled(!trace_prefix.empty());
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<Simulation> sim, Simulation::Create(config, ctx.seed));
  DDC_ASSIGN_OR_RETURN(CeId sender_ce, sim->CeForRole("sender", "r0/ce0"));
  DDC_ASSIGN_OR_RETURN(CeId receiver_ce, sim->CeForRole("receiver", "r0/ce1"));
  if (sim->topology().ce(sender_ce).rack != sim->topology().ce(receiver_ce).rack) {
    return absl::InvalidArgumentError("transfer: sender and receiver must share a rack");
  }
  Shared shared;
  ProcessId sender_id = kNoProcess;
  DDC_ASSIGN_OR_RETURN(
      ProcessId receiver_id,
      sim->Spawn({.name = "receiver", .ce = receiver_ce, .main = [&](Process& self) {
                    return Receiver(self, &sender_id, bytes, ctx.seed, sim.get(), &shared);
                  }}));
  DDC_ASSIGN_OR_RETURN(sender_id,
                       sim->Spawn({.name = "sender", .ce = sender_ce, .main = [&](Process& self) {
                                     return Sender(self, receiver_id, bytes, chunk, window,
                                                   ctx.seed, sim.get(), &shared);
                                   }}));
  sim->RunUntilIdle();
  if (!shared.error.empty()) return absl::InternalError(absl::StrCat("transfer: ", shared.error));
  if (shared.end < 0 || shared.start < 0) {
    return absl::InternalError(
        absl::StrCat("transfer of ", bytes,
                     " bytes did not complete (the copy protocol does not retransmit: "
                     "run it without message drops)"));
  }
  if (!shared.verified) {
    return absl::DataLossError(
        absl::StrCat("transfer of ", bytes, " bytes: the receiver read back wrong bytes"));
  }
  const Metrics& end = shared.at_end;
  RunResult result;
  result.time = shared.end - shared.start;
  result.network_bytes = end.bytes_sent - shared.at_start.bytes_sent;
  result.network_messages = end.messages_sent - shared.at_start.messages_sent;
  result.memory_bytes = end.memory_bytes - shared.at_start.memory_bytes;
  result.memory_round_trips = end.memory_round_trips - shared.at_start.memory_round_trips;
  result.verified = shared.verified;
  const CostModel model(config.cost_model());
  const int64_t page = config.memory().page_size();
  result.model = mode == Mode::kExposed
                     ? model.GrantTransferNs((bytes + page - 1) / page,
                                             GrantNoticeBytes(sender_id, shared.source))
                     : TransparentModelNs(model, bytes, chunk, window, page);
  if (!trace_prefix.empty())
    DDC_RETURN_IF_ERROR(WriteRunArtifacts(ctx.out_dir, trace_prefix, *sim));
  return result;
}

std::string SizeName(int64_t bytes) {
  if (bytes >= kGiB && bytes % kGiB == 0) return absl::StrCat(bytes / kGiB, "GiB");
  if (bytes >= kMiB && bytes % kMiB == 0) return absl::StrCat(bytes / kMiB, "MiB");
  return absl::StrCat(bytes / kKiB, "KiB");
}

void AddRun(CsvTable& table, int64_t bytes, absl::string_view mode, int64_t chunk, int window,
            const RunResult& r) {
  table.AddRow(bytes, SizeName(bytes), mode, chunk, window, r.time, r.model, r.time - r.model,
               r.network_bytes, r.network_messages, r.memory_bytes, r.memory_round_trips,
               r.verified ? "yes" : "NO");
}

struct Baseline {
  RunResult result;
  int64_t chunk = 0;
  int window = 0;
};

// BestCopy tunes the transparent transfer over the chunk size (page multiples, powers of two from
// one page to min(N, kMaxChunk)) and the number of reads in flight (powers of two up to
// kMaxWindow). Up to kExhaustiveBytes every pair is run; beyond, a local search starts from the
// better of `hint` (the best pair of the previous size) and 64 KiB x 4, and moves to the best
// neighbour (chunk or window doubled or halved) until none is faster. Every configuration tried is
// a row in `runs`.
absl::StatusOr<Baseline> BestCopy(const ExperimentContext& ctx, int64_t bytes, CsvTable* runs,
                                  bool traced, std::pair<int64_t, int> hint = {64 * kKiB, 4}) {
  const int64_t page = ctx.config.memory().page_size();
  const int64_t max_chunk = std::max(page, std::min(bytes, kMaxChunk));
  auto chunks_of = [&](int64_t chunk) { return (bytes + chunk - 1) / chunk; };
  std::map<std::pair<int64_t, int>, RunResult> tried;
  auto run = [&](int64_t chunk, int window) -> absl::StatusOr<RunResult> {
    auto it = tried.find({chunk, window});
    if (it != tried.end()) return it->second;
    const bool trace_this = traced && tried.empty();
    DDC_ASSIGN_OR_RETURN(RunResult r, RunOnce(ctx, Mode::kTransparent, bytes, chunk, window,
                                              trace_this ? "transfer.transparent-1MiB" : ""));
    if (runs != nullptr) AddRun(*runs, bytes, "transparent", chunk, window, r);
    tried.emplace(std::pair{chunk, window}, r);
    return r;
  };
  auto valid = [&](int64_t chunk, int window) {
    return chunk >= page && chunk <= max_chunk && chunk % page == 0 && window >= 1 &&
           window <= kMaxWindow && window <= chunks_of(chunk);
  };
  Baseline best;
  if (bytes <= page) {  // one sub-page chunk: nothing to tune
    best = {RunResult{}, bytes, 1};
    DDC_ASSIGN_OR_RETURN(best.result, run(bytes, 1));
    return best;
  }
  if (bytes <= kExhaustiveBytes) {
    best.result.time = -1;
    for (int64_t chunk = page; chunk <= max_chunk; chunk *= 2) {
      for (int window = 1; window <= kMaxWindow; window *= 2) {
        if (!valid(chunk, window)) continue;
        DDC_ASSIGN_OR_RETURN(RunResult r, run(chunk, window));
        if (best.result.time < 0 || r.time < best.result.time) best = {r, chunk, window};
      }
    }
    return best;
  }
  // Two starting points: the previous size's best and a generic 64 KiB x 4; the faster one wins.
  best.result.time = -1;
  for (auto [chunk, window] : {hint, std::pair<int64_t, int>{64 * kKiB, 4}}) {
    chunk = std::clamp<int64_t>(chunk / page * page, page, max_chunk);
    window = static_cast<int>(std::min<int64_t>(window, chunks_of(chunk)));
    DDC_ASSIGN_OR_RETURN(RunResult r, run(chunk, window));
    if (best.result.time < 0 || r.time < best.result.time) best = {r, chunk, window};
  }
  for (bool improved = true; improved;) {
    improved = false;
    const std::pair<int64_t, int> neighbours[] = {{best.chunk / 2, best.window},
                                                  {best.chunk * 2, best.window},
                                                  {best.chunk, best.window / 2},
                                                  {best.chunk, best.window * 2}};
    for (const auto& [chunk, window] : neighbours) {
      if (!valid(chunk, window)) continue;
      DDC_ASSIGN_OR_RETURN(RunResult r, run(chunk, window));
      if (r.time < best.result.time) {
        best = {r, chunk, window};
        improved = true;
      }
    }
  }
  return best;
}

std::string Ratio(Duration a, Duration b) {
  return absl::StrFormat("%.3f", static_cast<double>(a) / static_cast<double>(b));
}

class TransferExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "transfer"; }
  absl::string_view description() const override {
    return "N bytes between two processes of a rack: copy through remote memory and the network "
           "(transparent) vs memory grant (exposed), 4 KiB to 1 GiB, and the grant's sensitivity "
           "to the MMU cost and page size (claim C1)";
  }

  std::vector<std::string> parameters() const override {
    return {"transfer.max_bytes", "transfer.min_bytes", "transfer.sweep_bytes"};
  }

  absl::Status Run(const ExperimentContext& ctx) override {
    DDC_ASSIGN_OR_RETURN(int64_t max_bytes, ctx.IntParam("transfer.max_bytes", kGiB));
    DDC_ASSIGN_OR_RETURN(int64_t min_bytes, ctx.IntParam("transfer.min_bytes", 4 * kKiB));
    DDC_ASSIGN_OR_RETURN(int64_t sweep_bytes, ctx.IntParam("transfer.sweep_bytes", 16 * kMiB));
    if (min_bytes <= 0 || max_bytes < min_bytes || sweep_bytes < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("transfer: need 0 < transfer.min_bytes <= transfer.max_bytes and "
                       "transfer.sweep_bytes >= 0, got ",
                       min_bytes, ", ", max_bytes, " and ", sweep_bytes));
    }
    CsvTable runs({"bytes", "size", "mode", "chunk_bytes", "window", "time_ns", "model_ns",
                   "time_minus_model_ns", "network_bytes", "network_messages", "memory_bytes",
                   "memory_round_trips", "verified"});
    CsvTable summary({"bytes", "size", "transparent_ns", "transparent_chunk_bytes",
                      "transparent_window", "exposed_ns", "transparent_over_exposed",
                      "exposed_model_ns", "transparent_model_ns"});
    std::pair<int64_t, int> hint{64 * kKiB, 4};
    for (int64_t bytes = min_bytes; bytes <= max_bytes; bytes *= 4) {
      const bool traced = bytes == kMiB;
      DDC_ASSIGN_OR_RETURN(Baseline copy, BestCopy(ctx, bytes, &runs, traced, hint));
      hint = {copy.chunk, copy.window};
      DDC_ASSIGN_OR_RETURN(RunResult exposed, RunOnce(ctx, Mode::kExposed, bytes, bytes, 1,
                                                      traced ? "transfer.exposed-1MiB" : ""));
      AddRun(runs, bytes, "exposed", 0, 0, exposed);
      summary.AddRow(bytes, SizeName(bytes), copy.result.time, copy.chunk, copy.window,
                     exposed.time, Ratio(copy.result.time, exposed.time), exposed.model,
                     copy.result.model);
      std::cout << "transfer " << SizeName(bytes) << ": transparent " << copy.result.time
                << " ns, exposed " << exposed.time << " ns" << std::endl;
      if (bytes > max_bytes / 4) break;
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "transfer.csv", runs.Render()));
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "transfer_summary.csv", summary.Render()));
    if (sweep_bytes == 0) return absl::OkStatus();
    return Sweep(ctx, sweep_bytes);
  }

 private:
  // Sweep varies the two parameters the grant's cost rests on, the per-page MMU update and the
  // page size, at one transfer size; the copy baseline does not depend on the MMU cost.
  static absl::Status Sweep(const ExperimentContext& ctx, int64_t bytes) {
    CsvTable sweep({"bytes", "page_size", "mmu_update_per_page_ns", "transparent_ns", "exposed_ns",
                    "transparent_over_exposed", "exposed_model_ns"});
    for (int64_t page : {int64_t{4096}, int64_t{2097152}}) {
      ExperimentContext paged = ctx;
      paged.config.mutable_memory()->set_page_size(page);
      DDC_ASSIGN_OR_RETURN(Baseline copy, BestCopy(paged, bytes, nullptr, false));
      for (int64_t mmu : {25, 50, 100, 200, 400, 800, 1600}) {
        ExperimentContext point = paged;
        point.config.mutable_cost_model()->set_mmu_update_per_page_ns(mmu);
        DDC_ASSIGN_OR_RETURN(RunResult exposed,
                             RunOnce(point, Mode::kExposed, bytes, bytes, 1, ""));
        sweep.AddRow(bytes, page, mmu, copy.result.time, exposed.time,
                     Ratio(copy.result.time, exposed.time), exposed.model);
      }
    }
    return WriteFile(ctx.out_dir, "transfer_sensitivity.csv", sweep.Render());
  }
};

}  // namespace

std::unique_ptr<Experiment> MakeTransferExperiment() {
  return std::make_unique<TransferExperiment>();
}

}  // namespace ddc::harness
