// PageHashTable: the operations, values moving in and out of line, growth by splits and chains,
// space reuse, deterministic scans, bad input, costs, corruption, a granted table, large pages.
#include "common/durable/hash_table.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/durable/testing/durable_testing.h"
#include "gtest/gtest.h"
#include "platform/notices.pb.h"
#include "platform/testing/simulation_testing.h"

namespace ddc::durable {
namespace {

using testing::Payload;
using testing::RecordingMemory;
using testing::RunProcess;

int64_t TotalBytes(const std::vector<Region>& regions) {
  int64_t total = 0;
  for (const Region& r : regions) total += r.length;
  return total;
}

// Matches checks a scan against a model without printing values.
::testing::AssertionResult Matches(const std::vector<TableEntry>& scan,
                                   const std::map<std::string, std::string>& model) {
  std::map<std::string, std::string> seen;
  for (const TableEntry& e : scan) {
    if (!seen.emplace(e.key, e.value).second) {
      return ::testing::AssertionFailure() << "key " << e.key.substr(0, 20) << " twice";
    }
  }
  if (seen.size() != model.size()) {
    return ::testing::AssertionFailure() << seen.size() << " entries, expected " << model.size();
  }
  for (const auto& [key, value] : model) {
    auto it = seen.find(key);
    if (it == seen.end()) return ::testing::AssertionFailure() << "missing " << key.substr(0, 20);
    if (it->second != value) {
      return ::testing::AssertionFailure() << "wrong value for " << key.substr(0, 20);
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(DurablePageHashTableTest, PutGetDelete) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table, co_await PageHashTable::Create(self.memory()));
    EXPECT_EQ((co_await table.Get("absent")).status().code(), absl::StatusCode::kNotFound);
    DDC_CO_ASSERT_OK(co_await table.Put("k", "v1"));
    DDC_CO_ASSERT_OK(co_await table.Put("", "the empty key"));
    DDC_CO_ASSERT_OK(co_await table.Put("empty value", ""));
    DDC_CO_ASSERT_OK(co_await table.Put("k", "v2"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::string v, co_await table.Get("k"));
    EXPECT_EQ(v, "v2");
    DDC_CO_ASSERT_OK_AND_ASSIGN(v, co_await table.Get(""));
    EXPECT_EQ(v, "the empty key");
    DDC_CO_ASSERT_OK_AND_ASSIGN(v, co_await table.Get("empty value"));
    EXPECT_EQ(v, "");
    DDC_CO_ASSERT_OK(co_await table.Delete("k"));
    EXPECT_EQ((co_await table.Get("k")).status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ((co_await table.Delete("k")).code(), absl::StatusCode::kNotFound);
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
    EXPECT_TRUE(Matches(scan, {{"", "the empty key"}, {"empty value", ""}}));
  });
}

TEST(DurablePageHashTableTest, ValuesMoveInAndOutOfLineAndTheirSpaceIsReused) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table, co_await PageHashTable::Create(self.memory()));
    int64_t footprint = 0;
    for (int round = 0; round < 60; ++round) {
      for (size_t size : {10, 20000, 900, 5000, 0, 70000}) {
        const std::string value = Payload(round, size);
        DDC_CO_ASSERT_OK(co_await table.Put("key", value));
        DDC_CO_ASSERT_OK_AND_ASSIGN(std::string got, co_await table.Get("key"));
        EXPECT_TRUE(got == value) << "round " << round << " size " << size;
      }
      if (round == 1) footprint = TotalBytes(table.Regions());
    }
    // Replaced values' runs were freed and reused: the table did not grow after the first rounds.
    EXPECT_EQ(TotalBytes(table.Regions()), footprint);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTableStats stats, co_await table.Verify());
    EXPECT_EQ(stats.value_blocks, 18);  // 70000 bytes
    EXPECT_EQ(stats.leaked_blocks, 0);
    DDC_CO_ASSERT_OK(co_await table.Delete("key"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
    EXPECT_TRUE(scan.empty());
  });
}

TEST(DurablePageHashTableTest, GrowsBySplittingAndSurvivesReopening) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    PageHashTableOptions options;
    options.initial_buckets = 1;
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                co_await PageHashTable::Create(memory, options));
    std::map<std::string, std::string> model;
    for (int i = 0; i < 600; ++i) {
      const std::string key = absl::StrFormat("key-%04d", i);
      model[key] = Payload(i, 40 + i % 300);
      DDC_CO_ASSERT_OK(co_await table.Put(key, model[key]));
    }
    EXPECT_GT(table.bucket_count(), 20);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTableStats stats, co_await table.Verify());
    EXPECT_EQ(stats.buckets, table.bucket_count());
    EXPECT_EQ(stats.entries, 600);
    EXPECT_EQ(stats.stale_entries, 0) << "a split rewrites the bucket it split";
    EXPECT_EQ(stats.leaked_blocks, 0);
    for (int i = 0; i < 600; i += 3) {
      const std::string key = absl::StrFormat("key-%04d", i);
      DDC_CO_ASSERT_OK(co_await table.Delete(key));
      model.erase(key);
    }
    for (const auto& [key, value] : model) {
      DDC_CO_ASSERT_OK_AND_ASSIGN(std::string got, co_await table.Get(key));
      EXPECT_TRUE(got == value) << key;
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
    EXPECT_TRUE(Matches(scan, model));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable reopened,
                                co_await PageHashTable::Open(memory, table.root()));
    EXPECT_EQ(reopened.bucket_count(), table.bucket_count());
    EXPECT_EQ(reopened.Regions(), table.Regions());
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> again, co_await reopened.Scan());
    EXPECT_TRUE(again == scan) << "the same table scans in the same order";
  });
}

