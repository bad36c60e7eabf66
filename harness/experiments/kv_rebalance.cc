// Experiment `kv-rebalance`: rebalancing a sharded key-value store (kvstore/) three ways, on the
// same workload, seed and schedule: legacy key-by-key MIGRATE and atomic snapshot + change
// stream (both copy baselines, transparent mode) and grant of the slots' pages (exposed mode).
//
// 1. Capacity: for each YCSB mix, a closed-loop run without rebalancing measures the cluster's
//    throughput (transparent mode; the command path is the same in both modes).
// 2. Cases: for each plan (scale out 3->4, scale in 4->3, split of shard 0's range), mix (A, B)
//    and load (50 % and 90 % of the measured capacity, open-loop Poisson clients), one run per
//    method. Preload: `records` records of `value_bytes` (default 102,400 x 1 KiB = 100 MiB).
// 3. Valkey's case scaled down: 16 KiB values, 3 -> 4 shards (4096 slots), no client load, at
//    each size of `valkey_mib`, so the growth of each method's time with the data shows.
//
// Parameters (--set kv-rebalance.<name>=...): records, value_bytes, clients, outstanding,
// plans (comma list), mixes (comma list), loads (comma list of percentages), valkey_mib (comma
// list, empty to skip), history (1: record and check every history, write JSONL),
// interval_us (latency series interval), keys_per_batch (legacy), slots_per_batch.
//
// Output: kv_rebalance_capacity.csv, kv_rebalance.csv, kv_rebalance_valkey.csv (one row per run,
// columns in kv_rebalance_workload.h) and kv_rebalance_intervals.csv (throughput and latency per
// interval of every run).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "harness/cdf.h"
#include "harness/experiment.h"
#include "harness/experiments/kv_rebalance_workload.h"
#include "harness/output.h"
#include "harness/workload.h"
#include "kvstore/command.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr char kPrefix[] = "kv-rebalance.";

class KvRebalanceExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "kv-rebalance"; }
  absl::string_view description() const override {
    return "rebalancing a sharded KV store: legacy MIGRATE and snapshot copies (transparent) vs "
           "granting the slots' pages (exposed), under YCSB load; time vs data size";
  }
  std::vector<std::string> parameters() const override {
    std::vector<std::string> names;
    for (const char* p :
         {"records", "value_bytes", "clients", "outstanding", "plans", "mixes", "loads",
          "valkey_mib", "history", "interval_us", "keys_per_batch", "slots_per_batch"}) {
      names.push_back(absl::StrCat(kPrefix, p));
    }
    return names;
  }

  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    DDC_RETURN_IF_ERROR(ReadParams(ctx));
    CsvTable capacity_table;
    CsvTable cases_table;
    CsvTable valkey_table;
    CsvTable intervals({"run", "mode", "interval_start_ns", "interval_ns", "ops",
                        "throughput_per_s", "p50_ns", "p99_ns", "p999_ns", "max_ns"});
    CsvTable cdf = LatencyCdfTable();
    std::string headline;

    for (const std::string& mix_name : mixes_) {
      DDC_ASSIGN_OR_RETURN(const kvstore::YcsbMix mix, kvstore::ParseYcsbMix(mix_name));
      KvRebalanceCase capacity = Base(absl::StrCat("capacity/", mix_name));
      capacity.cluster.mix = mix;
      capacity.cluster.cooldown = Milliseconds(20);
      KvRebalanceWorkload run(capacity);
      DDC_RETURN_IF_ERROR(RunAndTabulate(ctx, Mode::kTransparent, run, capacity_table));
      AddIntervals(run, Mode::kTransparent, intervals);
      const double ops_per_s = run.ThroughputBefore();
      if (ops_per_s <= 0) return absl::InternalError("capacity run measured no throughput");
      for (const std::string& plan_name : plans_) {
        DDC_ASSIGN_OR_RETURN(const kvstore::Plan plan, kvstore::ParsePlan(plan_name));
        for (int load : loads_) {
          for (kvstore::Method method : {kvstore::LEGACY, kvstore::SNAPSHOT, kvstore::GRANT}) {
            KvRebalanceCase c = Base(absl::StrCat(plan_name, "/", mix_name, "/", load, "%"));
            c.cluster.plan = plan;
            c.cluster.mix = mix;
            c.cluster.open_loop = true;
            c.load_fraction = load / 100.0;
            c.cluster.total_rate_per_s = ops_per_s * c.load_fraction;
            DDC_RETURN_IF_ERROR(RunMethod(ctx, c, method, cases_table, intervals, cdf, nullptr));
          }
        }
      }
    }

    std::vector<std::string> growth;
    std::vector<Finding> findings;
    for (int64_t mib : valkey_mib_) {
      std::vector<Duration> times;
      for (kvstore::Method method : {kvstore::LEGACY, kvstore::SNAPSHOT, kvstore::GRANT}) {
        KvRebalanceCase c = Base(absl::StrCat("valkey/", mib, "MiB"));
        c.cluster.plan = kvstore::Plan::kScaleOut;
        c.cluster.value_bytes = 16 << 10;
        c.cluster.record_count = (mib << 20) / (16 << 10);
        c.cluster.clients = 0;
        c.cluster.record_history = false;
        Duration time = 0;
        DDC_RETURN_IF_ERROR(RunMethod(ctx, c, method, valkey_table, intervals, cdf, &time));
        times.push_back(time);
      }
      growth.push_back(absl::StrFormat("%d MiB: legacy %.1f ms, snapshot %.1f ms, grant %.1f ms",
                                       mib, times[0] / 1e6, times[1] / 1e6, times[2] / 1e6));
      if (mib == valkey_mib_.back()) {  // C8 at the largest size run
        for (int copy : {0, 1}) {
          findings.push_back(
              {"C8",
               absl::StrFormat("scale out 3 to 4 shards, %d MiB of 16 KiB values: %s vs grant", mib,
                               copy == 0 ? "legacy MIGRATE" : "snapshot + change stream"),
               "ms", times[copy] / 1e6, times[2] / 1e6, times[2] < times[copy],
               copy == 0 ? "legacy migration pays round trips per key batch and per slot and "
                           "copies every value over the network"
                         : "the snapshot streams the slots' data at link rate and pauses writes "
                           "for the handover; the grant moves page mappings and bumps the epoch"});
        }
      }
    }

    DDC_RETURN_IF_ERROR(
        WriteFile(ctx.out_dir, "kv_rebalance_capacity.csv", capacity_table.Render()));
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "kv_rebalance.csv", cases_table.Render()));
    if (!valkey_mib_.empty()) {
      DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "kv_rebalance_valkey.csv", valkey_table.Render()));
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "kv_rebalance_intervals.csv", intervals.Render()));
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "kv_rebalance_latency_cdf.csv", cdf.Render()));
    return ExperimentResult{
        growth.empty() ? "kv-rebalance: cases written"
                       : absl::StrCat("scale out, 16 KiB values: ", absl::StrJoin(growth, "; ")),
        std::move(findings)};
  }

 private:
  absl::Status ReadParams(const ExperimentContext& ctx) {
    auto param = [&](const char* name, int64_t fallback) {
      return ctx.IntParam(absl::StrCat(kPrefix, name), fallback);
    };
    DDC_ASSIGN_OR_RETURN(records_, param("records", 102400));
    DDC_ASSIGN_OR_RETURN(value_bytes_, param("value_bytes", 1024));
    DDC_ASSIGN_OR_RETURN(clients_, param("clients", 4));
    DDC_ASSIGN_OR_RETURN(outstanding_, param("outstanding", 8));
    DDC_ASSIGN_OR_RETURN(history_, param("history", 0));
    DDC_ASSIGN_OR_RETURN(interval_us_, param("interval_us", 2000));
    DDC_ASSIGN_OR_RETURN(keys_per_batch_, param("keys_per_batch", 10));
    DDC_ASSIGN_OR_RETURN(slots_per_batch_, param("slots_per_batch", 64));
    if (records_ < 1 || records_ > (int64_t{4} << 30) / std::max<int64_t>(value_bytes_, 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set kv-rebalance.records: must be >= 1 and hold at most 4 GiB, got ", records_));
    }
    if (value_bytes_ < 1 || value_bytes_ > kvstore::kMaxValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("--set kv-rebalance.value_bytes: must be in [1, ", kvstore::kMaxValueBytes,
                       "], got ", value_bytes_));
    }
    if (clients_ < 1 || clients_ > 64 || outstanding_ < 1 || outstanding_ > 256) {
      return absl::InvalidArgumentError(
          "--set kv-rebalance.clients must be in [1, 64] and outstanding in [1, 256]");
    }
    if (interval_us_ < 1) return absl::InvalidArgumentError("--set kv-rebalance.interval_us: >= 1");
    auto list = [&](const char* name, const char* fallback) {
      auto it = ctx.params.find(absl::StrCat(kPrefix, name));
      const std::string text = it == ctx.params.end() ? fallback : it->second;
      return std::vector<std::string>(absl::StrSplit(text, ',', absl::SkipEmpty()));
    };
    plans_ = list("plans", "scale-out,scale-in,split");
    mixes_ = list("mixes", "A,B");
    loads_.clear();
    for (const std::string& load : list("loads", "50,90")) {
      int pct = 0;
      if (!absl::SimpleAtoi(load, &pct) || pct < 1 || pct > 100) {
        return absl::InvalidArgumentError(
            absl::StrCat("--set kv-rebalance.loads: percentages in [1, 100], got \"", load, "\""));
      }
      loads_.push_back(pct);
    }
    valkey_mib_.clear();
    for (const std::string& mib : list("valkey_mib", "16,64,256")) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(mib, &v) || v < 1 || v > 4096) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--set kv-rebalance.valkey_mib: sizes in [1, 4096] MiB, got \"", mib, "\""));
      }
      valkey_mib_.push_back(v);
    }
    for (const std::string& plan : plans_) DDC_RETURN_IF_ERROR(kvstore::ParsePlan(plan).status());
    for (const std::string& mix : mixes_) DDC_RETURN_IF_ERROR(kvstore::ParseYcsbMix(mix).status());
    return absl::OkStatus();
  }

  KvRebalanceCase Base(std::string name) const {
    KvRebalanceCase c;
    c.name = std::move(name);
    kvstore::ClusterOptions& o = c.cluster;
    o.record_count = records_;
    o.value_bytes = value_bytes_;
    o.clients = static_cast<int>(clients_);
    o.outstanding = static_cast<int>(outstanding_);
    o.warmup = Milliseconds(10);
    o.cooldown = Milliseconds(10);
    o.series_interval = Microseconds(interval_us_);
    o.record_history = history_ != 0;
    o.migration.keys_per_batch = static_cast<int>(keys_per_batch_);
    o.migration.slots_per_batch = static_cast<int>(slots_per_batch_);
    return c;
  }

  absl::Status RunMethod(const ExperimentContext& ctx, KvRebalanceCase c, kvstore::Method method,
                         CsvTable& table, CsvTable& intervals, CsvTable& cdf, Duration* time) {
    c.cluster.migration.method = method;
    const Mode mode = method == kvstore::GRANT ? Mode::kExposed : Mode::kTransparent;
    if (c.cluster.record_history) {
      std::string file = absl::StrCat("kv_rebalance.", c.name, ".", kvstore::Method_Name(method),
                                      ".history.jsonl");
      for (char& ch : file) {
        if (ch == '/' || ch == '%') ch = '_';
      }
      c.history_path = absl::StrCat(ctx.out_dir, "/", file);
    }
    KvRebalanceWorkload run(c);
    DDC_RETURN_IF_ERROR(RunAndTabulate(ctx, mode, run, table));
    AddIntervals(run, mode, intervals);
    if (const auto latencies = run.ClientLatencies()) {
      const std::string name = RunName(run);
      AddLatencyCdf(cdf, name, mode, "before", latencies->before);
      AddLatencyCdf(cdf, name, mode, "during", latencies->during);
    }
    if (time != nullptr) *time = run.RebalanceTime();
    return absl::OkStatus();
  }

  // RunName names a run in the intervals and CDF files: its case and migration method.
  static std::string RunName(const KvRebalanceWorkload& run) {
    return absl::StrCat(run.spec().name, "/",
                        kvstore::Method_Name(run.spec().cluster.migration.method));
  }

  static void AddIntervals(const KvRebalanceWorkload& run, Mode mode, CsvTable& intervals) {
    if (!run.outcome().series) return;
    const std::string name = RunName(run);
    for (const TimeSeries::Row& row : run.outcome().series->Rows()) {
      intervals.AddRow(name, ModeName(mode), row.interval_start_ns, row.interval_ns, row.count,
                       absl::StrFormat("%.3f", row.throughput_per_s), row.p50_ns, row.p99_ns,
                       row.p999_ns, row.max_ns);
    }
  }

  int64_t records_ = 0;
  int64_t value_bytes_ = 0;
  int64_t clients_ = 0;
  int64_t outstanding_ = 0;
  int64_t history_ = 0;
  int64_t interval_us_ = 0;
  int64_t keys_per_batch_ = 0;
  int64_t slots_per_batch_ = 0;
  std::vector<std::string> plans_;
  std::vector<std::string> mixes_;
  std::vector<int> loads_;
  std::vector<int64_t> valkey_mib_;
};

}  // namespace

std::unique_ptr<Experiment> MakeKvRebalanceExperiment() {
  return std::make_unique<KvRebalanceExperiment>();
}

}  // namespace ddc::harness
