#include "mapreduce/input.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ddc::mapreduce {

absl::StatusOr<std::vector<InputSplit>> SplitInput(const Dataset& dataset, int splits) {
  if (dataset.size() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("input \"", dataset.name(), "\": no input (0 bytes)"));
  }
  const int64_t blocks = dataset.blocks();
  if (splits < 1 || splits > blocks) {
    return absl::InvalidArgumentError(absl::StrCat("input \"", dataset.name(), "\": ", splits,
                                                   " splits asked of ", blocks,
                                                   " blocks; need between 1 and ", blocks));
  }
  std::vector<InputSplit> out;
  for (int i = 0; i < splits; ++i) {
    InputSplit split;
    split.index = i;
    split.first_block = blocks * i / splits;
    split.block_count = blocks * (i + 1) / splits - split.first_block;
    split.offset = split.first_block * dataset.BlockBytes();
    for (int64_t b = 0; b < split.block_count; ++b) {
      split.bytes += dataset.BlockSize(split.first_block + b);
    }
    out.push_back(split);
  }
  return out;
}

std::string ReadSplit(const Dataset& dataset, const InputSplit& split) {
  std::string out;
  out.reserve(static_cast<size_t>(split.bytes));
  for (int64_t b = 0; b < split.block_count; ++b) out += dataset.Block(split.first_block + b);
  return out;
}

namespace {

class TextLinesFormat final : public RecordFormat {
 public:
  std::string name() const override { return "text lines"; }
  absl::StatusOr<int64_t> NextRecord(absl::string_view data, bool end_of_split) const override {
    const size_t newline = data.find('\n');
    if (newline != absl::string_view::npos) return static_cast<int64_t>(newline + 1);
    return end_of_split ? static_cast<int64_t>(data.size()) : 0;
  }
};

class FixedRecordsFormat final : public RecordFormat {
 public:
  explicit FixedRecordsFormat(int64_t bytes) : bytes_(bytes) {}
  std::string name() const override { return absl::StrCat(bytes_, "-byte records"); }
  absl::StatusOr<int64_t> NextRecord(absl::string_view data, bool end_of_split) const override {
    const int64_t size = static_cast<int64_t>(data.size());
    if (size >= bytes_) return bytes_;
    if (end_of_split && size > 0) {
      return absl::InvalidArgumentError(absl::StrCat("the split ends with a truncated record of ",
                                                     size, " bytes (records are ", bytes_,
                                                     " bytes)"));
    }
    return 0;
  }

 private:
  int64_t bytes_;
};

}  // namespace

std::shared_ptr<const RecordFormat> TextLines() { return std::make_shared<TextLinesFormat>(); }

std::shared_ptr<const RecordFormat> FixedRecords(int64_t bytes) {
  return std::make_shared<FixedRecordsFormat>(bytes);
}

BlocksDataset::BlocksDataset(std::string name, std::vector<std::string> blocks)
    : name_(std::move(name)), blocks_(std::move(blocks)) {
  for (const std::string& block : blocks_) size_ += static_cast<int64_t>(block.size());
}

int64_t BlocksDataset::BlockBytes() const {
  return blocks_.empty() ? 1 : std::max<int64_t>(1, static_cast<int64_t>(blocks_[0].size()));
}

}  // namespace ddc::mapreduce
