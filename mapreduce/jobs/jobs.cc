#include "mapreduce/jobs/jobs.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "mapreduce/api.h"
#include "mapreduce/job.h"
#include "mapreduce/jobs/gensort.h"

namespace ddc::mapreduce {
namespace {

class WordMapper final : public Mapper<uint64_t, std::string, std::string, uint64_t> {
 public:
  absl::Status Map(const uint64_t&, const std::string& line, Emitter<std::string, uint64_t>& out,
                   TaskContext&) override {
    for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      DDC_RETURN_IF_ERROR(out.Emit(std::string(word), 1));
    }
    return absl::OkStatus();
  }
};

class GrepMapper final : public Mapper<uint64_t, std::string, std::string, uint64_t> {
 public:
  explicit GrepMapper(std::string pattern) : pattern_(std::move(pattern)) {}
  absl::Status Map(const uint64_t&, const std::string& line, Emitter<std::string, uint64_t>& out,
                   TaskContext& context) override {
    for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      if (!absl::StrContains(word, pattern_)) continue;
      context.counters().Add("grep_matches", 1);
      DDC_RETURN_IF_ERROR(out.Emit(std::string(word), 1));
    }
    return absl::OkStatus();
  }

 private:
  std::string pattern_;
};

class SumReducer final : public Reducer<std::string, uint64_t, std::string, uint64_t> {
 public:
  absl::Status Reduce(const std::string& key, Values<uint64_t>& values,
                      Emitter<std::string, uint64_t>& out, TaskContext&) override {
    uint64_t sum = 0;
    while (std::optional<uint64_t> v = values.Next()) sum += *v;
    return out.Emit(key, sum);
  }
};

class IdentityMapper final : public Mapper<std::string, std::string, std::string, std::string> {
 public:
  absl::Status Map(const std::string& key, const std::string& value,
                   Emitter<std::string, std::string>& out, TaskContext&) override {
    return out.Emit(key, value);
  }
};

class IdentityReducer final : public Reducer<std::string, std::string, std::string, std::string> {
 public:
  absl::Status Reduce(const std::string& key, Values<std::string>& values,
                      Emitter<std::string, std::string>& out, TaskContext&) override {
    while (std::optional<std::string> v = values.Next()) DDC_RETURN_IF_ERROR(out.Emit(key, *v));
    return absl::OkStatus();
  }
};

InputFormat<std::string, std::string> GensortInput() {
  InputFormat<std::string, std::string> format;
  format.records = FixedRecords(kGensortRecordBytes);
  format.parse = [](int64_t, absl::string_view record, std::string* key, std::string* value) {
    DDC_RETURN_IF_ERROR(ValidateGensortRecord(record));
    key->assign(record.data(), kGensortKeyBytes);
    value->assign(record.data() + kGensortKeyBytes, kGensortRecordBytes - kGensortKeyBytes);
    return absl::OkStatus();
  };
  return format;
}

}  // namespace

JobPlan WordCountJob(const JobShape& shape, bool combiner) {
  Job<uint64_t, std::string, std::string, uint64_t, std::string, uint64_t> job;
  job.name = combiner ? "wordcount-combiner" : "wordcount";
  job.input = shape.input;
  job.map_tasks = shape.map_tasks;
  job.reduce_tasks = shape.reduce_tasks;
  job.input_format = TextInput();
  job.mapper = [] { return std::make_unique<WordMapper>(); };
  if (combiner) job.combiner = [] { return std::make_unique<SumReducer>(); };
  job.reducer = [] { return std::make_unique<SumReducer>(); };
  // Tokenizing: about 2 ns per byte of text and 20 ns per word emitted.
  job.costs.map_per_byte_ns = 2.0;
  return job.Compile();
}

JobPlan TeraSortJob(const JobShape& shape) {
  Job<std::string, std::string, std::string, std::string, std::string, std::string> job;
  job.name = "terasort";
  job.input = shape.input;
  job.map_tasks = shape.map_tasks;
  job.reduce_tasks = shape.reduce_tasks;
  job.input_format = GensortInput();
  job.mapper = [] { return std::make_unique<IdentityMapper>(); };
  job.reducer = [] { return std::make_unique<IdentityReducer>(); };
  job.partitioner.kind = PartitionerKind::kSampledRange;
  job.partitioner.samples_per_split = 1000;
  // Validating and cutting a record: about 0.5 ns per byte.
  job.costs.map_per_byte_ns = 0.5;
  return job.Compile();
}

JobPlan GrepJob(const JobShape& shape, std::string pattern) {
  Job<uint64_t, std::string, std::string, uint64_t, std::string, uint64_t> job;
  job.name = "grep";
  job.input = shape.input;
  job.map_tasks = shape.map_tasks;
  job.reduce_tasks = shape.reduce_tasks;
  job.input_format = TextInput();
  job.mapper = [pattern] { return std::make_unique<GrepMapper>(pattern); };
  job.combiner = [] { return std::make_unique<SumReducer>(); };
  job.reducer = [] { return std::make_unique<SumReducer>(); };
  // Scanning for a substring: about 1 ns per byte.
  job.costs.map_per_byte_ns = 1.0;
  return job.Compile();
}

std::string TeraSortRecord(const std::string& key, const std::string& value) { return key + value; }

}  // namespace ddc::mapreduce
