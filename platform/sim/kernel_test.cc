#include "platform/sim/kernel.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ddc::sim {
namespace {

TEST(KernelTest, RunsEventsInTimeOrderRegardlessOfSchedulingOrder) {
  Kernel kernel;
  std::vector<Time> ran_at;
  for (Time t : {300, 100, 200}) kernel.At(t, [&] { ran_at.push_back(kernel.now()); });
  kernel.RunUntilIdle();
  EXPECT_EQ(ran_at, (std::vector<Time>{100, 200, 300}));
}

TEST(KernelTest, RunsSimultaneousEventsInSchedulingOrder) {
  Kernel kernel;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) kernel.At(100, [&order, i] { order.push_back(i); });
  kernel.RunUntilIdle();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(KernelTest, EventScheduledForNowRunsAfterEventsAlreadyQueuedForNow) {
  Kernel kernel;
  std::vector<int> order;
  kernel.At(100, [&] {
    order.push_back(1);
    kernel.After(0, [&] { order.push_back(3); });
  });
  kernel.At(100, [&] { order.push_back(2); });
  kernel.RunUntilIdle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(KernelTest, EventInThePastIsClampedToNow) {
  Kernel kernel;
  kernel.RunUntil(500);
  Time ran_at = -1;
  kernel.At(100, [&] { ran_at = kernel.now(); });
  kernel.RunUntilIdle();
  EXPECT_EQ(ran_at, 500);
}

TEST(KernelTest, RunUntilStopsAtLimitAndAdvancesClockToIt) {
  Kernel kernel;
  std::vector<Time> ran_at;
  for (Time t : {100, 200, 201}) kernel.At(t, [&] { ran_at.push_back(kernel.now()); });
  kernel.RunUntil(200);
  EXPECT_EQ(ran_at, (std::vector<Time>{100, 200}));
  EXPECT_EQ(kernel.now(), 200);
  EXPECT_FALSE(kernel.idle());

  kernel.RunUntil(1000);
  EXPECT_EQ(ran_at, (std::vector<Time>{100, 200, 201}));
  EXPECT_EQ(kernel.now(), 1000);
  EXPECT_TRUE(kernel.idle());
}

TEST(KernelTest, RunUntilIdleLeavesClockAtLastEvent) {
  Kernel kernel;
  kernel.At(700, [] {});
  kernel.RunUntilIdle();
  EXPECT_EQ(kernel.now(), 700);
}

TEST(KernelTest, StopReturnsAfterTheRunningEvent) {
  Kernel kernel;
  std::vector<Time> ran_at;
  kernel.At(100, [&] {
    ran_at.push_back(kernel.now());
    kernel.Stop();
  });
  kernel.At(200, [&] { ran_at.push_back(kernel.now()); });
  kernel.RunUntil(1000);
  EXPECT_EQ(ran_at, (std::vector<Time>{100}));
  // A stopped run does not jump the clock to the limit.
  EXPECT_EQ(kernel.now(), 100);

  kernel.RunUntilIdle();
  EXPECT_EQ(ran_at, (std::vector<Time>{100, 200}));
}

TEST(KernelTest, CountsEventsRun) {
  Kernel kernel;
  for (int i = 0; i < 7; ++i) kernel.After(i, [] {});
  kernel.RunUntilIdle();
  EXPECT_EQ(kernel.events_run(), 7u);
}

TEST(KernelTest, ManyEventsRunInExactTimeThenSchedulingOrder) {
  // Thousands of events with many equal times, some scheduling more events while running, check
  // the heap against a stable sort by time: ties must run in scheduling order.
  Kernel kernel;
  std::mt19937_64 times(123);
  struct Scheduled {
    Time time;
    int id;
  };
  std::vector<Scheduled> scheduled;
  std::vector<int> ran;
  int next_id = 0;
  std::function<void(Time)> schedule = [&](Time when) {
    const int id = next_id++;
    scheduled.push_back({when, id});
    kernel.At(when, [&, id] {
      ran.push_back(id);
      // Every third event schedules a follow-up, at now or later, after the heap has shrunk.
      if (id % 3 == 0 && next_id < 6000) schedule(kernel.now() + static_cast<Time>(times() % 4));
    });
  };
  for (int i = 0; i < 4000; ++i) schedule(static_cast<Time>(times() % 500));
  kernel.RunUntilIdle();

  ASSERT_EQ(ran.size(), scheduled.size());
  // Follow-ups are scheduled during the run, so the reference order is by (time, id): ids grow
  // with scheduling order.
  std::vector<Scheduled> expected = scheduled;
  std::sort(expected.begin(), expected.end(), [](const Scheduled& a, const Scheduled& b) {
    return a.time != b.time ? a.time < b.time : a.id < b.id;
  });
  std::vector<int> expected_ids;
  for (const Scheduled& s : expected) expected_ids.push_back(s.id);
  EXPECT_EQ(ran, expected_ids);
  EXPECT_EQ(kernel.events_run(), scheduled.size());
}

TEST(KernelTest, PendingCallbacksAreDestroyedWithTheKernel) {
  auto token = std::make_shared<int>(0);
  {
    Kernel kernel;
    for (int i = 0; i < 3; ++i) kernel.At(1000 + i, [token] {});
    kernel.RunUntil(1000);
    EXPECT_EQ(token.use_count(), 3);  // the event at 1000 ran and released its copy
  }
  EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace ddc::sim
