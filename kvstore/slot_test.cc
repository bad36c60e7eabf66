#include "kvstore/slot.h"

#include "gtest/gtest.h"
#include "kvstore/slot_table.h"

namespace ddc::kvstore {
namespace {

// The Redis Cluster specification's CRC16 test vector.
TEST(SlotTest, Crc16MatchesRedisClusterSpecVector) { EXPECT_EQ(Crc16("123456789"), 0x31C3); }

TEST(SlotTest, KeySlotMatchesRedisClusterKeyslot) {
  // CLUSTER KEYSLOT examples from the Redis documentation.
  EXPECT_EQ(KeySlot("somekey"), 11058);
  EXPECT_EQ(KeySlot("foo{hash_tag}"), 2515);
  EXPECT_EQ(KeySlot("bar{hash_tag}"), 2515);
  EXPECT_EQ(Crc16(""), 0);
}

TEST(SlotTest, HashTagsFollowTheSpec) {
  EXPECT_EQ(HashTag("{user1000}.following"), "user1000");
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
  EXPECT_EQ(HashTag("foo{}{bar}"), "foo{}{bar}");  // empty tag: the whole key
  EXPECT_EQ(HashTag("foo{{bar}}zap"), "{bar");     // from the first '{' to the first '}'
  EXPECT_EQ(HashTag("foo{bar}{zap}"), "bar");      // only the first tag counts
  EXPECT_EQ(HashTag("foo{bar"), "foo{bar");        // no closing brace
}

TEST(SlotTableTest, EvenSplitsAndRoundTrips) {
  const std::vector<ProcessId> shards = {ProcessId{0}, ProcessId{1}, ProcessId{2}};
  SlotTable table = SlotTable::Even(shards, 1);
  EXPECT_EQ(table.owner(0).shard, ProcessId{0});
  EXPECT_EQ(table.owner(kSlotCount - 1).shard, ProcessId{2});
  EXPECT_EQ(table.SlotsOf(ProcessId{1}).size(), 5461u);
  EXPECT_TRUE(table.Learn(7, ProcessId{2}, 5));
  EXPECT_FALSE(table.Learn(7, ProcessId{1}, 5));  // not newer
  EXPECT_FALSE(table.Learn(7, ProcessId{1}, 3));
  EXPECT_EQ(table.epoch(), 5u);
  SlotTable copy;
  ASSERT_TRUE(copy.FromProto(table.ToProto()).ok());
  for (int slot = 0; slot < kSlotCount; ++slot) {
    EXPECT_EQ(copy.owner(slot).shard, table.owner(slot).shard);
    EXPECT_EQ(copy.owner(slot).epoch, table.owner(slot).epoch);
  }
}

TEST(SlotTableTest, BadRangeIsRefusedAndChangesNothing) {
  SlotTable table = SlotTable::Even({ProcessId{4}}, 2);
  SlotTableReply bad;
  SlotRange* range = bad.add_ranges();
  range->set_first(10);
  range->set_last(kSlotCount);
  EXPECT_EQ(table.FromProto(bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.owner(kSlotCount - 1).shard, ProcessId{4});
}

}  // namespace
}  // namespace ddc::kvstore
