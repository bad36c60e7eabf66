#include "platform/memory/frame_store.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_set.h"

namespace ddc::mem {
namespace {

class HeapFrames final : public FrameStore {
 public:
  explicit HeapFrames(int64_t page_size) : FrameStore(page_size) {}

  const char* Find(uint64_t frame) const override {
    auto it = bytes_.find(frame);
    return it == bytes_.end() ? nullptr : it->second.get();
  }
  char* Materialize(uint64_t frame) override {
    std::unique_ptr<char[]>& bytes = bytes_[frame];
    // value-initialized: a frame never written reads as zeros
    if (bytes == nullptr) bytes = std::make_unique<char[]>(static_cast<size_t>(page_size_));
    return bytes.get();
  }
  void Release(uint64_t frame) override { bytes_.erase(frame); }
  void Clear() override { bytes_.clear(); }

 private:
  absl::flat_hash_map<uint64_t, std::unique_ptr<char[]>> bytes_;  // looked up only
};

// FileFrames puts frame f at byte f * page_size of the spill file, which grows a chunk at a time
// (space reserved with posix_fallocate, so that a full disk is reported here rather than as a
// SIGBUS on some later store).
class FileFrames final : public FrameStore {
 public:
  FileFrames(int64_t page_size, std::string directory)
      : FrameStore(page_size),
        directory_(std::move(directory)),
        frames_per_chunk_(std::max<int64_t>(1, kChunkBytes / page_size)) {
    std::string path = directory_ + "/ddc-frames-XXXXXX";
    fd_ = mkstemp(path.data());
    if (fd_ < 0) Die("cannot create a spill file");
    unlink(path.c_str());  // the file lives as long as the descriptor
  }
  ~FileFrames() override {
    const size_t chunk_bytes = static_cast<size_t>(frames_per_chunk_ * page_size_);
    for (char* chunk : chunks_) {
      if (chunk != nullptr) munmap(chunk, chunk_bytes);
    }
    if (fd_ >= 0) close(fd_);
  }

  const char* Find(uint64_t frame) const override {
    if (!materialized_.contains(frame)) return nullptr;
    return Slot(frame);
  }
  char* Materialize(uint64_t frame) override {
    char* slot = Map(frame);
    if (materialized_.insert(frame).second) {
      // The slot reads as zeros (fresh, or punched out by Release); reserve its disk space again.
      if (int error = posix_fallocate(fd_, Offset(frame), page_size_); error != 0) {
        errno = error;
        Die("cannot grow the spill file");
      }
    }
    return slot;
  }
  void Release(uint64_t frame) override {
    if (materialized_.erase(frame) == 0) return;
    Zero(Offset(frame), page_size_);
  }
  void Clear() override {
    Zero(0, static_cast<off_t>(chunks_.size()) * frames_per_chunk_ * page_size_);
    materialized_.clear();
  }

 private:
  static constexpr int64_t kChunkBytes = int64_t{256} << 20;

  off_t Offset(uint64_t frame) const { return static_cast<off_t>(frame) * page_size_; }
  // Zero makes [offset, offset + length) of the file read as zeros and gives its host memory and
  // disk blocks back (a hole); where the file system cannot punch holes, it writes zeros.
  void Zero(off_t offset, off_t length) {
    if (length == 0) return;
    if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0) return;
    for (off_t at = offset; at < offset + length; at += page_size_) {
      const uint64_t frame = static_cast<uint64_t>(at / page_size_);
      if (frame / frames_per_chunk_ < chunks_.size() && chunks_[frame / frames_per_chunk_]) {
        std::memset(Slot(frame), 0, static_cast<size_t>(page_size_));
      }
    }
  }
  char* Slot(uint64_t frame) const {
    return chunks_[frame / frames_per_chunk_] + (frame % frames_per_chunk_) * page_size_;
  }
  char* Map(uint64_t frame) {
    const uint64_t chunk = frame / frames_per_chunk_;
    if (chunk >= chunks_.size()) chunks_.resize(chunk + 1, nullptr);
    if (chunks_[chunk] == nullptr) {
      const off_t bytes = static_cast<off_t>(frames_per_chunk_ * page_size_);
      const off_t offset = static_cast<off_t>(chunk) * bytes;
      if (int error = posix_fallocate(fd_, offset, bytes); error != 0) {
        errno = error;
        Die("cannot grow the spill file");
      }
      void* base = mmap(nullptr, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE, MAP_SHARED,
                        fd_, offset);
      if (base == MAP_FAILED) Die("cannot map the spill file");
      chunks_[chunk] = static_cast<char*>(base);
    }
    return Slot(frame);
  }
  [[noreturn]] void Die(const char* what) const {
    std::fprintf(stderr, "ddc: %s in %s=%s: %s\n", what, kSpillDirVariable, directory_.c_str(),
                 std::strerror(errno));
    std::abort();
  }

  const std::string directory_;
  const int64_t frames_per_chunk_;
  int fd_ = -1;
  std::vector<char*> chunks_;                   // null until a frame in it is first written
  absl::flat_hash_set<uint64_t> materialized_;  // looked up only, never iterated
};

}  // namespace

std::unique_ptr<FrameStore> FrameStore::OnHeap(int64_t page_size) {
  return std::make_unique<HeapFrames>(page_size);
}

std::unique_ptr<FrameStore> FrameStore::InFile(int64_t page_size, const std::string& directory) {
  return std::make_unique<FileFrames>(page_size, directory);
}

std::unique_ptr<FrameStore> FrameStore::FromEnvironment(int64_t page_size) {
  const char* directory = std::getenv(kSpillDirVariable);
  if (directory == nullptr || *directory == '\0') return OnHeap(page_size);
  return InFile(page_size, directory);
}

}  // namespace ddc::mem
