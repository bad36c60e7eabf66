#include "harness/check/check_cli.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/check/check.h"
#include "harness/check/runner.h"

namespace ddc::check {
namespace {

int Usage(std::ostream& err, absl::string_view problem) {
  err << "ddc check: " << problem << "\nusage:\n" << kCheckUsage;
  return 2;
}

}  // namespace

int RunCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::vector<std::unique_ptr<CheckTarget>> all = AllCheckTargets();
  std::vector<std::string> names;
  for (const auto& t : all) names.push_back(std::string(t->name()));

  CheckOptions options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.progress = &err;
  options.terminal = &err == &std::cerr && isatty(STDERR_FILENO);
  std::string app = "all";
  std::string replay;
  bool list = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--no-shrink") {
      options.shrink = false;
      continue;
    }
    if (flag == "--list") {
      list = true;
      continue;
    }
    if (flag != "--app" && flag != "--seeds" && flag != "--from" && flag != "--threads" &&
        flag != "--replay" && flag != "--out") {
      return Usage(err, absl::StrCat("unknown flag ", flag));
    }
    if (i + 1 >= args.size()) return Usage(err, absl::StrCat(flag, ": missing value"));
    const std::string& value = args[++i];
    if (flag == "--app") {
      if (value != "all" && std::find(names.begin(), names.end(), value) == names.end()) {
        return Usage(err, absl::StrCat("--app: no check target \"", value,
                                       "\" (targets: ", absl::StrJoin(names, ", "), ", all)"));
      }
      app = value;
    } else if (flag == "--seeds") {
      if (!absl::SimpleAtoi(value, &options.seeds) || options.seeds < 1) {
        return Usage(err, absl::StrCat("--seeds: not a positive integer: ", value));
      }
    } else if (flag == "--from") {
      if (!absl::SimpleAtoi(value, &options.from)) {
        return Usage(err, absl::StrCat("--from: not an unsigned integer: ", value));
      }
    } else if (flag == "--threads") {
      if (!absl::SimpleAtoi(value, &options.threads) || options.threads < 1) {
        return Usage(err, absl::StrCat("--threads: not a positive integer: ", value));
      }
    } else if (flag == "--replay") {
      replay = value;
    } else {
      options.out_dir = value;
    }
  }

  if (list) {
    for (const auto& t : all) {
      out << t->name() << "\t" << absl::StrJoin(t->invariants(), "; ") << "\n";
    }
    return 0;
  }
  std::vector<const CheckTarget*> targets;
  for (const auto& t : all) {
    if (app == "all" || t->name() == app) targets.push_back(t.get());
  }
  absl::StatusOr<CheckSummary> summary;
  if (!replay.empty()) {
    absl::StatusOr<CheckScenario> scenario = LoadCheckScenario(replay);
    if (!scenario.ok()) {
      err << "ddc check: " << scenario.status().message() << "\n";
      return 1;
    }
    summary = Replay(targets, *scenario, options, out);
  } else {
    if (targets.empty()) return Usage(err, "no check target is registered");
    summary = RunCheck(targets, options, out);
  }
  if (!summary.ok()) {
    err << "ddc check: " << summary.status().message() << "\n";
    return 1;
  }
  return summary->ok() ? 0 : 1;
}

}  // namespace ddc::check
