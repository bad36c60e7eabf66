#include "common/lincheck/operation.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ddc::lincheck {
namespace {

constexpr std::array<std::pair<OpType, absl::string_view>, 7> kOpTypeNames = {{
    {OpType::kRead, "read"},
    {OpType::kWrite, "write"},
    {OpType::kGet, "get"},
    {OpType::kPut, "put"},
    {OpType::kDelete, "delete"},
    {OpType::kCas, "cas"},
    {OpType::kIncrement, "increment"},
}};

constexpr std::array<std::pair<Outcome, absl::string_view>, 4> kOutcomeNames = {{
    {Outcome::kOk, "ok"},
    {Outcome::kNotFound, "not_found"},
    {Outcome::kFailed, "failed"},
    {Outcome::kUnknown, "unknown"},
}};

template <typename Enum, size_t N>
absl::string_view NameOf(const std::array<std::pair<Enum, absl::string_view>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "?";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const std::array<std::pair<Enum, absl::string_view>, N>& table,
                            absl::string_view name) {
  for (const auto& [value, value_name] : table) {
    if (value_name == name) return value;
  }
  return std::nullopt;
}

std::string Arguments(const Input& input) {
  std::vector<std::string> args;
  const bool register_op = input.type == OpType::kRead || input.type == OpType::kWrite ||
                           (input.type == OpType::kCas && input.key.empty());
  if (!register_op) args.push_back(Quote(input.key));
  switch (input.type) {
    case OpType::kWrite:
    case OpType::kPut:
      args.push_back(Quote(input.value));
      break;
    case OpType::kCas:
      args.push_back(absl::StrCat(input.expected ? Quote(*input.expected) : "<missing>", " => ",
                                  Quote(input.value)));
      break;
    case OpType::kIncrement:
      args.push_back(absl::StrCat(input.delta >= 0 ? "+" : "", input.delta));
      break;
    case OpType::kRead:
    case OpType::kGet:
    case OpType::kDelete:
      break;
  }
  return absl::StrJoin(args, ", ");
}

}  // namespace

absl::string_view OpTypeName(OpType type) { return NameOf(kOpTypeNames, type); }
std::optional<OpType> ParseOpType(absl::string_view name) { return ValueOf(kOpTypeNames, name); }
absl::string_view OutcomeName(Outcome outcome) { return NameOf(kOutcomeNames, outcome); }
std::optional<Outcome> ParseOutcome(absl::string_view name) { return ValueOf(kOutcomeNames, name); }

std::string Quote(absl::string_view bytes) {
  return absl::StrCat("\"", absl::CHexEscape(bytes), "\"");
}

std::string DescribeOperation(const Operation& op) {
  const std::string ret = op.ret == kInfiniteTime ? "never returned" : absl::StrCat(op.ret, "ns");
  // A returned value is more telling than "ok", so it replaces it.
  const std::string result = op.output.outcome == Outcome::kOk && op.output.value
                                 ? Quote(*op.output.value)
                                 : std::string(OutcomeName(op.output.outcome));
  return absl::StrCat("#", op.id, " client ", op.client, " [", op.call, "ns, ", ret, "] ",
                      OpTypeName(op.input.type), "(", Arguments(op.input), ") -> ", result);
}

}  // namespace ddc::lincheck
