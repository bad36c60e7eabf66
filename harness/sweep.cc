#include "harness/sweep.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/text_format.h"
#include "harness/output.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr char kHeadlineFile[] = "headline.txt";
constexpr char kPointsFile[] = "points.csv";

// TimeoutsComment records, in every run's config file, the failure-detection timeouts the rule
// (CostModel::AggressiveTimeouts) gives under this config, which experiments with timeout-based
// detection use.
std::string TimeoutsComment(const PlatformConfig& config) {
  const CostModel model(config.cost_model());
  std::string out;
  for (bool same_rack : {true, false}) {
    const FailureTimeouts t = model.AggressiveTimeouts(same_rack);
    absl::StrAppend(&out, "# failure timeouts, ", same_rack ? "intra-rack" : "cross-rack",
                    " (docs/architecture.md, \"Fair timeouts\"): heartbeat every ",
                    t.heartbeat_interval, " ns, suspect after ", t.failure_timeout, " ns\n");
  }
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The context columns that open every CSV a run writes (docs/experiments.md, "CSV schema"): the
// experiment, the point and its seed, each sweep axis, then each of the spec's params that no axis
// sets. They are the same for every point of a spec, so merged files have one header.
std::vector<std::string> UnsweptParams(const ExperimentSpec& spec) {
  std::vector<std::string> names;
  for (const Param& param : spec.params()) {
    const std::string field = absl::StrCat("params.", param.name());
    bool swept = false;
    for (const SweepAxis& axis : spec.sweep()) swept |= axis.field() == field;
    if (!swept) names.push_back(param.name());
  }
  return names;
}

std::string ContextHeader(const ExperimentSpec& spec) {
  std::string header = "experiment,point,seed";
  for (const SweepAxis& axis : spec.sweep()) absl::StrAppend(&header, ",", CsvEscape(axis.field()));
  for (const std::string& name : UnsweptParams(spec))
    absl::StrAppend(&header, ",", CsvEscape(absl::StrCat("params.", name)));
  return header;
}

std::string ContextValues(const ExperimentSpec& spec, const SweepPoint& point) {
  std::string values =
      absl::StrCat(CsvEscape(spec.experiment()), ",", point.index, ",", point.seed);
  for (const auto& [field, value] : point.settings) absl::StrAppend(&values, ",", CsvEscape(value));
  for (const std::string& name : UnsweptParams(spec)) {
    auto it = point.params.find(name);
    absl::StrAppend(&values, ",", it == point.params.end() ? "" : CsvEscape(it->second));
  }
  return values;
}

std::string Describe(const SweepPoint& point) {
  std::string out = absl::StrCat("point ", point.index, " (seed ", point.seed);
  for (const auto& [field, value] : point.settings) absl::StrAppend(&out, ", ", field, "=", value);
  return out + ")";
}

}  // namespace

std::string PointDir(absl::string_view out_dir, int index) {
  return absl::StrFormat("%s/points/%04d", out_dir, index);
}

