#include "common/durable/log_format.h"

#include <algorithm>

#include "common/durable/block.h"
#include "common/durable/coding.h"
#include "common/durable/crc32c.h"

namespace ddc::durable::log_format {
namespace {

uint32_t FragmentChecksum(uint64_t log_id, uint64_t offset, uint32_t epoch, FragmentType type,
                          absl::string_view payload) {
  std::string context;
  PutFixed64(context, log_id);
  PutFixed64(context, offset);
  PutFixed32(context, epoch);
  context.push_back(static_cast<char>(type));
  return crc32c::Extend(crc32c::Value(context), payload);
}

int64_t LeftInBlock(uint64_t offset) {
  return kBlockSize - static_cast<int64_t>(offset % kBlockSize);
}

}  // namespace

uint64_t SkipTrailer(uint64_t offset) {
  const int64_t left = LeftInBlock(offset);
  return left < kFragmentHeaderSize ? offset + static_cast<uint64_t>(left) : offset;
}

void EmitRecord(uint64_t log_id, uint32_t epoch, absl::string_view record, uint64_t& offset,
                std::string* out) {
  bool first = true;
  do {
    const uint64_t start = SkipTrailer(offset);
    if (out != nullptr) out->append(start - offset, '\0');
    offset = start;
    const size_t room = static_cast<size_t>(LeftInBlock(offset) - kFragmentHeaderSize);
    const size_t length = std::min(room, record.size());
    const bool last = length == record.size();
    const FragmentType type = first && last ? FragmentType::kFull
                              : first       ? FragmentType::kFirst
                              : last        ? FragmentType::kLast
                                            : FragmentType::kMiddle;
    const absl::string_view payload = record.substr(0, length);
    if (out != nullptr) {
      PutFixed32(*out, crc32c::Mask(FragmentChecksum(log_id, offset, epoch, type, payload)));
      PutFixed16(*out, static_cast<uint16_t>(length));
      out->push_back(static_cast<char>(type));
      PutFixed32(*out, epoch);
      out->append(payload.data(), payload.size());
    }
    offset += static_cast<uint64_t>(kFragmentHeaderSize) + length;
    record.remove_prefix(length);
    first = false;
  } while (!record.empty());
}

std::optional<Fragment> ParseFragment(absl::string_view bytes, uint64_t log_id, uint64_t offset) {
  ByteReader in(bytes);
  uint32_t masked_crc = 0, epoch = 0;
  uint16_t length = 0;
  uint8_t type = 0;
  absl::string_view payload;
  if (!in.ReadFixed(masked_crc) || !in.ReadFixed(length) || !in.ReadFixed(type) ||
      !in.ReadFixed(epoch) || !in.ReadBytes(length, payload)) {
    return std::nullopt;
  }
  if (type < static_cast<uint8_t>(FragmentType::kFull) ||
      type > static_cast<uint8_t>(FragmentType::kLast)) {
    return std::nullopt;
  }
  const FragmentType t = static_cast<FragmentType>(type);
  if (crc32c::Unmask(masked_crc) != FragmentChecksum(log_id, offset, epoch, t, payload)) {
    return std::nullopt;
  }
  return Fragment{t, epoch, payload};
}

}  // namespace ddc::durable::log_format
