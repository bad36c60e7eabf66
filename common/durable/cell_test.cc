// DurableCell: empty cells, replacement, reopening, bad input, and what a reader makes of a torn
// or garbage slot.
#include "common/durable/cell.h"

#include <string>

#include "common/durable/testing/durable_testing.h"
#include "gtest/gtest.h"

namespace ddc::durable {
namespace {

using testing::RunProcess;

TEST(DurableCellTest, EmptyCellReadsAsNotFoundThenKeepsTheLastWrite) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(Region page, co_await memory.Allocate(4096));
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell cell, co_await DurableCell::Open(memory, page.base));
    EXPECT_FALSE(cell.value().has_value());
    EXPECT_EQ(cell.sequence(), 0u);
    EXPECT_EQ((co_await cell.Read()).status().code(), absl::StatusCode::kNotFound);
    for (int i = 1; i <= 5; ++i) {
      DDC_CO_ASSERT_OK(co_await cell.Write(std::string(i * 100, static_cast<char>('a' + i))));
    }
    DDC_CO_ASSERT_OK(co_await cell.Write(""));  // an empty value is a value
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell again, co_await DurableCell::Open(memory, page.base));
    DDC_CO_ASSERT_TRUE(again.value().has_value());
    EXPECT_EQ(*again.value(), "");
    EXPECT_EQ(again.sequence(), 6u);
    DDC_CO_ASSERT_OK(co_await again.Write("seventh"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::string read, co_await cell.Read());
    EXPECT_EQ(read, "seventh");
  });
}

TEST(DurableCellTest, BadInputChangesNothing) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(Region page, co_await memory.Allocate(4096));
    EXPECT_EQ((co_await DurableCell::Open(memory, page.base + 8)).status().code(),
              absl::StatusCode::kInvalidArgument);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell cell, co_await DurableCell::Open(memory, page.base));
    DDC_CO_ASSERT_OK(co_await cell.Write("kept"));
    const std::string largest(DurableCell::kMaxValueBytes, 'x');
    const absl::Status too_big = co_await cell.Write(largest + "y");
    EXPECT_EQ(too_big.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(too_big.message().find("2033 bytes exceeds the limit of 2032"), std::string::npos)
        << too_big;
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell again, co_await DurableCell::Open(memory, page.base));
    EXPECT_EQ(again.value(), std::optional<std::string>("kept"));
    EXPECT_EQ(again.sequence(), 1u);
    DDC_CO_ASSERT_OK(co_await cell.Write(largest));
    DDC_CO_ASSERT_OK_AND_ASSIGN(std::string read, co_await cell.Read());
    EXPECT_EQ(read, largest);
  });
}

TEST(DurableCellTest, ATornOrGarbageSlotIsIgnored) {
  RunProcess("", [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(Region page, co_await memory.Allocate(4096));
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell cell, co_await DurableCell::Open(memory, page.base));
    DDC_CO_ASSERT_OK(co_await cell.Write("first"));   // slot 0
    DDC_CO_ASSERT_OK(co_await cell.Write("second"));  // slot 1
    // Tear slot 1 (the current value): the reader falls back to slot 0, never to garbage.
    DDC_CO_ASSERT_OK(co_await memory.Write(page.base + DurableCell::kSlotBytes + 20, "XX"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell torn, co_await DurableCell::Open(memory, page.base));
    EXPECT_EQ(torn.value(), std::optional<std::string>("first"));
    EXPECT_EQ(torn.sequence(), 1u);
    // The next write goes to the slot that does not hold the current value, with a newer number.
    DDC_CO_ASSERT_OK(co_await torn.Write("third"));
    EXPECT_EQ(torn.sequence(), 2u);
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell reopened,
                                co_await DurableCell::Open(memory, page.base));
    EXPECT_EQ(reopened.value(), std::optional<std::string>("third"));
    // Garbage everywhere reads as empty.
    DDC_CO_ASSERT_OK(co_await memory.Write(page.base, std::string(4096, '\x5a')));
    EXPECT_EQ((co_await reopened.Read()).status().code(), absl::StatusCode::kNotFound);
  });
}

TEST(DurableCellTest, WorksInsideLargePages) {
  RunProcess(testing::kLargePages, [](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    DDC_CO_ASSERT_OK_AND_ASSIGN(Region page, co_await memory.Allocate(1));
    const VirtAddr at = page.base + 37 * 4096;  // any 4 KiB block of the 2 MiB page
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell cell, co_await DurableCell::Open(memory, at));
    DDC_CO_ASSERT_OK(co_await cell.Write("in a large page"));
    DDC_CO_ASSERT_OK_AND_ASSIGN(DurableCell again, co_await DurableCell::Open(memory, at));
    EXPECT_EQ(again.value(), std::optional<std::string>("in a large page"));
  });
}

}  // namespace
}  // namespace ddc::durable
