// PageWriter and PageReader: records in whole pages, the size limit, progress and resuming from
// it, what the reader refuses (zero, corrupt and misplaced pages), costs, a grant to a reader,
// large pages.
#include "common/durable/page_writer.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/durable/page_reader.h"
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

asio::awaitable<absl::StatusOr<std::vector<std::string>>> ReadAll(PageReader& reader) {
  std::vector<std::string> out;
  for (;;) {
    absl::StatusOr<std::optional<std::string>> record = co_await reader.Next();
    if (!record.ok()) co_return record.status();
    if (!*record) co_return out;
    out.push_back(**record);
  }
}

TEST(DurablePageWriterTest, AppendsFlushesAndReadsBack) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(memory));
    EXPECT_EQ(writer.MaxRecordBytes(), 4096 - 24 - 4);
    std::vector<std::string> expected;
    int64_t bytes = 0;
    for (int i = 0; i < 300; ++i) {
      const size_t size = i % 50 == 0 ? 4068 : i % 7 == 0 ? 0 : (i * 131) % 1500;
      expected.push_back(Payload(i, size));
      bytes += static_cast<int64_t>(size);
      DDC_CO_ASSERT_OK(co_await writer.Append(expected.back()));
      if (i == 150) DDC_CO_ASSERT_OK((co_await writer.Flush()).status());  // a flush midway
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress progress, co_await writer.Flush());
    EXPECT_EQ(progress.records, 300);
    EXPECT_EQ(progress.bytes, bytes);
    EXPECT_EQ(writer.Regions(), progress.Pages(4096));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader by_progress, PageReader::Create(memory, progress));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<std::string> read, co_await ReadAll(by_progress));
    EXPECT_TRUE(SameStrings(read, expected));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader by_regions,
                                PageReader::Create(memory, writer.Regions()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(read, co_await ReadAll(by_regions));
    EXPECT_TRUE(SameStrings(read, expected));
  });
}

TEST(DurablePageWriterTest, RecordsNeverStraddleAPage) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(self.memory()));
    // Two 2100-byte records do not fit one page's 4072 bytes: one per page.
    for (int i = 0; i < 5; ++i) DDC_CO_ASSERT_OK(co_await writer.Append(Payload(i, 2100)));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress progress, co_await writer.Flush());
    EXPECT_EQ(progress.pages, 5);
    // Four 1014-byte records fill a page exactly (4 * (4 + 1014) = 4072). The Flush closed the
    // fifth page, although it has room for one of them.
    for (int i = 0; i < 8; ++i) DDC_CO_ASSERT_OK(co_await writer.Append(Payload(i, 1014)));
    DDC_CO_ASSERT_OK_AND_ASSIGN(progress, co_await writer.Flush());
    EXPECT_EQ(progress.pages, 5 + 2);
    // A Flush with nothing new changes nothing; each Flush after an Append closes a page.
    DDC_CO_ASSERT_OK_AND_ASSIGN(progress, co_await writer.Flush());
    EXPECT_EQ(progress.pages, 7);
    DDC_CO_ASSERT_OK(co_await writer.Append("a"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(progress, co_await writer.Flush());
    DDC_CO_ASSERT_OK(co_await writer.Append("b"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(progress, co_await writer.Flush());
    EXPECT_EQ(progress.pages, 9);
    EXPECT_EQ(progress.records, 15);
  });
}

TEST(DurablePageWriterTest, ARecordLargerThanAPageIsRefusedAndChangesNothing) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(memory));
    DDC_CO_ASSERT_OK(co_await writer.Append("kept"));
    const absl::Status status = co_await writer.Append(std::string(4069, 'x'));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("record of 4069 bytes exceeds the limit of 4068 bytes"),
              std::string::npos)
        << status;
    EXPECT_EQ(writer.records(), 1);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress progress, co_await writer.Flush());
    EXPECT_EQ(progress.records, 1);
    EXPECT_EQ(progress.bytes, 4);
    EXPECT_EQ(PageWriter::Create(memory, {.initial_extent_pages = 0}).status().code(),
              absl::StatusCode::kInvalidArgument);
  });
}

