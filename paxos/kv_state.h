// KvStateMachine is the store's replicated state: a map from string keys to string values and
// the client table, which maps each client id to its last sequence number and the reply it got.
// Every replica applies the same chosen commands in slot order, so replicas at the same applied
// index hold equal states (Digest).
//
// Semantics (the lincheck KV model's, common/lincheck/kv_model.h):
//   get(k)              found + value, or not found
//   put(k, v)           k holds v
//   delete(k)           k is missing (ok whether or not it was there)
//   cas(k, e => v)      with `expected` set: swap iff k holds exactly e; without: iff k is
//                       missing. swapped tells which.
//
// Exactly once: a command whose (client id, sequence) equals the client's last one is a retry and
// gets the cached reply without running again; an older sequence gets FAILED_PRECONDITION. The
// table lives inside the replicated state, so it survives reincarnation and state transfer.
//
// Limits: keys 1..kMaxKeyBytes bytes, values 0..kMaxValueBytes. ValidateCommand rejects anything
// else (and unknown operations, and a missing client id) with INVALID_ARGUMENT naming the field;
// Apply of an invalid command returns that error in the reply and changes nothing.
#ifndef DDC_PAXOS_KV_STATE_H_
#define DDC_PAXOS_KV_STATE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "paxos/paxos.pb.h"

namespace ddc::paxos {

inline constexpr int64_t kMaxKeyBytes = 256;
inline constexpr int64_t kMaxValueBytes = 4096;

// ValidateCommand checks a client command (get, put, delete, cas) before it is proposed.
absl::Status ValidateCommand(const Command& command);

// ReplyStatus turns a reply's code and error back into a Status.
absl::Status ReplyStatus(const ClientReply& reply);

class KvStateMachine {
 public:
  // Apply executes one chosen command (no-ops and reconfigurations change nothing here).
  ClientReply Apply(const Command& command);

  // Digest is a hash of the map and the client table, equal on replicas with equal states.
  uint64_t Digest() const;

  // Encode returns the map and the client table (a snapshot's state machine part); Decode
  // rebuilds a state machine from one, DATA_LOSS naming the first entry that breaks the limits
  // or repeats a key or client (an image that did not come from Encode).
  KvImage Encode() const;
  static absl::StatusOr<KvStateMachine> Decode(const KvImage& image);

  const std::map<std::string, std::string>& data() const { return data_; }
  int64_t size_bytes() const { return size_bytes_; }

 private:
  struct ClientSlot {
    uint64_t seq = 0;
    ClientReply reply;
  };
  ClientReply Execute(const Command& command);
  // Store sets command.key to command.value (`it` is the key's entry or end()).
  void Store(std::map<std::string, std::string>::iterator it, const Command& command);

  std::map<std::string, std::string> data_;
  std::map<uint64_t, ClientSlot> clients_;
  int64_t size_bytes_ = 0;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_KV_STATE_H_
