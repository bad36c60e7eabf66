#include "paxos/replica_state.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/durable/crc32c.h"
#include "platform/status_macros.h"

namespace ddc::paxos {
namespace {

absl::string_view Bytes(const void* p, size_t n) {
  return absl::string_view(static_cast<const char*>(p), n);
}

}  // namespace

ReplicaState::RootValue ReplicaState::Value() const {
  RootValue v;
  v.log_root = log_.root();
  v.bulk_base = bulk_.base;
  v.bulk_length = bulk_.length;
  v.image_base = image_.base;
  v.image_capacity = image_.length;
  v.image_bytes = image_bytes_;
  v.image_crc = image_crc_;
  return v;
}

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
  RootValue value;
  value.log_root = log.root();
  value.bulk_base = bulk.base;
  value.bulk_length = bulk.length;
  DDC_CO_RETURN_IF_ERROR(co_await root.Write(Bytes(&value, sizeof(value))));
  co_return ReplicaState(memory, std::move(root), std::move(log), value);
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
  if (value.image_bytes < 0 || value.image_bytes > value.image_capacity)
    co_return absl::DataLossError(absl::StrCat("paxos root at ", root, ": snapshot image of ",
                                               value.image_bytes, " bytes in ",
                                               value.image_capacity));
  co_return ReplicaState(memory, std::move(cell), std::move(log), value);
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

asio::awaitable<absl::Status> ReplicaState::AppendCheckpoint(const AcceptorRecord& checkpoint) {
  const uint64_t position = log_.tail();
  DDC_CO_RETURN_IF_ERROR((co_await log_.Append(checkpoint.SerializeAsString())).status());
  co_return co_await log_.Truncate(position);
}

asio::awaitable<absl::Status> ReplicaState::StoreSnapshot(const SnapshotImage& image) {
  if (!image.has_meta()) co_return absl::InvalidArgumentError("snapshot image: meta missing");
  const std::string bytes = image.SerializeAsString();
  DDC_CO_ASSIGN_OR_RETURN(const Region pages,
                          co_await memory_->Allocate(static_cast<int64_t>(bytes.size())));
  DDC_CO_RETURN_IF_ERROR(co_await memory_->Write(pages.base, bytes));
  DDC_CO_RETURN_IF_ERROR(co_await memory_->Flush(pages));
  const Region old = image_;
  const int64_t old_bytes = image_bytes_;
  const uint32_t old_crc = image_crc_;
  image_ = pages;
  image_bytes_ = static_cast<int64_t>(bytes.size());
  image_crc_ = durable::crc32c::Value(bytes);
  const RootValue value = Value();
  if (absl::Status written = co_await root_.Write(Bytes(&value, sizeof(value))); !written.ok()) {
    image_ = old;
    image_bytes_ = old_bytes;
    image_crc_ = old_crc;
    co_return written;
  }
  if (old.length > 0) DDC_CO_RETURN_IF_ERROR(co_await memory_->Free(old));
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<SnapshotImage>> ReplicaState::ReadSnapshot() {
  SnapshotImage image;
  if (image_bytes_ == 0) co_return image;
  DDC_CO_ASSIGN_OR_RETURN(const std::string bytes,
                          co_await memory_->Read(image_.base, image_bytes_));
  if (durable::crc32c::Value(bytes) != image_crc_)
    co_return absl::DataLossError(
        absl::StrCat("paxos snapshot image at ", image_.base, ": checksum mismatch"));
  if (!image.ParseFromString(bytes) || !image.has_meta())
    co_return absl::DataLossError(
        absl::StrCat("paxos snapshot image at ", image_.base, ": does not parse"));
  co_return image;
}

}  // namespace ddc::paxos
