// Shorthands for writing histories in tests: one call per operation, with the interval last.
//
//   std::vector<Operation> history = Numbered({
//       Write(/*client=*/0, "1", /*call=*/0, /*ret=*/10),
//       Read(1, "0", 20, 30),
//       Unknown(Put(2, "k", "v", 5)),
//   });
#ifndef DDC_COMMON_LINCHECK_TEST_HISTORY_H_
#define DDC_COMMON_LINCHECK_TEST_HISTORY_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/lincheck/operation.h"

namespace ddc::lincheck::testing {

inline Operation MakeOperation(OpType type, int64_t client, std::string key, Time call, Time ret,
                               Outcome outcome = Outcome::kOk) {
  Operation op;
  op.client = client;
  op.input.type = type;
  op.input.key = std::move(key);
  op.output.outcome = outcome;
  op.call = call;
  op.ret = ret;
  return op;
}

// Unknown turns an operation into one whose client timed out.
inline Operation Unknown(Operation op) {
  op.output = Output();
  op.output.outcome = Outcome::kUnknown;
  op.ret = kInfiniteTime;
  return op;
}

// Numbered gives the operations ids 0, 1, 2, ... in order.
inline std::vector<Operation> Numbered(std::vector<Operation> history) {
  for (size_t i = 0; i < history.size(); ++i) history[i].id = static_cast<int64_t>(i);
  return history;
}

// Register operations.
inline Operation Read(int64_t client, std::string seen, Time call, Time ret = 0) {
  Operation op = MakeOperation(OpType::kRead, client, "", call, ret);
  op.output.value = std::move(seen);
  return op;
}
inline Operation Write(int64_t client, std::string value, Time call, Time ret = 0) {
  Operation op = MakeOperation(OpType::kWrite, client, "", call, ret);
  op.input.value = std::move(value);
  return op;
}
inline Operation RegisterCas(int64_t client, std::string expected, std::string value, bool swapped,
                             Time call, Time ret = 0) {
  Operation op =
      MakeOperation(OpType::kCas, client, "", call, ret, swapped ? Outcome::kOk : Outcome::kFailed);
  op.input.expected = std::move(expected);
  op.input.value = std::move(value);
  return op;
}

// Key-value operations. Get's `seen` is nullopt for not_found.
inline Operation Get(int64_t client, std::string key, std::optional<std::string> seen, Time call,
                     Time ret = 0) {
  Operation op = MakeOperation(OpType::kGet, client, std::move(key), call, ret,
                               seen ? Outcome::kOk : Outcome::kNotFound);
  op.output.value = std::move(seen);
  return op;
}
inline Operation Put(int64_t client, std::string key, std::string value, Time call, Time ret = 0) {
  Operation op = MakeOperation(OpType::kPut, client, std::move(key), call, ret);
  op.input.value = std::move(value);
  return op;
}
inline Operation Delete(int64_t client, std::string key, Time call, Time ret = 0) {
  return MakeOperation(OpType::kDelete, client, std::move(key), call, ret);
}
inline Operation Cas(int64_t client, std::string key, std::optional<std::string> expected,
                     std::string value, bool swapped, Time call, Time ret = 0) {
  Operation op = MakeOperation(OpType::kCas, client, std::move(key), call, ret,
                               swapped ? Outcome::kOk : Outcome::kFailed);
  op.input.expected = std::move(expected);
  op.input.value = std::move(value);
  return op;
}
// Increment's `result` is the new value reported (outcome ok) or nullopt for outcome failed.
inline Operation Increment(int64_t client, std::string key, int64_t delta,
                           std::optional<std::string> result, Time call, Time ret = 0) {
  Operation op = MakeOperation(OpType::kIncrement, client, std::move(key), call, ret,
                               result ? Outcome::kOk : Outcome::kFailed);
  op.input.delta = delta;
  op.output.value = std::move(result);
  return op;
}

}  // namespace ddc::lincheck::testing

#endif  // DDC_COMMON_LINCHECK_TEST_HISTORY_H_
