#include "harness/experiments/mapreduce_jobs.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/reference.h"
#include "platform/status_macros.h"

namespace ddc::harness {

using mapreduce::JobOutcome;
using mapreduce::JobPlan;
using mapreduce::KvPair;

// MakePlan builds job `name` over `bytes` of input (the datasets are generated from the seed).
absl::StatusOr<JobPlan> MakePlan(const std::string& name, int64_t bytes, int tasks, uint64_t seed) {
  if (name == "terasort" || name == "terasort-skewed") {
    mapreduce::GensortOptions g;
    g.skewed = name == "terasort-skewed";
    g.records = bytes / mapreduce::kGensortRecordBytes;
    // Blocks of up to 1 MB, at least 64 of them, whatever the number of tasks: the dataset must
    // not depend on the job's shape (one verifier serves every shape of a size).
    g.block_records = std::max<int64_t>(1, std::min<int64_t>(10000, g.records / 64));
    g.seed = seed;
    DDC_ASSIGN_OR_RETURN(auto input, mapreduce::GensortDataset::Create(g));
    return mapreduce::TeraSortJob({input, tasks, tasks});
  }
  mapreduce::ZipfTextOptions z;
  z.bytes = bytes;
  z.block_bytes = std::max<int64_t>(4096, std::min<int64_t>(1 << 20, bytes / 64));
  z.seed = seed;
  DDC_ASSIGN_OR_RETURN(auto text, mapreduce::ZipfTextDataset::Create(z));
  if (name == "wordcount") return mapreduce::WordCountJob({text, tasks, tasks}, false);
  if (name == "wordcount-combiner") return mapreduce::WordCountJob({text, tasks, tasks}, true);
  return mapreduce::GrepJob({text, tasks, tasks}, "qq");
}

// Verifier checks a run's output: valsort for TeraSort, the reference for the others. The
// expected summary or output is computed once per (job, size) and shared by every run.
absl::StatusOr<JobVerifier> MakeVerifier(const JobPlan& plan) {
  if (plan.name == "terasort") {
    mapreduce::Valsort input;
    for (int64_t b = 0; b < plan.input->blocks(); ++b) {
      const std::string block = plan.input->Block(b);
      for (size_t at = 0; at < block.size(); at += mapreduce::kGensortRecordBytes) {
        input.Add(absl::string_view(block).substr(at, mapreduce::kGensortRecordBytes));
      }
    }
    const mapreduce::ValsortSummary want = input.summary();
    return JobVerifier([want](const JobOutcome& outcome) -> absl::Status {
      mapreduce::Valsort output;
      for (const auto& partition : outcome.output) {
        for (const KvPair& pair : partition) {
          output.Add(mapreduce::TeraSortRecord(pair.first, pair.second));
        }
      }
      const mapreduce::ValsortSummary& got = output.summary();
      if (got.unordered != 0 || got.records != want.records || got.checksum != want.checksum) {
        return absl::DataLossError(
            absl::StrCat("terasort output does not validate: ", got.unordered,
                         " records out of order, ", got.records, " records (input ", want.records,
                         "), checksum ", got.checksum, " (input ", want.checksum, ")"));
      }
      return absl::OkStatus();
    });
  }
  DDC_ASSIGN_OR_RETURN(std::vector<KvPair> reference, mapreduce::RunReference(plan));
  auto want =
      std::make_shared<const std::vector<KvPair>>(mapreduce::SortedPairs(std::move(reference)));
  const std::string name = plan.name;
  return JobVerifier([want, name](const JobOutcome& outcome) -> absl::Status {
    if (mapreduce::SortedPairs(outcome.AllOutput()) != *want) {
      return absl::DataLossError(
          absl::StrCat("job ", name, ": the output differs from the single-process reference"));
    }
    return absl::OkStatus();
  });
}

}  // namespace ddc::harness
