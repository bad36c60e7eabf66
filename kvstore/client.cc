#include "kvstore/client.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kvstore/command.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {
namespace {

// Inputs returns the lincheck inputs a command is recorded as (none for SCAN).
std::vector<lincheck::Input> Inputs(const KvRequest& request) {
  std::vector<lincheck::Input> inputs;
  switch (request.command()) {
    case GET:
    case MGET:
      for (const std::string& key : request.args()) {
        inputs.push_back({.type = lincheck::OpType::kGet, .key = key});
      }
      break;
    case SET:
      inputs.push_back(
          {.type = lincheck::OpType::kPut, .key = request.args(0), .value = request.args(1)});
      break;
    case DEL:
      inputs.push_back({.type = lincheck::OpType::kDelete, .key = request.args(0)});
      break;
    case INCR:
      inputs.push_back({.type = lincheck::OpType::kIncrement, .key = request.args(0), .delta = 1});
      break;
    default:
      break;
  }
  return inputs;
}

// Outputs maps a final reply to one lincheck output per input; nullopt when the reply does not
// tell (the outcome is then unknown).
std::optional<std::vector<lincheck::Output>> Outputs(const KvRequest& request,
                                                     const KvReply& reply) {
  using lincheck::Outcome;
  std::vector<lincheck::Output> outputs;
  switch (request.command()) {
    case GET:
      if (reply.kind() == VALUE) {
        outputs.push_back({Outcome::kOk, reply.value()});
      } else if (reply.kind() == NIL) {
        outputs.push_back({Outcome::kNotFound, std::nullopt});
      } else {
        return std::nullopt;
      }
      break;
    case MGET:
      if (reply.kind() != ARRAY || reply.values_size() != request.args_size()) return std::nullopt;
      for (const OptionalValue& value : reply.values()) {
        if (value.has_value()) {
          outputs.push_back({Outcome::kOk, value.value()});
        } else {
          outputs.push_back({Outcome::kNotFound, std::nullopt});
        }
      }
      break;
    case SET:
      if (reply.kind() != OK) return std::nullopt;
      outputs.push_back({Outcome::kOk, std::nullopt});
      break;
    case DEL:
      if (reply.kind() != INTEGER) return std::nullopt;
      outputs.push_back({Outcome::kOk, std::nullopt});
      break;
    case INCR:
      if (reply.kind() == INTEGER) {
        outputs.push_back({Outcome::kOk, absl::StrCat(reply.integer())});
      } else if (reply.kind() == ERROR) {
        outputs.push_back({Outcome::kFailed, std::nullopt});
      } else {
        return std::nullopt;
      }
      break;
    default:
      return std::nullopt;
  }
  return outputs;
}

}  // namespace

asio::awaitable<absl::Status> KvClient::FetchTable() {
  const std::optional<ProcessId> coordinator = self_.FindProcess(options_.coordinator);
  if (!coordinator) {
    co_return absl::NotFoundError(absl::StrCat("no coordinator named ", options_.coordinator));
  }
  ++counters_.table_fetches;
  // The coordinator answers once the cluster is ready, which may take the whole preload; until
  // then, and whenever the request or its reply is lost, ask again every call_timeout.
  while (true) {
    absl::StatusOr<Received<SlotTableReply>> reply = co_await self_.Call<SlotTableReply>(
        *coordinator, SlotTableRequest(), options_.call_timeout);
    if (reply.ok()) {
      table_suspect_ = false;
      co_return table_.FromProto(**reply);
    }
    if (!absl::IsDeadlineExceeded(reply.status())) co_return reply.status();
  }
}

asio::awaitable<absl::StatusOr<KvReply>> KvClient::Execute(const KvRequest& request) {
  DDC_CO_ASSIGN_OR_RETURN(const int slot, CommandSlot(request));
  if (table_suspect_) DDC_CO_RETURN_IF_ERROR(co_await FetchTable());
  ProcessId to = table_.owner(slot).shard;
  bool asking = false;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (to == kNoProcess) {
      DDC_CO_RETURN_IF_ERROR(co_await FetchTable());
      to = table_.owner(slot).shard;
      if (to == kNoProcess)
        co_return absl::UnavailableError(absl::StrCat("slot ", slot, " has no owner"));
    }
    KvRequest sent = request;
    if (asking) sent.set_asking(true);
    absl::StatusOr<Received<KvReply>> reply =
        co_await self_.Call<KvReply>(to, std::move(sent), options_.call_timeout);
    if (!reply.ok()) {
      ++counters_.failed_calls;
      if (absl::IsDeadlineExceeded(reply.status())) table_suspect_ = true;
      co_return reply.status();
    }
    const KvReply& out = **reply;
    switch (out.kind()) {
      case MOVED:
        ++counters_.moved;
        asking = false;
        if (out.has_shard() && table_.Learn(slot, ProcessId{out.shard()}, out.epoch())) {
          to = table_.owner(slot).shard;
        } else {
          // No newer owner named: the handover is still being recorded, ask the coordinator.
          co_await self_.Sleep(options_.retry_backoff);
          DDC_CO_RETURN_IF_ERROR(co_await FetchTable());
          to = table_.owner(slot).shard;
        }
        continue;
      case ASK:
        ++counters_.asks;
        to = ProcessId{out.shard()};
        asking = true;
        continue;
      case TRYAGAIN:
        ++counters_.tryagain;
        asking = false;
        co_await self_.Sleep(options_.retry_backoff);
        to = table_.owner(slot).shard;
        continue;
      default:
        co_return out;
    }
  }
  co_return absl::AbortedError(
      absl::StrCat("slot ", slot, ": no answer after ", options_.max_attempts, " redirects"));
}

asio::awaitable<absl::StatusOr<KvReply>> KvClient::Run(const KvRequest& request) {
  lincheck::HistoryRecorder* history = options_.history;
  DDC_CO_RETURN_IF_ERROR(CommandSlot(request).status());
  std::vector<lincheck::CallHandle> calls;
  if (history != nullptr) {
    for (lincheck::Input& input : Inputs(request)) {
      calls.push_back(history->Call(options_.client_id, std::move(input), self_.Now()));
    }
  }
  absl::StatusOr<KvReply> reply = co_await Execute(request);
  if (history == nullptr || calls.empty()) co_return reply;
  std::optional<std::vector<lincheck::Output>> outputs;
  if (reply.ok()) outputs = Outputs(request, *reply);
  for (size_t i = 0; i < calls.size(); ++i) {
    if (outputs) {
      DDC_CO_RETURN_IF_ERROR(history->Return(calls[i], (*outputs)[i], self_.Now()));
    } else {
      DDC_CO_RETURN_IF_ERROR(history->MarkUnknown(calls[i]));
    }
  }
  co_return reply;
}

}  // namespace ddc::kvstore
