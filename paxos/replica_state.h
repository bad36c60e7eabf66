// ReplicaState is everything a replica needs after its compute element dies, in memory-element
// pages the replica owns, reachable from one root that the replica publishes in the rack
// namespace (RootName(member)):
//
//   root   a DurableCell: {log root address, bulk state base, bulk state length}
//   log    a DurableLog of AcceptorRecords (promises, accepted values, learned chosen values,
//          the chosen watermark, the incarnation). Replayed in order, it rebuilds the acceptor
//          and, by re-applying the chosen prefix, the state machine and its client table.
//   bulk   the bulk of the replicated state (the state-size sweep): pages that a steal moves
//          one MMU update each and that a replacement must copy byte for byte.
//
// The durability rule: Append returns OK only when the records are flushed to the ME, and the
// replica sends nothing that depends on them before that (group commit: one flush per Ready).
// A process that stole the pages opens the state with Open(Lookup(RootName(member))).
#ifndef DDC_PAXOS_REPLICA_STATE_H_
#define DDC_PAXOS_REPLICA_STATE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/durable/cell.h"
#include "common/durable/log.h"
#include "paxos/paxos.pb.h"
#include "platform/memory.h"

namespace ddc::paxos {

class ReplicaState {
 public:
  // Create allocates and formats a fresh state (zeroed bulk of `state_bytes`).
  static asio::awaitable<absl::StatusOr<ReplicaState>> Create(Memory& memory, int64_t log_bytes,
                                                              int64_t state_bytes);
  // Open recovers the state whose root is at `root` (after a steal: same addresses).
  static asio::awaitable<absl::StatusOr<ReplicaState>> Open(Memory& memory, VirtAddr root);

  // Append makes `records` durable (one flush); nothing to do for an empty list.
  asio::awaitable<absl::Status> Append(const std::vector<AcceptorRecord>& records);
  // ReadAll returns every record of the log, oldest first.
  asio::awaitable<absl::StatusOr<std::vector<AcceptorRecord>>> ReadAll();

  VirtAddr root() const { return root_.address(); }
  Region bulk() const { return bulk_; }

 private:
  ReplicaState(Memory& memory, durable::DurableCell root, durable::DurableLog log, Region bulk)
      : memory_(&memory), root_(std::move(root)), log_(std::move(log)), bulk_(bulk) {}

  Memory* memory_;
  durable::DurableCell root_;
  durable::DurableLog log_;
  Region bulk_;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_REPLICA_STATE_H_
