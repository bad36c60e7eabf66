// Experiment `transfer` (claim C1): move N bytes from one process to another in the same rack,
// by copy (transparent mode, tuned by the copy tuner) and by grant (exposed mode), for N from
// 4 KiB to 1 GiB in steps of 4x, each run next to its analytic model (platform/copy_model.h,
// CostModel::GrantTransferNs). A sensitivity sweep then varies the per-page MMU cost and the page
// size at one size.
//
// Parameters: --set transfer.max_bytes=N (default 1 GiB), transfer.min_bytes=N (default 4 KiB),
// transfer.sweep_bytes=N (default 16 MiB, 0 skips the sweep).
//
// Outputs: transfer.csv (every run, the tuner's included), transfer_summary.csv (the best copy
// against the grant per size, and their ratio), transfer_sensitivity.csv (the sweep), and the
// metrics and trace of the 1 MiB runs.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/experiment.h"
#include "harness/experiments/copy_tuner.h"
#include "harness/experiments/transfer_workload.h"
#include "harness/output.h"
#include "harness/workload.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kGiB = 1024 * kMiB;

std::string Ratio(Duration a, Duration b) {
  return absl::StrFormat("%.3f", static_cast<double>(a) / static_cast<double>(b));
}

// Transfers runs transfers of one context and tabulates every run in transfer.csv's format.
class Transfers {
 public:
  explicit Transfers(const ExperimentContext& ctx) : ctx_(ctx) {}

  absl::StatusOr<TransferResult> Run(const PlatformConfig& config, Mode mode, TransferShape shape,
                                     CsvTable* runs, const std::string& artifacts = "") {
    TransferWorkload workload(config, mode, ctx_.seed, shape);
    const RunOptions options{.artifacts = artifacts};
    if (runs == nullptr) {
      DDC_RETURN_IF_ERROR(RunWorkload(config, mode, ctx_.seed, workload, ctx_.out_dir, options));
    } else {
      ExperimentContext with_config = ctx_;
      with_config.config = config;
      DDC_RETURN_IF_ERROR(RunAndTabulate(with_config, mode, workload, *runs, options));
    }
    return workload.result();
  }

  // Copy tunes the transparent transfer of `bytes` (BestCopy); the first run it tries leaves its
  // metrics and trace when `artifacts` is set.
  absl::StatusOr<TunedCopy> Copy(const PlatformConfig& config, int64_t bytes, CsvTable* runs,
                                 const std::string& artifacts, CopyChoice hint = {}) {
    bool first = true;
    return BestCopy(
        bytes, config.memory().cache_line_bytes(),
        [&](CopyChoice c) {
          const std::string traced = first ? artifacts : "";
          first = false;
          return Run(config, Mode::kTransparent, {bytes, c.chunk, c.window}, runs, traced);
        },
        hint);
  }

 private:
  const ExperimentContext& ctx_;
};

class TransferExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "transfer"; }
  absl::string_view description() const override {
    return "N bytes between two processes of a rack: copy through remote memory and the network "
           "(transparent) vs memory grant (exposed), 4 KiB to 1 GiB, and the grant's sensitivity "
           "to the MMU cost and page size (claim C1)";
  }

  std::vector<std::string> parameters() const override {
    return {"transfer.max_bytes", "transfer.min_bytes", "transfer.sweep_bytes"};
  }

  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    DDC_ASSIGN_OR_RETURN(int64_t max_bytes, ctx.IntParam("transfer.max_bytes", kGiB));
    DDC_ASSIGN_OR_RETURN(int64_t min_bytes, ctx.IntParam("transfer.min_bytes", 4 * 1024));
    DDC_ASSIGN_OR_RETURN(int64_t sweep_bytes, ctx.IntParam("transfer.sweep_bytes", 16 * kMiB));
    if (min_bytes <= 0 || max_bytes < min_bytes || sweep_bytes < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("transfer: need 0 < transfer.min_bytes <= transfer.max_bytes and "
                       "transfer.sweep_bytes >= 0, got ",
                       min_bytes, ", ", max_bytes, " and ", sweep_bytes));
    }
    Transfers transfers(ctx);
    CsvTable runs;
    CsvTable summary({"bytes", "size", "transparent_ns", "transparent_chunk_bytes",
                      "transparent_window", "exposed_ns", "transparent_over_exposed",
                      "exposed_model_ns", "transparent_model_ns"});
    CopyChoice hint;
    std::string headline;
    ExperimentResult result;
    const config::CostModel& c = ctx.config.cost_model();
    const int64_t page = ctx.config.memory().page_size();
    for (int64_t bytes = min_bytes; bytes <= max_bytes; bytes *= 4) {
      const bool traced = bytes == kMiB;
      DDC_ASSIGN_OR_RETURN(TunedCopy copy,
                           transfers.Copy(ctx.config, bytes, &runs,
                                          traced ? "transfer.transparent-1MiB" : "", hint));
      hint = copy.choice;
      DDC_ASSIGN_OR_RETURN(TransferResult grant,
                           transfers.Run(ctx.config, Mode::kExposed, {bytes, bytes, 1}, &runs,
                                         traced ? "transfer.exposed-1MiB" : ""));
      summary.AddRow(bytes, SizeName(bytes), copy.result.time, copy.choice.chunk,
                     copy.choice.window, grant.time, Ratio(copy.result.time, grant.time),
                     grant.model, copy.result.model);
      headline = absl::StrCat(SizeName(bytes), ": best copy ", copy.result.time, " ns, grant ",
                              grant.time, " ns (", Ratio(copy.result.time, grant.time), "x)");
      // C1 at the smallest and the largest size: where latency and where bandwidth decides.
      const bool last = bytes > max_bytes / 4;
      if (bytes == min_bytes || last) {
        const int64_t pages = (bytes + page - 1) / page;
        const bool holds = grant.time < copy.result.time;
        result.findings.push_back(
            {"C1", absl::StrCat("time to move ", SizeName(bytes), " between two processes"), "ns",
             static_cast<double>(copy.result.time), static_cast<double>(grant.time), holds,
             absl::StrFormat(
                 "the copy (chunks of %d bytes, %d in flight) pays a remote read, the network and "
                 "a remote write-back, %s; the grant pays one memory RTT (%d ns), %d page "
                 "update%s at %d ns and a control message",
                 copy.choice.chunk, copy.choice.window,
                 copy.result.time > 4 * c.memory_rtt_ns() ? "pipelined at link rate" : "in series",
                 c.memory_rtt_ns(), pages, pages == 1 ? "" : "s", c.mmu_update_per_page_ns())});
      }
      if (last) break;
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "transfer.csv", runs.Render()));
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "transfer_summary.csv", summary.Render()));
    if (sweep_bytes > 0) DDC_RETURN_IF_ERROR(Sweep(ctx, transfers, sweep_bytes));
    result.headline = headline;
    return result;
  }

 private:
  // Sweep varies the two parameters the grant's cost rests on, the per-page MMU update and the
  // page size, at one transfer size; the copy baseline does not depend on the MMU cost.
  static absl::Status Sweep(const ExperimentContext& ctx, Transfers& transfers, int64_t bytes) {
    CsvTable sweep({"bytes", "page_size", "mmu_update_per_page_ns", "transparent_ns", "exposed_ns",
                    "transparent_over_exposed", "exposed_model_ns"});
    for (int64_t page : {int64_t{4096}, int64_t{2097152}}) {
      PlatformConfig paged = ctx.config;
      paged.mutable_memory()->set_page_size(page);
      DDC_ASSIGN_OR_RETURN(TunedCopy copy, transfers.Copy(paged, bytes, nullptr, ""));
      for (int64_t mmu : {25, 50, 100, 200, 400, 800, 1600}) {
        PlatformConfig point = paged;
        point.mutable_cost_model()->set_mmu_update_per_page_ns(mmu);
        DDC_ASSIGN_OR_RETURN(TransferResult grant,
                             transfers.Run(point, Mode::kExposed, {bytes, bytes, 1}, nullptr));
        sweep.AddRow(bytes, page, mmu, copy.result.time, grant.time,
                     Ratio(copy.result.time, grant.time), grant.model);
      }
    }
    return WriteFile(ctx.out_dir, "transfer_sensitivity.csv", sweep.Render());
  }
};

}  // namespace

std::unique_ptr<Experiment> MakeTransferExperiment() {
  return std::make_unique<TransferExperiment>();
}

}  // namespace ddc::harness