TEST(DurablePageWriterTest, ResumeContinuesFromExactlyTheProgress) {
  RunProcess(testing::kTinyCacheRack, [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    const PageWriterOptions small{.initial_extent_pages = 1, .max_extent_pages = 2};
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(memory, small));
    std::vector<std::string> expected;
    for (int i = 0; i < 10; ++i) {
      expected.push_back(Payload(i, 900));
      DDC_CO_ASSERT_OK(co_await writer.Append(expected.back()));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress checkpoint, co_await writer.Flush());
    // Work after the checkpoint that a crash would lose: later pages are written and flushed.
    for (int i = 0; i < 9; ++i) DDC_CO_ASSERT_OK(co_await writer.Append(Payload(100 + i, 900)));
    DDC_CO_ASSERT_OK((co_await writer.Flush()).status());
    // Checkpoints go through their encoding, as a real one would.
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress decoded,
                                PageWriterProgress::Decode(checkpoint.Encode()));
    EXPECT_EQ(decoded, checkpoint);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter resumed,
                                co_await PageWriter::Resume(memory, decoded, small));
    EXPECT_EQ(resumed.records(), 10);
    // Readers of the checkpoint see exactly its records, whatever came after.
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader reader, PageReader::Create(memory, checkpoint));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<std::string> read, co_await ReadAll(reader));
    EXPECT_TRUE(SameStrings(read, expected));
    for (int i = 0; i < 7; ++i) {
      expected.push_back(Payload(200 + i, 1500));
      DDC_CO_ASSERT_OK(co_await resumed.Append(expected.back()));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress done, co_await resumed.Flush());
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader all, PageReader::Create(memory, resumed.Regions()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(read, co_await ReadAll(all));
    EXPECT_TRUE(SameStrings(read, expected));
    EXPECT_EQ(done.records, 17);
  });
}

TEST(DurablePageWriterTest, TheReaderRefusesPagesThatAreNotTheWritersOwn) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(memory));
    for (int i = 0; i < 12; ++i) DDC_CO_ASSERT_OK(co_await writer.Append(Payload(i, 1500)));
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress progress, co_await writer.Flush());
    const std::vector<Region> pages = writer.Regions();
    DDC_CO_ASSERT_TRUE(pages.size() == 1 && pages[0].length == 6 * 4096);
    auto read = [&](std::vector<Region> regions) -> asio::awaitable<absl::Status> {
      DDC_CO_ASSIGN_OR_RETURN(PageReader reader, PageReader::Create(memory, std::move(regions)));
      co_return (co_await ReadAll(reader)).status();
    };
    // A page the writer never wrote (zeros): the extent's spare page.
    const std::vector<Region> with_zero_page{Region{pages[0].base, 7 * 4096}};
    absl::Status status = co_await read(with_zero_page);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(
        status.message().find(absl::StrFormat("writer page 6 at 0x%x", pages[0].base + 6 * 4096)),
        std::string::npos)
        << status;
    // Pages out of order.
    const std::vector<Region> swapped{pages[0].Sub(4096, 4096), pages[0].Sub(0, 4096)};
    status = co_await read(swapped);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(status.message().find("holds page 1 of its writer"), std::string::npos) << status;
    // A corrupted page.
    DDC_CO_ASSERT_OK(co_await memory.Write(pages[0].base + 2 * 4096 + 100, "bit rot"));
    status = co_await read(pages);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(status.message().find("writer page 2"), std::string::npos) << status;
    // Fewer records than a progress promises.
    PageWriterProgress promise = progress;
    promise.records = 3;
    promise.pages = 1;  // holds 2
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader short_reader, PageReader::Create(memory, promise));
    status = (co_await ReadAll(short_reader)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    promise.records = 1;
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader long_reader, PageReader::Create(memory, promise));
    status = (co_await ReadAll(long_reader)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    // Not pages at all.
    const std::vector<Region> unaligned{Region{pages[0].base + 8, 4096}};
    EXPECT_EQ(PageReader::Create(memory, unaligned).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(PageWriterProgress::Decode("garbage").status().code(),
              absl::StatusCode::kInvalidArgument);
    PageWriterProgress inconsistent = progress;
    inconsistent.pages = 100;
    EXPECT_EQ((co_await PageWriter::Resume(memory, inconsistent)).status().code(),
              absl::StatusCode::kInvalidArgument);
  });
}

