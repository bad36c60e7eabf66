#include "mapreduce/jobs/zipf_text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ddc::mapreduce {

std::string ZipfWord(int64_t index) {
  std::string word;
  do {
    word.push_back(static_cast<char>('a' + index % 26));
    index /= 26;
  } while (index > 0);
  std::reverse(word.begin(), word.end());
  return word;
}

absl::StatusOr<std::shared_ptr<const ZipfTextDataset>> ZipfTextDataset::Create(
    ZipfTextOptions options) {
  if (options.bytes < 0 || options.block_bytes < 64 || options.vocabulary < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("zipf text: need bytes >= 0, block_bytes >= 64 and vocabulary >= 1; got ",
                     options.bytes, ", ", options.block_bytes, ", ", options.vocabulary));
  }
  absl::StatusOr<ZipfianGenerator> words =
      ZipfianGenerator::Create(0, options.vocabulary - 1, options.theta);
  if (!words.ok()) return words.status();
  return std::shared_ptr<const ZipfTextDataset>(new ZipfTextDataset(options, *std::move(words)));
}

std::string ZipfTextDataset::name() const {
  return absl::StrCat("zipf-text(", options_.bytes, " bytes, ", options_.vocabulary,
                      " words, theta ", options_.theta, ", seed ", options_.seed, ")");
}

std::string ZipfTextDataset::Block(int64_t index) const {
  const int64_t size = BlockSize(index);
  Rng rng = Rng::ForStream(options_.seed, "zipf-text", index);
  const UniformInt line_words = *UniformInt::Create(4, 16);
  std::string block;
  block.reserve(static_cast<size_t>(size));
  int64_t left_in_line = line_words.Next(rng);
  for (;;) {
    const std::string word = ZipfWord(words_.Next(rng));
    const bool starts_line = block.empty() || block.back() == '\n';
    const int64_t need = static_cast<int64_t>(word.size()) + (starts_line ? 0 : 1) + 1;
    if (static_cast<int64_t>(block.size()) + need > size) break;
    if (!starts_line) block.push_back(' ');
    block += word;
    if (--left_in_line == 0) {
      block.push_back('\n');
      left_in_line = line_words.Next(rng);
    }
  }
  // Pad the last line to the block's size.
  if (static_cast<int64_t>(block.size()) < size) {
    block.append(static_cast<size_t>(size - static_cast<int64_t>(block.size()) - 1), ' ');
    block.push_back('\n');
  }
  return block;
}

}  // namespace ddc::mapreduce
