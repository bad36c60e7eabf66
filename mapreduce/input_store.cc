#include "mapreduce/input_store.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "mapreduce/copy_stream.h"
#include "mapreduce/mapreduce.pb.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {

asio::awaitable<absl::Status> RunInputStore(Process& self, std::shared_ptr<const JobContext> job) {
  Memory& memory = self.memory();
  auto splits = std::make_shared<std::vector<Region>>();
  for (const InputSplit& split : job->splits) {
    const std::string bytes = ReadSplit(*job->plan().input, split);
    DDC_CO_ASSIGN_OR_RETURN(const Region region, co_await memory.Allocate(split.bytes));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Write(region.base, bytes));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Evict(region));
    // Allocate rounds up to whole pages; the split is its first split.bytes bytes.
    splits->push_back(region.Sub(0, split.bytes));
  }
  // Tell the orchestrator the replica is in place: the job's clock starts only then, so that
  // loading it does not compete with the map phase.
  std::optional<ProcessId> orchestrator = self.FindProcess(job->orchestrator);
  if (!orchestrator) co_return absl::NotFoundError("no orchestrator");
  SplitLoaded loaded;
  loaded.set_task(-1);
  DDC_CO_RETURN_IF_ERROR(self.Send(*orchestrator, loaded));
  self.Serve<FetchSplitRequest>(
      [&self, splits](Received<FetchSplitRequest> in) -> asio::awaitable<absl::Status> {
        const int index = in->split();
        if (index < 0 || index >= static_cast<int>(splits->size())) {
          co_return absl::InvalidArgumentError("input store: no such split");
        }
        const ProcessId to = in.envelope().from();
        const int64_t total = (*splits)[static_cast<size_t>(index)].length;
        std::vector<Region> regions{(*splits)[static_cast<size_t>(index)]};
        co_return co_await StreamRegions(
            self, std::move(regions), std::max<int64_t>(1, in->chunk_bytes()),
            std::max(1, in->window()), [&self, to, index, total](int64_t offset, std::string data) {
              SplitChunk chunk;
              chunk.set_split(index);
              chunk.set_offset(offset);
              chunk.set_total(total);
              chunk.set_data(std::move(data));
              // A requester that died or was fenced no longer listens; that is its business.
              absl::Status sent = self.Send(to, std::move(chunk));
              return absl::IsNotFound(sent) ? sent : absl::OkStatus();
            });
      });
  co_await self.WaitForever();
  co_return absl::OkStatus();
}

}  // namespace ddc::mapreduce
