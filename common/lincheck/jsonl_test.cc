// The JSON reader and string escaping (json.h) and the JSON Lines history format (jsonl.h).
#include "common/lincheck/jsonl.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/json.h"
#include "common/lincheck/kv_model.h"
#include "common/lincheck/test_history.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc::lincheck {
namespace {

using ::testing::HasSubstr;
using namespace ::ddc::lincheck::testing;  // NOLINT: the history shorthands

std::string AllBytes() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

std::string JsonString(absl::string_view bytes) {
  std::string out;
  AppendJsonString(bytes, &out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// json.h

TEST(LincheckJsonStringTest, EscapesEveryByteOutsidePrintableAscii) {
  EXPECT_EQ(JsonString("plain text"), "\"plain text\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString(std::string("\n\0\x7f\xc3\xa9", 5)),
            "\"\\u000a\\u0000\\u007f\\u00c3\\u00a9\"");
}

TEST(LincheckJsonStringTest, EveryByteRoundTrips) {
  const std::string bytes = AllBytes();
  absl::StatusOr<JsonValue> parsed = ParseJson(JsonString(bytes));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kind, JsonValue::Kind::kString);
  EXPECT_EQ(parsed->text, bytes);
}

TEST(LincheckJsonParseTest, ReadsNestedValues) {
  absl::StatusOr<JsonValue> parsed =
      ParseJson(R"( {"a": [1, -2.5e3, true, false, null], "b": {"c": "\n\/\u00e9"}} )");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const JsonValue* a = parsed->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->elements.size(), 5u);
  EXPECT_EQ(a->elements[0].AsInt64(), 1);
  EXPECT_EQ(a->elements[1].text, "-2.5e3");
  EXPECT_EQ(a->elements[1].AsInt64(), std::nullopt);
  EXPECT_TRUE(a->elements[2].boolean);
  EXPECT_EQ(a->elements[4].kind, JsonValue::Kind::kNull);
  EXPECT_EQ(parsed->Find("b")->Find("c")->text, "\n/\xe9");
  EXPECT_EQ(parsed->Find("missing"), nullptr);
}

TEST(LincheckJsonParseTest, RejectsMalformedText) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "at byte 0: expected a value"},
           {"{\"a\":1", "expected ',' or '}'"},
           {"{\"a\":1,\"a\":2}", "duplicate member \"a\""},
           {"[1 2]", "expected ',' or ']'"},
           {"01", "leading zero"},
           {"\"abc", "unterminated string"},
           {"\"\\x\"", "unknown escape"},
           {"\"\\u12\"", "four hex digits"},
           {"\"\\u0100\"", "above U+00FF"},
           {"\"\xc3\xa9\"", "raw byte outside printable ASCII"},
           {"{} x", "at byte 3: unexpected text after the value"},
           {"nul", "expected a value"},
       }) {
    absl::StatusOr<JsonValue> parsed = ParseJson(c.text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.message)) << c.text;
  }
  EXPECT_THAT(ParseJson(std::string(100, '[')).status().message(), HasSubstr("nested too deeply"));
}

TEST(LincheckJsonParseTest, AsInt64NeedsAnIntegerInRange) {
  EXPECT_EQ(ParseJson("-9223372036854775808")->AsInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseJson("9223372036854775808")->AsInt64(), std::nullopt);
  EXPECT_EQ(ParseJson("1.0")->AsInt64(), std::nullopt);
  EXPECT_EQ(ParseJson("\"1\"")->AsInt64(), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// jsonl.h

// EveryKind: one operation of each type and outcome, with awkward bytes in keys and values.
std::vector<Operation> EveryKind() {
  const std::string binary = AllBytes();
  Operation unreported_increment = Increment(3, "n", -4, "0", 50, 60);
  unreported_increment.output.value.reset();
  return Numbered({
      Put(0, binary, binary, 0, 10),
      Get(1, binary, binary, 20, 30),
      Get(1, "k", std::nullopt, 20, 30),
      Delete(2, "k", 5, 6),
      Cas(2, "k", std::nullopt, "v", true, 40, 50),
      Cas(2, "k", "", "v", false, 40, 50),
      Increment(3, "n", 4, "4", 50, 60),
      Increment(3, "n", 4, std::nullopt, 50, 60),
      unreported_increment,
      Unknown(Put(4, "k", "\"quoted\"", 70)),
      Unknown(Get(4, "k", "x", 80)),
      Read(5, "r", 90, 100),
      Write(5, "w", 90, 100),
      RegisterCas(5, "a", "b", true, 110, 120),
  });
}

TEST(LincheckJsonlTest, WritesTheDocumentedSchema) {
  std::vector<Operation> history =
      Numbered({Cas(3, "k1", "a", "b", true, 100, 250), Unknown(Put(4, "k\n", "\xff", 300)),
                Get(5, "k1", "b", 400, 500)});
  history[0].id = 7;
  EXPECT_EQ(
      ToJsonl(history),
      "{\"id\":7,\"client\":3,\"key\":\"k1\",\"op\":\"cas\",\"input\":{\"expected\":\"a\","
      "\"value\":\"b\"},\"call_ns\":100,\"return_ns\":250,\"outcome\":\"ok\",\"output\":{}}\n"
      "{\"id\":1,\"client\":4,\"key\":\"k\\u000a\",\"op\":\"put\",\"input\":{\"value\":"
      "\"\\u00ff\"},\"call_ns\":300,\"return_ns\":null,\"outcome\":\"unknown\",\"output\":{}}\n"
      "{\"id\":2,\"client\":5,\"key\":\"k1\",\"op\":\"get\",\"input\":{},\"call_ns\":400,"
      "\"return_ns\":500,\"outcome\":\"ok\",\"output\":{\"value\":\"b\"}}\n");
}

TEST(LincheckJsonlTest, EveryKindOfOperationRoundTrips) {
  const std::vector<Operation> history = EveryKind();
  const std::string text = ToJsonl(history);
  absl::StatusOr<std::vector<Operation>> read = ParseJsonl(text);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), history.size());
  for (size_t i = 0; i < history.size(); ++i) {
    const Operation& want = history[i];
    const Operation& got = (*read)[i];
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.client, want.client);
    EXPECT_EQ(got.input.type, want.input.type);
    EXPECT_EQ(got.input.key, want.input.key);
    EXPECT_EQ(got.input.value, want.input.value);
    EXPECT_EQ(got.input.expected, want.input.expected);
    EXPECT_EQ(got.input.delta, want.input.delta);
    EXPECT_EQ(got.output.outcome, want.output.outcome);
    EXPECT_EQ(got.output.value, want.output.value);
    EXPECT_EQ(got.call, want.call);
    EXPECT_EQ(got.ret, want.ret);
  }
  EXPECT_EQ(ToJsonl(*read), text);
}

