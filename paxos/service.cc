#include "paxos/service.h"

#include "absl/strings/str_cat.h"

namespace ddc::paxos {

const char* RecoveryName(Recovery recovery) {
  switch (recovery) {
    case Recovery::kSteal:
      return "steal";
    case Recovery::kPeerTransfer:
      return "peer-transfer";
    case Recovery::kCheckpoint:
      return "checkpoint";
  }
  return "?";
}

std::string ReplicaName(int member) { return absl::StrCat("paxos-r", member); }
std::string StandbyName(int member) { return absl::StrCat("paxos-s", member); }
std::string ClientName(int client) { return absl::StrCat("paxos-c", client); }
std::string RootName(int member) { return absl::StrCat("paxos/root/", member); }

absl::StatusOr<ProcessId> FindPeer(Process& self, const std::string& name) {
  std::optional<ProcessId> peer = self.FindProcess(name);
  if (!peer) return absl::NotFoundError(absl::StrCat("no process named \"", name, "\""));
  return *peer;
}

absl::StatusOr<std::vector<uint64_t>> InitialMembers(Process& self, const ServiceConfig& config) {
  std::vector<uint64_t> members;
  for (int i = 0; i < config.replicas; ++i) {
    absl::StatusOr<ProcessId> id = FindPeer(self, ReplicaName(i));
    if (!id.ok()) return id.status();
    members.push_back(Index(*id));
  }
  return members;
}

}  // namespace ddc::paxos
