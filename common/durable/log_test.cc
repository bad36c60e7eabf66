// DurableLog: appends of every size, batches, reopening, truncation and reuse of the ring over
// many laps, bad input, bytes past the tail (garbage, and a stale fragment of an earlier writer
// epoch), costs, a granted log, and 2 MiB pages.
#include "common/durable/log.h"

#include <deque>
#include <string>
#include <vector>

#include "common/durable/log_format.h"
#include "common/durable/testing/durable_testing.h"
#include "gtest/gtest.h"
#include "platform/notices.pb.h"
#include "platform/testing/simulation_testing.h"

namespace ddc::durable {
namespace {

using testing::Payload;
using testing::RecordingMemory;
using testing::RunProcess;
using testing::SameStrings;

// ReadAll reads every live record through a fresh reader.
asio::awaitable<absl::StatusOr<std::vector<LogRecord>>> ReadAll(const DurableLog& log) {
  LogReader reader = log.NewReader();
  std::vector<LogRecord> records;
  for (;;) {
    absl::StatusOr<std::optional<LogRecord>> record = co_await reader.Next();
    if (!record.ok()) co_return record.status();
    if (!*record) co_return records;
    records.push_back(**record);
  }
}

std::vector<std::string> Data(const std::vector<LogRecord>& records) {
  std::vector<std::string> out;
  for (const LogRecord& r : records) out.push_back(r.data);
  return out;
}

TEST(DurableLogTest, AppendsAndReadsBackRecordsOfEverySize) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log,
                                co_await DurableLog::Create(self.memory(), 1 << 16));
    EXPECT_GE(log.capacity_bytes(), 1 << 16);
    std::vector<std::string> expected;
    for (size_t size : {0, 1, 100, 4085, 4096, 10000, 0, 30000, 7}) {
      expected.push_back(Payload(static_cast<int>(expected.size()), size));
      DDC_CO_ASSERT_OK_AND_ASSIGN(uint64_t end, co_await log.Append(expected.back()));
      EXPECT_EQ(end, log.tail());
    }
    const std::vector<std::string> batch{"one", Payload(1, 5000), "three"};
    DDC_CO_ASSERT_OK_AND_ASSIGN(uint64_t end, co_await log.AppendBatch(batch));
    expected.insert(expected.end(), batch.begin(), batch.end());
    EXPECT_EQ(end, log.tail());
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(log));
    EXPECT_TRUE(SameStrings(Data(records), expected));
    for (size_t i = 0; i + 1 < records.size(); ++i) {
      EXPECT_EQ(records[i].end, records[i + 1].position) << i;
    }
    EXPECT_EQ(records.front().position, 0u);
    EXPECT_EQ(records.back().end, log.tail());
    // Reading from the middle.
    DDC_CO_ASSERT_OK_AND_ASSIGN(LogReader reader, log.NewReader(records[5].position));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::optional<LogRecord> fifth, co_await reader.Next());
    DDC_CO_ASSERT_TRUE(fifth.has_value());
    EXPECT_EQ(fifth->data, expected[5]);
  });
}

TEST(DurableLogTest, OpenRecoversTheRecordsAndANewEpoch) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 1 << 15));
    std::vector<std::string> expected;
    for (int i = 0; i < 6; ++i) {
      expected.push_back(Payload(i, 1000 + 1500 * i));
      DDC_CO_ASSERT_OK((co_await log.Append(expected.back())).status());
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog reopened, co_await DurableLog::Open(memory, log.root()));
    EXPECT_EQ(reopened.tail(), log.tail());
    EXPECT_EQ(reopened.head(), 0u);
    EXPECT_EQ(reopened.epoch(), log.epoch() + 1);
    EXPECT_EQ(reopened.Regions(), log.Regions());
    expected.push_back("after reopening");
    DDC_CO_ASSERT_OK((co_await reopened.Append(expected.back())).status());
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog third, co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(third));
    EXPECT_TRUE(SameStrings(Data(records), expected));
  });
}

