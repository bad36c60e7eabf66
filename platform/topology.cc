#include "platform/topology.h"

namespace ddc {

Topology Topology::FromConfig(const config::PlatformConfig& config) {
  Topology t;
  for (const config::Rack& rack : config.racks()) {
    const RackId rack_id{static_cast<uint32_t>(t.racks_.size())};
    RackInfo info{rack.name(), {}, {}};
    t.by_name_.emplace(rack.name(), Endpoint{Endpoint::Kind::kRack, Index(rack_id)});
    for (const config::ComputeElement& ce : rack.compute_elements()) {
      const CeId id{static_cast<uint32_t>(t.ces_.size())};
      std::string name = rack.name() + "/" + ce.name();
      t.by_name_.emplace(name, Endpoint{Endpoint::Kind::kCe, Index(id)});
      t.ces_.push_back({std::move(name), rack_id, ce.cores(), ce.speed_factor(), ce.cache_lines()});
      info.ces.push_back(id);
    }
    for (const config::MemoryElement& me : rack.memory_elements()) {
      const MeId id{static_cast<uint32_t>(t.mes_.size())};
      std::string name = rack.name() + "/" + me.name();
      t.by_name_.emplace(name, Endpoint{Endpoint::Kind::kMe, Index(id)});
      t.mes_.push_back({std::move(name), rack_id, me.capacity_bytes()});
      info.mes.push_back(id);
    }
    t.racks_.push_back(std::move(info));
  }
  return t;
}

std::optional<Endpoint> Topology::FindEndpoint(absl::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<CeId> Topology::FindCe(absl::string_view name) const {
  auto e = FindEndpoint(name);
  if (!e || e->kind != Endpoint::Kind::kCe) return std::nullopt;
  return CeId{e->index};
}

std::optional<MeId> Topology::FindMe(absl::string_view name) const {
  auto e = FindEndpoint(name);
  if (!e || e->kind != Endpoint::Kind::kMe) return std::nullopt;
  return MeId{e->index};
}

std::optional<RackId> Topology::FindRack(absl::string_view name) const {
  auto e = FindEndpoint(name);
  if (!e || e->kind != Endpoint::Kind::kRack) return std::nullopt;
  return RackId{e->index};
}

bool Topology::Covers(const Endpoint& e, CeId ce) const {
  switch (e.kind) {
    case Endpoint::Kind::kRack:
      return Index(ces_[Index(ce)].rack) == e.index;
    case Endpoint::Kind::kCe:
      return Index(ce) == e.index;
    case Endpoint::Kind::kMe:
      return false;
  }
  return false;
}

}  // namespace ddc
