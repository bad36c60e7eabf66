#include "harness/check/paxos_target.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/history.h"
#include "common/lincheck/kv_model.h"
#include "harness/check/swarm.h"
#include "paxos/client.h"
#include "paxos/launch.h"
#include "platform/cost_model.h"
#include "platform/random.h"
#include "platform/status_macros.h"

namespace ddc::check {
namespace {

using paxos_invariants::ClientTag;

constexpr char kName[] = "paxos";

// Between draws an integer uniform on [lo, hi].
int64_t Between(Rng& rng, int64_t lo, int64_t hi) {
  const int64_t span = hi - lo + 1;
  return lo + std::min<int64_t>(span - 1, static_cast<int64_t>(UniformDouble(rng) * span));
}

// Knobs are the target's own draws; they round-trip through Scenario::options (plain integers,
// the unit in the name), so Run depends on the scenario alone.
struct Knobs {
  int64_t replicas = 3;
  int64_t racks = 1;
  int64_t clients = 3;
  int64_t keys = 16;
  int64_t get_percent = 40;  // the rest split between put, delete and cas below
  int64_t put_percent = 30;
  int64_t delete_percent = 10;  // cas: 100 - get - put - delete
  int64_t think_time_us = 30;
  int64_t value_bytes = 16;
  int64_t state_kib = 256;
  int64_t window = 32;
  int64_t max_batch = 16;
  int64_t election_ticks = 10;
  int64_t heartbeat_ns = 45000;
  int64_t checkpoint_recovery = 0;  // transparent mode: 1 = checkpoint store, 0 = peer copy
  int64_t victims = 1;              // replicas CE and ME faults may hit: members 0..victims-1
};

std::vector<std::pair<const char*, int64_t Knobs::*>> KnobFields() {
  return {{"replicas", &Knobs::replicas},
          {"racks", &Knobs::racks},
          {"clients", &Knobs::clients},
          {"keys", &Knobs::keys},
          {"get_percent", &Knobs::get_percent},
          {"put_percent", &Knobs::put_percent},
          {"delete_percent", &Knobs::delete_percent},
          {"think_time_us", &Knobs::think_time_us},
          {"value_bytes", &Knobs::value_bytes},
          {"state_kib", &Knobs::state_kib},
          {"window", &Knobs::window},
          {"max_batch", &Knobs::max_batch},
          {"election_ticks", &Knobs::election_ticks},
          {"heartbeat_ns", &Knobs::heartbeat_ns},
          {"checkpoint_recovery", &Knobs::checkpoint_recovery},
          {"victims", &Knobs::victims}};
}

absl::StatusOr<Knobs> KnobsFromOptions(const Scenario& scenario) {
  Knobs knobs;
  for (const auto& [name, field] : KnobFields()) {
    bool found = false;
    for (const auto& [key, value] : scenario.options) {
      if (key != name) continue;
      if (!absl::SimpleAtoi(value, &(knobs.*field)))
        return absl::InvalidArgumentError(
            absl::StrCat("paxos scenario option ", name, ": not an integer: \"", value, "\""));
      found = true;
    }
    if (!found)
      return absl::InvalidArgumentError(absl::StrCat("paxos scenario: option ", name, " missing"));
  }
  if (knobs.replicas != 3 && knobs.replicas != 5)
    return absl::InvalidArgumentError(
        absl::StrCat("paxos scenario option replicas: want 3 or 5, got ", knobs.replicas));
  if (knobs.racks < 1 || knobs.clients < 1 || knobs.keys < 1 || knobs.victims < 0 ||
      knobs.victims > (knobs.replicas - 1) / 2)
    return absl::InvalidArgumentError(
        "paxos scenario: racks, clients and keys must be >= 1 and victims a minority");
  return knobs;
}

// Layout is where the store's processes go: member m in rack m % racks, on its own CE, with its
// standby on another CE of the same rack; clients and the checkpoint store on the CEs left over.
struct Layout {
  paxos::Placement placement;
  std::vector<int> member_rack;
  std::string checkpoint_rack;
};

int CesNeeded(int replicas, int racks) {
  // Rack 0 holds the most members (ceil(n / racks)), two CEs each, plus one spare CE for
  // clients and the checkpoint store.
  return 2 * ((replicas + racks - 1) / racks) + 1;
}

absl::StatusOr<Layout> PlaceStore(const PlatformConfig& config, int replicas, int racks) {
  if (config.racks_size() != racks)
    return absl::InvalidArgumentError(absl::StrCat("paxos scenario: want ", racks,
                                                   " racks, the config has ", config.racks_size()));
  std::vector<int> next_ce(racks, 0);
  Layout layout;
  auto take = [&](int rack) -> absl::StatusOr<std::string> {
    const config::Rack& r = config.racks(rack);
    if (next_ce[rack] >= r.compute_elements_size())
      return absl::InvalidArgumentError(
          absl::StrCat("paxos scenario: rack ", r.name(), " has too few CEs"));
    return absl::StrCat(r.name(), "/", r.compute_elements(next_ce[rack]++).name());
  };
  for (int m = 0; m < replicas; ++m) {
    const int rack = m % racks;
    layout.member_rack.push_back(rack);
    DDC_ASSIGN_OR_RETURN(std::string replica, take(rack));
    DDC_ASSIGN_OR_RETURN(std::string standby, take(rack));
    layout.placement.replica_ces.push_back(std::move(replica));
    layout.placement.standby_ces.push_back(std::move(standby));
  }
  for (int rack = 0; rack < racks; ++rack) {
    const config::Rack& r = config.racks(rack);
    while (next_ce[rack] < r.compute_elements_size()) {
      DDC_ASSIGN_OR_RETURN(std::string spare, take(rack));
      layout.placement.client_ces.push_back(std::move(spare));
    }
  }
  if (layout.placement.client_ces.empty())
    return absl::InvalidArgumentError("paxos scenario: no CE left for the clients");
  // The checkpoint store shares the last spare CE (in the last rack).
  layout.placement.checkpoint_ce = layout.placement.client_ces.back();
  layout.checkpoint_rack =
      layout.placement.checkpoint_ce.substr(0, layout.placement.checkpoint_ce.find('/'));
  return layout;
}

paxos::ServiceConfig ServiceFor(const Knobs& knobs, const Scenario& scenario) {
  paxos::ServiceConfig config;
  config.replicas = static_cast<int>(knobs.replicas);
  config.clients = 0;  // the target runs its own clients (get, put, delete, cas)
  config.heartbeat_interval = knobs.heartbeat_ns;
  config.election_ticks = static_cast<int>(knobs.election_ticks);
  config.window = static_cast<int>(knobs.window);
  config.max_batch = static_cast<int>(knobs.max_batch);
  config.state_bytes = knobs.state_kib << 10;
  config.chunk_bytes = 64 << 10;
  config.transparent_recovery =
      knobs.checkpoint_recovery ? paxos::Recovery::kCheckpoint : paxos::Recovery::kPeerTransfer;
  config.client_timeout = config.election_timeout();
  config.keys = static_cast<int>(knobs.keys);
  config.value_bytes = static_cast<int>(knobs.value_bytes);
  config.think_time = Microseconds(knobs.think_time_us);
  config.load_until = scenario.liveness_end;
  return config;
}

// ClientRecord is what the target's clients record besides the history.
struct ClientRecord {
  lincheck::HistoryRecorder history;
  std::map<int64_t, ClientTag> tags;  // history op id -> command
  std::vector<std::string> errors;
};

// RunCheckClient is one closed-loop client: a get, put, delete or cas on a random key after a
// random think time, until the end of the run, each recorded in the history. A cas expects the
// value this client last saw for the key (or its absence).
asio::awaitable<absl::Status> RunCheckClient(Process& self, paxos::ServiceConfig config,
                                             Knobs knobs, int client, ClientRecord* record) {
  std::vector<ProcessId> candidates;
  for (int m = 0; m < config.replicas; ++m) {
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId replica, paxos::FindPeer(self, paxos::ReplicaName(m)));
    candidates.push_back(replica);
  }
  for (int m = 0; self.mode() == Mode::kTransparent && m < config.replicas; ++m) {
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId standby, paxos::FindPeer(self, paxos::StandbyName(m)));
    candidates.push_back(standby);
  }
  const uint64_t client_id = static_cast<uint64_t>(client) + 1;
  paxos::StoreClient store(self, config, client_id, std::move(candidates));
  DDC_CO_ASSIGN_OR_RETURN(const UniformInt key_draw, UniformInt::Create(0, config.keys - 1));
  DDC_CO_ASSIGN_OR_RETURN(const UniformInt op_draw, UniformInt::Create(0, 99));
  std::map<std::string, std::optional<std::string>> last_seen;
  uint64_t seq = 0;
  for (int64_t op = 0; self.Now() < config.load_until; ++op) {
    co_await self.Sleep(static_cast<Duration>(UniformDouble(self.rng()) * 2 *
                                              static_cast<double>(config.think_time)));
    const std::string key = absl::StrCat("k", key_draw.Next(self.rng()));
    const int64_t dice = op_draw.Next(self.rng());
    std::string value = absl::StrCat("c", client, "-", op, "-");
    value.resize(std::max<size_t>(value.size(), config.value_bytes), '.');
    paxos::Command command;
    command.set_key(key);
    lincheck::Input input;
    input.key = key;
    if (dice < knobs.get_percent) {
      command.set_op(paxos::OP_GET);
      input.type = lincheck::OpType::kGet;
    } else if (dice < knobs.get_percent + knobs.put_percent) {
      command.set_op(paxos::OP_PUT);
      command.set_value(value);
      input.type = lincheck::OpType::kPut;
      input.value = value;
    } else if (dice < knobs.get_percent + knobs.put_percent + knobs.delete_percent) {
      command.set_op(paxos::OP_DELETE);
      input.type = lincheck::OpType::kDelete;
    } else {
      command.set_op(paxos::OP_CAS);
      command.set_value(value);
      input.type = lincheck::OpType::kCas;
      input.value = value;
      const std::optional<std::string>& expected = last_seen[key];
      if (expected) command.set_expected(*expected);
      input.expected = expected;
    }
    const lincheck::CallHandle handle = record->history.Call(client, input, self.Now());
    record->tags[handle.index] = {client_id, ++seq};  // StoreClient numbers commands 1, 2, ...
    absl::StatusOr<paxos::ClientReply> reply =
        co_await store.Execute(std::move(command), kInfiniteTime);
    if (!reply.ok()) {
      record->errors.push_back(absl::StrCat("client ", client, ": ", reply.status().ToString()));
      DDC_CO_RETURN_IF_ERROR(record->history.MarkUnknown(handle));
      continue;
    }
    lincheck::Output output;
    switch (input.type) {
      case lincheck::OpType::kGet:
        output.outcome = reply->found() ? lincheck::Outcome::kOk : lincheck::Outcome::kNotFound;
        if (reply->found()) output.value = reply->value();
        last_seen[key] = output.value;
        break;
      case lincheck::OpType::kPut:
        last_seen[key] = value;
        break;
      case lincheck::OpType::kDelete:
        last_seen[key] = std::nullopt;
        break;
      default:
        output.outcome = reply->swapped() ? lincheck::Outcome::kOk : lincheck::Outcome::kFailed;
        if (reply->swapped()) last_seen[key] = value;
        break;
    }
    DDC_CO_RETURN_IF_ERROR(record->history.Return(handle, output, self.Now()));
  }
  co_return absl::OkStatus();
}

