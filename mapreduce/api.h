// The typed MapReduce API, in the style of Hadoop and Phoenix++: a job is an input format, a
// mapper, an optional combiner, a partitioner, a reducer and an output format over key and value
// types with a Serde (serde.h). job.h puts them together and compiles them into the byte-level
// plan (plan.h) the engine runs.
//
//   class WordMapper : public Mapper<uint64_t, std::string, std::string, uint64_t> {
//    public:
//     absl::Status Map(const uint64_t& offset, const std::string& line,
//                      Emitter<std::string, uint64_t>& out, TaskContext& context) override {
//       for (std::string word : absl::StrSplit(line, ' ', absl::SkipEmpty()))
//         DDC_RETURN_IF_ERROR(out.Emit(word, 1));
//       return absl::OkStatus();
//     }
//   };
//
// Contract (see plan.h for the engine's side):
// - Map is called once per input record, in order; Reduce once per key, in key order, with that
//   key's values in the order of their encodings. Both may emit any number of pairs.
// - Returning an error, or throwing, fails the job with an error naming the job and the task; no
//   output is presented. Mappers and reducers must be deterministic.
// - A combiner is a Reducer<K, V, K, V> that must emit pairs with the key it was given and must
//   not change the result however many times it runs on parts of a key's values.
// - An emitted pair must fit in one memory page once framed (the engine stores pairs in whole
//   pages): a larger one fails the job with an error naming the record's size and the limit.
#ifndef DDC_MAPREDUCE_API_H_
#define DDC_MAPREDUCE_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mapreduce/input.h"
#include "mapreduce/plan.h"
#include "mapreduce/serde.h"

namespace ddc::mapreduce {

template <typename K, typename V>
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual absl::Status Emit(const K& key, const V& value) = 0;
};

// Values iterates one key's values. A value that does not decode ends the iteration; the engine
// then fails the task with the decoding error.
template <typename V>
class Values {
 public:
  virtual ~Values() = default;
  virtual std::optional<V> Next() = 0;
};

template <typename KIn, typename VIn, typename KOut, typename VOut>
class Mapper {
 public:
  virtual ~Mapper() = default;
  virtual absl::Status Map(const KIn& key, const VIn& value, Emitter<KOut, VOut>& out,
                           TaskContext& context) = 0;
};

template <typename K, typename V, typename KOut, typename VOut>
class Reducer {
 public:
  virtual ~Reducer() = default;
  virtual absl::Status Reduce(const K& key, Values<V>& values, Emitter<KOut, VOut>& out,
                              TaskContext& context) = 0;
};

// InputFormat turns the records of a split into typed (key, value) pairs: `records` delimits
// them and `parse` decodes one (given its byte offset in the dataset and its bytes, delimiter
// included). A parse error is bad input and fails the job naming the record's offset.
template <typename K, typename V>
struct InputFormat {
  std::shared_ptr<const RecordFormat> records;
  std::function<absl::Status(int64_t offset, absl::string_view record, K* key, V* value)> parse;
};

// TextInput: (byte offset of the line in the dataset, the line without its '\n').
InputFormat<uint64_t, std::string> TextInput();

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_API_H_
