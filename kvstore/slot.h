// Key slots, as in Redis Cluster: every key hashes to one of 16,384 slots with CRC16 (the XMODEM
// variant: polynomial 0x1021, initial value 0, no reflection, no final xor), and the slot is the
// CRC modulo 16,384. A key containing a hash tag, a "{...}" with at least one byte between the
// first '{' and the first '}' after it, hashes only what is between them, so keys that share a
// tag share a slot (and a shard), which multi-key commands need.
//
//   KeySlot("somekey") == 11058;  KeySlot("foo{hash_tag}") == KeySlot("bar{hash_tag}") == 2515
//
// The CRC is checked against the Redis Cluster specification's test vector
// (Crc16("123456789") == 0x31C3) and slot examples in slot_test.cc.
#ifndef DDC_KVSTORE_SLOT_H_
#define DDC_KVSTORE_SLOT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ddc::kvstore {

inline constexpr int kSlotCount = 16384;

// Crc16 is CRC-16/XMODEM of `bytes`.
uint16_t Crc16(absl::string_view bytes);

// HashTag is the part of `key` that decides its slot: the hash tag when there is one, else the
// whole key.
absl::string_view HashTag(absl::string_view key);

// KeySlot is the slot of `key`, in [0, kSlotCount).
int KeySlot(absl::string_view key);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_SLOT_H_
