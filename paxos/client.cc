#include "paxos/client.h"

#include "absl/strings/str_cat.h"
#include "common/lincheck/operation.h"
#include "paxos/kv_state.h"
#include "platform/random.h"
#include "platform/status_macros.h"

namespace ddc::paxos {

StoreClient::StoreClient(Process& self, const ServiceConfig& config, uint64_t client_id,
                         std::vector<ProcessId> candidates)
    : self_(self),
      config_(config),
      client_id_(client_id),
      candidates_(std::move(candidates)),
      target_(candidates_.at(0)) {}

ProcessId StoreClient::NextCandidate() {
  // Round robin from the current target's successor.
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (candidates_[i] == target_) return candidates_[(i + 1) % candidates_.size()];
  }
  return candidates_[next_candidate_++ % candidates_.size()];
}

asio::awaitable<absl::StatusOr<ClientReply>> StoreClient::Execute(Command command,
                                                                  Time give_up_at) {
  command.set_client_id(client_id_);
  command.set_client_seq(next_seq_++);
  ClientRequest request;
  *request.mutable_command() = std::move(command);
  for (;;) {
    if (self_.Now() >= give_up_at)
      co_return absl::DeadlineExceededError(
          absl::StrCat("client ", client_id_, ": no answer before giving up"));
    absl::StatusOr<Received<ClientReply>> reply =
        co_await self_.Call<ClientReply>(target_, request, config_.client_timeout);
    if (reply.ok()) {
      const ClientReply& r = **reply;
      if (r.code() == 0) co_return r;
      if (r.code() != static_cast<int>(absl::StatusCode::kUnavailable)) co_return ReplyStatus(r);
      // Not the leader: follow the hint, or try the next replica after a heartbeat.
      ++retries_;
      if (r.has_leader_process() && r.leader_process() != Index(target_)) {
        target_ = ProcessId{static_cast<uint32_t>(r.leader_process())};
        unhinted_ = 0;
      } else {
        // No leader known there: ask the next replica now, and wait a heartbeat only after a
        // whole round of replicas knew none (an election is under way).
        target_ = NextCandidate();
        if (++unhinted_ % candidates_.size() == 0) co_await self_.Sleep(config_.heartbeat_interval);
      }
      continue;
    }
    const absl::Status& failure = reply.status();
    if (!absl::IsDeadlineExceeded(failure) && !absl::IsUnavailable(failure)) co_return failure;
    // Silence or a reset: the same command (same sequence) to the next candidate. After a steal
    // the reset comes from the member's id, which a thief now answers for: try it again first.
    ++retries_;
    if (!absl::IsUnavailable(failure)) target_ = NextCandidate();
  }
}

asio::awaitable<absl::Status> RunClient(Process& self, ServiceConfig config, int client,
                                        Outcome* outcome) {
  std::vector<ProcessId> candidates;
  for (int m = 0; m < config.replicas; ++m) {
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId replica, FindPeer(self, ReplicaName(m)));
    candidates.push_back(replica);
  }
  // In transparent mode a standby may become a member under its own id (a replacement); in
  // exposed mode a reincarnated member keeps the victim's id, so standbys are never asked.
  for (int m = 0; self.mode() == Mode::kTransparent && m < config.replicas; ++m) {
    DDC_CO_ASSIGN_OR_RETURN(const ProcessId standby, FindPeer(self, StandbyName(m)));
    candidates.push_back(standby);
  }
  StoreClient store(self, config, static_cast<uint64_t>(client) + 1, std::move(candidates));
  DDC_CO_ASSIGN_OR_RETURN(const UniformInt key_draw, UniformInt::Create(0, config.keys - 1));
  // Give the group time to elect its first leader (member 0 campaigns after one election
  // timeout).
  co_await self.Sleep(config.election_timeout() * 3 / 2);
  const Time give_up_at = config.load_until + config.election_timeout() * 20 + Seconds(1);
  int64_t op = 0;
  while (self.Now() < config.load_until) {
    co_await self.Sleep(static_cast<Duration>(UniformDouble(self.rng()) * 2 *
                                              static_cast<double>(config.think_time)));
    const bool write = UniformDouble(self.rng()) < config.write_fraction;
    const std::string key = absl::StrCat("k", key_draw.Next(self.rng()));
    Command command;
    lincheck::Input input;
    input.key = key;
    if (write) {
      command.set_op(OP_PUT);
      std::string value = absl::StrCat("c", client, "-", op++, "-");
      value.resize(std::max<size_t>(value.size(), config.value_bytes), '.');
      command.set_value(value);
      input.type = lincheck::OpType::kPut;
      input.value = value;
    } else {
      command.set_op(OP_GET);
      input.type = lincheck::OpType::kGet;
    }
    command.set_key(key);
    const Time start = self.Now();
    const lincheck::CallHandle handle = outcome->history.Call(client, input, start);
    absl::StatusOr<ClientReply> reply = co_await store.Execute(std::move(command), give_up_at);
    if (absl::IsDeadlineExceeded(reply.status())) {
      DDC_CO_RETURN_IF_ERROR(outcome->history.MarkUnknown(handle));
      break;
    }
    if (!reply.ok()) {
      ++outcome->client_errors;
      outcome->errors.push_back(std::string(reply.status().message()));
      DDC_CO_RETURN_IF_ERROR(outcome->history.MarkUnknown(handle));
      continue;
    }
    lincheck::Output output;
    if (!write) {
      output.outcome = reply->found() ? lincheck::Outcome::kOk : lincheck::Outcome::kNotFound;
      if (reply->found()) output.value = reply->value();
    }
    DDC_CO_RETURN_IF_ERROR(outcome->history.Return(handle, output, self.Now()));
    outcome->acks.push_back({self.Now(), self.Now() - start, write});
  }
  outcome->client_retries += store.retries();
  ++outcome->clients_done;
  co_return absl::OkStatus();
}

}  // namespace ddc::paxos