TEST(DurableLogTest, TruncationReusesTheRingOverManyLaps) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 4 * 4096));
    std::deque<std::pair<uint64_t, std::string>> live;  // (position, data)
    uint64_t appended_bytes = 0;
    int truncations = 0;
    for (int i = 0; i < 300; ++i) {
      const std::string record = Payload(i, 100 + (i * 2654435761u) % 3000);
      const uint64_t position = log.tail();
      absl::StatusOr<uint64_t> end = co_await log.Append(record);
      while (absl::IsResourceExhausted(end.status())) {
        // Nothing changed: same tail, same records.
        EXPECT_EQ(log.tail(), position);
        DDC_CO_ASSERT_TRUE(!live.empty());
        live.pop_front();
        const uint64_t head = live.empty() ? log.tail() : live.front().first;
        DDC_CO_ASSERT_OK(co_await log.Truncate(head));
        EXPECT_EQ(log.head(), head);
        ++truncations;
        end = co_await log.Append(record);
      }
      DDC_CO_ASSERT_OK(end.status());
      live.emplace_back(position, record);
      appended_bytes += record.size();
      if (i % 50 == 49) {
        // A reopened log holds exactly the live records.
        DDC_CO_ASSERT_OK_AND_ASSIGN(log, co_await DurableLog::Open(memory, log.root()));
        DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(log));
        DDC_CO_ASSERT_TRUE(records.size() == live.size());
        for (size_t k = 0; k < records.size(); ++k) {
          EXPECT_EQ(records[k].position, live[k].first);
          EXPECT_EQ(records[k].data, live[k].second);
        }
      }
    }
    EXPECT_GT(appended_bytes, 20u * 4 * 4096) << "the ring went round at least 20 times";
    EXPECT_GT(truncations, 100);
  });
}

TEST(DurableLogTest, ALapEndsInsideTheHeadsBlockWithoutTouchingItsLiveBytes) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 2 * 4096));
    DDC_CO_ASSERT_OK((co_await log.Append(Payload(1, 3000))).status());
    const uint64_t b_start = log.tail();
    const std::string b = Payload(2, 3000);
    DDC_CO_ASSERT_OK((co_await log.Append(b)).status());
    DDC_CO_ASSERT_OK(co_await log.Truncate(b_start));
    // C wraps into ring block 0, which still holds the start of B, and fills the ring exactly:
    // the usable space is one ring past the head, and block 0 is written only up to C's end.
    const std::string c = Payload(3, 8192 - (log.tail() - b_start) - 2 * 11);
    DDC_CO_ASSERT_OK_AND_ASSIGN(uint64_t end, co_await log.Append(c));
    EXPECT_EQ(end, b_start + 8192);
    EXPECT_EQ(log.FreeBytes(), 0);
    EXPECT_EQ((co_await log.Append("")).status().code(), absl::StatusCode::kResourceExhausted);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog reopened, co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(reopened));
    EXPECT_TRUE(SameStrings(Data(records), {b, c}));
    EXPECT_EQ(reopened.tail(), end);
  });
}

TEST(DurableLogTest, BadInputLeavesTheLogUnchanged) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    EXPECT_EQ((co_await DurableLog::Create(memory, 100)).status().code(),
              absl::StatusCode::kInvalidArgument);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 2 * 4096));
    DDC_CO_ASSERT_OK((co_await log.Append("first")).status());
    const std::string second = Payload(2, 3000);
    DDC_CO_ASSERT_OK_AND_ASSIGN(uint64_t first_end, co_await log.Append(second));
    const uint64_t second_start = first_end - second.size() - log_format::kFragmentHeaderSize;
    const uint64_t tail = log.tail();
    const int64_t free_bytes = log.FreeBytes();

    const absl::Status never = (co_await log.Append(Payload(3, 9000))).status();
    EXPECT_EQ(never.code(), absl::StatusCode::kInvalidArgument) << never;
    const absl::Status full = (co_await log.Append(Payload(4, 6000))).status();
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
    EXPECT_NE(full.message().find("truncate first"), std::string::npos) << full;
    EXPECT_EQ((co_await log.Truncate(tail + 1)).code(), absl::StatusCode::kInvalidArgument);
    const absl::Status mid = co_await log.Truncate(second_start + 40);
    EXPECT_EQ(mid.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(mid.message().find("not the start of a record"), std::string::npos) << mid;
    EXPECT_EQ(log.NewReader(tail + 1).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(log.tail(), tail);
    EXPECT_EQ(log.head(), 0u);
    EXPECT_EQ(log.FreeBytes(), free_bytes);

    DDC_CO_ASSERT_OK(co_await log.Truncate(second_start));
    EXPECT_EQ((co_await log.Truncate(0)).code(), absl::StatusCode::kInvalidArgument);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog reopened, co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(reopened));
    EXPECT_TRUE(SameStrings(Data(records), std::vector<std::string>{second}));

    co_await testing::ExpectRefusesForeignRoots(
        memory, [&](VirtAddr root) -> asio::awaitable<absl::Status> {
          co_return (co_await DurableLog::Open(memory, root)).status();
        });
  });
}

