#include "kvstore/ycsb.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "kvstore/command.h"
#include "kvstore/slot.h"

namespace ddc::kvstore {
namespace {

std::map<YcsbOpType, int> Mix(YcsbMix mix, int draws) {
  YcsbGenerator generator = *YcsbGenerator::Create({.mix = mix, .record_count = 1000}, 2, 1);
  Rng rng(42);
  std::map<YcsbOpType, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[generator.Next(rng).type];
  return counts;
}

TEST(YcsbTest, MixesHaveTheirProportions) {
  auto a = Mix(YcsbMix::kA, 10000);
  EXPECT_NEAR(a[YcsbOpType::kUpdate], 5000, 250);
  auto b = Mix(YcsbMix::kB, 10000);
  EXPECT_NEAR(b[YcsbOpType::kUpdate], 500, 100);
  EXPECT_EQ(Mix(YcsbMix::kC, 1000)[YcsbOpType::kRead], 1000);
  auto d = Mix(YcsbMix::kD, 10000);
  EXPECT_NEAR(d[YcsbOpType::kInsert], 500, 100);
  auto f = Mix(YcsbMix::kF, 10000);
  EXPECT_NEAR(f[YcsbOpType::kReadModifyWrite], 5000, 250);
}

TEST(YcsbTest, WorkloadEIsRefusedWithItsReason) {
  absl::StatusOr<YcsbMix> e = ParseYcsbMix("E");
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("slot"), std::string::npos);
}

TEST(YcsbTest, InsertsOfDistinctClientsNeverCollide) {
  std::set<int64_t> seen;
  for (int client = 0; client < 3; ++client) {
    YcsbGenerator generator =
        *YcsbGenerator::Create({.mix = YcsbMix::kD, .record_count = 100}, 3, client);
    Rng rng(client);
    for (int i = 0; i < 2000; ++i) {
      YcsbOp op = generator.Next(rng);
      if (op.type == YcsbOpType::kInsert) {
        EXPECT_TRUE(seen.insert(op.record).second);
      }
      EXPECT_GE(op.record, 0);
    }
  }
}

TEST(YcsbTest, ZipfianKeysAreSkewedAndSpreadOverSlots) {
  YcsbGenerator generator = *YcsbGenerator::Create({.mix = YcsbMix::kC, .record_count = 10000});
  Rng rng(7);
  std::map<int64_t, int> hits;
  std::set<int> slots;
  for (int i = 0; i < 20000; ++i) {
    const int64_t record = generator.Next(rng).record;
    ++hits[record];
    slots.insert(KeySlot(RecordKey(record)));
  }
  int hottest = 0;
  for (const auto& [record, n] : hits) hottest = std::max(hottest, n);
  EXPECT_GT(hottest, 20000 / 100);  // the hottest key gets a few percent of the draws
  EXPECT_GT(slots.size(), 2000u);
}

TEST(YcsbTest, ValuesHaveTheirSizeAndName) {
  EXPECT_EQ(RecordValue("user1", 3, 1024).size(), 1024u);
  EXPECT_EQ(RecordValue("user1", 3, 1024).substr(0, 8), "user1#3:");
  EXPECT_EQ(RecordKey(0), RecordKey(0));
  EXPECT_NE(RecordKey(0), RecordKey(1));
  EXPECT_FALSE(YcsbGenerator::Create({.record_count = 0}).ok());
}

}  // namespace
}  // namespace ddc::kvstore
