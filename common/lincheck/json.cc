#include "common/lincheck/json.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ddc::lincheck {

JsonValue::JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;
JsonValue::~JsonValue() = default;

namespace {

constexpr int kMaxDepth = 64;

// The escapes other than \uXXXX: the letter after the backslash, and the byte it stands for.
constexpr std::pair<char, char> kSingleCharacterEscapes[] = {
    {'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
    {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<int> HexDigit(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    if (absl::Status status = ParseValue(0, value); !status.ok()) return status;
    SkipWhitespace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("at byte ", pos_, ": ", what));
  }

  void SkipWhitespace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(absl::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  absl::Status ParseValue(int depth, JsonValue& value) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    SkipWhitespace();
    if (pos_ == text_.size()) return Error("expected a value, got the end of the text");
    const char c = text_[pos_];
    if (c == '{') return ParseObject(depth, value);
    if (c == '[') return ParseArray(depth, value);
    if (c == '"') {
      value.kind = JsonValue::Kind::kString;
      return ParseString(value.text);
    }
    if (c == '-' || IsDigit(c)) return ParseNumber(value);
    value.kind = JsonValue::Kind::kBool;
    if (Consume("true")) {
      value.boolean = true;
      return absl::OkStatus();
    }
    if (Consume("false")) return absl::OkStatus();
    value.kind = JsonValue::Kind::kNull;
    if (Consume("null")) return absl::OkStatus();
    return Error("expected a value");
  }

  absl::Status ParseObject(int depth, JsonValue& value) {
    value.kind = JsonValue::Kind::kObject;
    ++pos_;  // '{'
    SkipWhitespace();
    if (Consume("}")) return absl::OkStatus();
    while (true) {
      SkipWhitespace();
      std::string name;
      if (pos_ == text_.size() || text_[pos_] != '"') return Error("expected a member name");
      if (absl::Status status = ParseString(name); !status.ok()) return status;
      if (value.Find(name) != nullptr)
        return Error(absl::StrCat("duplicate member \"", name, "\""));
      SkipWhitespace();
      if (!Consume(":")) return Error("expected ':'");
      JsonValue member;
      if (absl::Status status = ParseValue(depth + 1, member); !status.ok()) return status;
      value.members.emplace_back(std::move(name), std::move(member));
      SkipWhitespace();
      if (Consume("}")) return absl::OkStatus();
      if (!Consume(",")) return Error("expected ',' or '}'");
    }
  }

  absl::Status ParseArray(int depth, JsonValue& value) {
    value.kind = JsonValue::Kind::kArray;
    ++pos_;  // '['
    SkipWhitespace();
    if (Consume("]")) return absl::OkStatus();
    while (true) {
      JsonValue element;
      if (absl::Status status = ParseValue(depth + 1, element); !status.ok()) return status;
      value.elements.push_back(std::move(element));
      SkipWhitespace();
      if (Consume("]")) return absl::OkStatus();
      if (!Consume(",")) return Error("expected ',' or ']'");
    }
  }

  // ParseNumber checks the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  absl::Status ParseNumber(JsonValue& value) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t first = pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      return pos_ > first;
    };
    Consume("-");
    if (Consume("0")) {
      if (pos_ < text_.size() && IsDigit(text_[pos_])) return Error("leading zero in a number");
    } else if (!digits()) {
      return Error("expected digits");
    }
    if (Consume(".") && !digits()) return Error("expected digits after '.'");
    if (Consume("e") || Consume("E")) {
      if (!Consume("+")) Consume("-");
      if (!digits()) return Error("expected exponent digits");
    }
    value.kind = JsonValue::Kind::kNumber;
    value.text = std::string(text_.substr(start, pos_ - start));
    return absl::OkStatus();
  }

  absl::Status ParseString(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ == text_.size()) return Error("unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20 || c > 0x7e) {
        return Error("raw byte outside printable ASCII in a string (write it as \\u00XX)");
      }
      ++pos_;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (absl::Status status = ParseEscape(out); !status.ok()) return status;
    }
  }

  absl::Status ParseEscape(std::string& out) {
    if (pos_ == text_.size()) return Error("unterminated escape");
    const char c = text_[pos_++];
    for (const auto& [letter, byte] : kSingleCharacterEscapes) {
      if (c == letter) {
        out.push_back(byte);
        return absl::OkStatus();
      }
    }
    if (c != 'u') return Error("unknown escape");
    int code_point = 0;
    for (int i = 0; i < 4; ++i) {
      std::optional<int> digit = pos_ < text_.size() ? HexDigit(text_[pos_]) : std::nullopt;
      if (!digit) return Error("expected four hex digits after \\u");
      code_point = code_point * 16 + *digit;
      ++pos_;
    }
    if (code_point > 0xff) {
      return Error("\\u escape above U+00FF: strings hold bytes, one \\u00XX per byte");
    }
    out.push_back(static_cast<char>(code_point));
    return absl::OkStatus();
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view name) const {
  for (const auto& [member_name, member] : members) {
    if (member_name == name) return &member;
  }
  return nullptr;
}

std::optional<int64_t> JsonValue::AsInt64() const {
  int64_t result = 0;
  if (kind != Kind::kNumber || text.find_first_of(".eE") != std::string::npos ||
      !absl::SimpleAtoi(text, &result)) {
    return std::nullopt;
  }
  return result;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) { return Parser(text).ParseDocument(); }

void AppendJsonString(absl::string_view bytes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : bytes) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte == '"' || byte == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (byte >= 0x20 && byte <= 0x7e) {
      out->push_back(c);
    } else {
      out->append("\\u00");
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0xf]);
    }
  }
  out->push_back('"');
}

}  // namespace ddc::lincheck
