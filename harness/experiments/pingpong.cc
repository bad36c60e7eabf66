// Experiment `pingpong`: round-trip times between processes in the same rack and in different
// racks, for messages of several sizes, next to the cost model's prediction (claim C10: the
// platform reproduces the paper's Figure 2 latencies).
//
// A pinger sends a Ping and waits for the echo, `kIterations` times per size and placement. Under
// message faults a ping may be lost: the pinger then times out, counts the loss and moves on.
#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/experiment.h"
#include "harness/experiments/pingpong.pb.h"
#include "harness/output.h"
#include "platform/cost_model.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr int kIterations = 10;
constexpr int64_t kPayloadSizes[] = {0, 64, 512, 4096, 65536, 1048576};

struct Target {
  std::string placement;  // "intra-rack" or "cross-rack"
  ProcessId ponger;
  bool same_rack;
};

struct Row {
  std::string placement;
  int64_t payload_bytes;
  int64_t wire_bytes;
  std::vector<Duration> rtts;
  int lost = 0;
  Duration model_rtt;
};

asio::awaitable<void> Ponger(Process& self) {
  for (;;) {
    Envelope in = co_await self.Receive();
    if (!in.Is<Ping>()) continue;
    (void)self.Send(in.from(), in.As<Ping>());
  }
}

asio::awaitable<void> Pinger(Process& self, std::vector<Target> targets, CostModel model,
                             std::vector<Row>* rows) {
  uint32_t seq = 0;
  for (const Target& target : targets) {
    for (int64_t size : kPayloadSizes) {
      Ping ping;
      ping.set_payload(std::string(static_cast<size_t>(size), 'x'));
      ping.set_seq(seq + 1);
      const int64_t wire = static_cast<int64_t>(ping.ByteSizeLong());
      Row row{
          target.placement, size, wire, {}, 0, model.MessageRttNs(target.same_rack, wire, wire)};
      // A reply that has not come back after 100 model RTTs (plus 1 ms) is counted as lost.
      const Duration timeout = 100 * row.model_rtt + Milliseconds(1);
      for (int i = 0; i < kIterations; ++i) {
        ping.set_seq(++seq);
        const Time sent = self.Now();
        if (!self.Send(target.ponger, ping).ok()) co_return;
        for (;;) {
          std::optional<Envelope> reply = co_await self.ReceiveFor(sent + timeout - self.Now());
          if (!reply) {
            ++row.lost;
            break;
          }
          if (reply->Is<Ping>() && reply->As<Ping>().seq() == seq) {
            row.rtts.push_back(self.Now() - sent);
            break;
          }
        }
      }
      rows->push_back(std::move(row));
    }
  }
}

class PingpongExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "pingpong"; }
  absl::string_view description() const override {
    return "round-trip time vs message size, intra-rack and cross-rack, against the cost model "
           "(claim C10)";
  }

  absl::Status Run(const ExperimentContext& ctx) override {
    DDC_ASSIGN_OR_RETURN(std::unique_ptr<Simulation> sim, Simulation::Create(ctx.config, ctx.seed));
    DDC_ASSIGN_OR_RETURN(CeId pinger_ce, sim->CeForRole("pinger", "r0/ce0"));
    DDC_ASSIGN_OR_RETURN(CeId intra_ce, sim->CeForRole("ponger-intra", "r0/ce1"));
    DDC_ASSIGN_OR_RETURN(CeId cross_ce, sim->CeForRole("ponger-cross", "r1/ce0"));
    const Topology& topology = sim->topology();
    std::vector<Target> targets;
    for (auto [role, ce] :
         {std::pair{"ponger-intra", intra_ce}, std::pair{"ponger-cross", cross_ce}}) {
      DDC_ASSIGN_OR_RETURN(ProcessId id, sim->Spawn({.name = role, .ce = ce, .main = Ponger}));
      const bool same_rack = topology.ce(ce).rack == topology.ce(pinger_ce).rack;
      targets.push_back({same_rack ? "intra-rack" : "cross-rack", id, same_rack});
    }
    std::vector<Row> rows;
    const CostModel model(ctx.config.cost_model());
    DDC_RETURN_IF_ERROR(
        sim->Spawn({.name = "pinger",
                    .ce = pinger_ce,
                    .main = [&](Process& self) { return Pinger(self, targets, model, &rows); }})
            .status());
    sim->RunUntilIdle();

    CsvTable table({"placement", "payload_bytes", "wire_bytes", "iterations", "lost", "rtt_mean_ns",
                    "rtt_min_ns", "rtt_max_ns", "model_rtt_ns", "mean_minus_model_ns"});
    for (const Row& row : rows) {
      const int n = static_cast<int>(row.rtts.size());
      Duration sum = 0;
      for (Duration r : row.rtts) sum += r;
      if (n == 0) {  // every ping was lost: there is no measurement to compare
        table.AddRow(row.placement, row.payload_bytes, row.wire_bytes, kIterations, row.lost, "NA",
                     "NA", "NA", row.model_rtt, "NA");
        continue;
      }
      const Duration mean = sum / n;
      const Duration min = *std::min_element(row.rtts.begin(), row.rtts.end());
      const Duration max = *std::max_element(row.rtts.begin(), row.rtts.end());
      table.AddRow(row.placement, row.payload_bytes, row.wire_bytes, kIterations, row.lost, mean,
                   min, max, row.model_rtt, mean - row.model_rtt);
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "pingpong.csv", table.Render()));
    return WriteRunArtifacts(ctx.out_dir, "pingpong", *sim);
  }
};

}  // namespace

std::unique_ptr<Experiment> MakePingpongExperiment() {
  return std::make_unique<PingpongExperiment>();
}

}  // namespace ddc::harness