class PaxosTarget : public CheckTarget {
 public:
  absl::string_view name() const override { return kName; }

  std::vector<std::string> invariants() const override {
    using namespace paxos_invariants;  // NOLINT(build/namespaces): the names only
    return {kLinearizable, kOneValuePerSlot, kEqualDigests,     kZombiesFenced, kProgress,
            kExactlyOnce,  kClientErrors,    kNoProcessFailure, kSelfCheck};
  }

  absl::StatusOr<Scenario> Draw(uint64_t seed) const override {
    Scenario scenario;
    scenario.target = kName;
    scenario.seed = seed;
    Knobs k;
    Rng shape = Rng::ForStream(seed, "check", kName, "shape");
    k.replicas = Between(shape, 0, 1) == 1 ? 5 : 3;
    k.racks = Between(shape, 1, 3);
    const int ces = CesNeeded(static_cast<int>(k.replicas), static_cast<int>(k.racks));
    Rng platform_rng = Rng::ForStream(seed, "check", kName, "platform");
    scenario.config = DrawPlatform(platform_rng, {.min_racks = static_cast<int>(k.racks),
                                                  .max_racks = static_cast<int>(k.racks),
                                                  .min_ces = ces,
                                                  .max_ces = ces + 2});
    ResolveConfig(scenario.config);

    Rng workload = Rng::ForStream(seed, "check", kName, "workload");
    k.clients = Between(workload, 1, 6);
    k.keys = Between(workload, 2, 32);
    k.get_percent = Between(workload, 10, 50);
    k.put_percent = Between(workload, 10, 80 - k.get_percent);
    k.delete_percent = Between(workload, 0, 90 - k.get_percent - k.put_percent);
    k.think_time_us = Between(workload, 5, 100);
    k.value_bytes = Between(workload, 8, 128);
    k.state_kib = Between(workload, 16, 512);
    k.window = Between(workload, 1, 32);
    k.max_batch = Between(workload, 1, 16);
    k.election_ticks = Between(workload, 5, 20);
    // The fair timeout rule (cost_model.h) on the drawn cost model, stretched by up to 3x.
    const FailureTimeouts fair =
        CostModel(scenario.config.cost_model()).AggressiveTimeouts(/*same_rack=*/false, 2048);
    k.heartbeat_ns = fair.heartbeat_interval * Between(workload, 1, 3);
    k.checkpoint_recovery = Between(workload, 0, 1);
    Rng windows = Rng::ForStream(seed, "check", kName, "windows");
    scenario.safety_end = Milliseconds(Between(windows, 15, 50));
    scenario.liveness_end = scenario.safety_end + Milliseconds(Between(windows, 20, 40));

    Rng victims = Rng::ForStream(seed, "check", kName, "victims");
    k.victims = Between(victims, 1, (k.replicas - 1) / 2);
    DDC_ASSIGN_OR_RETURN(
        const Layout layout,
        PlaceStore(scenario.config, static_cast<int>(k.replicas), static_cast<int>(k.racks)));
    *scenario.config.mutable_faults() = DrawFaults(seed, scenario, k, layout);
    for (const auto& [name, field] : KnobFields())
      scenario.options.push_back({name, absl::StrCat(k.*field)});
    return scenario;
  }

