// The shared formats: CRC-32C, sealed blocks, log fragments.
#include <string>

#include "absl/strings/string_view.h"
#include "common/durable/block.h"
#include "common/durable/crc32c.h"
#include "common/durable/log_format.h"
#include "gtest/gtest.h"

namespace ddc::durable {
namespace {

TEST(DurableCrc32cTest, MatchesTheStandardVectors) {
  // RFC 3720, appendix B.4, and the check value of CRC-32C.
  EXPECT_EQ(crc32c::Value("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c::Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c::Value(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::Value(ascending), 0x46dd794eu);
}

TEST(DurableCrc32cTest, ExtendsAndMasks) {
  EXPECT_EQ(crc32c::Extend(crc32c::Value("hello "), "world"), crc32c::Value("hello world"));
  const uint32_t crc = crc32c::Value("foo");
  EXPECT_NE(crc32c::Mask(crc), crc);
  EXPECT_NE(crc32c::Mask(crc32c::Mask(crc)), crc);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(crc)), crc);
  EXPECT_EQ(crc32c::Unmask(crc32c::Unmask(crc32c::Mask(crc32c::Mask(crc)))), crc);
}

constexpr VirtAddr kAt = 0x10000004000;

TEST(DurableSealedBlockTest, RoundTripsAndFillsTheBlock) {
  const std::string image = Seal(kAt, {kBucketBlockKind, 3, 0x77}, "payload", kBlockSize);
  ASSERT_EQ(image.size(), static_cast<size_t>(kBlockSize));
  absl::StatusOr<SealedView> view = Unseal(image, kAt, kBucketBlockKind, "test block");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->payload, "payload");
  EXPECT_EQ(view->fields.count, 3u);
  EXPECT_EQ(view->fields.link, 0x77u);
}

TEST(DurableSealedBlockTest, RejectsZerosForeignAddressesKindsAndFlippedBits) {
  const std::string image = Seal(kAt, {kBucketBlockKind, 1, 0}, "payload", kBlockSize);
  auto code = [](absl::string_view bytes, VirtAddr at, uint32_t kind) {
    return Unseal(bytes, at, kind, "test block").status();
  };
  EXPECT_EQ(code(std::string(kBlockSize, '\0'), kAt, kBucketBlockKind).code(),
            absl::StatusCode::kDataLoss);
  const absl::Status moved = code(image, kAt + kBlockSize, kBucketBlockKind);
  EXPECT_EQ(moved.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(moved.message().find("test block at 0x10000005000"), absl::string_view::npos) << moved;
  EXPECT_EQ(code(image, kAt, kBitmapBlockKind).code(), absl::StatusCode::kDataLoss);
  for (size_t byte : {0, 5, 9, 13, 17, 24, 30}) {
    std::string flipped = image;
    flipped[byte] ^= 0x10;
    EXPECT_FALSE(Unseal(flipped, kAt, kBucketBlockKind, "x").ok()) << "byte " << byte;
  }
  // The bytes after the payload are not covered: they are padding.
  std::string padded = image;
  padded[100] = 'x';
  EXPECT_TRUE(Unseal(padded, kAt, kBucketBlockKind, "x").ok());
  EXPECT_FALSE(Unseal(image.substr(0, 10), kAt, kBucketBlockKind, "x").ok());
}

using log_format::EmitRecord;
using log_format::FragmentType;
using log_format::kFragmentHeaderSize;
using log_format::ParseFragment;

TEST(DurableLogFormatTest, CutsRecordsAtBlockBoundariesAndSkipsTrailers) {
  const uint64_t log_id = kAt;
  const std::string record(2 * kBlockSize, 'r');
  uint64_t end = 100;
  EmitRecord(log_id, 1, record, end, nullptr);
  std::string bytes;
  uint64_t offset = 100;
  EmitRecord(log_id, 1, record, offset, &bytes);
  EXPECT_EQ(offset, end);
  EXPECT_EQ(bytes.size(), end - 100);
  // FIRST in block 0, MIDDLE filling block 1, LAST in block 2.
  EXPECT_EQ(end, 100 + 2 * kBlockSize + 3 * kFragmentHeaderSize);
  const std::string block0 = std::string(100, '\0') + bytes.substr(0, kBlockSize - 100);
  std::optional<log_format::Fragment> first =
      ParseFragment(absl::string_view(block0).substr(100), log_id, 100);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->type, FragmentType::kFirst);
  EXPECT_EQ(first->payload.size(), kBlockSize - 100 - kFragmentHeaderSize);
  std::optional<log_format::Fragment> middle = ParseFragment(
      absl::string_view(bytes).substr(kBlockSize - 100, kBlockSize), log_id, kBlockSize);
  ASSERT_TRUE(middle.has_value());
  EXPECT_EQ(middle->type, FragmentType::kMiddle);
  // A record cannot start in the last kFragmentHeaderSize - 1 bytes of a block.
  EXPECT_EQ(log_format::SkipTrailer(kBlockSize - 5), kBlockSize);
  EXPECT_EQ(log_format::SkipTrailer(kBlockSize - kFragmentHeaderSize),
            kBlockSize - kFragmentHeaderSize);
  uint64_t empty = kBlockSize - kFragmentHeaderSize;
  EmitRecord(log_id, 1, "", empty, nullptr);
  EXPECT_EQ(empty, kBlockSize);  // an empty record fits the header exactly
}

TEST(DurableLogFormatTest, AFragmentValidatesOnlyForItsLogOffsetAndContents) {
  std::string bytes;
  uint64_t offset = 4096 * 7 + 64;
  EmitRecord(kAt, 3, "abc", offset, &bytes);
  const uint64_t at = 4096 * 7 + 64;
  ASSERT_TRUE(ParseFragment(bytes, kAt, at).has_value());
  EXPECT_EQ(ParseFragment(bytes, kAt, at)->epoch, 3u);
  EXPECT_FALSE(ParseFragment(bytes, kAt, at + 4096 * 8).has_value());  // a later lap
  EXPECT_FALSE(ParseFragment(bytes, kAt + 4096, at).has_value());      // another log
  std::string flipped = bytes;
  flipped.back() ^= 1;
  EXPECT_FALSE(ParseFragment(flipped, kAt, at).has_value());
  EXPECT_FALSE(ParseFragment(std::string(32, '\0'), kAt, at).has_value());
  EXPECT_FALSE(ParseFragment(bytes.substr(0, bytes.size() - 1), kAt, at).has_value());
}

}  // namespace
}  // namespace ddc::durable
