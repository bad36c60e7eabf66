#include "harness/field_path.h"

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"

namespace ddc::harness {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Step {
  std::string name;
  int index = -1;  // an element of a repeated field; -1 when the step has no [i]
};

absl::StatusOr<Step> ParseStep(absl::string_view text) {
  Step step;
  const size_t open = text.find('[');
  if (open == absl::string_view::npos) {
    step.name = std::string(text);
  } else {
    if (text.back() != ']' || open == 0 ||
        !absl::SimpleAtoi(text.substr(open + 1, text.size() - open - 2), &step.index) ||
        step.index < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad path element \"", text, "\""));
    }
    step.name = std::string(text.substr(0, open));
  }
  if (step.name.empty()) return absl::InvalidArgumentError("empty path element");
  return step;
}

absl::Status SetScalar(Message& message, const FieldDescriptor& field, absl::string_view value) {
  const Reflection& r = *message.GetReflection();
  auto bad = [&](absl::string_view type) {
    return absl::InvalidArgumentError(absl::StrCat("\"", value, "\" is not ", type));
  };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a 32-bit integer");
      r.SetInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a 64-bit integer");
      r.SetInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an unsigned 32-bit integer");
      r.SetUInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an unsigned 64-bit integer");
      r.SetUInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return bad("a number");
      r.SetDouble(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(value, &v)) return bad("a number");
      r.SetFloat(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(value, &v)) return bad("true or false");
      r.SetBool(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* v =
          field.enum_type()->FindValueByName(std::string(value));
      int number;
      if (v == nullptr && absl::SimpleAtoi(value, &number)) {
        v = field.enum_type()->FindValueByNumber(number);
      }
      if (v == nullptr) return bad(absl::StrCat("a value of ", field.enum_type()->name()));
      r.SetEnum(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      r.SetString(&message, &field, std::string(value));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InvalidArgumentError("is a message, not a value");
}

// Set walks `path` from `message`, which it may change even when it fails (the caller works on a
// copy).
absl::Status Set(Message& root, absl::string_view path, absl::string_view value) {
  Message* message = &root;
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::StatusOr<Step> step = ParseStep(parts[i]);
    if (!step.ok()) return step.status();
    const FieldDescriptor* field = message->GetDescriptor()->FindFieldByName(step->name);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(message->GetDescriptor()->name(), " has no field \"", step->name, "\""));
    }
    const Reflection& r = *message->GetReflection();
    const bool last = i + 1 == parts.size();
    if (field->is_repeated() != (step->index >= 0)) {
      return absl::InvalidArgumentError(field->is_repeated()
                                            ? absl::StrCat("\"", step->name,
                                                           "\" is repeated: name an element, e.g. ",
                                                           step->name, "[0]")
                                            : absl::StrCat("\"", step->name, "\" is not repeated"));
    }
    if (field->is_repeated()) {
      const int size = r.FieldSize(*message, field);
      if (step->index >= size) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", step->name, "\" has ", size, " elements, no [", step->index, "]"));
      }
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || last) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", parts[i], "\": repeated scalars cannot be swept"));
      }
      message = r.MutableRepeatedMessage(message, field, step->index);
      continue;
    }
    if (last) return SetScalar(*message, *field, value);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InvalidArgumentError(absl::StrCat("\"", step->name, "\" is not a message"));
    }
    message = r.MutableMessage(message, field);
  }
  return absl::InvalidArgumentError("empty path");
}

}  // namespace

absl::Status SetFieldByPath(Message& message, absl::string_view path, absl::string_view value) {
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  if (absl::Status status = Set(*copy, path, value); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, "=", value, ": ", status.message()));
  }
  message.CopyFrom(*copy);
  return absl::OkStatus();
}

}  // namespace ddc::harness
