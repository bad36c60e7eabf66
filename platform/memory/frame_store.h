// FrameStore holds the bytes of one memory element's frames, on the host. It has two backings
// that behave identically, so the choice never changes a simulation's result:
//
//  - the heap (the default): one allocation per frame, on first write;
//  - a spill file: an unlinked, sparse file in a directory the user names, memory-mapped in
//    chunks, so that the host kernel can write frames out and page them back in. This lets a
//    simulated rack hold more bytes than the host has RAM (the MapReduce sweep at 2 GiB of input
//    holds about 4 bytes of ME frames per input byte), at the cost of host I/O.
//
// The spill directory comes from the environment variable DDC_FRAME_SPILL_DIR (see
// docs/architecture.md, "Host memory"): it is a host resource, like TMPDIR, not a model
// parameter. A spill file that cannot be created or grown is a host failure the run cannot hide
// or model, so the store aborts with a message that names the directory and the reason.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_MEMORY_FRAME_STORE_H_
#define DDC_PLATFORM_MEMORY_FRAME_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ddc::mem {

class FrameStore {
 public:
  // The environment variable that names the spill directory; unset or empty: the heap.
  static constexpr char kSpillDirVariable[] = "DDC_FRAME_SPILL_DIR";

  // FromEnvironment is a heap store, or a spill store in $DDC_FRAME_SPILL_DIR.
  static std::unique_ptr<FrameStore> FromEnvironment(int64_t page_size);
  static std::unique_ptr<FrameStore> OnHeap(int64_t page_size);
  // InFile keeps the frames in a spill file in `directory` (created and unlinked at once).
  static std::unique_ptr<FrameStore> InFile(int64_t page_size, const std::string& directory);

  virtual ~FrameStore() = default;

  // Find is the frame's bytes (page_size of them), or null if the frame has none (never
  // written since it was last released).
  virtual const char* Find(uint64_t frame) const = 0;
  // Materialize gives the frame's bytes, zeroed when it had none.
  virtual char* Materialize(uint64_t frame) = 0;
  // Release drops the frame's bytes (the next Materialize of it gives zeros).
  virtual void Release(uint64_t frame) = 0;
  // Clear drops every frame's bytes (the memory element failed).
  virtual void Clear() = 0;

 protected:
  explicit FrameStore(int64_t page_size) : page_size_(page_size) {}
  const int64_t page_size_;
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_FRAME_STORE_H_
