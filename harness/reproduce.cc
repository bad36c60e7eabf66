#include "harness/reproduce.h"

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "harness/output.h"
#include "harness/progress.h"
#include "harness/spec.h"
#include "platform/config.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

using Clock = std::chrono::steady_clock;

// A Task is one spec to run: a claim's experiment or a sensitivity sweep.
struct Task {
  std::string file;  // under specs_dir
  std::string name;  // the output directory under OUT: the full-mode spec's name
  int expected_seconds = 10;
  std::vector<ExperimentResult> results;  // one per point
  double seconds = 0;
};

std::string Stem(const std::string& file) { return std::filesystem::path(file).stem().string(); }

// Progress shows which spec runs, since when, and an estimate of the time left: the expected
// seconds of the specs still to run, scaled by how the finished ones compared with theirs.
class Progress {
 public:
  Progress(std::ostream& out, bool terminal, const std::vector<Task>& tasks)
      : tasks_(tasks),
        start_(Clock::now()),
        terminal_(terminal),
        line_(out, terminal, [this] { return Describe(); }) {}

  void Begin(size_t index) {
    std::string plain;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      current_ = index;
      task_start_ = Clock::now();
      plain =
          absl::StrCat("ddc reproduce: [", index + 1, "/", tasks_.size(), "] ", tasks_[index].name,
                       " (", tasks_[index].file, "), elapsed ", MinutesSeconds(Since(start_)),
                       ", about ", MinutesSeconds(Left()), " left");
    }
    Show(plain);
  }
  void End(size_t index, double seconds) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_expected_ += tasks_[index].expected_seconds;
      done_actual_ += seconds;
    }
    if (!terminal_) {
      line_.Print(absl::StrCat("ddc reproduce: [", index + 1, "/", tasks_.size(), "] ",
                               tasks_[index].name, " done in ", MinutesSeconds(seconds)));
    }
  }

 private:
  static double Since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }
  // On a terminal the status line says it all; elsewhere each spec gets a line of its own.
  void Show(const std::string& plain) {
    if (terminal_) {
      line_.Redraw();
    } else {
      line_.Print(plain);
    }
  }
  double Left() const {
    double expected_left = 0;
    for (size_t i = current_; i < tasks_.size(); ++i) expected_left += tasks_[i].expected_seconds;
    const double scale = done_expected_ > 0 ? done_actual_ / done_expected_ : 1.0;
    return std::max(0.0,
                    expected_left * scale - (current_ < tasks_.size() ? Since(task_start_) : 0));
  }
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mutex_);
    return absl::StrCat("[", current_ + 1, "/", tasks_.size(), "] ", tasks_[current_].name,
                        "  elapsed ", MinutesSeconds(Since(start_)), "  ~", MinutesSeconds(Left()),
                        " left");
  }

  const std::vector<Task>& tasks_;
  const Clock::time_point start_;
  const bool terminal_;
  std::mutex mutex_;
  size_t current_ = 0;
  Clock::time_point task_start_ = Clock::now();
  double done_expected_ = 0, done_actual_ = 0;
  ProgressLine line_;  // last: its ticker calls Describe, so it must stop before the rest dies
};

absl::StatusOr<ClaimList> LoadClaims(const std::string& path) {
  DDC_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "claims"));
  ClaimList claims;
  if (absl::Status status = ParseTextProto(text, path, claims); !status.ok()) return status;
  std::set<std::string> ids;
  for (int i = 0; i < claims.claims_size(); ++i) {
    const Claim& c = claims.claims(i);
    if (c.id().empty() || !ids.insert(c.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": claims[", i, "].id: missing or repeated (\"", c.id(), "\")"));
    }
  }
  return claims;
}

bool Selected(const ReproduceOptions& options, const Claim& claim) {
  return options.only.empty() || options.only.contains(claim.id());
}

// SpecFileOf is the spec a claim runs from in this mode; its results go to Stem(claim.spec()).
const std::string& SpecFileOf(const Claim& claim, const ReproduceOptions& options) {
  return options.quick && !claim.quick_spec().empty() ? claim.quick_spec() : claim.spec();
}

std::vector<Task> PlanTasks(const ClaimList& claims, const ReproduceOptions& options) {
  std::vector<Task> tasks;
  auto add = [&](const std::string& file, const std::string& name, int expected) {
    for (const Task& t : tasks) {
      if (t.name == name) return;
    }
    tasks.push_back({file, name, expected, {}, 0});
  };
  for (const Claim& c : claims.claims()) {
    if (!Selected(options, c) || c.spec().empty()) continue;
    add(SpecFileOf(c, options), Stem(c.spec()),
        options.quick ? c.quick_expected_seconds() : c.expected_seconds());
    if (options.quick) continue;
    for (const std::string& s : c.sensitivity()) add(s, Stem(s), 60);
  }
  return tasks;
}

std::string Verdict(const ClaimResult& claim) {
  if (claim.findings().empty()) return "not measured";
  int holds = 0;
  for (const FindingResult& f : claim.findings()) holds += f.holds() ? 1 : 0;
  if (holds == claim.findings_size()) return "holds";
  return holds == 0 ? "does not hold" : "holds in part";
}

