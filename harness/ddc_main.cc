// ddc: the command line of the suite.
//
//   ddc list
//   ddc run EXPERIMENT|all [--seed N] [--config FILE] [--out DIR] [--set NAME=VALUE]...
//   ddc config [--config FILE]          print the resolved config (every default filled in)
//
// A run is a function of (config, seed); `--out` defaults to results/.
#include <cstdio>
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

int Fail(const absl::Status& status) {
  std::cerr << "ddc: " << status.message() << "\n";
  return 1;
}

int Run(const std::string& which, const Flags& flags) {
  absl::StatusOr<PlatformConfig> config = LoadConfig(flags);
  if (!config.ok()) return Fail(config.status());
  std::vector<std::unique_ptr<Experiment>> experiments;
  for (auto& e : AllExperiments()) {
    if (which == "all" || e->name() == which) experiments.push_back(std::move(e));
  }
  if (experiments.empty()) {
    std::cerr << "ddc: unknown experiment \"" << which << "\" (see `ddc list`)\n";
    return 2;
  }
  // Every --set must name a parameter of an experiment that runs: a typo must not pass silently.
  for (const auto& [name, value] : flags.params) {
    bool known = false;
    for (const auto& experiment : experiments) {
      for (const std::string& p : experiment->parameters()) known = known || p == name;
    }
    if (!known) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--set ", name, ": no experiment being run reads this parameter")));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.out_dir, ec);
  if (ec) {
    return Fail(absl::PermissionDeniedError(
        absl::StrCat("cannot create ", flags.out_dir, ": ", ec.message())));
  }
  std::string config_text;
  google::protobuf::TextFormat::PrintToString(*config, &config_text);
  for (const auto& experiment : experiments) {
    std::cout << "ddc: running " << experiment->name() << " (seed " << flags.seed << ")"
              << std::endl;
    std::string header = absl::StrCat("# ddc run ", experiment->name(), " --seed ", flags.seed);
    for (const auto& [name, value] : flags.params)
      absl::StrAppend(&header, " --set ", name, "=", value);
    absl::StrAppend(&header, "\n", TimeoutsComment(*config), "# resolved config:\n");
    absl::Status status = WriteFile(
        flags.out_dir, absl::StrCat(experiment->name(), ".config.txtpb"), header + config_text);
    // A StatusOr may not be built from an OK status (Abseil aborts), so the run comes first.
    absl::StatusOr<ExperimentResult> result =
        status.ok() ? experiment->Run({*config, flags.seed, flags.out_dir, flags.params})
                    : absl::StatusOr<ExperimentResult>(status);
    if (!result.ok()) {
      return Fail(absl::Status(result.status().code(),
                               absl::StrCat(experiment->name(), ": ", result.status().message())));
    }
    std::cout << "ddc: " << experiment->name() << ": " << result->headline << std::endl;
  }
  std::cout << "ddc: results in " << flags.out_dir << "/" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args[0];
  if (command == "list") {
    for (const auto& e : AllExperiments())
      std::cout << e->name() << "\t" << e->description() << "\n";
    return 0;
  }
  if (command == "run") {
    if (args.size() < 2) {
      std::cerr << kUsage;
      return 2;
    }
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 2, args.end()});
    if (!flags.ok()) return Fail(flags.status());
    return Run(args[1], *flags);
  }
  if (command == "config") {
    absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 1, args.end()});
    if (!flags.ok()) return Fail(flags.status());
    absl::StatusOr<PlatformConfig> config = LoadConfig(*flags);
    if (!config.ok()) return Fail(config.status());
    std::string text;
    google::protobuf::TextFormat::PrintToString(*config, &text);
    std::cout << text;
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace
}  // namespace ddc::harness

int main(int argc, char** argv) { return ddc::harness::Main(argc, argv); }