TEST(DurableLogTest, BytesPastTheTailNeverBecomeRecords) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 4 * 4096));
    const VirtAddr ring = log.root() + 4096;
    DDC_CO_ASSERT_OK((co_await log.Append("acknowledged")).status());
    // What a crashed writer of this epoch may have left: record R2 never reached memory, but the
    // record after it did (the next block, evicted early). Forge that second record. R2 ends
    // exactly at a block boundary, so the ghost starts a block (where zero padding of a later
    // writer's last block cannot erase it).
    const std::string lost(4096 - log.tail() - log_format::kFragmentHeaderSize, 'L');
    uint64_t ghost_at = log.tail();
    log_format::EmitRecord(log.root(), log.epoch(), lost, ghost_at, nullptr);
    std::string ghost;
    uint64_t ghost_end = ghost_at;
    log_format::EmitRecord(log.root(), log.epoch(), "ghost", ghost_end, &ghost);
    const Region forged{ring + ghost_at % log.capacity_bytes(), static_cast<int64_t>(ghost.size())};
    DDC_CO_ASSERT_OK(co_await memory.Write(forged.base, ghost));
    DDC_CO_ASSERT_OK(co_await memory.Flush(forged));
    // Garbage right at the tail as well.
    DDC_CO_ASSERT_OK(co_await memory.Write(ring + log.tail() + 3, "garbage"));

    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog recovered,
                                co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(recovered));
    EXPECT_TRUE(SameStrings(Data(records), std::vector<std::string>{"acknowledged"}));
    // The new writer appends a record of R2's size: it ends exactly where the ghost begins. The
    // ghost is of an older epoch, so it stays dead.
    const std::string replacement(lost.size(), 'N');
    DDC_CO_ASSERT_OK_AND_ASSIGN(uint64_t end, co_await recovered.Append(replacement));
    EXPECT_EQ(end, ghost_at);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog again, co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(records, co_await ReadAll(again));
    EXPECT_TRUE(
        SameStrings(Data(records), (std::vector<std::string>{"acknowledged", replacement})));
    EXPECT_EQ(again.tail(), ghost_at);
  });
}

TEST(DurableLogTest, AnAppendCostsOneWriteAndOneFlush) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    RecordingMemory memory(self.memory(), self);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 1 << 16));
    memory.ResetCounts();
    DDC_CO_ASSERT_OK((co_await log.Append(Payload(1, 10000))).status());
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
    EXPECT_EQ(memory.counts().reads, 0);
    memory.ResetCounts();
    std::vector<std::string> batch;
    for (int i = 0; i < 8; ++i) batch.push_back(Payload(i, 700));
    DDC_CO_ASSERT_OK((co_await log.AppendBatch(batch)).status());
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
    memory.ResetCounts();
    DDC_CO_ASSERT_OK(co_await log.Truncate(log.tail()));
    EXPECT_EQ(memory.counts().writes, 1);
    EXPECT_EQ(memory.counts().flushes, 1);
  });
}

TEST(DurableLogTest, AGrantedLogIsOpenedByTheReceiver) {
  std::unique_ptr<Simulation> sim = testing::NewSim("");
  std::vector<std::string> seen;
  bool receiver_done = false;
  const ProcessId receiver = ::ddc::testing_util::MustSpawn(
      *sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        const Envelope in = co_await self.Receive();
        DDC_CO_ASSERT_TRUE(in.Is<platform::GrantNotice>());
        DDC_CO_ASSERT_OK_AND_ASSIGN(VirtAddr root, co_await self.memory().Lookup("granted/log"));
        DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Open(self.memory(), root));
        DDC_CO_ASSERT_OK((co_await log.Append("appended by the receiver")).status());
        DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(log));
        seen = Data(records);
        receiver_done = true;
      });
  ::ddc::testing_util::MustSpawn(
      *sim, "sender", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        Memory& memory = self.memory();
        DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 1 << 14));
        DDC_CO_ASSERT_OK((co_await log.Append("appended by the sender")).status());
        DDC_CO_ASSERT_OK(co_await memory.Publish("granted/log", log.root()));
        DDC_CO_ASSERT_OK(co_await memory.Grant(log.Regions(), receiver));
      });
  sim->RunUntilIdle();
  EXPECT_TRUE(receiver_done);
  EXPECT_EQ(seen, (std::vector<std::string>{"appended by the sender", "appended by the receiver"}));
}

TEST(DurableLogTest, WorksWithLargePages) {
  RunProcess(testing::kLargePages, [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog log, co_await DurableLog::Create(memory, 1 << 16));
    EXPECT_EQ(log.capacity_bytes(), (2 << 20) - 4096);  // the rest of the page
    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i) {
      expected.push_back(Payload(i, 3000 * i));
      DDC_CO_ASSERT_OK((co_await log.Append(expected.back())).status());
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableLog reopened, co_await DurableLog::Open(memory, log.root()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> records, co_await ReadAll(reopened));
    EXPECT_TRUE(SameStrings(Data(records), expected));
  });
}

}  // namespace
}  // namespace ddc::durable
