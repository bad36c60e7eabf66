// The `ddc` command line (see cli.h).
#include "harness/cli.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "harness/reproduce.h"
#include "harness/spec.h"
#include "harness/sweep.h"
#include "platform/config.h"

// The source tree, for the shipped specs and the report script (set by harness/CMakeLists.txt).
#ifndef DDC_SOURCE_DIR
#define DDC_SOURCE_DIR "."
#endif
constexpr char kSpecsDir[] = DDC_SOURCE_DIR "/specs";

namespace ddc::harness {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  ddc list\n"
    "  ddc run EXPERIMENT|all|SPEC.textproto [FLAGS]\n"
    "  ddc sweep EXPERIMENT|SPEC.textproto [FLAGS] [--emit-slurm DIR | --task I]\n"
    "  ddc merge DIR\n"
    "  ddc reproduce [--quick] [--only C1,C2,...] [--out DIR] [--jobs N] [--no-report]\n"
    "  ddc config [--config FILE]\n"
    "  ddc help\n";
// The flags of run and sweep, after every command's line (those passed in to RunCli too).
constexpr char kFlagsUsage[] =
    "FLAGS: --seed N  --config FILE  --out DIR  --set NAME=VALUE  --sweep FIELD=V1,V2,...  "
    "--jobs N\n";

// A UsageError is a mistake in the command line itself (exit code 2), not a failed run.
struct Flags {
  std::optional<uint64_t> seed;
  std::string config_path;
  std::string out_dir = "results";
  std::map<std::string, std::string> params;
  std::vector<std::string> sweeps;
  int jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string emit_slurm;
  std::optional<int> task;
};

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args, bool sweep_command) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size())
      return absl::InvalidArgumentError(absl::StrCat(flag, ": missing value"));
    const std::string& value = args[++i];
    if (flag == "--seed") {
      uint64_t seed;
      if (!absl::SimpleAtoi(value, &seed)) {
        return absl::InvalidArgumentError(absl::StrCat("--seed: not an unsigned integer: ", value));
      }
      flags.seed = seed;
    } else if (flag == "--config") {
      flags.config_path = value;
    } else if (flag == "--out") {
      flags.out_dir = value;
    } else if (flag == "--set") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(absl::StrCat("--set: expected NAME=VALUE, got ", value));
      }
      flags.params[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (flag == "--sweep") {
      ExperimentSpec scratch;
      scratch.set_experiment("-");
      if (absl::Status status = AddSweepAxis(value, scratch); !status.ok()) return status;
      flags.sweeps.push_back(value);
    } else if (flag == "--jobs") {
      if (!absl::SimpleAtoi(value, &flags.jobs) || flags.jobs < 1) {
        return absl::InvalidArgumentError(absl::StrCat("--jobs: not a positive integer: ", value));
      }
    } else if (flag == "--emit-slurm" && sweep_command) {
      flags.emit_slurm = value;
    } else if (flag == "--task" && sweep_command) {
      int task;
      if (!absl::SimpleAtoi(value, &task) || task < 0) {
        return absl::InvalidArgumentError(absl::StrCat("--task: not a point index: ", value));
      }
      flags.task = task;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
    }
  }
  if (!flags.emit_slurm.empty() && flags.task) {
    return absl::InvalidArgumentError("--emit-slurm and --task exclude each other");
  }
  return flags;
}

absl::StatusOr<PlatformConfig> LoadConfig(const Flags& flags) {
  if (flags.config_path.empty()) return DefaultConfig();
  return LoadConfigFile(flags.config_path);
}

int Fail(std::ostream& err, const absl::Status& status) {
  err << "ddc: " << status.message() << "\n";
  return 1;
}

// The commands passed in to RunCli, for the usage text (set once per RunCli call).
thread_local const std::vector<CliCommand>* extra_commands = nullptr;

std::string FullUsage() {
  std::string usage = kUsage;
  if (extra_commands != nullptr) {
    for (const CliCommand& c : *extra_commands) absl::StrAppend(&usage, c.usage);
  }
  return usage + kFlagsUsage;
}

int Usage(std::ostream& err, absl::string_view problem) {
  err << "ddc: " << problem << "\n" << FullUsage();
  return 2;
}

bool IsSpecFile(const std::string& what) {
  return absl::EndsWith(what, ".textproto") || absl::EndsWith(what, ".txtpb") ||
         what.find('/') != std::string::npos;
}

std::string SelfPath() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "ddc" : self.string();
}

