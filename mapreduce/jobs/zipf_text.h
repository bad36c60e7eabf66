// ZipfTextDataset: generated text whose words follow a Zipf law (YCSB's ZipfianGenerator,
// platform/random.h), for WordCount and Grep.
//
// Word i of the vocabulary is i written in base 26 with letters ("a", "b", ..., "z", "ba", ...),
// so the most popular words are the shortest, as in natural text. Lines hold 4 to 16 words
// separated by single spaces; a block ends with a line padded with spaces to the block's exact
// size, so no line crosses a block. Block b is generated from Rng::ForStream(seed, "zipf-text",
// b): the text is a function of the options alone.
#ifndef DDC_MAPREDUCE_JOBS_ZIPF_TEXT_H_
#define DDC_MAPREDUCE_JOBS_ZIPF_TEXT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mapreduce/input.h"
#include "platform/random.h"

namespace ddc::mapreduce {

struct ZipfTextOptions {
  int64_t bytes = 1 << 20;
  int64_t block_bytes = 256 * 1024;
  int64_t vocabulary = 10000;
  double theta = ZipfianGenerator::kDefaultTheta;
  uint64_t seed = 1;
};

// ZipfWord is word `index` of the vocabulary.
std::string ZipfWord(int64_t index);

class ZipfTextDataset final : public Dataset {
 public:
  // INVALID_ARGUMENT for bytes < 0, block_bytes < 64, vocabulary < 1 or theta outside (0, 1).
  static absl::StatusOr<std::shared_ptr<const ZipfTextDataset>> Create(ZipfTextOptions options);

  std::string name() const override;
  int64_t size() const override { return options_.bytes; }
  int64_t BlockBytes() const override { return options_.block_bytes; }
  std::string Block(int64_t index) const override;

 private:
  ZipfTextDataset(ZipfTextOptions options, ZipfianGenerator words)
      : options_(options), words_(std::move(words)) {}
  ZipfTextOptions options_;
  ZipfianGenerator words_;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_JOBS_ZIPF_TEXT_H_