absl::StatusOr<ExperimentResult> RunPoint(const ExperimentSpec& spec, const SweepPoint& point,
                                          const ExperimentFactory& make, const std::string& dir) {
  std::unique_ptr<Experiment> experiment = make(spec.experiment());
  if (experiment == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown experiment \"", spec.experiment(), "\" (see `ddc list`)"));
  }
  // Every param must be one the experiment reads: a typo must not pass silently.
  const std::vector<std::string> known = experiment->parameters();
  for (const auto& [name, value] : point.params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", name, ": ", spec.experiment(), " does not read it (it reads: ",
                       known.empty() ? "none" : absl::StrJoin(known, ", "), ")"));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  // A directory a previous run finished (it has a headline) holds that run's CSVs: remove them, so
  // that a file this run does not write is not taken for its output, nor stamped twice.
  if (std::filesystem::remove(std::filesystem::path(dir) / kHeadlineFile, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".csv")
        std::filesystem::remove(entry.path(), ec);
    }
  }

  std::string header = absl::StrCat("# ddc run ", spec.experiment(), " --seed ", point.seed);
  for (const auto& [name, value] : point.params)
    absl::StrAppend(&header, " --set ", name, "=", value);
  absl::StrAppend(&header, " --config THIS_FILE\n");
  for (const auto& [field, value] : point.settings)
    absl::StrAppend(&header, "# sweep point: ", field, "=", value, "\n");
  absl::StrAppend(&header, TimeoutsComment(point.config), "# resolved config:\n");
  std::string config_text;
  google::protobuf::TextFormat::PrintToString(point.config, &config_text);
  DDC_RETURN_IF_ERROR(
      WriteFile(dir, absl::StrCat(spec.experiment(), ".config.txtpb"), header + config_text));

  absl::StatusOr<ExperimentResult> result =
      experiment->Run({point.config, point.seed, dir, point.params});
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat(spec.experiment(), ": ", result.status().message()));
  }
  if (!result->findings.empty()) {
    CsvTable findings({"claim", "what", "unit", "transparent", "exposed",
                       "transparent_over_exposed", "holds", "why"});
    for (const Finding& f : result->findings) {
      findings.AddCells({f.claim, CsvEscape(f.what), f.unit, absl::StrCat(f.transparent),
                         absl::StrCat(f.exposed),
                         f.exposed == 0 ? "" : absl::StrFormat("%.3f", f.transparent / f.exposed),
                         f.holds ? "yes" : "no", CsvEscape(f.why)});
    }
    DDC_RETURN_IF_ERROR(WriteFile(dir, "findings.csv", findings.Render()));
  }
  DDC_RETURN_IF_ERROR(WriteFile(dir, kHeadlineFile, result->headline + "\n"));
  return result;
}

namespace {

// MergeFrom writes into `out_dir` every CSV the points wrote, each row opened by its point's
// context columns, in point order; `source` says where a point's files are. With one point,
// `source` may be `out_dir` itself: each file is read whole before it is rewritten.
absl::Status MergeFrom(const ExperimentSpec& spec, const std::vector<SweepPoint>& points,
                       const std::string& out_dir,
                       const std::function<std::string(const SweepPoint&)>& source) {
  namespace fs = std::filesystem;
  std::vector<std::string> headlines;
  for (const SweepPoint& point : points) {
    absl::StatusOr<std::string> headline = ReadFile(fs::path(source(point)) / kHeadlineFile);
    if (!headline.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("merge: ", Describe(point),
                                                        " has not finished (no ", source(point),
                                                        "/", kHeadlineFile, ")"));
    }
    headlines.push_back(std::string(absl::StripSuffix(*headline, "\n")));
  }
  // The CSVs are those of the first point, in name order; every point must have written the same.
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(source(points.front()), ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && absl::EndsWith(name, ".csv") && name != kPointsFile)
      names.push_back(name);
  }
  if (ec) {
    return absl::NotFoundError(absl::StrCat("merge: ", source(points.front()), ": ", ec.message()));
  }
  std::sort(names.begin(), names.end());
  const std::string context_header = ContextHeader(spec);
  for (const std::string& name : names) {
    std::string merged;
    std::string first_header;
    for (const SweepPoint& point : points) {
      absl::StatusOr<std::string> text = ReadFile(fs::path(source(point)) / name);
      if (!text.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat("merge: ", Describe(point), " did not write ", name));
      }
      std::vector<absl::string_view> lines = absl::StrSplit(*text, '\n', absl::SkipEmpty());
      if (lines.empty()) continue;
      if (point.index == points.front().index) {
        first_header = std::string(lines[0]);
        absl::StrAppend(&merged, context_header, ",", lines[0], "\n");
      } else if (lines[0] != first_header) {
        return absl::FailedPreconditionError(absl::StrCat("merge: ", name, " of ", Describe(point),
                                                          " has another header than point 0's"));
      }
      const std::string values = ContextValues(spec, point);
      for (size_t l = 1; l < lines.size(); ++l)
        absl::StrAppend(&merged, values, ",", lines[l], "\n");
    }
    DDC_RETURN_IF_ERROR(WriteFile(out_dir, name, merged));
  }
  if (points.size() == 1) return absl::OkStatus();
  std::string index = context_header + ",headline\n";
  for (size_t i = 0; i < points.size(); ++i) {
    absl::StrAppend(&index, ContextValues(spec, points[i]), ",", CsvEscape(headlines[i]), "\n");
  }
  return WriteFile(out_dir, kPointsFile, index);
}

}  // namespace

