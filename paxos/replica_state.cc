#include "paxos/replica_state.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "platform/status_macros.h"

namespace ddc::paxos {
namespace {

struct RootValue {
  uint64_t log_root = 0;
  uint64_t bulk_base = 0;
  int64_t bulk_length = 0;
};

}  // namespace

asio::awaitable<absl::StatusOr<ReplicaState>> ReplicaState::Create(Memory& memory,
                                                                   int64_t log_bytes,
                                                                   int64_t state_bytes) {
  if (state_bytes < 0) co_return absl::InvalidArgumentError("state_bytes: must be >= 0");
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableLog log,
                          co_await durable::DurableLog::Create(memory, log_bytes));
  Region bulk;
  if (state_bytes > 0) {
    DDC_CO_ASSIGN_OR_RETURN(bulk, co_await memory.Allocate(state_bytes));
  }
  DDC_CO_ASSIGN_OR_RETURN(const Region root_block,
                          co_await memory.Allocate(durable::DurableCell::kCellBytes));
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableCell root,
                          co_await durable::DurableCell::Open(memory, root_block.base));
  const RootValue value{log.root(), bulk.base, bulk.length};
  DDC_CO_RETURN_IF_ERROR(
      co_await root.Write(absl::string_view(reinterpret_cast<const char*>(&value), sizeof(value))));
  co_return ReplicaState(memory, std::move(root), std::move(log), bulk);
}

asio::awaitable<absl::StatusOr<ReplicaState>> ReplicaState::Open(Memory& memory, VirtAddr root) {
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableCell cell,
                          co_await durable::DurableCell::OpenWritten(memory, root, "paxos root"));
  if (cell.value()->size() != sizeof(RootValue))
    co_return absl::DataLossError(absl::StrCat("paxos root at ", root, ": ", cell.value()->size(),
                                               " bytes, want ", sizeof(RootValue)));
  RootValue value;
  std::memcpy(&value, cell.value()->data(), sizeof(value));
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableLog log,
                          co_await durable::DurableLog::Open(memory, value.log_root));
  co_return ReplicaState(memory, std::move(cell), std::move(log),
                         Region{value.bulk_base, value.bulk_length});
}

asio::awaitable<absl::Status> ReplicaState::Append(const std::vector<AcceptorRecord>& records) {
  if (records.empty()) co_return absl::OkStatus();
  std::vector<std::string> encoded;
  encoded.reserve(records.size());
  for (const AcceptorRecord& r : records) encoded.push_back(r.SerializeAsString());
  absl::StatusOr<uint64_t> end = co_await log_.AppendBatch(encoded);
  co_return end.status();
}

asio::awaitable<absl::StatusOr<std::vector<AcceptorRecord>>> ReplicaState::ReadAll() {
  std::vector<AcceptorRecord> records;
  durable::LogReader reader = log_.NewReader();
  for (;;) {
    DDC_CO_ASSIGN_OR_RETURN(std::optional<durable::LogRecord> record, co_await reader.Next());
    if (!record) break;
    AcceptorRecord parsed;
    if (!parsed.ParseFromString(record->data))
      co_return absl::DataLossError(
          absl::StrCat("paxos log record at ", record->position, " does not parse"));
    records.push_back(std::move(parsed));
  }
  co_return records;
}

}  // namespace ddc::paxos