absl::Status RunReport(const ReproduceOptions& options) {
  if (options.report_script.empty()) return absl::OkStatus();
  const std::string command =
      absl::StrCat("'", options.python, "' '", options.report_script, "' '", options.out_dir, "'");
  const int code = std::system(command.c_str());
  if (code != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the report script failed (", command, ", exit ", WEXITSTATUS(code),
        "); it needs Debian's python3 with matplotlib: scripts/install-deps.sh installs it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Reproduce(const ReproduceOptions& options, const ExperimentFactory& make,
                       std::ostream& progress) {
  const std::string claims_path = options.specs_dir + "/claims.textproto";
  DDC_ASSIGN_OR_RETURN(ClaimList claims, LoadClaims(claims_path));
  for (const std::string& id : options.only) {
    bool known = false;
    for (const Claim& c : claims.claims()) known = known || c.id() == id;
    if (!known) return absl::InvalidArgumentError(absl::StrCat("--only: no claim \"", id, "\""));
  }
  std::vector<Task> tasks = PlanTasks(claims, options);
  // Every spec is loaded and expanded before anything runs, so that a bad one stops the run at
  // once rather than after an hour.
  std::vector<std::pair<ExperimentSpec, std::vector<SweepPoint>>> specs;
  for (const Task& task : tasks) {
    DDC_ASSIGN_OR_RETURN(ExperimentSpec spec, LoadSpecFile(options.specs_dir + "/" + task.file));
    DDC_ASSIGN_OR_RETURN(std::vector<SweepPoint> points, ExpandSpec(spec));
    if (make(spec.experiment()) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat(task.file, ": unknown experiment \"", spec.experiment(), "\""));
    }
    specs.push_back({std::move(spec), std::move(points)});
  }

  {
    Progress shown(progress, options.terminal, tasks);
    for (size_t i = 0; i < tasks.size(); ++i) {
      shown.Begin(i);
      const Clock::time_point start = Clock::now();
      std::mutex results_mutex;
      std::map<int, ExperimentResult> results;
      SweepOptions sweep;
      sweep.jobs = options.jobs;
      sweep.on_done = [&](const SweepPoint& point, const absl::StatusOr<ExperimentResult>& result,
                          int) {
        std::lock_guard<std::mutex> lock(results_mutex);
        if (result.ok()) results[point.index] = *result;
      };
      const auto& [spec, points] = specs[i];
      absl::Status status =
          RunSweep(spec, points, make, options.out_dir + "/" + tasks[i].name, sweep);
      if (!status.ok()) {
        return absl::Status(status.code(), absl::StrCat(tasks[i].file, ": ", status.message()));
      }
      for (auto& [index, result] : results) tasks[i].results.push_back(std::move(result));
      tasks[i].seconds = std::chrono::duration<double>(Clock::now() - start).count();
      shown.End(i, tasks[i].seconds);
    }
  }

  ReproduceSummary summary;
  summary.set_mode(options.quick ? "quick" : "full");
  for (const Claim& c : claims.claims()) {
    if (!Selected(options, c)) continue;
    ClaimResult& out = *summary.add_claims();
    out.set_id(c.id());
    out.set_statement(c.statement());
    for (const std::string& line : c.context()) out.add_context(line);
    if (!c.spec().empty()) {
      const std::string& file = SpecFileOf(c, options);
      out.set_spec(file);
      out.set_output(Stem(c.spec()));
      out.set_command(absl::StrCat("ddc run specs/", file, " --out results/", Stem(c.spec())));
      for (const Task& task : tasks) {
        if (task.name != Stem(c.spec()) || task.results.size() != 1) continue;
        out.set_headline(task.results[0].headline);
        for (const Finding& f : task.results[0].findings) {
          if (f.claim != c.id()) continue;
          FindingResult& r = *out.add_findings();
          r.set_what(f.what);
          r.set_unit(f.unit);
          r.set_transparent(f.transparent);
          r.set_exposed(f.exposed);
          if (f.exposed != 0) r.set_transparent_over_exposed(f.transparent / f.exposed);
          r.set_holds(f.holds);
          r.set_why(f.why);
        }
      }
      if (!options.quick) {
        for (const std::string& s : c.sensitivity()) out.add_sensitivity(Stem(s));
      }
    }
    out.set_verdict(Verdict(out));
  }
  google::protobuf::util::JsonPrintOptions json;
  json.add_whitespace = true;
  json.preserve_proto_field_names = true;
  json.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(summary, &text, json).ok()) {
    return absl::InternalError("summary: JSON conversion failed");
  }
  DDC_RETURN_IF_ERROR(WriteFile(options.out_dir, "summary.json", text));
  std::string timing = "spec,seconds\n";
  for (const Task& task : tasks)
    absl::StrAppend(&timing, task.name, ",", MinutesSeconds(task.seconds), "\n");
  DDC_RETURN_IF_ERROR(WriteFile(options.out_dir, "timing.txt", timing));
  return RunReport(options);
}

}  // namespace ddc::harness
