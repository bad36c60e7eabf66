#include "mapreduce/copy_stream.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mapreduce/join.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {
namespace {

struct Stream {
  std::vector<Region> regions;
  int64_t total = 0;
  int64_t chunk = 0;
  int window = 1;
  ChunkSender send;
};

// ReadAndSend is reader `first` of the window: chunks first, first + window, ...
asio::awaitable<absl::Status> ReadAndSend(Process& self, std::shared_ptr<const Stream> stream,
                                          int64_t first) {
  for (int64_t k = first; k * stream->chunk < stream->total; k += stream->window) {
    const int64_t offset = k * stream->chunk;
    const int64_t n = std::min(stream->chunk, stream->total - offset);
    DDC_CO_ASSIGN_OR_RETURN(std::string data,
                            co_await ReadConcatenated(self.memory(), stream->regions, offset, n));
    DDC_CO_RETURN_IF_ERROR(stream->send(offset, std::move(data)));
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<absl::StatusOr<std::string>> ReadConcatenated(Memory& memory,
                                                              const std::vector<Region>& regions,
                                                              int64_t offset, int64_t length) {
  std::string out;
  int64_t region_start = 0;
  for (const Region& region : regions) {
    const int64_t region_end = region_start + region.length;
    if (length > 0 && offset < region_end) {
      const int64_t in_region = offset - region_start;
      const int64_t n = std::min(length, region.length - in_region);
      DDC_CO_ASSIGN_OR_RETURN(
          std::string piece,
          co_await memory.Read(region.base + static_cast<uint64_t>(in_region), n));
      if (out.empty()) {
        out = std::move(piece);
      } else {
        out += piece;
      }
      offset += n;
      length -= n;
    }
    region_start = region_end;
  }
  if (length > 0) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("read of ", length, " bytes past the end of the regions"));
  }
  co_return out;
}

asio::awaitable<absl::Status> StreamRegions(Process& self, std::vector<Region> regions,
                                            int64_t chunk, int window, ChunkSender send) {
  if (chunk < 1 || window < 1) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("copy stream: chunk ", chunk, " and window ", window, " must be >= 1"));
  }
  auto stream = std::make_shared<Stream>();
  for (const Region& r : regions) stream->total += r.length;
  stream->regions = std::move(regions);
  stream->chunk = chunk;
  stream->window = static_cast<int>(
      std::min<int64_t>(window, std::max<int64_t>(1, (stream->total + chunk - 1) / chunk)));
  stream->send = std::move(send);
  std::shared_ptr<const Stream> shared = stream;
  auto join = Join::Create(self, stream->window - 1);
  for (int reader = 1; reader < stream->window; ++reader) {
    self.Go([&self, shared, join, reader]() -> asio::awaitable<absl::Status> {
      join->Done(co_await ReadAndSend(self, shared, reader));
      co_return absl::OkStatus();
    });
  }
  const absl::Status first = co_await ReadAndSend(self, shared, 0);
  const absl::Status others = co_await join->Wait();
  co_return first.ok() ? others : first;
}

asio::awaitable<absl::Status> ChunkAssembly::Accept(Memory& memory, int64_t offset,
                                                    std::string data) {
  const int64_t n = static_cast<int64_t>(data.size());
  if (offset < 0 || offset + n > total_ || n > buffer_.length - offset) co_return absl::OkStatus();
  DDC_CO_RETURN_IF_ERROR(co_await memory.Write(buffer_.base + static_cast<uint64_t>(offset), data));
  written_ += n;
  co_return absl::OkStatus();
}

}  // namespace ddc::mapreduce
