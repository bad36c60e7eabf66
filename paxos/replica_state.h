// ReplicaState is everything a replica needs after its compute element dies, in memory-element
// pages the replica owns, reachable from one root that the replica publishes in the rack
// namespace (RootName(member)):
//
//   root   a DurableCell: {log root address, bulk state base and length, snapshot image base,
//          capacity, length and CRC-32C}
//   log    a DurableLog of AcceptorRecords (promises, accepted values, learned chosen values,
//          the chosen watermark, the incarnation, checkpoints). Replayed in order on top of the
//          snapshot, it rebuilds the acceptor and, by re-applying the chosen slots after the
//          snapshot, the state machine and its client table.
//   image  the latest snapshot (a SnapshotImage: the state machine and client table at an
//          applied index, with the configuration), in pages of its own. StoreSnapshot writes a
//          new image to fresh pages, flushes it, and only then points the root at it (one
//          atomic cell write), then frees the old pages: a crash at any point leaves the root on
//          a whole, flushed image, old or new. The CRC in the root catches anything else.
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
  // AppendCheckpoint makes `checkpoint` (ReplicaCore's whole acceptor state) durable and then
  // drops every record before it from the log (DurableLog::Truncate): the log compaction.
  asio::awaitable<absl::Status> AppendCheckpoint(const AcceptorRecord& checkpoint);

  // StoreSnapshot makes `image` the durable snapshot (see above); INVALID_ARGUMENT for an image
  // without meta, and nothing changes.
  asio::awaitable<absl::Status> StoreSnapshot(const SnapshotImage& image);
  // ReadSnapshot returns the durable snapshot (an empty image, meta.index 0, if none was ever
  // stored); DATA_LOSS if its bytes do not match the root's CRC or do not parse.
  asio::awaitable<absl::StatusOr<SnapshotImage>> ReadSnapshot();

  VirtAddr root() const { return root_.address(); }
  Region bulk() const { return bulk_; }
  // image: the bytes of the durable snapshot image (length 0: none).
  Region image() const { return Region{image_.base, image_bytes_}; }
  uint32_t image_crc() const { return image_crc_; }

 private:
  struct RootValue {
    uint64_t log_root = 0;
    uint64_t bulk_base = 0;
    int64_t bulk_length = 0;
    uint64_t image_base = 0;
    int64_t image_capacity = 0;
    int64_t image_bytes = 0;
    uint32_t image_crc = 0;
    uint32_t padding = 0;
  };
  ReplicaState(Memory& memory, durable::DurableCell root, durable::DurableLog log,
               const RootValue& value)
      : memory_(&memory),
        root_(std::move(root)),
        log_(std::move(log)),
        bulk_{value.bulk_base, value.bulk_length},
        image_{value.image_base, value.image_capacity},
        image_bytes_(value.image_bytes),
        image_crc_(value.image_crc) {}
  RootValue Value() const;

  Memory* memory_;
  durable::DurableCell root_;
  durable::DurableLog log_;
  Region bulk_;
  Region image_;  // the pages holding the image (whole pages)
  int64_t image_bytes_ = 0;
  uint32_t image_crc_ = 0;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_REPLICA_STATE_H_