TEST(LincheckJsonlTest, SavedHistoryChecksTheSameAfterReadingBack) {
  const std::vector<Operation> history =
      Numbered({Unknown(Put(0, "k", "v", 0)), Get(1, "k", "v", 10, 20),
                Get(1, "k", std::nullopt, 30, 40), Put(2, "other", "x", 0, 5)});
  const std::string path = ::testing::TempDir() + "/jsonl_test_saved.jsonl";
  ASSERT_TRUE(WriteJsonlFile(path, history).ok());
  absl::StatusOr<std::vector<Operation>> read = ReadJsonlFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  absl::StatusOr<CheckResult> before = Check(KvModel(), history);
  absl::StatusOr<CheckResult> after = Check(KvModel(), *read);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(after->verdict, Verdict::kIllegal);
  EXPECT_EQ(after->explanation, before->explanation);
}

TEST(LincheckJsonlTest, SkipsBlankLinesAndIgnoresUnknownMembers) {
  absl::StatusOr<std::vector<Operation>> read = ParseJsonl(
      "\n{\"id\":1,\"client\":2,\"key\":\"k\",\"op\":\"delete\",\"input\":{\"note\":[1]},"
      "\"call_ns\":3,\"return_ns\":4,\"outcome\":\"ok\",\"output\":{},\"extra\":true}\n  \n");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].input.type, OpType::kDelete);
  EXPECT_EQ((*read)[0].ret, 4);
}

TEST(LincheckJsonlTest, MalformedLinesNameTheLineAndTheField) {
  const std::string good =
      "{\"id\":1,\"client\":2,\"key\":\"k\",\"op\":\"cas\",\"input\":{\"expected\":null,"
      "\"value\":\"v\"},\"call_ns\":3,\"return_ns\":4,\"outcome\":\"ok\",\"output\":{}}";
  ASSERT_TRUE(ParseJsonlLine(good, 1).ok());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string line = good;
    line.replace(line.find(from), from.size(), to);
    return line;
  };
  struct Case {
    std::string line;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {with("\"id\":1,", ""), "line 2: field \"id\": missing"},
           {with("\"client\":2", "\"client\":\"2\""), "field \"client\": expected an integer"},
           {with("\"call_ns\":3", "\"call_ns\":3.5"), "field \"call_ns\": expected an int64"},
           {with("\"op\":\"cas\"", "\"op\":\"swap\""), "field \"op\": unknown operation \"swap\""},
           {with("\"expected\":null,", ""), "field \"input.expected\": missing"},
           {with("\"value\":\"v\"", "\"value\":1"), "field \"input.value\": expected a string"},
           {with("\"return_ns\":4", "\"return_ns\":null"), "field \"return_ns\": must be null"},
           {with("\"outcome\":\"ok\"", "\"outcome\":\"unknown\""), "field \"return_ns\""},
           {with("\"outcome\":\"ok\"", "\"outcome\":\"fine\""), "unknown outcome \"fine\""},
           {with("\"output\":{}", "\"output\":[]"), "field \"output\": expected an object"},
           {with("\"output\":{}", "\"output\":{\"value\":null}"), "field \"output.value\""},
           {"[]", "line 2: not an object"},
           {with("}}", "}"), "line 2: at byte"},
       }) {
    absl::StatusOr<std::vector<Operation>> read = ParseJsonl(good + "\n" + c.line + "\n");
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(read.status().message(), HasSubstr(c.message)) << c.line;
  }
  const std::string increment_without_delta =
      "{\"id\":1,\"client\":2,\"key\":\"k\",\"op\":\"increment\",\"input\":{},\"call_ns\":3,"
      "\"return_ns\":4,\"outcome\":\"ok\",\"output\":{}}";
  EXPECT_THAT(ParseJsonlLine(increment_without_delta, 9).status().message(),
              HasSubstr("line 9: field \"input.delta\": missing"));
}

TEST(LincheckJsonlTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadJsonlFile(::testing::TempDir() + "/does/not/exist.jsonl").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(WriteJsonlFile(::testing::TempDir() + "/does/not/exist.jsonl", {}).code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace ddc::lincheck
