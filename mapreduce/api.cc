#include "mapreduce/api.h"

namespace ddc::mapreduce {

InputFormat<uint64_t, std::string> TextInput() {
  InputFormat<uint64_t, std::string> format;
  format.records = TextLines();
  format.parse = [](int64_t offset, absl::string_view record, uint64_t* key, std::string* value) {
    if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
    *key = static_cast<uint64_t>(offset);
    value->assign(record.data(), record.size());
    return absl::OkStatus();
  };
  return format;
}

}  // namespace ddc::mapreduce