// SpecFor turns `what` (an experiment or a spec file) and the flags into a spec.
absl::StatusOr<ExperimentSpec> SpecFor(const std::string& what, const Flags& flags) {
  ExperimentSpec spec;
  if (IsSpecFile(what)) {
    absl::StatusOr<ExperimentSpec> loaded = LoadSpecFile(what);
    if (!loaded.ok()) return loaded.status();
    spec = *std::move(loaded);
  } else {
    spec.set_experiment(what);
  }
  if (!flags.config_path.empty() || !IsSpecFile(what)) {
    absl::StatusOr<PlatformConfig> config = LoadConfig(flags);
    if (!config.ok()) return config.status();
    *spec.mutable_platform() = *config;
  }
  if (flags.seed) {
    spec.clear_seeds();
    spec.add_seeds(*flags.seed);
  }
  std::map<std::string, std::string> params;
  for (const Param& p : spec.params()) params[p.name()] = p.value();
  for (const auto& [name, value] : flags.params) params[name] = value;
  spec.clear_params();
  for (const auto& [name, value] : params) {
    Param* p = spec.add_params();
    p->set_name(name);
    p->set_value(value);
  }
  for (const std::string& axis : flags.sweeps) {
    if (absl::Status status = AddSweepAxis(axis, spec); !status.ok()) return status;
  }
  return spec;
}

ExperimentFactory FactoryOf(const ExperimentList& list) {
  return [list](absl::string_view name) -> std::unique_ptr<Experiment> {
    for (auto& e : list()) {
      if (e->name() == name) return std::move(e);
    }
    return nullptr;
  };
}

int RunSpec(const ExperimentSpec& spec, const Flags& flags, const ExperimentList& list,
            std::ostream& out, std::ostream& err) {
  const ExperimentFactory make = FactoryOf(list);
  if (make(spec.experiment()) == nullptr) {
    return Usage(err,
                 absl::StrCat("unknown experiment \"", spec.experiment(), "\" (see `ddc list`)"));
  }
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSpec(spec);
  if (!points.ok()) return Fail(err, points.status());
  if (!flags.emit_slurm.empty()) {
    absl::Status status =
        EmitSlurm(spec, static_cast<int>(points->size()), flags.emit_slurm, SelfPath());
    if (!status.ok()) return Fail(err, status);
    out << "ddc: wrote " << flags.emit_slurm << "/sweep.sbatch (" << points->size()
        << " tasks); after `sbatch --wait` run `ddc merge " << flags.emit_slurm << "`" << std::endl;
    return 0;
  }
  if (flags.task) {
    if (*flags.task >= static_cast<int>(points->size())) {
      return Usage(
          err, absl::StrCat("--task ", *flags.task, ": the sweep has ", points->size(), " points"));
    }
    const SweepPoint& point = (*points)[*flags.task];
    absl::StatusOr<ExperimentResult> result =
        RunPoint(spec, point, make, PointDir(flags.out_dir, point.index));
    if (!result.ok()) return Fail(err, result.status());
    out << "ddc: " << spec.experiment() << " point " << point.index << ": " << result->headline
        << std::endl;
    return 0;
  }
  const size_t total = points->size();
  out << "ddc: running " << spec.experiment() << " (" << total
      << (total == 1 ? " point" : " points") << ", seed" << (spec.seeds_size() > 1 ? "s" : "")
      << " ";
  for (int i = 0; i < std::max(1, spec.seeds_size()); ++i) {
    out << (i ? "," : "") << (spec.seeds_size() ? spec.seeds(i) : 1);
  }
  out << ")" << std::endl;
  SweepOptions options;
  options.jobs = flags.jobs;
  options.on_done = [&](const SweepPoint& point, const absl::StatusOr<ExperimentResult>& result,
                        int done) {
    if (!result.ok()) return;
    out << "ddc: " << spec.experiment();
    if (total > 1) {
      out << " [" << done << "/" << total << "] point " << point.index << " (seed " << point.seed;
      for (const auto& [field, value] : point.settings) out << ", " << field << "=" << value;
      out << ")";
    }
    out << ": " << result->headline << std::endl;
  };
  absl::Status status = RunSweep(spec, *points, make, flags.out_dir, options);
  if (!status.ok()) return Fail(err, status);
  return 0;
}