  absl::StatusOr<RunReport> Run(const Scenario& scenario, Mode mode) const override;

 private:
  // DrawFaults: the plan the store is built to survive. CE faults hit only the victims' replica
  // CEs (a minority: members 0..victims-1); an ME may fail only in a rack whose every member is
  // a victim and which does not hold the checkpoint store (the allocator packs a rack's pages
  // on its MEs, so an ME failure can take every replica's memory in its rack); message faults
  // and partitions hit any rack or replica CE.
  static config::FaultSchedule DrawFaults(uint64_t seed, const Scenario& scenario, const Knobs& k,
                                          const Layout& layout) {
    FaultPlan plan;
    for (int m = 0; m < k.victims; ++m) plan.ces.push_back(layout.placement.replica_ces[m]);
    for (int rack = 0; rack < k.racks; ++rack) {
      const config::Rack& r = scenario.config.racks(rack);
      plan.endpoints.push_back(r.name());
      // A replacement needs memory in its rack after the failure: at least two MEs.
      bool only_victims = r.name() != layout.checkpoint_rack && r.memory_elements_size() >= 2;
      for (int m = 0; m < k.replicas; ++m)
        if (layout.member_rack[m] == rack && m >= k.victims) only_victims = false;
      for (int e = 0; only_victims && e < r.memory_elements_size(); ++e)
        plan.mes.push_back(absl::StrCat(r.name(), "/", r.memory_elements(e).name()));
    }
    for (const std::string& ce : layout.placement.replica_ces) plan.endpoints.push_back(ce);
    plan.start = Milliseconds(1);
    plan.end = scenario.safety_end;
    plan.max_ce_crashes = static_cast<int>(k.victims);
    plan.max_ce_pauses = 2;
    plan.max_pause = Milliseconds(40);
    plan.max_ce_slowdowns = 1;
    plan.max_me_failures = 1;
    plan.max_message_faults = 3;
    plan.max_message_delay = Milliseconds(3);
    plan.max_partitions = 2;
    Rng rng = Rng::ForStream(seed, "check", kName, "faults");
    return DrawFaultSchedule(rng, plan);
  }
};

