#include "paxos/standby.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "paxos/paxos.pb.h"
#include "paxos/replica.h"
#include "paxos/state_transfer.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::paxos {
namespace {

bool IsStandbyInput(const Envelope& e) {
  return e.Is<platform::ProcessDeathNotice>() || e.Is<platform::MemoryFailureNotice>() ||
         e.Is<ReplaceRequest>();
}

// StealAndReincarnate: exposed mode, the member's compute is dead (or paused past the verdict).
asio::awaitable<absl::Status> StealAndReincarnate(Process& self, const ServiceConfig& config,
                                                  int member, ProcessId victim, Outcome* outcome) {
  // Failure notification: the other replicas suspect the member now, not after their timeouts.
  for (int m = 0; m < config.replicas; ++m) {
    if (m == member) continue;
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId peer, FindPeer(self, ReplicaName(m)));
    SuspectNotice notice;
    notice.set_member(static_cast<uint32_t>(member));
    DDC_CO_RETURN_IF_ERROR(self.Send(peer, std::move(notice)));
  }
  const Capability capability(kTrustGroup, kTrustSecret);
  absl::StatusOr<std::vector<Region>> steal =
      co_await self.memory().Steal(victim, capability, std::nullopt);
  MemberRecovery& r = outcome->recovery[member];
  if (absl::IsPermissionDenied(steal.status())) {
    // The member died before it joined the trust group (during its setup): its memory holds
    // nothing published, so build a replacement instead.
    self.TraceInstant("nothing to steal: replacing the member");
    r.how = Recovery::kPeerTransfer;
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId source,
                            FindPeer(self, ReplicaName((member + 1) % config.replicas)));
    co_return co_await Replace(self, config, member, source, outcome);
  }
  DDC_CO_RETURN_IF_ERROR(steal.status());
  const std::vector<Region>& stolen = *steal;
  r.stolen_at = self.Now();
  outcome->fenced_at[Index(victim)] = self.Now();
  int64_t bytes = 0;
  for (const Region& region : stolen) bytes += region.length;
  self.TraceInstant("stole the member's memory",
                    absl::StrCat("\"regions\":", stolen.size(), ",\"bytes\":", bytes));
  co_return co_await Reincarnate(self, config, member, victim, outcome);
}

}  // namespace

asio::awaitable<absl::Status> RunStandby(Process& self, ServiceConfig config, int member,
                                         Outcome* outcome) {
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId replica, FindPeer(self, ReplicaName(member)));
  if (self.mode() == Mode::kExposed) {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup(kTrustGroup, kTrustSecret));
    DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(replica));
  }
  std::optional<Envelope> in = co_await self.ReceiveWhere(IsStandbyInput, kInfiniteDuration);
  if (!in) co_return absl::InternalError("an endless receive ended");
  MemberRecovery& r = outcome->recovery[member];
  r.detected_at = self.Now();
  if (in->Is<platform::ProcessDeathNotice>()) {
    r.how = Recovery::kSteal;
    self.TraceInstant("rack monitor: the member is dead");
    co_return co_await StealAndReincarnate(self, config, member, replica, outcome);
  }
  // Memory lost (exposed) or a silent member (transparent): build a replacement.
  Recovery how = Recovery::kPeerTransfer;
  ProcessId source{static_cast<uint32_t>(0)};
  if (self.mode() == Mode::kTransparent && config.transparent_recovery == Recovery::kCheckpoint) {
    how = Recovery::kCheckpoint;
    DDC_CO_ASSIGN_OR_RETURN(source, FindPeer(self, kCheckpointStoreName));
  } else {
    DDC_CO_ASSIGN_OR_RETURN(source, FindPeer(self, ReplicaName((member + 1) % config.replicas)));
  }
  r.how = how;
  self.TraceInstant("replacing the member", absl::StrCat("\"how\":\"", RecoveryName(how), "\""));
  co_return co_await Replace(self, config, member, source, outcome);
}

asio::awaitable<absl::Status> RunCheckpointStore(Process& self, ServiceConfig config) {
  Region checkpoint;
  if (config.state_bytes > 0) {
    DDC_CO_ASSIGN_OR_RETURN(checkpoint, co_await self.memory().Allocate(config.state_bytes));
  }
  // The checkpoint is the state as of slot 0 (no image: the learner replays the log from a
  // peer, or installs the peer's snapshot if the peer has compacted its log past slot 0).
  auto source = std::make_shared<SnapshotSource>();
  source->bulk = checkpoint;
  ServeSnapshot(self, std::move(source));
  co_await self.WaitForever();
  co_return absl::OkStatus();
}

}  // namespace ddc::paxos
