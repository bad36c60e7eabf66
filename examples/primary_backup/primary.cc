#include "examples/primary_backup/primary.h"

#include <memory>
#include <optional>

#include "examples/primary_backup/counter_cell.h"
#include "examples/primary_backup/primary_backup.pb.h"
#include "examples/primary_backup/recovery.h"
#include "examples/primary_backup/server.h"
#include "platform/memory.h"
#include "platform/status_macros.h"

namespace ddc::primary_backup {
namespace {

// SendHeartbeats tells the backup "alive" every `interval` until the primary steps down (then
// its silence lets the backup take over).
asio::awaitable<absl::Status> SendHeartbeats(Process& self, ProcessId backup, Duration interval,
                                             std::shared_ptr<const bool> stepped_down) {
  while (!*stepped_down) {
    DDC_CO_RETURN_IF_ERROR(self.Send(backup, Heartbeat()));
    co_await self.Sleep(interval);
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<absl::Status> RunPrimary(Process& self, ServiceConfig config) {
  const RecoveryPlan plan = PlanRecovery(self.mode(), config);
  DDC_CO_ASSIGN_OR_RETURN(const ProcessId backup, FindPeer(self, kBackupName));
  Memory& memory = self.memory();
  DDC_CO_ASSIGN_OR_RETURN(CounterCell cell, co_await CounterCell::Create(memory));
  if (plan.recovery == Recovery::kStealFromTheDead) {
    // Make the state stealable (the trust group authorizes the standby) and findable (the
    // namespace maps a name to the cell's address, which a steal keeps unchanged).
    DDC_CO_RETURN_IF_ERROR(co_await memory.JoinTrustGroup(kTrustGroup, kTrustSecret));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Publish(kRootName, cell.address()));
  }

  std::optional<Replication> replication;
  auto stepped_down = std::make_shared<bool>(false);
  if (plan.recovery == Recovery::kReplicateToABackup) {
    replication = Replication{backup, config.replica_timeouts.failure_timeout};
    const Duration interval = config.replica_timeouts.heartbeat_interval;
    self.Go([&self, backup, interval, stepped_down] {
      return SendHeartbeats(self, backup, interval, stepped_down);
    });
  }
  const CounterState fresh;
  DDC_CO_RETURN_IF_ERROR(co_await ServeCounter(self, cell, fresh, replication));
  *stepped_down = true;  // ServeCounter returned OK: this primary steps down
  co_return absl::OkStatus();
}

}  // namespace ddc::primary_backup