absl::Status RunSweep(const ExperimentSpec& spec, const std::vector<SweepPoint>& points,
                      const ExperimentFactory& make, const std::string& out_dir,
                      const SweepOptions& options) {
  if (points.empty()) return absl::InvalidArgumentError("a sweep with no points");
  const bool single = points.size() == 1;
  std::vector<absl::Status> failures(points.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex done_mutex;
  int done = 0;
  auto worker = [&] {
    for (size_t i = next++; i < points.size() && !failed; i = next++) {
      const std::string dir = single ? out_dir : PointDir(out_dir, points[i].index);
      absl::StatusOr<ExperimentResult> result = RunPoint(spec, points[i], make, dir);
      if (!result.ok()) {
        failures[i] = result.status();
        failed = true;
      }
      std::lock_guard<std::mutex> lock(done_mutex);
      ++done;
      if (options.on_done) options.on_done(points[i], result, done);
    }
  };
  const int jobs = std::clamp<int>(options.jobs, 1, static_cast<int>(points.size()));
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < points.size(); ++i) {
    if (failures[i].ok()) continue;
    if (single) return failures[i];
    return absl::Status(failures[i].code(),
                        absl::StrCat(Describe(points[i]), ": ", failures[i].message()));
  }
  // A single point ran straight into out_dir; its CSVs gain their context columns in place.
  if (single) return MergeFrom(spec, points, out_dir, [&](const SweepPoint&) { return out_dir; });
  return MergePoints(spec, points, out_dir);
}

absl::Status MergePoints(const ExperimentSpec& spec, const std::vector<SweepPoint>& points,
                         const std::string& out_dir) {
  if (points.empty()) return absl::InvalidArgumentError("merge: no points");
  return MergeFrom(spec, points, out_dir,
                   [&](const SweepPoint& point) { return PointDir(out_dir, point.index); });
}

absl::Status EmitSlurm(const ExperimentSpec& spec, int point_count, const std::string& dir,
                       const std::string& ddc_binary) {
  if (point_count < 1) return absl::InvalidArgumentError("emit-slurm: a sweep with no points");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir) / "logs", ec);
  if (ec)
    return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string abs_dir = std::filesystem::absolute(dir).lexically_normal().string();
  std::string spec_text;
  google::protobuf::TextFormat::PrintToString(spec, &spec_text);
  DDC_RETURN_IF_ERROR(WriteFile(
      dir, "spec.textproto",
      absl::StrCat("# written by `ddc sweep --emit-slurm`; the array's tasks run its points\n",
                   spec_text)));
  const std::string script = absl::StrCat(
      "#!/bin/bash\n", "# One task per point of ", abs_dir, "/spec.textproto (", point_count,
      " points).\n", "# Submit: sbatch ", abs_dir, "/sweep.sbatch     then: ", ddc_binary,
      " merge ", abs_dir, "\n", "#SBATCH --job-name=ddc-", spec.experiment(), "\n",
      "#SBATCH --array=0-", point_count - 1, "\n", "#SBATCH --ntasks=1\n",
      "#SBATCH --cpus-per-task=1\n", "#SBATCH --output=", abs_dir, "/logs/%a.out\n",
      "set -euo pipefail\n", "exec \"", ddc_binary, "\" sweep \"", abs_dir,
      "/spec.textproto\" --task \"${SLURM_ARRAY_TASK_ID:?}\" --out \"", abs_dir, "\"\n");
  DDC_RETURN_IF_ERROR(WriteFile(dir, "sweep.sbatch", script));
  std::filesystem::permissions(std::filesystem::path(dir) / "sweep.sbatch",
                               std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add, ec);
  return absl::OkStatus();
}

}  // namespace ddc::harness
