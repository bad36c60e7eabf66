#include "common/lincheck/jsonl.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/lincheck/json.h"

namespace ddc::lincheck {
namespace {

void AppendInputMembers(const Input& input, std::string* out) {
  switch (input.type) {
    case OpType::kWrite:
    case OpType::kPut:
      out->append("\"value\":");
      AppendJsonString(input.value, out);
      break;
    case OpType::kCas:
      out->append("\"expected\":");
      if (input.expected) {
        AppendJsonString(*input.expected, out);
      } else {
        out->append("null");
      }
      out->append(",\"value\":");
      AppendJsonString(input.value, out);
      break;
    case OpType::kIncrement:
      absl::StrAppend(out, "\"delta\":", input.delta);
      break;
    case OpType::kRead:
    case OpType::kGet:
    case OpType::kDelete:
      break;
  }
}

// LineParser reads the members of one line's object, naming the line and the field in errors.
class LineParser {
 public:
  explicit LineParser(int line_number) : line_number_(line_number) {}

  absl::Status Error(absl::string_view field, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_number_, ": field \"", field, "\": ", what));
  }

  // Member returns the member `name` of `object`, of kind `kind` (or null when `nullable`).
  // `path` is its name for errors ("input.value").
  absl::StatusOr<const JsonValue*> Member(const JsonValue& object, absl::string_view name,
                                          absl::string_view path, JsonValue::Kind kind,
                                          bool nullable = false) const {
    const JsonValue* member = object.Find(name);
    if (member == nullptr) return Error(path, "missing");
    if (member->kind == kind || (nullable && member->kind == JsonValue::Kind::kNull)) {
      return member;
    }
    return Error(path, nullable ? absl::StrCat("expected ", KindName(kind), " or null")
                                : absl::StrCat("expected ", KindName(kind)));
  }

  absl::StatusOr<std::string> String(const JsonValue& object, absl::string_view name,
                                     absl::string_view path) const {
    absl::StatusOr<const JsonValue*> member = Member(object, name, path, JsonValue::Kind::kString);
    if (!member.ok()) return member.status();
    return (*member)->text;
  }

  // Integer reads an integer member, or kInfiniteTime for null when `null_means_infinity`.
  absl::StatusOr<int64_t> Integer(const JsonValue& object, absl::string_view name,
                                  absl::string_view path, bool null_means_infinity = false) const {
    absl::StatusOr<const JsonValue*> member =
        Member(object, name, path, JsonValue::Kind::kNumber, null_means_infinity);
    if (!member.ok()) return member.status();
    if ((*member)->kind == JsonValue::Kind::kNull) return kInfiniteTime;
    std::optional<int64_t> value = (*member)->AsInt64();
    if (!value)
      return Error(path, absl::StrCat("expected an int64 integer, got ", (*member)->text));
    return *value;
  }

  absl::Status ParseInput(const JsonValue& line, Input& input) const;
  absl::StatusOr<Operation> ParseOperation(const JsonValue& line) const;

 private:
  static absl::string_view KindName(JsonValue::Kind kind) {
    switch (kind) {
      case JsonValue::Kind::kString:
        return "a string";
      case JsonValue::Kind::kNumber:
        return "an integer";
      case JsonValue::Kind::kObject:
        return "an object";
      default:
        return "another type";
    }
  }

  int line_number_;
};

absl::Status LineParser::ParseInput(const JsonValue& line, Input& input) const {
  absl::StatusOr<const JsonValue*> object =
      Member(line, "input", "input", JsonValue::Kind::kObject);
  if (!object.ok()) return object.status();
  const JsonValue& members = **object;
  if (input.type == OpType::kCas) {
    absl::StatusOr<const JsonValue*> expected =
        Member(members, "expected", "input.expected", JsonValue::Kind::kString, true);
    if (!expected.ok()) return expected.status();
    if ((*expected)->kind == JsonValue::Kind::kString) input.expected = (*expected)->text;
  }
  if (input.type == OpType::kWrite || input.type == OpType::kPut || input.type == OpType::kCas) {
    absl::StatusOr<std::string> value = String(members, "value", "input.value");
    if (!value.ok()) return value.status();
    input.value = *std::move(value);
  }
  if (input.type == OpType::kIncrement) {
    absl::StatusOr<int64_t> delta = Integer(members, "delta", "input.delta");
    if (!delta.ok()) return delta.status();
    input.delta = *delta;
  }
  return absl::OkStatus();
}

