// HistoryRecorder (history.h).
#include "common/lincheck/history.h"

#include <string>

#include "absl/status/status.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/jsonl.h"
#include "common/lincheck/kv_model.h"
#include "common/lincheck/test_history.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc::lincheck {
namespace {

using ::testing::HasSubstr;

Output Ok() { return Output(); }
Output Seen(std::string value) {
  Output output;
  output.value = std::move(value);
  return output;
}

TEST(LincheckHistoryRecorderTest, RecordsCallsInOrderWithTheirResults) {
  HistoryRecorder recorder;
  const CallHandle put = recorder.Call(1, testing::Put(0, "k", "v", 0).input, 100);
  const CallHandle get = recorder.Call(2, testing::Get(0, "k", "v", 0).input, 150);
  ASSERT_TRUE(recorder.Return(get, Seen("v"), 300).ok());
  ASSERT_TRUE(recorder.Return(put, Ok(), 200).ok());
  const std::vector<Operation>& history = recorder.Operations();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].id, 0);
  EXPECT_EQ(history[0].client, 1);
  EXPECT_EQ(history[0].input.value, "v");
  EXPECT_EQ(history[0].call, 100);
  EXPECT_EQ(history[0].ret, 200);
  EXPECT_EQ(history[1].id, 1);
  EXPECT_EQ(history[1].output.value, "v");
  EXPECT_EQ(history[1].ret, 300);
  absl::StatusOr<CheckResult> result = Check(KvModel(), history);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kOk);
}

TEST(LincheckHistoryRecorderTest, TimedOutAndPendingCallsAreUnknown) {
  HistoryRecorder recorder;
  const CallHandle timed_out = recorder.Call(1, testing::Put(0, "k", "v", 0).input, 100);
  recorder.Call(2, testing::Put(0, "k", "w", 0).input, 110);  // still pending
  ASSERT_TRUE(recorder.MarkUnknown(timed_out).ok());
  for (const Operation& op : recorder.Operations()) {
    EXPECT_EQ(op.output.outcome, Outcome::kUnknown);
    EXPECT_EQ(op.ret, kInfiniteTime);
  }
  // An unknown put observed and then un-observed is caught once the reads are recorded.
  const CallHandle seen = recorder.Call(3, testing::Get(0, "k", "v", 0).input, 200);
  ASSERT_TRUE(recorder.Return(seen, Seen("v"), 210).ok());
  const CallHandle gone = recorder.Call(3, testing::Get(0, "k", "v", 0).input, 220);
  Output not_found;
  not_found.outcome = Outcome::kNotFound;
  ASSERT_TRUE(recorder.Return(gone, not_found, 230).ok());
  absl::StatusOr<CheckResult> result = Check(KvModel(), recorder.Operations());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kIllegal);
}

TEST(LincheckHistoryRecorderTest, RejectsMisuse) {
  HistoryRecorder recorder;
  const CallHandle put = recorder.Call(1, testing::Put(0, "k", "v", 0).input, 100);
  EXPECT_EQ(recorder.Return(put, Ok(), 99).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(recorder.Return(put, Ok(), kInfiniteTime).code(), absl::StatusCode::kInvalidArgument);
  Output unknown;
  unknown.outcome = Outcome::kUnknown;
  EXPECT_THAT(recorder.Return(put, unknown, 200).message(), HasSubstr("use MarkUnknown"));
  EXPECT_EQ(recorder.Return(CallHandle{7}, Ok(), 200).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(recorder.Return(CallHandle(), Ok(), 200).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(recorder.Return(put, Ok(), 200).ok());
  EXPECT_EQ(recorder.Return(put, Ok(), 300).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(recorder.MarkUnknown(put).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(recorder.Operations()[0].ret, 200) << "failed calls change nothing";
}

TEST(LincheckHistoryRecorderTest, WritesJsonlThatReadsBack) {
  HistoryRecorder recorder;
  const CallHandle put = recorder.Call(1, testing::Put(0, "k", "v", 0).input, 100);
  ASSERT_TRUE(recorder.Return(put, Ok(), 200).ok());
  recorder.Call(2, testing::Delete(0, "k", 0).input, 150);
  const std::string path = ::testing::TempDir() + "/history_recorder_test.jsonl";
  ASSERT_TRUE(recorder.WriteJsonl(path).ok());
  absl::StatusOr<std::vector<Operation>> read = ReadJsonlFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(ToJsonl(*read), ToJsonl(recorder.Operations()));
}

}  // namespace
}  // namespace ddc::lincheck
