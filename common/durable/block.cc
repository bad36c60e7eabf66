#include "common/durable/block.h"

#include "absl/strings/str_format.h"
#include "common/durable/coding.h"
#include "common/durable/crc32c.h"

namespace ddc::durable {
namespace {

uint32_t SealChecksum(VirtAddr address, const SealedFields& fields, absl::string_view payload) {
  std::string context;
  PutFixed64(context, address);
  PutFixed32(context, fields.kind);
  PutFixed32(context, static_cast<uint32_t>(payload.size()));
  PutFixed32(context, fields.count);
  PutFixed64(context, fields.link);
  return crc32c::Extend(crc32c::Value(context), payload);
}

}  // namespace

std::string Seal(VirtAddr address, const SealedFields& fields, absl::string_view payload,
                 int64_t size) {
  std::string image;
  image.reserve(static_cast<size_t>(size));
  PutFixed32(image, crc32c::Mask(SealChecksum(address, fields, payload)));
  PutFixed32(image, fields.kind);
  PutFixed32(image, static_cast<uint32_t>(payload.size()));
  PutFixed32(image, fields.count);
  PutFixed64(image, fields.link);
  image.append(payload.data(), payload.size());
  image.resize(static_cast<size_t>(size), '\0');
  return image;
}

absl::StatusOr<SealedView> Unseal(absl::string_view bytes, VirtAddr address, uint32_t kind,
                                  absl::string_view what) {
  ByteReader in(bytes);
  uint32_t masked_crc = 0, length = 0;
  SealedFields fields;
  if (!in.ReadFixed(masked_crc) || !in.ReadFixed(fields.kind) || !in.ReadFixed(length) ||
      !in.ReadFixed(fields.count) || !in.ReadFixed(fields.link)) {
    return absl::DataLossError(
        absl::StrFormat("%s at 0x%x: %d bytes cannot hold a header", what, address, bytes.size()));
  }
  if (fields.kind != kind) {
    return absl::DataLossError(absl::StrFormat("%s at 0x%x: kind 0x%08x, expected 0x%08x", what,
                                               address, fields.kind, kind));
  }
  absl::string_view payload;
  if (!in.ReadBytes(length, payload)) {
    return absl::DataLossError(absl::StrFormat("%s at 0x%x: payload length %d exceeds the %d bytes",
                                               what, address, length, bytes.size()));
  }
  if (crc32c::Unmask(masked_crc) != SealChecksum(address, fields, payload)) {
    return absl::DataLossError(absl::StrFormat(
        "%s at 0x%x: checksum mismatch (torn, unflushed or foreign)", what, address));
  }
  return SealedView{fields, payload};
}

}  // namespace ddc::durable