absl::StatusOr<Operation> LineParser::ParseOperation(const JsonValue& line) const {
  if (line.kind != JsonValue::Kind::kObject) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line_number_, ": not an object"));
  }
  Operation op;
  absl::StatusOr<int64_t> id = Integer(line, "id", "id");
  absl::StatusOr<int64_t> client = Integer(line, "client", "client");
  absl::StatusOr<std::string> key = String(line, "key", "key");
  absl::StatusOr<std::string> type = String(line, "op", "op");
  absl::StatusOr<int64_t> call = Integer(line, "call_ns", "call_ns");
  absl::StatusOr<int64_t> ret = Integer(line, "return_ns", "return_ns", true);
  absl::StatusOr<std::string> outcome = String(line, "outcome", "outcome");
  absl::StatusOr<const JsonValue*> output =
      Member(line, "output", "output", JsonValue::Kind::kObject);
  for (const absl::Status& status :
       {id.status(), client.status(), key.status(), type.status(), call.status(), ret.status(),
        outcome.status(), output.status()}) {
    if (!status.ok()) return status;
  }
  op.id = *id;
  op.client = *client;
  op.input.key = *std::move(key);
  op.call = *call;
  op.ret = *ret;

  std::optional<OpType> op_type = ParseOpType(*type);
  if (!op_type) return Error("op", absl::StrCat("unknown operation \"", *type, "\""));
  op.input.type = *op_type;
  if (absl::Status status = ParseInput(line, op.input); !status.ok()) return status;

  std::optional<Outcome> parsed_outcome = ParseOutcome(*outcome);
  if (!parsed_outcome) return Error("outcome", absl::StrCat("unknown outcome \"", *outcome, "\""));
  op.output.outcome = *parsed_outcome;
  if ((op.output.outcome == Outcome::kUnknown) != (op.ret == kInfiniteTime)) {
    return Error("return_ns", "must be null exactly when the outcome is \"unknown\"");
  }
  if ((*output)->Find("value") != nullptr) {
    absl::StatusOr<std::string> value = String(**output, "value", "output.value");
    if (!value.ok()) return value.status();
    op.output.value = *std::move(value);
  }
  return op;
}

}  // namespace

void AppendJsonl(const Operation& op, std::string* out) {
  absl::StrAppend(out, "{\"id\":", op.id, ",\"client\":", op.client, ",\"key\":");
  AppendJsonString(op.input.key, out);
  absl::StrAppend(out, ",\"op\":\"", OpTypeName(op.input.type), "\",\"input\":{");
  AppendInputMembers(op.input, out);
  absl::StrAppend(out, "},\"call_ns\":", op.call,
                  ",\"return_ns\":", op.ret == kInfiniteTime ? "null" : absl::StrCat(op.ret),
                  ",\"outcome\":\"", OutcomeName(op.output.outcome), "\",\"output\":{");
  if (op.output.value) {
    out->append("\"value\":");
    AppendJsonString(*op.output.value, out);
  }
  out->append("}}\n");
}

std::string ToJsonl(absl::Span<const Operation> history) {
  std::string out;
  for (const Operation& op : history) AppendJsonl(op, &out);
  return out;
}

absl::StatusOr<Operation> ParseJsonlLine(absl::string_view line, int line_number) {
  absl::StatusOr<JsonValue> json = ParseJson(line);
  if (!json.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_number, ": ", json.status().message()));
  }
  return LineParser(line_number).ParseOperation(*json);
}

absl::StatusOr<std::vector<Operation>> ParseJsonl(absl::string_view text) {
  std::vector<Operation> history;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    absl::StatusOr<Operation> op = ParseJsonlLine(line, line_number);
    if (!op.ok()) return op.status();
    history.push_back(*std::move(op));
  }
  return history;
}

absl::Status WriteJsonlFile(const std::string& path, absl::Span<const Operation> history) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << ToJsonl(history);
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Operation>> ReadJsonlFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream contents;
  contents << file.rdbuf();
  absl::StatusOr<std::vector<Operation>> history = ParseJsonl(contents.str());
  if (!history.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", history.status().message()));
  }
  return history;
}

}  // namespace ddc::lincheck