int List(const ExperimentList& list, std::ostream& out) {
  for (const auto& e : list()) out << e->name() << "\t" << e->description() << "\n";
  std::error_code ec;
  std::vector<std::filesystem::path> specs;
  for (const auto& entry : std::filesystem::directory_iterator(kSpecsDir, ec)) {
    if (entry.path().extension() == ".textproto" && entry.path().stem() != "claims") {
      specs.push_back(entry.path());
    }
  }
  std::sort(specs.begin(), specs.end());
  if (!specs.empty()) out << "\nshipped specs (ddc run FILE):\n";
  for (const auto& path : specs) {
    absl::StatusOr<ExperimentSpec> spec = LoadSpecFile(path.string());
    out << path.string() << "\t"
        << (spec.ok() ? spec->description() : std::string(spec.status().message())) << "\n";
  }
  return 0;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const ExperimentList& experiments,
           std::ostream& out, std::ostream& err, const std::vector<CliCommand>& commands) {
  extra_commands = &commands;
  if (args.empty()) {
    err << FullUsage();
    return 2;
  }
  const std::string command = args[0];
  if (command == "help" || command == "--help") {
    out << FullUsage();
    return 0;
  }
  for (const CliCommand& c : commands) {
    if (c.name == command) return c.run({args.begin() + 1, args.end()}, out, err);
  }
  if (command == "list") return List(experiments, out);
  if (command == "run" || command == "sweep") {
    if (args.size() < 2) return Usage(err, absl::StrCat(command, ": what to run?"));
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 2, args.end()}, command == "sweep");
    if (!flags.ok()) return Usage(err, flags.status().message());
    if (args[1] != "all") {
      absl::StatusOr<ExperimentSpec> spec = SpecFor(args[1], *flags);
      if (!spec.ok()) return Fail(err, spec.status());
      return RunSpec(*spec, *flags, experiments, out, err);
    }
    if (!flags->sweeps.empty() || !flags->emit_slurm.empty() || flags->task) {
      return Usage(err, "`all` runs each experiment once: sweep one experiment or spec instead");
    }
    for (const auto& [name, value] : flags->params) {
      bool known = false;
      for (const auto& e : experiments()) {
        for (const std::string& p : e->parameters()) known = known || p == name;
      }
      if (!known) {
        return Fail(err, absl::InvalidArgumentError(absl::StrCat(
                             "--set ", name, ": no experiment being run reads this parameter")));
      }
    }
    for (const auto& e : experiments()) {
      // --set names must each be read by some experiment; each experiment gets those it reads.
      Flags own = *flags;
      own.params.clear();
      for (const std::string& p : e->parameters()) {
        if (flags->params.contains(p)) own.params[p] = flags->params.at(p);
      }
      absl::StatusOr<ExperimentSpec> spec = SpecFor(std::string(e->name()), own);
      if (!spec.ok()) return Fail(err, spec.status());
      if (int code = RunSpec(*spec, own, experiments, out, err); code != 0) return code;
    }
    out << "ddc: results in " << flags->out_dir << "/" << std::endl;
    return 0;
  }
  if (command == "reproduce") {
    ReproduceOptions options;
    options.jobs = std::max(1u, std::thread::hardware_concurrency());
    options.specs_dir = kSpecsDir;
    options.report_script = DDC_SOURCE_DIR "/harness/report.py";
    options.terminal = &out == &std::cout && isatty(STDOUT_FILENO);
    for (size_t i = 1; i < args.size(); ++i) {
      const std::string& flag = args[i];
      if (flag == "--quick" || flag == "--no-report") {
        if (flag == "--quick") options.quick = true;
        if (flag == "--no-report") options.report_script.clear();
        continue;
      }
      if (i + 1 >= args.size()) return Usage(err, absl::StrCat(flag, ": missing value"));
      const std::string& value = args[++i];
      if (flag == "--only") {
        for (absl::string_view id : absl::StrSplit(value, ',', absl::SkipEmpty())) {
          options.only.insert(std::string(id));
        }
      } else if (flag == "--out") {
        options.out_dir = value;
      } else if (flag == "--jobs" && absl::SimpleAtoi(value, &options.jobs) && options.jobs > 0) {
      } else {
        return Usage(err, absl::StrCat("reproduce: bad flag ", flag, " ", value));
      }
    }
    absl::Status status = Reproduce(options, FactoryOf(experiments), out);
    if (absl::IsInvalidArgument(status) && absl::StartsWith(status.message(), "--only")) {
      return Usage(err, status.message());
    }
    if (!status.ok()) return Fail(err, status);
    out << "ddc: results in " << options.out_dir << "/ (REPORT.md, summary.json)" << std::endl;
    return 0;
  }
  if (command == "merge") {
    if (args.size() != 2) return Usage(err, "merge: expected one directory");
    absl::StatusOr<ExperimentSpec> spec = LoadSpecFile(args[1] + "/spec.textproto");
    if (!spec.ok()) return Fail(err, spec.status());
    absl::StatusOr<std::vector<SweepPoint>> points = ExpandSpec(*spec);
    if (!points.ok()) return Fail(err, points.status());
    absl::Status status = MergePoints(*spec, *points, args[1]);
    if (!status.ok()) return Fail(err, status);
    out << "ddc: merged " << points->size() << " points into " << args[1] << "/" << std::endl;
    return 0;
  }
  if (command == "config") {
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 1, args.end()}, false);
    if (!flags.ok()) return Usage(err, flags.status().message());
    absl::StatusOr<PlatformConfig> config = LoadConfig(*flags);
    if (!config.ok()) return Fail(err, config.status());
    std::string text;
    google::protobuf::TextFormat::PrintToString(*config, &text);
    out << text;
    return 0;
  }
  return Usage(err, absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace ddc::harness