TEST(DurablePageHashTableTest, LongKeysMakeOverflowChains) {
  RunProcess(testing::kTinyCacheRack, [](Process& self) -> asio::awaitable<void> {
    PageHashTableOptions options;
    options.initial_buckets = 1;
    options.initial_pool_blocks = 2;
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                co_await PageHashTable::Create(self.memory(), options));
    std::map<std::string, std::string> model;
    // 1 KiB keys: three entries fill a block, so buckets chain before the splits catch up.
    for (int i = 0; i < 80; ++i) {
      std::string key = absl::StrFormat("long-key-%03d-", i);
      key.resize(PageHashTable::kMaxKeyBytes, static_cast<char>('A' + i % 26));
      model[key] = Payload(i, i % 4 == 0 ? 3000 : 100);
      DDC_CO_ASSERT_OK(co_await table.Put(key, model[key]));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
    EXPECT_TRUE(Matches(scan, model));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTableStats stats, co_await table.Verify());
    EXPECT_GT(stats.overflow_blocks, 0);
    EXPECT_GE(stats.longest_chain, 2);
    EXPECT_EQ(stats.entries, 80);
    EXPECT_EQ(stats.stale_entries, 0);
    EXPECT_EQ(stats.leaked_blocks, 0);
    // Delete everything in reverse: emptied overflow blocks leave their chains.
    for (auto it = model.rbegin(); it != model.rend(); ++it) {
      DDC_CO_ASSERT_OK(co_await table.Delete(it->first));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(scan, co_await table.Scan());
    EXPECT_TRUE(scan.empty());
    DDC_CO_ASSERT_OK_AND_ASSIGN(stats, co_await table.Verify());
    EXPECT_EQ(stats.overflow_blocks, 0);
    EXPECT_EQ(stats.value_blocks, 0);
    EXPECT_EQ(stats.leaked_blocks, 0);
  });
}

TEST(DurablePageHashTableTest, EqualHistoriesScanInEqualOrder) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    std::vector<std::vector<TableEntry>> scans;
    for (int copy = 0; copy < 2; ++copy) {
      DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                  co_await PageHashTable::Create(self.memory()));
      for (int i = 0; i < 200; ++i) {
        DDC_CO_ASSERT_OK(
            co_await table.Put(absl::StrFormat("k%d", i * 7919 % 1000), Payload(i, 50)));
        if (i % 5 == 0) (void)co_await table.Delete(absl::StrFormat("k%d", i * 31 % 1000));
      }
      DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
      scans.push_back(std::move(scan));
    }
    EXPECT_TRUE(scans[0] == scans[1]);
    EXPECT_GT(scans[0].size(), 100u);
  });
}

TEST(DurablePageHashTableTest, BadInputChangesNothing) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    PageHashTableOptions bad;
    bad.initial_buckets = 3;
    const absl::Status not_power = (co_await PageHashTable::Create(memory, bad)).status();
    EXPECT_EQ(not_power.code(), absl::StatusCode::kInvalidArgument) << not_power;
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table, co_await PageHashTable::Create(memory));
    DDC_CO_ASSERT_OK(co_await table.Put("kept", "value"));
    const std::vector<Region> regions = table.Regions();
    const std::string long_key(PageHashTable::kMaxKeyBytes + 1, 'k');
    const absl::Status key_status = co_await table.Put(long_key, "v");
    EXPECT_EQ(key_status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(key_status.message().find("key of 1025 bytes exceeds the limit of 1024"),
              std::string::npos)
        << key_status;
    EXPECT_EQ((co_await table.Get(long_key)).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ((co_await table.Delete(long_key)).code(), absl::StatusCode::kInvalidArgument);
    const std::string huge(PageHashTable::kMaxValueBytes + 1, 'v');
    const absl::Status value_status = co_await table.Put("kept", huge);
    EXPECT_EQ(value_status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(value_status.message().find("value of 67108865 bytes exceeds the limit"),
              std::string::npos)
        << value_status;
    EXPECT_EQ(table.Regions(), regions);
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
    EXPECT_TRUE(Matches(scan, {{"kept", "value"}}));
    co_await testing::ExpectRefusesForeignRoots(
        memory, [&](VirtAddr root) -> asio::awaitable<absl::Status> {
          co_return (co_await PageHashTable::Open(memory, root)).status();
        });
  });
}

