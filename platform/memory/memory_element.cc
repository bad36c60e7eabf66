#include "platform/memory/memory_element.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/memory.h"

namespace ddc::mem {

MemoryElement::MemoryElement(MeId id, std::string name, int64_t capacity_bytes, int64_t page_size,
                             std::unique_ptr<FrameStore> frames)
    : id_(id),
      name_(std::move(name)),
      capacity_frames_(capacity_bytes / page_size),
      page_size_(page_size),
      bytes_(frames != nullptr ? std::move(frames) : FrameStore::FromEnvironment(page_size)) {}

void MemoryElement::Fail(Time at) {
  alive_ = false;
  failed_at_ = at;
  entries_.clear();
  bytes_->Clear();
  free_list_.clear();
  used_frames_ = 0;
}

absl::StatusOr<uint64_t> MemoryElement::AllocateFrame(const PageTableEntry& entry) {
  if (!alive_) return absl::UnavailableError(absl::StrCat("memory element ", name_, " has failed"));
  if (used_frames_ >= capacity_frames_) {
    return absl::ResourceExhaustedError(absl::StrCat("memory element ", name_, " is full"));
  }
  uint64_t frame;
  if (!free_list_.empty()) {
    frame = free_list_.back();
    free_list_.pop_back();
  } else {
    frame = next_frame_++;
  }
  ++used_frames_;
  entries_[frame] = entry;
  return frame;
}

void MemoryElement::ReleaseFrame(uint64_t frame) {
  if (!alive_ || entries_.erase(frame) == 0) return;
  bytes_->Release(frame);
  --used_frames_;
  free_list_.push_back(frame);
}

void MemoryElement::SetEntry(uint64_t frame, const PageTableEntry& entry) {
  auto it = entries_.find(frame);
  if (it != entries_.end()) it->second = entry;
}

absl::Status MemoryElement::Check(uint64_t frame, ProcessId process, uint64_t virtual_page,
                                  uint32_t epoch, Permission permission) const {
  if (!alive_) return absl::UnavailableError(absl::StrCat("memory element ", name_, " has failed"));
  auto it = entries_.find(frame);
  const VirtAddr address = virtual_page * static_cast<VirtAddr>(page_size_);
  if (it == entries_.end()) {
    return absl::PermissionDeniedError(
        absl::StrFormat("%s: frame %d is not mapped (page 0x%x)", name_, frame, address));
  }
  const PageTableEntry& e = it->second;
  if (e.owner != process || e.virtual_page != virtual_page) {
    return absl::PermissionDeniedError(
        absl::StrFormat("%s: page 0x%x belongs to process %d, not %d", name_, address,
                        Index(e.owner), Index(process)));
  }
  if (e.owner_epoch != epoch) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s: stale owner epoch %d for process %d on page 0x%x (current %d): the process was "
        "fenced by a steal",
        name_, epoch, Index(process), address, e.owner_epoch));
  }
  if ((e.permissions & permission) != permission) {
    return absl::PermissionDeniedError(
        absl::StrFormat("%s: page 0x%x does not allow this access", name_, address));
  }
  return absl::OkStatus();
}

void MemoryElement::ReadFrame(uint64_t frame, int64_t offset, int64_t length, char* out) const {
  const char* bytes = entries_.contains(frame) ? bytes_->Find(frame) : nullptr;
  if (bytes == nullptr) {
    std::memset(out, 0, static_cast<size_t>(length));
    return;
  }
  std::memcpy(out, bytes + offset, static_cast<size_t>(length));
}

void MemoryElement::WriteFrame(uint64_t frame, int64_t offset, absl::string_view bytes) {
  if (!entries_.contains(frame)) return;
  std::memcpy(bytes_->Materialize(frame) + offset, bytes.data(), bytes.size());
}

uint32_t MemoryElement::Checksum(uint64_t frame) const {
  std::string page(static_cast<size_t>(page_size_), '\0');
  ReadFrame(frame, 0, page_size_, page.data());
  return PageChecksum(page);
}

}  // namespace ddc::mem
