// The data network: sending and delivering messages, partitions, message faults, the ToR rules
// that steals install, and the calls in flight that a callee's failure or reincarnation resets.
#include "absl/strings/str_cat.h"
#include "platform/sim/process_control.h"
#include "platform/sim/wire.h"
#include "platform/sim/world.h"

namespace ddc::sim {
namespace {

// Happens draws an event of probability p, consuming the stream only when the outcome is
// uncertain, so that rules that cannot fire do not shift the draws of rules that can.
bool Happens(Rng& rng, double p) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return UniformDouble(rng) < p;
}

}  // namespace

bool World::Matches(const std::optional<Endpoint>& e, CeId ce) const {
  return !e || topology_.Covers(*e, ce);
}

bool World::Partitioned(CeId a, CeId b, Time at) const {
  for (const PartitionRule& p : partitions_) {
    if (at < p.at || at >= p.heal_at) continue;
    if ((topology_.Covers(p.a, a) && topology_.Covers(p.b, b)) ||
        (topology_.Covers(p.a, b) && topology_.Covers(p.b, a))) {
      return true;
    }
  }
  return false;
}

void World::AddPartition(Endpoint a, Endpoint b, Time at, Time heal_at) {
  partitions_.push_back({a, b, at, heal_at});
}

absl::Status World::Send(ProcessControl& from, Outgoing out) {
  ProcessControl* dst = process(out.to);
  if (dst == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("send from \"", from.name(), "\": no process with id ", Index(out.to)));
  }
  if (out.message == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("send from \"", from.name(), "\": null message"));
  }
  // A crashed process's coroutine frames are unwound after the event that killed it; nothing
  // their destructors try to send may leave the dead CE.
  if (!from.alive()) {
    metrics_.dropped_dead_source++;
    return absl::OkStatus();
  }
  // ToR rules installed by steals: the victim is fenced; only its thief may speak for it.
  if (tor_.Fenced(from.id())) {
    metrics_.dropped_by_fence++;
    return absl::PermissionDeniedError(
        absl::StrCat("send from \"", from.name(),
                     "\": this process was fenced by a steal; the ToR drops its traffic"));
  }
  const ProcessId as = out.as == kNoProcess ? from.id() : out.as;
  if (as != from.id() && !tor_.SpeaksFor(from.id(), as)) {
    const ProcessControl* identity = process(as);
    return absl::PermissionDeniedError(absl::StrCat(
        "send from \"", from.name(), "\" as \"", identity == nullptr ? "?" : identity->name(),
        "\": only the process the ToR redirects that identity to (its thief) may speak for it"));
  }
  dst = process(tor_.Resolve(out.to));
  if (dst->id() != out.to) metrics_.redirected++;
  // A request opens a call (under its identity and its holder); a reply answers its call.
  if (out.kind == Envelope::Kind::kRequest) OpenCall(out.call_id, out.to, from.id());
  if (out.kind == Envelope::Kind::kReply) CloseCall(out.call_id);

  const uint32_t incarnation = processes_[Index(as)].incarnation;
  const int64_t bytes = static_cast<int64_t>(out.message->ByteSizeLong()) +
                        WireHeaderBytes(out.kind, out.call_id, incarnation);
  const Time now = kernel_.now();
  const CeId src_ce = from.ce();
  const CeId dst_ce = dst->ce();
  metrics_.messages_sent++;
  metrics_.bytes_sent += static_cast<uint64_t>(bytes);
  if (Partitioned(src_ce, dst_ce, now)) {
    metrics_.dropped_by_partition++;
    return absl::OkStatus();
  }
  bool drop = false;
  bool duplicate = false;
  Duration extra_delay = 0;
  for (const MessageRule& rule : message_rules_) {
    if (now < rule.spec.start_ns() || now >= rule.spec.end_ns()) continue;
    if (!Matches(rule.from, src_ce) || !Matches(rule.to, dst_ce)) continue;
    Rng& rng = processes_[Index(from.id())].network_faults;
    drop = Happens(rng, rule.spec.drop_probability()) || drop;
    duplicate = Happens(rng, rule.spec.duplicate_probability()) || duplicate;
    if (Happens(rng, rule.spec.delay_probability())) extra_delay += rule.spec.delay_ns();
  }
  if (drop) {
    metrics_.dropped_by_fault++;
    return absl::OkStatus();
  }
  if (extra_delay > 0) metrics_.delayed++;
  const int copies = duplicate ? 2 : 1;
  if (duplicate) metrics_.duplicated++;
  for (int i = 0; i < copies; ++i) {
    const Time arrival = network_.Transmit(src_ce, dst_ce, bytes, now) + extra_delay;
    // The last copy takes the message.
    DeliverAt(arrival, *dst,
              Envelope(as, out.to, incarnation, out.kind, out.call_id, now, bytes,
                       i + 1 == copies ? std::move(out.message) : out.message));
  }
  return absl::OkStatus();
}

