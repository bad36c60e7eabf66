// A minimal JSON reader and string writer, enough for the JSON Lines history format (jsonl.h).
//
// Strings are byte strings. The writer emits printable ASCII (0x20-0x7E) as itself, except '"'
// and '\' which it escapes as \" and \\, and every other byte b as \u00XX (XX = b in lowercase
// hex), so the output is pure ASCII and any byte string round-trips. Read as Unicode, such a
// string holds one code point U+0000..U+00FF per byte (non-UTF-8 bytes stay distinct).
// The reader accepts the JSON escapes \" \\ \/ \b \f \n \r \t and \u0000-\u00FF (one byte each).
// It rejects \u escapes above U+00FF and raw bytes outside printable ASCII, since their byte
// value would be ambiguous.
//
// Numbers keep their text; AsInt64 accepts integers only. Objects keep their members in order;
// a duplicate member name is an error. Nesting is limited to 64 levels.
//
// Errors: INVALID_ARGUMENT "at byte N: <what>".
#ifndef DDC_COMMON_LINCHECK_JSON_H_
#define DDC_COMMON_LINCHECK_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddc::lincheck {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;                 // kString: the bytes; kNumber: the number as written
  std::vector<JsonValue> elements;  // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject

  // The special members are defined in json.cc, where JsonValue is complete: defined implicitly
  // here, clang with libstdc++ would destroy std::pair<std::string, JsonValue> while JsonValue is
  // still incomplete, which it rejects (GCC accepts it).
  JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;
  ~JsonValue();

  // Find returns the member named `name` of an object, or nullptr.
  const JsonValue* Find(absl::string_view name) const;
  // AsInt64 returns a number written as an integer that fits in an int64.
  std::optional<int64_t> AsInt64() const;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

// AppendJsonString appends `bytes` as a quoted JSON string, escaped as described above.
void AppendJsonString(absl::string_view bytes, std::string* out);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_JSON_H_