TEST(DurablePageHashTableTest, AnUpdateThatFitsItsBucketIsOneWriteAndOneFlush) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    RecordingMemory memory(self.memory(), self);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table, co_await PageHashTable::Create(memory));
    DDC_CO_ASSERT_OK(co_await table.Put("a", "1"));
    memory.ResetCounts();
    DDC_CO_ASSERT_OK(co_await table.Put("b", "2"));
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
    EXPECT_EQ(memory.counts().reads, 1);  // the bucket
    memory.ResetCounts();
    DDC_CO_ASSERT_OK(co_await table.Put("a", "replaced"));
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
    memory.ResetCounts();
    DDC_CO_ASSERT_OK(co_await table.Delete("b"));
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
    // An out-of-line value: its run and the bitmap are flushed before the bucket (2 flushes,
    // plus a bitmap read the first time the pool is used).
    memory.ResetCounts();
    DDC_CO_ASSERT_OK(co_await table.Put("big", std::string(10000, 'b')));
    EXPECT_EQ(memory.counts().writes, 3);  // value run, bitmap block, bucket
    EXPECT_EQ(memory.counts().flushes, 2);
  });
}

TEST(DurablePageHashTableTest, ACorruptBucketIsDataLossNotGarbage) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    PageHashTableOptions options;
    options.initial_buckets = 1;  // the single bucket is the block after the root
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                co_await PageHashTable::Create(memory, options));
    DDC_CO_ASSERT_OK(co_await table.Put("k", "v"));
    DDC_CO_ASSERT_OK(co_await memory.Write(table.root() + 4096 + 26, "scribble"));
    const absl::Status status = (co_await table.Get("k")).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(status.message().find("checksum"), std::string::npos) << status;
  });
}

TEST(DurablePageHashTableTest, AGrantedTableIsUsableByTheReceiver) {
  std::unique_ptr<Simulation> sim = testing::NewSim("");
  std::map<std::string, std::string> model;
  for (int i = 0; i < 50; ++i)
    model[absl::StrFormat("key%d", i)] = Payload(i, i % 7 == 0 ? 9000 : 30);
  bool checked = false;
  const ProcessId receiver = ::ddc::testing_util::MustSpawn(
      *sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        const Envelope in = co_await self.Receive();
        DDC_CO_ASSERT_TRUE(in.Is<platform::GrantNotice>());
        DDC_CO_ASSERT_OK_AND_ASSIGN(VirtAddr root, co_await self.memory().Lookup("slot/7"));
        DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                    co_await PageHashTable::Open(self.memory(), root));
        DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await table.Scan());
        EXPECT_TRUE(Matches(scan, model));
        DDC_CO_ASSERT_OK(co_await table.Put("key0", "changed by the receiver"));
        DDC_CO_ASSERT_OK(co_await table.Put("new", std::string(7000, 'n')));
        DDC_CO_ASSERT_OK_AND_ASSIGN(std::string got, co_await table.Get("key0"));
        EXPECT_EQ(got, "changed by the receiver");
        checked = true;
      });
  ::ddc::testing_util::MustSpawn(
      *sim, "sender", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        Memory& memory = self.memory();
        DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table, co_await PageHashTable::Create(memory));
        for (const auto& [key, value] : model) DDC_CO_ASSERT_OK(co_await table.Put(key, value));
        DDC_CO_ASSERT_OK(co_await memory.Publish("slot/7", table.root()));
        DDC_CO_ASSERT_OK(co_await memory.Grant(table.Regions(), receiver));
        EXPECT_TRUE(memory.Regions().empty()) << "the table was all the sender had";
      });
  sim->RunUntilIdle();
  EXPECT_TRUE(checked);
}

TEST(DurablePageHashTableTest, WorksWithLargePages) {
  RunProcess(testing::kLargePages, [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    PageHashTableOptions options;
    options.initial_buckets = 2;
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable table,
                                co_await PageHashTable::Create(memory, options));
    std::map<std::string, std::string> model;
    for (int i = 0; i < 300; ++i) {
      const std::string key = absl::StrFormat("key-%d", i);
      model[key] = Payload(i, i % 10 == 0 ? 6000 : 200);
      DDC_CO_ASSERT_OK(co_await table.Put(key, model[key]));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageHashTable reopened,
                                co_await PageHashTable::Open(memory, table.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<TableEntry> scan, co_await reopened.Scan());
    EXPECT_TRUE(Matches(scan, model));
    for (const Region& r : reopened.Regions()) {
      EXPECT_EQ(r.base % (2 << 20), 0u);
      EXPECT_EQ(r.length % (2 << 20), 0);
    }
  });
}

}  // namespace
}  // namespace ddc::durable