void World::DeliverAt(Time arrival, ProcessControl& destination, Envelope envelope) {
  // The envelope waits in a World-owned slab, so the event captures 12 bytes and fits in the
  // callback's inline storage (no allocation per message).
  uint32_t slot;
  if (in_flight_free_.empty()) {
    slot = static_cast<uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = in_flight_free_.back();
    in_flight_free_.pop_back();
  }
  in_flight_[slot] = {&destination, std::move(envelope)};
  kernel_.At(arrival, [this, slot] {
    InFlight f = std::move(in_flight_[slot]);
    in_flight_free_.push_back(slot);
    Deliver(*f.dst, std::move(f.envelope));
  });
}

void World::Deliver(ProcessControl& dst, Envelope envelope) {
  if (!dst.alive()) {
    metrics_.dropped_dead_destination++;
    return;
  }
  metrics_.messages_delivered++;
  metrics_.bytes_delivered += static_cast<uint64_t>(envelope.wire_bytes());
  if (tracer_.enabled()) {
    tracer_.Complete(
        dst.track(), envelope.message().GetDescriptor()->name(), envelope.sent_at(),
        kernel_.now() - envelope.sent_at(),
        absl::StrCat("\"from\":", Index(envelope.from()), ",\"bytes\":", envelope.wire_bytes()));
  }
  dst.Deliver(std::move(envelope));
}

void World::OpenCall(uint64_t call_id, ProcessId callee, ProcessId caller) {
  const ProcessId holder = tor_.Resolve(callee);  // where World::Send delivered it, just now
  open_calls_[call_id] = {callee, holder, caller};
  open_calls_by_identity_[callee].insert(call_id);
  open_calls_by_holder_[holder].insert(call_id);
}

namespace {

void Unindex(std::map<ProcessId, std::set<uint64_t>>& index, ProcessId key, uint64_t call_id) {
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(call_id);
  if (it->second.empty()) index.erase(it);
}

}  // namespace

void World::CloseCall(uint64_t call_id) {
  auto it = open_calls_.find(call_id);
  if (it == open_calls_.end()) return;
  Unindex(open_calls_by_identity_, it->second.identity, call_id);
  Unindex(open_calls_by_holder_, it->second.holder, call_id);
  open_calls_.erase(it);
}

void World::ResetCalls(ProcessId process, absl::string_view why, bool addressed_too) {
  std::set<uint64_t> calls;
  if (auto it = open_calls_by_holder_.find(process); it != open_calls_by_holder_.end()) {
    calls = it->second;
  }
  if (addressed_too) {
    if (auto it = open_calls_by_identity_.find(process); it != open_calls_by_identity_.end()) {
      calls.insert(it->second.begin(), it->second.end());
    }
  }
  if (calls.empty()) return;
  const ProcessControl& target = *this->process(process);
  const absl::Status reset =
      absl::UnavailableError(absl::StrCat("connection reset: \"", target.name(), "\" ", why));
  for (uint64_t call_id : calls) {  // in call id order
    const ProcessId caller = open_calls_.at(call_id).caller;
    CloseCall(call_id);
    metrics_.calls_reset++;
    // The reset reaches the caller one network hop later (from the callee's CE OS, or from the
    // ToR that now redirects the callee's address).
    const Time at =
        kernel_.now() + network_.OneWayLatency(target.ce(), this->process(caller)->ce());
    kernel_.At(at, [this, caller, call_id, reset] {
      ProcessControl* p = this->process(caller);
      if (p->alive()) p->ResetCall(call_id, reset);
    });
  }
}

void World::LiftStealRules(ProcessId process) {
  if (tor_.Lift(process)) {
    tracer_.Instant(tracer_.FabricTrack(), "tor rules lifted", kernel_.now(),
                    absl::StrCat("\"process\":", Index(process)));
  }
}

void World::InstallStealRules(ProcessId victim, ProcessId thief) {
  tor_.Install(victim, thief);
  // The identity moves to the thief: a new incarnation, and connections to the old one reset.
  ++processes_[Index(victim)].incarnation;
  ResetCalls(victim, "was stolen from; its address now reaches another process",
             /*addressed_too=*/true);
  tracer_.Instant(tracer_.FabricTrack(), "tor redirect+fence", kernel_.now(),
                  absl::StrCat("\"victim\":", Index(victim), ",\"thief\":", Index(thief)));
}

}  // namespace ddc::sim
