#include "examples/primary_backup/backup.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "examples/primary_backup/counter_cell.h"
#include "examples/primary_backup/primary.h"
#include "examples/primary_backup/primary_backup.pb.h"
#include "examples/primary_backup/recovery.h"
#include "examples/primary_backup/server.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/status_macros.h"

namespace ddc::primary_backup {
namespace {

bool IsFromThePrimary(const Envelope& envelope) {
  return envelope.Is<Heartbeat>() || envelope.Is<ReplicateRequest>();
}

// FollowUntilSilent is the transparent backup's life as a backup: keep the replica in `replica`
// up to date, and return once the primary has said nothing for `failure_timeout`. The detector
// is armed by the primary's first message, so a primary that is slow to start is not suspected.
asio::awaitable<absl::Status> FollowUntilSilent(Process& self, CounterCell& replica,
                                                Duration failure_timeout) {
  Duration timeout = kInfiniteDuration;
  for (;;) {
    std::optional<Envelope> in = co_await self.ReceiveWhere(IsFromThePrimary, timeout);
    if (!in) co_return absl::OkStatus();  // silence: the primary is suspected dead
    timeout = failure_timeout;
    if (const ReplicateRequest* replicate = in->TryAs<ReplicateRequest>()) {
      DDC_CO_RETURN_IF_ERROR(co_await replica.Store(FromMessage(replicate->counter())));
      DDC_CO_RETURN_IF_ERROR(co_await replica.Flush());
      DDC_CO_RETURN_IF_ERROR(self.Reply(*in, ReplicateReply()));
    }
  }
}

// TakeOverFromReplica: transparent mode. Returns the cell to serve from.
asio::awaitable<absl::StatusOr<CounterCell>> TakeOverFromReplica(Process& self,
                                                                 const ServiceConfig& config,
                                                                 Takeover* takeover) {
  DDC_CO_ASSIGN_OR_RETURN(CounterCell replica, co_await CounterCell::Create(self.memory()));
  DDC_CO_RETURN_IF_ERROR(
      co_await FollowUntilSilent(self, replica, config.replica_timeouts.failure_timeout));
  takeover->detected_at = self.Now();
  self.TraceInstant("primary suspected (timeout)");
  co_return replica;
}

// TakeOverByStealing: exposed mode. Returns the cell to serve from, in the stolen pages.
asio::awaitable<absl::StatusOr<CounterCell>> TakeOverByStealing(Process& self, ProcessId primary,
                                                                Takeover* takeover) {
  Memory& memory = self.memory();
  DDC_CO_RETURN_IF_ERROR(co_await memory.JoinTrustGroup(kTrustGroup, kTrustSecret));
  DDC_CO_RETURN_IF_ERROR(self.failures().RegisterStandby(primary));
  std::optional<Received<platform::ProcessDeathNotice>> death =
      co_await self.ReceiveOf<platform::ProcessDeathNotice>();
  if (!death) co_return absl::InternalError("an endless receive ended without a notice");
  takeover->detected_at = self.Now();
  self.TraceInstant("primary declared dead (rack monitor)");

  // The steal moves the pages (same addresses), bumps the primary's owner epoch so that nothing
  // it might still send reaches an ME, and makes the ToR redirect its id to us.
  const Capability capability(kTrustGroup, kTrustSecret);
  DDC_CO_ASSIGN_OR_RETURN(const std::vector<Region> stolen,
                          co_await memory.Steal(primary, capability, std::nullopt));
  DDC_CO_ASSIGN_OR_RETURN(const VirtAddr root, co_await memory.Lookup(kRootName));
  self.TraceInstant("stole the primary's memory",
                    absl::StrCat("\"regions\":", stolen.size(), ",\"root\":", root));
  // From now on Send and Call speak as the primary; Reply already answers a request from the id
  // it was addressed to.
  DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(primary));
  co_return CounterCell::At(memory, root);
}

}  // namespace

asio::awaitable<absl::Status> RunBackup(Process& self, ServiceConfig config, Takeover* takeover) {
  const RecoveryPlan plan = PlanRecovery(self.mode(), config);
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId primary, FindPeer(self, kPrimaryName));
  absl::StatusOr<CounterCell> cell = absl::UnknownError("no recovery chosen");
  switch (plan.recovery) {
    case Recovery::kReplicateToABackup:
      cell = co_await TakeOverFromReplica(self, config, takeover);
      break;
    case Recovery::kStealFromTheDead:
      cell = co_await TakeOverByStealing(self, primary, takeover);
      break;
  }
  DDC_CO_RETURN_IF_ERROR(cell.status());
  // Whatever the path, the state to resume from is in ME pages this process owns now.
  DDC_CO_ASSIGN_OR_RETURN(const CounterState state, co_await cell->Load());
  takeover->resumed_from = state;
  takeover->serving_at = self.Now();
  self.TraceInstant("serving", absl::StrCat("\"value\":", state.value));
  // A backup that took over has no backup of its own: it flushes its own pages before every ack.
  co_return co_await ServeCounter(self, *cell, state, std::nullopt);
}

}  // namespace ddc::primary_backup
