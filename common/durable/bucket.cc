#include "common/durable/bucket.h"

#include "absl/strings/str_format.h"
#include "common/durable/coding.h"
#include "common/durable/crc32c.h"

namespace ddc::durable {
namespace {

constexpr uint8_t kInline = 0;
constexpr uint8_t kOutOfLine = 1;
constexpr int64_t kEntryHeaderBytes = 1 + 2;

}  // namespace

int64_t InlineEntrySize(int64_t key_size, int64_t value_size) {
  return kEntryHeaderBytes + key_size + 2 + value_size;
}

int64_t BucketEntry::EncodedSize() const {
  if (!out_of_line) return InlineEntrySize(static_cast<int64_t>(key.size()), value_size);
  return kEntryHeaderBytes + static_cast<int64_t>(key.size()) + 4 + 8 + 4;
}

uint32_t ValueChecksum(VirtAddr run, absl::string_view value) {
  std::string context;
  PutFixed64(context, run);
  return crc32c::Mask(crc32c::Extend(crc32c::Value(context), value));
}

int64_t PayloadSize(const std::vector<BucketEntry>& entries) {
  int64_t size = 0;
  for (const BucketEntry& entry : entries) size += entry.EncodedSize();
  return size;
}

std::string EncodeChainBlock(const ChainBlock& block) {
  std::string payload;
  for (const BucketEntry& e : block.entries) {
    payload.push_back(static_cast<char>(e.out_of_line ? kOutOfLine : kInline));
    PutFixed16(payload, static_cast<uint16_t>(e.key.size()));
    payload.append(e.key);
    if (e.out_of_line) {
      PutFixed32(payload, e.value_size);
      PutFixed64(payload, e.value_run);
      PutFixed32(payload, e.value_crc);
    } else {
      PutFixed16(payload, static_cast<uint16_t>(e.value.size()));
      payload.append(e.value);
    }
  }
  const SealedFields fields{kBucketBlockKind, static_cast<uint32_t>(block.entries.size()),
                            block.next};
  return Seal(block.address, fields, payload, kBlockSize);
}

absl::StatusOr<ChainBlock> DecodeChainBlock(absl::string_view image, VirtAddr address) {
  absl::StatusOr<SealedView> sealed = Unseal(image, address, kBucketBlockKind, "hash table block");
  if (!sealed.ok()) return sealed.status();
  ChainBlock block;
  block.address = address;
  block.next = sealed->fields.link;
  ByteReader in(sealed->payload);
  for (uint32_t i = 0; i < sealed->fields.count; ++i) {
    BucketEntry e;
    uint8_t flags = 0;
    uint16_t key_size = 0;
    absl::string_view key;
    bool ok = in.ReadFixed(flags) && in.ReadFixed(key_size) && in.ReadBytes(key_size, key);
    if (ok && flags == kOutOfLine) {
      e.out_of_line = true;
      ok = in.ReadFixed(e.value_size) && in.ReadFixed(e.value_run) && in.ReadFixed(e.value_crc);
    } else if (ok && flags == kInline) {
      uint16_t value_size = 0;
      absl::string_view value;
      ok = in.ReadFixed(value_size) && in.ReadBytes(value_size, value);
      e.value = std::string(value);
      e.value_size = value_size;
    } else {
      ok = false;
    }
    if (!ok) {
      return absl::DataLossError(
          absl::StrFormat("hash table block at 0x%x: entry %d is malformed", address, i));
    }
    e.key = std::string(key);
    block.entries.push_back(std::move(e));
  }
  return block;
}

uint64_t KeyHash(uint64_t seed, absl::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace ddc::durable
