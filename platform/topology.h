// Topology is the resolved, indexed view of a PlatformConfig's racks and elements.
//
// Element names are "rack/element" (e.g. "r0/ce1"); racks are named by themselves ("r0").
// Ids are dense indices in config order, so iterating them is deterministic. A Topology is built
// once from a validated config and never changes during a run.
#ifndef DDC_PLATFORM_TOPOLOGY_H_
#define DDC_PLATFORM_TOPOLOGY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/config.pb.h"
#include "platform/types.h"

namespace ddc {

struct CeInfo {
  std::string name;  // "rack/ce"
  RackId rack;
  int cores;
  double speed_factor;
  int64_t cache_lines;
};

struct MeInfo {
  std::string name;  // "rack/me"
  RackId rack;
  int64_t capacity_bytes;
};

struct RackInfo {
  std::string name;
  std::vector<CeId> ces;
  std::vector<MeId> mes;
};

// Endpoint is what a fault rule or a partition names: a whole rack or one element.
struct Endpoint {
  enum class Kind { kRack, kCe, kMe };
  Kind kind;
  uint32_t index;  // RackId, CeId or MeId value, by kind
};

class Topology {
 public:
  // FromConfig indexes a config's racks. The config must be resolved (see config.h); names that
  // do not resolve are a validation error reported by ValidateConfig, not here.
  static Topology FromConfig(const config::PlatformConfig& config);

  const std::vector<RackInfo>& racks() const { return racks_; }
  const std::vector<CeInfo>& ces() const { return ces_; }
  const std::vector<MeInfo>& mes() const { return mes_; }
  const CeInfo& ce(CeId id) const { return ces_[Index(id)]; }
  const MeInfo& me(MeId id) const { return mes_[Index(id)]; }
  const RackInfo& rack(RackId id) const { return racks_[Index(id)]; }

  std::optional<CeId> FindCe(absl::string_view name) const;
  std::optional<MeId> FindMe(absl::string_view name) const;
  std::optional<RackId> FindRack(absl::string_view name) const;
  // FindEndpoint resolves a rack name or an element name.
  std::optional<Endpoint> FindEndpoint(absl::string_view name) const;
  // Covers reports whether endpoint e contains CE ce (the CE itself or its rack).
  bool Covers(const Endpoint& e, CeId ce) const;

 private:
  std::vector<RackInfo> racks_;
  std::vector<CeInfo> ces_;
  std::vector<MeInfo> mes_;
  std::map<std::string, Endpoint, std::less<>> by_name_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_TOPOLOGY_H_
