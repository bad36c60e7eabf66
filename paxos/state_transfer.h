// State transfer: shipping a replica's snapshot to a replica that installs it (a lagging
// follower whose log was compacted past, or a replacement learner), in chunks, with a window of
// requests in flight so that the copy runs at link rate (the transparent baselines' best).
//
// A snapshot is an image (a SnapshotImage: state machine, client table, configuration at an
// applied index) and the bulk state. Everything is one way, so that the copy costs no round trip
// more than the bytes need: the receiver asks for the source's current snapshot
// (SnapshotInfoRequest; the answer carries the image inline when it fits in a chunk) in the
// same flight as its first StateChunkRequests for the bulk, and keeps `window` chunk requests
// outstanding; the source answers each with a StateChunk (ServeSnapshot). A request with no
// answer for `timeout` is sent again. A larger image is fetched in chunks that name the
// snapshot: a source that has taken a newer snapshot since answers `stale`, and the receiver
// asks again. The image's CRC-32C travels with the SnapshotInfo and is checked.
// The bulk stands for state the workload never modifies (paxos/README.md), so its chunks are
// valid whatever the snapshot; a real store would pin its snapshot's pages until the copy ends.
#ifndef DDC_PAXOS_STATE_TRANSFER_H_
#define DDC_PAXOS_STATE_TRANSFER_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "paxos/paxos.pb.h"
#include "platform/memory.h"
#include "platform/process.h"

namespace ddc::paxos {

// SnapshotSource is what a process serves: its durable snapshot at `index` (image: the exact
// bytes of the stored SnapshotImage, empty when there is none) and its bulk state. The replica
// updates it each time it stores a snapshot.
struct SnapshotSource {
  uint64_t index = 0;
  Region image;
  uint32_t image_crc = 0;
  Region bulk;
};

struct TransferOptions {
  int64_t chunk_bytes = 1 << 20;
  int window = 16;
  Duration timeout = Milliseconds(1);
  // After this many timeouts in a row without an answer the source is taken for dead
  // (DEADLINE_EXCEEDED); the caller asks again or elsewhere.
  int max_silences = 8;
};

// FetchSnapshot copies `source`'s current snapshot: the bulk state into `bulk` (flushed when it
// returns OK) and the image, which it returns (an empty image, meta.index 0, if the source has
// no snapshot yet). DEADLINE_EXCEEDED if the source stays silent (options.max_silences);
// INVALID_ARGUMENT for bad options; FAILED_PRECONDITION if the source's bulk
// state is not the size of `bulk`; DATA_LOSS for a chunk of the wrong size or an image that does
// not parse.
asio::awaitable<absl::StatusOr<SnapshotImage>> FetchSnapshot(Process& self, ProcessId source,
                                                             Region bulk,
                                                             const TransferOptions& options);

// ServeSnapshot makes this process answer SnapshotInfoRequests and StateChunkRequests from
// *source (Serve handlers). A read refused because the process was fenced or its memory died
// answers nothing (the requester's timeout resends, or it asks another source).
void ServeSnapshot(Process& self, std::shared_ptr<const SnapshotSource> source);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_STATE_TRANSFER_H_
