// The input side of a job: the dataset it reads, the splitter that cuts it into map tasks'
// splits, and the record formats that delimit records inside a split.
//
//   std::shared_ptr<const Dataset> text = ZipfTextDataset::Create({...}).value();
//   absl::StatusOr<std::vector<InputSplit>> splits = SplitInput(*text, /*splits=*/16);
//
// Contract:
// - A Dataset is a sequence of bytes made of whole records, produced block by block: Block(i)
//   is a deterministic function of the dataset's parameters and i, and no record crosses a block
//   boundary. Blocks have BlockBytes() bytes each except the last, which may be shorter, so the
//   size of every block is known without producing it.
// - SplitInput (the splitter) cuts a dataset into `splits` splits of contiguous whole blocks, as
//   equal in size as whole blocks allow; every split holds at least one block. Errors name the
//   dataset: INVALID_ARGUMENT for no input (zero bytes) or a split count outside
//   [1, number of blocks].
// - A RecordFormat delimits records in the bytes of a split (byte-level, used by the engine);
//   NextRecord returns the length of the record that starts `data`, 0 when `data` holds no whole
//   record yet and more bytes follow, and INVALID_ARGUMENT describing a malformed record.
#ifndef DDC_MAPREDUCE_INPUT_H_
#define DDC_MAPREDUCE_INPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddc::mapreduce {

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::string name() const = 0;
  virtual int64_t size() const = 0;
  virtual int64_t BlockBytes() const = 0;
  // Block returns block `index` (in [0, blocks())).
  virtual std::string Block(int64_t index) const = 0;

  int64_t blocks() const { return (size() + BlockBytes() - 1) / BlockBytes(); }
  int64_t BlockSize(int64_t index) const {
    return index + 1 < blocks() ? BlockBytes() : size() - index * BlockBytes();
  }
};

// InputSplit is what one map task reads: blocks [first_block, first_block + block_count), which
// are bytes [offset, offset + bytes) of the dataset.
struct InputSplit {
  int index = 0;
  int64_t first_block = 0;
  int64_t block_count = 0;
  int64_t offset = 0;
  int64_t bytes = 0;
};

absl::StatusOr<std::vector<InputSplit>> SplitInput(const Dataset& dataset, int splits);

// ReadSplit produces a split's bytes from the dataset (what loading it into memory writes).
std::string ReadSplit(const Dataset& dataset, const InputSplit& split);

class RecordFormat {
 public:
  virtual ~RecordFormat() = default;
  virtual std::string name() const = 0;
  // NextRecord: see the file comment. `end_of_split` says no bytes follow `data`.
  virtual absl::StatusOr<int64_t> NextRecord(absl::string_view data, bool end_of_split) const = 0;
};

// TextLines: a record is a line, up to and including its '\n'; at the end of a split a last line
// without '\n' is a record too.
std::shared_ptr<const RecordFormat> TextLines();

// FixedRecords: every record is `bytes` long; a split whose size is not a multiple is malformed.
std::shared_ptr<const RecordFormat> FixedRecords(int64_t bytes);

// BlocksDataset is a dataset given as explicit blocks (tests, hand-made bad input).
class BlocksDataset final : public Dataset {
 public:
  // All blocks but the last must have the same size (what Dataset's block arithmetic assumes).
  BlocksDataset(std::string name, std::vector<std::string> blocks);
  std::string name() const override { return name_; }
  int64_t size() const override { return size_; }
  int64_t BlockBytes() const override;
  std::string Block(int64_t index) const override {
    return index >= 0 && index < static_cast<int64_t>(blocks_.size()) ? blocks_[index] : "";
  }

 private:
  std::string name_;
  std::vector<std::string> blocks_;
  int64_t size_ = 0;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_INPUT_H_
