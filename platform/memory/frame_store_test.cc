#include "platform/memory/frame_store.h"

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "platform/memory/memory_element.h"
#include "platform/random.h"

namespace ddc::mem {
namespace {

constexpr int64_t kPage = 4096;

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// Both backings keep the same contract; each test runs on both.
class FrameStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  std::unique_ptr<FrameStore> Make() {
    return GetParam() ? FrameStore::InFile(kPage, TempDir()) : FrameStore::OnHeap(kPage);
  }
};

TEST_P(FrameStoreTest, FramesReadAsZerosUntilWrittenAndAfterRelease) {
  std::unique_ptr<FrameStore> store = Make();
  EXPECT_EQ(store->Find(7), nullptr);
  char* bytes = store->Materialize(7);
  EXPECT_EQ(std::string(bytes, kPage), std::string(kPage, '\0'));
  bytes[0] = 'x';
  bytes[kPage - 1] = 'y';
  ASSERT_NE(store->Find(7), nullptr);
  EXPECT_EQ(store->Find(7)[0], 'x');
  EXPECT_EQ(store->Find(7)[kPage - 1], 'y');
  store->Release(7);
  EXPECT_EQ(store->Find(7), nullptr);
  // A released frame's old bytes never show through when it is used again.
  EXPECT_EQ(std::string(store->Materialize(7), kPage), std::string(kPage, '\0'));
}

TEST_P(FrameStoreTest, ClearDropsEveryFrame) {
  std::unique_ptr<FrameStore> store = Make();
  // Frames in two spill chunks (256 MiB apart), written and then cleared.
  const uint64_t far = (uint64_t{256} << 20) / kPage + 3;
  store->Materialize(1)[5] = 'a';
  store->Materialize(far)[5] = 'b';
  EXPECT_EQ(store->Find(far)[5], 'b');
  store->Clear();
  EXPECT_EQ(store->Find(1), nullptr);
  EXPECT_EQ(store->Find(far), nullptr);
  EXPECT_EQ(store->Materialize(far)[5], '\0');
}

// A memory element gives the same answers on either backing, over a random run of allocations,
// writes, reads and releases.
TEST(FrameStoreEquivalenceTest, MemoryElementBehavesTheSameOnBothBackings) {
  MemoryElement heap(MeId{0}, "me0", 64 * kPage, kPage, FrameStore::OnHeap(kPage));
  MemoryElement file(MeId{0}, "me0", 64 * kPage, kPage, FrameStore::InFile(kPage, TempDir()));
  Rng rng = Rng::ForStream(1, "frame_store_test");
  auto below = [&rng](uint64_t n) { return rng.Next64() % n; };
  std::vector<uint64_t> live;
  for (int step = 0; step < 2000; ++step) {
    const uint64_t choice = below(4);
    if (choice == 0 || live.empty()) {
      const PageTableEntry entry{ProcessId{1}, below(1000), kReadWrite, 0};
      absl::StatusOr<uint64_t> a = heap.AllocateFrame(entry);
      absl::StatusOr<uint64_t> b = file.AllocateFrame(entry);
      ASSERT_EQ(a.ok(), b.ok());
      if (!a.ok()) continue;
      ASSERT_EQ(*a, *b);
      live.push_back(*a);
      continue;
    }
    const size_t at = below(live.size());
    const uint64_t frame = live[at];
    if (choice == 1) {
      heap.ReleaseFrame(frame);
      file.ReleaseFrame(frame);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
    } else if (choice == 2) {
      const int64_t offset = static_cast<int64_t>(below(kPage - 64));
      const std::string bytes(64, static_cast<char>('a' + below(26)));
      heap.WriteFrame(frame, offset, bytes);
      file.WriteFrame(frame, offset, bytes);
    } else {
      EXPECT_EQ(heap.Checksum(frame), file.Checksum(frame)) << "step " << step;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backings, FrameStoreTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "SpillFile" : "Heap";
                         });

}  // namespace
}  // namespace ddc::mem
