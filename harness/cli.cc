// The `ddc` command line (see cli.h).
//
//   ddc list
//   ddc run EXPERIMENT|all [--seed N] [--config FILE] [--out DIR] [--set NAME=VALUE]...
//   ddc config [--config FILE]          print the resolved config (every default filled in)
//
// A run is a function of (config, seed); `--out` defaults to results/.
#include "harness/cli.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "harness/experiment.h"
#include "harness/output.h"
#include "platform/config.h"
#include "platform/cost_model.h"

namespace ddc::harness {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  ddc list\n"
    "  ddc run EXPERIMENT|all [--seed N] [--config FILE] [--out DIR] [--set NAME=VALUE]...\n"
    "  ddc config [--config FILE]\n";

struct Flags {
  uint64_t seed = 1;
  std::string config_path;
  std::string out_dir = "results";
  std::map<std::string, std::string> params;
};

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size())
      return absl::InvalidArgumentError(absl::StrCat(flag, ": missing value"));
    const std::string& value = args[++i];
    if (flag == "--seed") {
      if (!absl::SimpleAtoi(value, &flags.seed)) {
        return absl::InvalidArgumentError(absl::StrCat("--seed: not an unsigned integer: ", value));
      }
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
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
    }
  }
  return flags;
}

absl::StatusOr<PlatformConfig> LoadConfig(const Flags& flags) {
  if (flags.config_path.empty()) return DefaultConfig();
  return LoadConfigFile(flags.config_path);
}

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

int Fail(std::ostream& err, const absl::Status& status) {
  err << "ddc: " << status.message() << "\n";
  return 1;
}

int Run(const std::string& which, const Flags& flags, std::vector<std::unique_ptr<Experiment>> all,
        std::ostream& out, std::ostream& err) {
  absl::StatusOr<PlatformConfig> config = LoadConfig(flags);
  if (!config.ok()) return Fail(err, config.status());
  std::vector<std::unique_ptr<Experiment>> experiments;
  for (auto& e : all) {
    if (which == "all" || e->name() == which) experiments.push_back(std::move(e));
  }
  if (experiments.empty()) {
    err << "ddc: unknown experiment \"" << which << "\" (see `ddc list`)\n";
    return 2;
  }
  // Every --set must name a parameter of an experiment that runs: a typo must not pass silently.
  for (const auto& [name, value] : flags.params) {
    bool known = false;
    for (const auto& experiment : experiments) {
      for (const std::string& p : experiment->parameters()) known = known || p == name;
    }
    if (!known) {
      return Fail(err, absl::InvalidArgumentError(absl::StrCat(
                           "--set ", name, ": no experiment being run reads this parameter")));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.out_dir, ec);
  if (ec) {
    return Fail(err, absl::PermissionDeniedError(
                         absl::StrCat("cannot create ", flags.out_dir, ": ", ec.message())));
  }
  std::string config_text;
  google::protobuf::TextFormat::PrintToString(*config, &config_text);
  for (const auto& experiment : experiments) {
    out << "ddc: running " << experiment->name() << " (seed " << flags.seed << ")" << std::endl;
    std::string header = absl::StrCat("# ddc run ", experiment->name(), " --seed ", flags.seed);
    for (const auto& [name, value] : flags.params)
      absl::StrAppend(&header, " --set ", name, "=", value);
    absl::StrAppend(&header, "\n", TimeoutsComment(*config), "# resolved config:\n");
    absl::Status status = WriteFile(
        flags.out_dir, absl::StrCat(experiment->name(), ".config.txtpb"), header + config_text);
    if (!status.ok()) return Fail(err, status);
    absl::StatusOr<ExperimentResult> result =
        experiment->Run({*config, flags.seed, flags.out_dir, flags.params});
    if (!result.ok()) {
      return Fail(err,
                  absl::Status(result.status().code(),
                               absl::StrCat(experiment->name(), ": ", result.status().message())));
    }
    out << "ddc: " << experiment->name() << ": " << result->headline << std::endl;
  }
  out << "ddc: results in " << flags.out_dir << "/" << std::endl;
  return 0;
}

}  // namespace

int RunCli(const std::vector<std::string>& args,
           std::vector<std::unique_ptr<Experiment>> experiments, std::ostream& out,
           std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string command = args[0];
  if (command == "list") {
    for (const auto& e : experiments) out << e->name() << "\t" << e->description() << "\n";
    return 0;
  }
  if (command == "run") {
    if (args.size() < 2) {
      err << kUsage;
      return 2;
    }
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 2, args.end()});
    if (!flags.ok()) return Fail(err, flags.status());
    return Run(args[1], *flags, std::move(experiments), out, err);
  }
  if (command == "config") {
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 1, args.end()});
    if (!flags.ok()) return Fail(err, flags.status());
    absl::StatusOr<PlatformConfig> config = LoadConfig(*flags);
    if (!config.ok()) return Fail(err, config.status());
    std::string text;
    google::protobuf::TextFormat::PrintToString(*config, &text);
    out << text;
    return 0;
  }
  err << kUsage;
  return 2;
}

}  // namespace ddc::harness
