// Commands of the store: their limits, their validation and the slot they address.
//
// Limits (documented in README.md):
//   key      1 to kMaxKeyBytes (1 KiB) bytes: the page hash table's own key limit
//   value    0 to kMaxValueBytes (1 MiB) bytes: a value travels whole in one message and one
//            MIGRATE batch, so it is kept well below the table's 64 MiB limit
//   MGET     1 to kMaxMultiKeys keys, all in one slot (CROSSSLOT error otherwise)
//   INCR     the value must be a decimal int64 (lincheck::ParseInteger), the sum must not overflow
//
// CheckCommand rejects a malformed command (unknown name, wrong arity, oversized key or value,
// keys in different slots, a SCAN slot out of range) with INVALID_ARGUMENT naming what was
// wrong; a rejected command never reaches the data.
#ifndef DDC_KVSTORE_COMMAND_H_
#define DDC_KVSTORE_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvstore/kvstore.pb.h"

namespace ddc::kvstore {

inline constexpr int64_t kMaxKeyBytes = 1024;
inline constexpr int64_t kMaxValueBytes = int64_t{1} << 20;
inline constexpr int kMaxMultiKeys = 1024;

// CommandSlot validates `request` and returns the one slot it addresses.
absl::StatusOr<int> CommandSlot(const KvRequest& request);

// IsWrite says whether the command changes data (SET, DEL, INCR).
bool IsWrite(CommandName command);

// Builders of the client's commands.
KvRequest Get(std::string key);
KvRequest Set(std::string key, std::string value);
KvRequest Del(std::string key);
KvRequest Incr(std::string key);
KvRequest Scan(int slot);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_COMMAND_H_
