#include "mapreduce/counters.h"

#include "common/durable/coding.h"

namespace ddc::mapreduce {

void Counters::Add(absl::string_view name, int64_t delta) {
  auto it = values_.find(name);
  if (it == values_.end()) it = values_.emplace(std::string(name), 0).first;
  it->second += delta;
}

int64_t Counters::Get(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? 0 : it->second;
}

void Counters::Merge(const Counters& other) {
  for (const auto& [name, value] : other.values_) Add(name, value);
}

std::string Counters::Encode() const {
  std::string out;
  durable::PutFixed32(out, static_cast<uint32_t>(values_.size()));
  for (const auto& [name, value] : values_) {
    durable::PutFixed32(out, static_cast<uint32_t>(name.size()));
    out.append(name);
    durable::PutFixed64(out, static_cast<uint64_t>(value));
  }
  return out;
}

absl::StatusOr<Counters> Counters::Decode(absl::string_view bytes) {
  durable::ByteReader in(bytes);
  uint32_t count = 0;
  Counters counters;
  bool ok = in.ReadFixed(count);
  for (uint32_t i = 0; ok && i < count; ++i) {
    uint32_t length = 0;
    absl::string_view name;
    uint64_t value = 0;
    ok = in.ReadFixed(length) && in.ReadBytes(length, name) && in.ReadFixed(value);
    if (ok) counters.values_[std::string(name)] = static_cast<int64_t>(value);
  }
  if (!ok || in.remaining() != 0) {
    return absl::InvalidArgumentError("counters: not an encoding of counters");
  }
  return counters;
}

}  // namespace ddc::mapreduce
