// What every process of the Paxos store is given: the service's shape (members, standbys, the
// checkpoint store, clients), its timeouts and its sizes, and the names processes find each other
// by. The launcher (launch.h) fills it; processes copy it into their frames.
#ifndef DDC_PAXOS_SERVICE_H_
#define DDC_PAXOS_SERVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platform/process.h"

namespace ddc::paxos {

// Recovery is how a failed member comes back (recovery.cc decides it from the mode).
enum class Recovery {
  kSteal,         // exposed: the standby steals the memory and reincarnates the member
  kPeerTransfer,  // transparent: a replacement copies the state from a live peer
  kCheckpoint,    // transparent, second baseline: checkpoint store + log replay
};
const char* RecoveryName(Recovery recovery);

struct ServiceConfig {
  int replicas = 3;
  int clients = 4;
  // Paxos timing: a tick is one heartbeat interval; a follower that hears nothing from the
  // leader for election_ticks ticks campaigns; a leader asks for the replacement of a member
  // silent for as long (transparent mode).
  Duration heartbeat_interval = Microseconds(45);
  int election_ticks = 10;
  int window = 32;
  int max_batch = 16;
  // Bulk state each replica holds in ME pages besides its log (the state-size sweep).
  int64_t state_bytes = 1 << 20;
  int64_t log_bytes = 8 << 20;  // the acceptor log's ring (compacted at every snapshot)
  // A replica snapshots its state machine and compacts its log every this many applied slots
  // (0: never). paxos/README.md ("Snapshots") explains the default.
  uint64_t snapshot_interval = 1024;
  // Compaction keeps this many slots below the snapshot, so that a replica lagging by less (a
  // reincarnated one, say) fetches the slots instead of installing the whole snapshot.
  uint64_t log_retain = 1024;
  // State transfer: chunk size and chunks in flight.
  int64_t chunk_bytes = 1 << 20;
  int transfer_window = 16;
  // A learner's log catch-up after the snapshot: slots per LogSinceRequest and requests in
  // flight (the chosen log streams at link rate, as the snapshot does).
  int log_batch = 512;
  int log_window = 16;
  // Transparent recovery baseline: kPeerTransfer or kCheckpoint.
  Recovery transparent_recovery = Recovery::kPeerTransfer;
  // Clients: closed loop, `think_time` between operations, keys drawn from `keys`.
  Duration think_time = Microseconds(20);
  Duration client_timeout = Milliseconds(2);
  int keys = 64;
  double write_fraction = 0.5;
  int value_bytes = 64;
  Time load_until = Milliseconds(200);

  Duration election_timeout() const { return heartbeat_interval * election_ticks; }
};

inline constexpr char kTrustGroup[] = "paxos";
inline constexpr char kTrustSecret[] = "paxos-secret";

std::string ReplicaName(int member);  // "paxos-r<member>"
std::string StandbyName(int member);  // "paxos-s<member>"
std::string ClientName(int client);   // "paxos-c<client>"
std::string RootName(int member);     // rack namespace name of member's state root
inline constexpr char kCheckpointStoreName[] = "paxos-ckpt";

// FindPeer turns Process::FindProcess into a Status (NOT_FOUND names the process).
absl::StatusOr<ProcessId> FindPeer(Process& self, const std::string& name);
// InitialMembers are the replicas' process ids, by member index.
absl::StatusOr<std::vector<uint64_t>> InitialMembers(Process& self, const ServiceConfig& config);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_SERVICE_H_
