// Durable structures (common/durable): the decoders that read ME pages back after a crash, on
// corrupted images. Random bytes almost never carry a valid checksum, so most images are sealed
// properly around fuzzed contents (to reach the parsers behind the checksum), and some are
// corrupted after sealing (to check the checksum itself).
//
// Checked:
//   - a sealed block or log fragment with one byte changed anywhere in what its checksum covers
//     is refused (DATA_LOSS, or no fragment), never used;
//   - a writer page (ParsePage) or hash-table chain block (DecodeChainBlock) that is accepted
//     yields records that lie inside the image, and a chain block re-encodes to an image that
//     decodes to the same entries;
//   - a writer's progress (PageWriterProgress::Decode) that decodes survives Encode and Decode.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/durable/block.h"
#include "common/durable/bucket.h"
#include "common/durable/log_format.h"
#include "common/durable/page_format.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/targets.h"

namespace ddc::fuzz {
namespace {

using durable::kBlockSize;
using durable::kSealedHeaderSize;

constexpr VirtAddr kAddress = VirtAddr{1} << 40;

// SealFuzzed seals fuzzed payload bytes as a block of `kind` at kAddress.
std::string SealFuzzed(FuzzInput& in, uint32_t kind, int64_t size, uint64_t link,
                       std::string* payload) {
  *payload = in.Bytes(static_cast<size_t>(size - kSealedHeaderSize));
  durable::SealedFields fields;
  fields.kind = kind;
  fields.count = static_cast<uint32_t>(in.Below(8));
  fields.link = link;
  return durable::Seal(kAddress, fields, *payload, size);
}

bool Inside(absl::string_view part, absl::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

absl::Status CheckWriterPage(FuzzInput& in) {
  const int64_t index = static_cast<int64_t>(in.Below(4));
  std::string payload;
  std::string image = SealFuzzed(in, durable::kWriterPageKind, kBlockSize,
                                 in.Bool() ? static_cast<uint64_t>(index) : in.Below(4), &payload);
  absl::StatusOr<durable::ParsedPage> page = durable::ParsePage(image, kAddress, index);
  if (!page.ok()) return absl::OkStatus();
  for (absl::string_view record : page->records) {
    if (!Inside(record, image)) return absl::InternalError("ParsePage: a record outside the page");
  }
  return absl::OkStatus();
}

absl::Status CheckChainBlock(FuzzInput& in) {
  std::string payload;
  const std::string image =
      SealFuzzed(in, durable::kBucketBlockKind, kBlockSize, in.Below(3) * kBlockSize, &payload);
  absl::StatusOr<durable::ChainBlock> block = durable::DecodeChainBlock(image, kAddress);
  if (!block.ok()) return absl::OkStatus();
  if (block->address != kAddress) return absl::InternalError("DecodeChainBlock: wrong address");
  if (durable::PayloadSize(block->entries) > durable::kBucketPayloadBytes) {
    return absl::InternalError("DecodeChainBlock: entries larger than a block");
  }
  absl::StatusOr<durable::ChainBlock> again =
      durable::DecodeChainBlock(durable::EncodeChainBlock(*block), kAddress);
  if (!again.ok() || again->next != block->next || again->entries.size() != block->entries.size()) {
    return absl::InternalError("DecodeChainBlock: a decoded block does not encode back");
  }
  for (size_t i = 0; i < block->entries.size(); ++i) {
    const durable::BucketEntry& a = block->entries[i];
    const durable::BucketEntry& b = again->entries[i];
    if (a.key != b.key || a.out_of_line != b.out_of_line || a.value != b.value ||
        a.value_size != b.value_size || a.value_run != b.value_run || a.value_crc != b.value_crc) {
      return absl::InternalError(absl::StrCat("DecodeChainBlock: entry ", i, " changed"));
    }
  }
  return absl::OkStatus();
}

// CheckCorruptedSeal flips one byte that the checksum covers: the block must be refused.
absl::Status CheckCorruptedSeal(FuzzInput& in) {
  std::string payload;
  std::string image = SealFuzzed(in, durable::kBucketBlockKind, kBlockSize, 0, &payload);
  const size_t covered = static_cast<size_t>(kSealedHeaderSize) + payload.size();
  const size_t at = static_cast<size_t>(in.Below(covered));
  const char flip = static_cast<char>(in.Byte() | 1);
  image[at] = static_cast<char>(image[at] ^ flip);
  absl::StatusOr<durable::SealedView> view =
      durable::Unseal(image, kAddress, durable::kBucketBlockKind, "fuzzed block");
  if (view.ok()) {
    return absl::InternalError(absl::StrCat("Unseal accepted a block with byte ", at, " changed"));
  }
  if (view.status().code() != absl::StatusCode::kDataLoss) {
    return absl::InternalError(absl::StrCat("Unseal refused with ", view.status().ToString()));
  }
  return absl::OkStatus();
}

// CheckFragment writes one record as log fragments, corrupts a byte of the first fragment or
// not, and parses it back at its offset.
absl::Status CheckFragment(FuzzInput& in) {
  const uint64_t log_id = in.Below(4);
  const uint32_t epoch = static_cast<uint32_t>(in.Below(4));
  const uint64_t start = in.Below(2 * kBlockSize);
  const std::string record = in.Bytes(3 * kBlockSize);
  uint64_t offset = durable::log_format::SkipTrailer(start);
  const uint64_t first = offset;
  std::string bytes;
  durable::log_format::EmitRecord(log_id, epoch, record, offset, &bytes);
  const uint64_t block_end = (first / kBlockSize + 1) * kBlockSize;
  std::string fragment = bytes.substr(0, static_cast<size_t>(block_end - first));
  const bool corrupt = in.Bool();
  const size_t covered = std::min<size_t>(
      fragment.size(), static_cast<size_t>(durable::log_format::kFragmentHeaderSize) +
                           std::min<size_t>(record.size(), fragment.size()));
  size_t at = 0;
  if (corrupt) {
    at = static_cast<size_t>(in.Below(covered));
    fragment[at] = static_cast<char>(fragment[at] ^ static_cast<char>(in.Byte() | 1));
  }
  const std::optional<durable::log_format::Fragment> parsed =
      durable::log_format::ParseFragment(fragment, log_id, first);
  if (corrupt && parsed.has_value() &&
      at < durable::log_format::kFragmentHeaderSize + parsed->payload.size()) {
    return absl::InternalError(
        absl::StrCat("ParseFragment accepted a fragment with byte ", at, " changed"));
  }
  if (!corrupt) {
    if (!parsed.has_value()) return absl::InternalError("ParseFragment refused a fresh fragment");
    if (parsed->epoch != epoch || !Inside(parsed->payload, fragment) ||
        record.substr(0, parsed->payload.size()) != parsed->payload) {
      return absl::InternalError("ParseFragment returned another fragment than was written");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProgress(FuzzInput& in) {
  absl::StatusOr<durable::PageWriterProgress> progress =
      durable::PageWriterProgress::Decode(in.Bytes(1024));
  if (!progress.ok()) return absl::OkStatus();
  absl::StatusOr<durable::PageWriterProgress> again =
      durable::PageWriterProgress::Decode(progress->Encode());
  if (!again.ok() || !(*again == *progress)) {
    return absl::InternalError("PageWriterProgress: a decoded value does not survive a round trip");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FuzzDurablePages(absl::string_view input) {
  FuzzInput in(input);
  for (int op = 0; op < 32 && !in.empty(); ++op) {
    absl::Status s;
    switch (in.Below(6)) {
      case 0:
        s = CheckWriterPage(in);
        break;
      case 1:
        s = CheckChainBlock(in);
        break;
      case 2:
        s = CheckCorruptedSeal(in);
        break;
      case 3:
        s = CheckFragment(in);
        break;
      case 4:
        s = CheckProgress(in);
        break;
      default: {  // raw bytes, as found in a never-written or foreign page
        const std::string raw = in.Bytes(kBlockSize);
        absl::StatusOr<durable::ParsedPage> page = durable::ParsePage(raw, kAddress, 0);
        if (page.ok()) {
          for (absl::string_view record : page->records) {
            if (!Inside(record, raw)) s = absl::InternalError("ParsePage: a record outside");
          }
        }
        absl::StatusOr<durable::ChainBlock> block = durable::DecodeChainBlock(raw, kAddress);
        if (block.ok() && block->address != kAddress) {
          s = absl::InternalError("DecodeChainBlock: wrong address");
        }
      }
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ddc::fuzz
