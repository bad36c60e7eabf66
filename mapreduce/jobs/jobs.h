// The jobs the engine ships, written against the typed API (api.h, job.h):
//
// - WordCount over text (jobs/zipf_text.h): (word, count) for every word; hash partitioning;
//   with or without a combiner that sums counts on the map side.
// - TeraSort over gensort records (jobs/gensort.h): every record, sorted by its 10-byte key;
//   sampled range partitioning, so reducer r's output precedes reducer r+1's and the concatenated
//   output is globally sorted (check it with Valsort). Records that are not gensort data fail the
//   job (ValidateGensortRecord).
// - Grep over text: (word, occurrences) for every word containing `pattern`; little map output,
//   so a short shuffle.
//
// Each job's TaskCosts model its CPU per record and per byte (docs/cost-model.md, "MapReduce").
#ifndef DDC_MAPREDUCE_JOBS_JOBS_H_
#define DDC_MAPREDUCE_JOBS_JOBS_H_

#include <memory>
#include <string>

#include "mapreduce/input.h"
#include "mapreduce/plan.h"

namespace ddc::mapreduce {

struct JobShape {
  std::shared_ptr<const Dataset> input;
  int map_tasks = 4;
  int reduce_tasks = 4;
};

JobPlan WordCountJob(const JobShape& shape, bool combiner);
JobPlan TeraSortJob(const JobShape& shape);
JobPlan GrepJob(const JobShape& shape, std::string pattern);

// TeraSortRecord rebuilds the 100-byte record from a TeraSort output pair.
std::string TeraSortRecord(const std::string& key, const std::string& value);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_JOBS_JOBS_H_
