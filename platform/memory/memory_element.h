// MemoryElement is one ME: page frames holding real bytes, allocated lazily, and a local page
// table of (owner process, virtual page, permissions, owner epoch) checked on every access.
//
// Internal to platform/.
//
// Frames are numbered densely; a frame's bytes are materialized on first write (reads of a
// never-written frame return zeros), in a FrameStore (on the heap, or in a spill file: see
// frame_store.h). When the ME fails every frame is lost and every later access
// returns UNAVAILABLE.
#ifndef DDC_PLATFORM_MEMORY_MEMORY_ELEMENT_H_
#define DDC_PLATFORM_MEMORY_MEMORY_ELEMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/memory/frame_store.h"
#include "platform/types.h"

namespace ddc::mem {

enum Permission : uint8_t { kRead = 1, kWrite = 2, kReadWrite = 3 };

// PageTableEntry is the ME's record of who may touch a frame.
struct PageTableEntry {
  ProcessId owner;
  uint64_t virtual_page;
  uint8_t permissions;
  uint32_t owner_epoch;
};

class MemoryElement {
 public:
  // The frames' bytes live in `frames` (FrameStore::FromEnvironment when null).
  MemoryElement(MeId id, std::string name, int64_t capacity_bytes, int64_t page_size,
                std::unique_ptr<FrameStore> frames = nullptr);

  MeId id() const { return id_; }
  const std::string& name() const { return name_; }
  bool alive() const { return alive_; }
  int64_t free_frames() const { return capacity_frames_ - used_frames_; }
  int64_t used_frames() const { return used_frames_; }

  // Fail loses every frame at virtual time `at`; later accesses return UNAVAILABLE.
  void Fail(Time at);
  Time failed_at() const { return failed_at_; }

  // AllocateFrame reserves a frame (RESOURCE_EXHAUSTED when full, UNAVAILABLE when failed) and
  // installs its page-table entry.
  absl::StatusOr<uint64_t> AllocateFrame(const PageTableEntry& entry);
  void ReleaseFrame(uint64_t frame);
  // SetEntry rewrites a frame's page-table entry (reassignment, epoch bump).
  void SetEntry(uint64_t frame, const PageTableEntry& entry);

  // Check validates an access by `process` at `epoch` to `virtual_page` mapped on `frame`.
  absl::Status Check(uint64_t frame, ProcessId process, uint64_t virtual_page, uint32_t epoch,
                     Permission permission) const;

  // ReadFrame copies `length` bytes of a frame from `offset` into `out`; WriteFrame stores
  // `bytes` at `offset`. The range stays inside the frame (one page).
  void ReadFrame(uint64_t frame, int64_t offset, int64_t length, char* out) const;
  void WriteFrame(uint64_t frame, int64_t offset, absl::string_view bytes);
  uint32_t Checksum(uint64_t frame) const;

 private:
  const MeId id_;
  const std::string name_;
  const int64_t capacity_frames_;
  const int64_t page_size_;
  bool alive_ = true;
  Time failed_at_ = 0;
  int64_t used_frames_ = 0;
  uint64_t next_frame_ = 0;
  std::vector<uint64_t> free_list_;
  absl::flat_hash_map<uint64_t, PageTableEntry> entries_;  // looked up only, never iterated
  std::unique_ptr<FrameStore> bytes_;                      // the frames' bytes
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_MEMORY_ELEMENT_H_