TEST(DurablePageWriterTest, WholePagesAreWrittenAndFlushedOncePerRun) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    RecordingMemory memory(self.memory(), self);
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer,
                                PageWriter::Create(memory, {.initial_extent_pages = 16}));
    for (int i = 0; i < 40; ++i) DDC_CO_ASSERT_OK(co_await writer.Append(Payload(i, 1000)));
    // 40 records of 1004 framed bytes: 10 full pages, 9 written so far (the 10th is open).
    EXPECT_EQ(memory.counts().writes, 9);
    EXPECT_EQ(memory.counts().bytes_written, 9 * 4096);
    EXPECT_EQ(memory.counts().flushes, 0);
    EXPECT_EQ(memory.counts().reads, 0);
    DDC_CO_ASSERT_OK((co_await writer.Flush()).status());
    EXPECT_EQ(memory.counts().writes, 10);
    EXPECT_EQ(memory.counts().flushes, 1);
  });
}

TEST(DurablePageWriterTest, AReducerReadsGrantedPages) {
  std::unique_ptr<Simulation> sim = testing::NewSim("");
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) expected.push_back(Payload(i, 10 + i * 37 % 2000));
  std::vector<std::string> read;
  const ProcessId reducer = ::ddc::testing_util::MustSpawn(
      *sim, "reducer", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        const Envelope in = co_await self.Receive();
        DDC_CO_ASSERT_TRUE(in.Is<platform::GrantNotice>());
        std::vector<Region> pages;
        for (const platform::RegionMsg& r : in.As<platform::GrantNotice>().regions()) {
          pages.push_back(Region{r.base(), r.length()});
        }
        DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader reader, PageReader::Create(self.memory(), pages));
        DDC_CO_ASSERT_OK_AND_ASSIGN(read, co_await ReadAll(reader));
      });
  ::ddc::testing_util::MustSpawn(
      *sim, "mapper", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(self.memory()));
        for (const std::string& record : expected) DDC_CO_ASSERT_OK(co_await writer.Append(record));
        DDC_CO_ASSERT_OK((co_await writer.Flush()).status());
        DDC_CO_ASSERT_OK(co_await self.memory().Grant(writer.Regions(), reducer));
      });
  sim->RunUntilIdle();
  EXPECT_TRUE(SameStrings(read, expected));
}

TEST(DurablePageWriterTest, WorksWithLargePages) {
  RunProcess(testing::kLargePages, [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter writer, PageWriter::Create(memory));
    EXPECT_EQ(writer.MaxRecordBytes(), (2 << 20) - 28);
    std::vector<std::string> expected;
    for (int i = 0; i < 30; ++i) {
      expected.push_back(Payload(i, 100000 + i * 7000));
      DDC_CO_ASSERT_OK(co_await writer.Append(expected.back()));
    }
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriterProgress progress, co_await writer.Flush());
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageWriter resumed, co_await PageWriter::Resume(memory, progress));
    expected.push_back(Payload(99, writer.MaxRecordBytes()));
    DDC_CO_ASSERT_OK(co_await resumed.Append(expected.back()));
    DDC_CO_ASSERT_OK_AND_ASSIGN(progress, co_await resumed.Flush());
    DDC_CO_ASSERT_OK_AND_ASSIGN(PageReader reader, PageReader::Create(memory, progress));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::vector<std::string> read, co_await ReadAll(reader));
    EXPECT_TRUE(SameStrings(read, expected));
  });
}

}  // namespace
}  // namespace ddc::durable