absl::StatusOr<RunReport> PaxosTarget::Run(const Scenario& scenario, Mode mode) const {
  DDC_ASSIGN_OR_RETURN(const Knobs knobs, KnobsFromOptions(scenario));
  PlatformConfig platform = scenario.config;
  platform.set_mode(mode == Mode::kExposed ? PlatformConfig::EXPOSED : PlatformConfig::TRANSPARENT);
  platform.mutable_trace()->set_enabled(false);  // nobody reads it; it costs a third of a run
  DDC_ASSIGN_OR_RETURN(const Layout layout, PlaceStore(platform, static_cast<int>(knobs.replicas),
                                                       static_cast<int>(knobs.racks)));
  const paxos::ServiceConfig config = ServiceFor(knobs, scenario);
  DDC_ASSIGN_OR_RETURN(std::unique_ptr<Simulation> sim,
                       Simulation::Create(platform, scenario.seed));
  sim->SetLog(nullptr);
  paxos::Outcome outcome;
  DDC_RETURN_IF_ERROR(paxos::Launch(*sim, config, layout.placement, &outcome).status());
  ClientRecord clients;
  for (int c = 0; c < knobs.clients; ++c) {
    const std::string& ce_name =
        layout.placement.client_ces[c % layout.placement.client_ces.size()];
    std::optional<CeId> ce = sim->topology().FindCe(ce_name);
    if (!ce) return absl::InternalError(absl::StrCat("no CE ", ce_name));
    DDC_RETURN_IF_ERROR(sim->Spawn({.name = absl::StrCat("check-client-", c),
                                    .ce = *ce,
                                    .main =
                                        [config, knobs, c, &clients](Process& self) {
                                          return RunCheckClient(self, config, knobs, c, &clients);
                                        }})
                            .status());
  }
  sim->RunUntil(scenario.safety_end);
  sim->RunUntil(scenario.liveness_end);

  RunReport report;
  report.faults_injected = CountFaults(platform.faults());
  const std::vector<lincheck::Operation>& history = clients.history.Operations();
  for (const lincheck::Operation& op : history) {
    if (op.output.outcome == lincheck::Outcome::kUnknown) continue;
    ++(op.ret < scenario.safety_end ? report.safety_operations : report.liveness_operations);
  }
  using namespace paxos_invariants;  // NOLINT(build/namespaces): the check functions
  std::vector<Violation>& v = report.violations;
  CheckLinearizable(history, v);
  CheckOneValuePerSlot(outcome.lives, v);
  CheckEqualDigests(outcome.lives, v);
  CheckZombiesFenced(outcome.lives, outcome.fenced_at, v);
  CheckProgress(report.liveness_operations, v);
  CheckExactlyOnce(outcome.chosen_log, history, clients.tags, v);
  for (const std::string& error : clients.errors) v.push_back({kClientErrors, error});
  CheckNoProcessFailure(sim->ProcessFailures(), v);
  for (const std::string& seen : outcome.violations) v.push_back({kSelfCheck, seen});
  return report;
}

}  // namespace

std::unique_ptr<CheckTarget> MakePaxosTarget() { return std::make_unique<PaxosTarget>(); }

}  // namespace ddc::check
