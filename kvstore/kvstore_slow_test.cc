// Many seeds of the store's correctness properties (label slow): every migration method and plan
// under YCSB A and F load, with and without a cancellation, and a crash of a shard after a grant
// migration in exposed mode. Each run's history (clients and a final read of every record) must
// be linearizable per key, and no slot may be owned by two shards at one epoch.
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/cluster_testing.h"

namespace ddc::kvstore {
namespace {

using testing::CheckRun;
using testing::RunStore;

ClusterOptions Options(uint64_t seed) {
  ClusterOptions options;
  options.record_count = 1000 + 250 * static_cast<int64_t>(seed % 4);
  options.value_bytes = 64 << (seed % 3);
  options.clients = 3;
  options.outstanding = 4;
  options.mix = seed % 2 == 0 ? YcsbMix::kA : YcsbMix::kF;
  options.warmup = Milliseconds(2);
  options.cooldown = Milliseconds(2);
  options.record_history = true;
  options.verify = true;
  options.migration.slots_per_batch = 16 << (seed % 3);
  options.migration.keys_per_batch = 1 + static_cast<int>(seed % 5);
  return options;
}

class SeededMigration : public ::testing::TestWithParam<std::tuple<Method, Plan, uint64_t, bool>> {
};

TEST_P(SeededMigration, LinearizableAndSingleOwner) {
  const auto [method, plan, seed, cancel] = GetParam();
  ClusterOptions options = Options(seed);
  options.plan = plan;
  options.migration.method = method;
  if (cancel) {
    options.migration.max_bytes_per_s = 8 << 20;
    options.cancel_after = Microseconds(500 + 700 * static_cast<int64_t>(seed % 5));
  }
  const Mode mode = method == GRANT ? Mode::kExposed : Mode::kTransparent;
  absl::StatusOr<testing::StoreRun> run = RunStore(mode, seed, options);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(CheckRun(*run).ok()) << CheckRun(*run);
  const ClusterObserver& observer = run->outcome->observer;
  if (cancel) {
    EXPECT_TRUE(observer.migration.ok() || absl::IsCancelled(observer.migration))
        << observer.migration;
  } else {
    EXPECT_TRUE(observer.migration.ok()) << observer.migration;
    EXPECT_EQ(observer.progress.slots_moved, observer.progress.slots_total);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, SeededMigration,
                         ::testing::Combine(::testing::Values(LEGACY, SNAPSHOT, GRANT),
                                            ::testing::Values(Plan::kScaleOut, Plan::kScaleIn,
                                                              Plan::kSplit),
                                            ::testing::Range<uint64_t>(1, 6), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<SeededMigration::ParamType>& info) {
                           std::string plan(PlanName(std::get<1>(info.param)));
                           for (char& c : plan) {
                             if (c == '-') c = '_';
                           }
                           return absl::StrCat(Method_Name(std::get<0>(info.param)), "_", plan,
                                               "_seed", std::get<2>(info.param),
                                               std::get<3>(info.param) ? "_cancel" : "");
                         });

class SeededCrash : public ::testing::TestWithParam<uint64_t> {};

// A grant scale-out first moves a third of shard 0's slots away; then shard 0's CE crashes and
// the standby must serve exactly the slots shard 0 still owned, from its directory.
TEST_P(SeededCrash, StandbyServesWhatTheShardOwnedAfterAGrant) {
  const uint64_t seed = GetParam();
  ClusterOptions options = Options(seed);
  options.plan = Plan::kScaleOut;
  options.migration.method = GRANT;
  options.standby = true;
  options.cooldown = Milliseconds(60);
  options.call_timeout = Milliseconds(5);
  absl::StatusOr<testing::StoreRun> run =
      RunStore(Mode::kExposed, seed, options, Milliseconds(20 + 3 * static_cast<int64_t>(seed)));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(CheckRun(*run).ok()) << CheckRun(*run);
  const ClusterObserver& observer = run->outcome->observer;
  ASSERT_TRUE(observer.migration.ok()) << observer.migration;
  EXPECT_GT(observer.takeover_at, observer.progress.finished_at);
  EXPECT_EQ(observer.slots_recovered, kSlotCount / 3 + 1 - (kSlotCount / 4 / 3 + 1));
  EXPECT_EQ(observer.slots_lost, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SeededCrash, ::testing::Range<uint64_t>(1, 9));

}  // namespace
}  // namespace ddc::kvstore
