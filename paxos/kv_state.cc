#include "paxos/kv_state.h"

#include "absl/strings/str_cat.h"

namespace ddc::paxos {
namespace {

ClientReply ErrorReply(const absl::Status& status) {
  ClientReply reply;
  reply.set_code(static_cast<int32_t>(status.code()));
  reply.set_error(std::string(status.message()));
  return reply;
}

// Fnv folds bytes into a 64-bit FNV-1a hash.
void Fnv(uint64_t& h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
}
void FnvString(uint64_t& h, const std::string& s) {
  const uint64_t n = s.size();
  Fnv(h, &n, sizeof(n));
  Fnv(h, s.data(), s.size());
}

}  // namespace

absl::Status ValidateCommand(const Command& command) {
  switch (command.op()) {
    case OP_GET:
    case OP_PUT:
    case OP_DELETE:
    case OP_CAS:
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("command.op: unknown client operation ", static_cast<int>(command.op())));
  }
  if (!command.has_client_id() || command.client_id() == 0)
    return absl::InvalidArgumentError("command.client_id: missing (must be > 0)");
  if (!command.has_client_seq() || command.client_seq() == 0)
    return absl::InvalidArgumentError("command.client_seq: missing (must be > 0)");
  if (command.key().empty() || static_cast<int64_t>(command.key().size()) > kMaxKeyBytes)
    return absl::InvalidArgumentError(
        absl::StrCat("command.key: ", command.key().size(), " bytes, must be 1..", kMaxKeyBytes));
  const bool writes = command.op() == OP_PUT || command.op() == OP_CAS;
  if (!writes && command.has_value())
    return absl::InvalidArgumentError("command.value: only put and cas carry a value");
  if (writes && !command.has_value()) return absl::InvalidArgumentError("command.value: missing");
  if (static_cast<int64_t>(command.value().size()) > kMaxValueBytes ||
      static_cast<int64_t>(command.expected().size()) > kMaxValueBytes)
    return absl::InvalidArgumentError(
        absl::StrCat("command.value: above the limit of ", kMaxValueBytes, " bytes"));
  if (command.op() != OP_CAS && command.has_expected())
    return absl::InvalidArgumentError("command.expected: only cas carries an expected value");
  return absl::OkStatus();
}

absl::Status ReplyStatus(const ClientReply& reply) {
  return absl::Status(static_cast<absl::StatusCode>(reply.code()), reply.error());
}

ClientReply KvStateMachine::Apply(const Command& command) {
  if (command.op() == OP_NOOP || command.op() == OP_RECONFIG) return ClientReply();
  if (absl::Status valid = ValidateCommand(command); !valid.ok()) return ErrorReply(valid);
  ClientSlot& client = clients_[command.client_id()];
  if (command.client_seq() == client.seq) return client.reply;  // a retry: the cached reply
  if (command.client_seq() < client.seq) {
    return ErrorReply(absl::FailedPreconditionError(
        absl::StrCat("client ", command.client_id(), " sequence ", command.client_seq(),
                     " is older than its last one, ", client.seq)));
  }
  client.seq = command.client_seq();
  client.reply = Execute(command);
  return client.reply;
}

ClientReply KvStateMachine::Execute(const Command& command) {
  ClientReply reply;
  auto it = data_.find(command.key());
  switch (command.op()) {
    case OP_GET:
      reply.set_found(it != data_.end());
      if (it != data_.end()) reply.set_value(it->second);
      break;
    case OP_PUT:
      Store(it, command);
      break;
    case OP_DELETE:
      if (it != data_.end()) {
        size_bytes_ -= it->first.size() + it->second.size();
        data_.erase(it);
      }
      break;
    case OP_CAS: {
      const bool matches = command.has_expected()
                               ? (it != data_.end() && it->second == command.expected())
                               : it == data_.end();
      reply.set_swapped(matches);
      if (matches) Store(it, command);
      break;
    }
    default:
      break;
  }
  return reply;
}

void KvStateMachine::Store(std::map<std::string, std::string>::iterator it,
                           const Command& command) {
  if (it == data_.end()) {
    size_bytes_ += command.key().size() + command.value().size();
    data_.emplace(command.key(), command.value());
  } else {
    size_bytes_ += static_cast<int64_t>(command.value().size()) - it->second.size();
    it->second = command.value();
  }
}

uint64_t KvStateMachine::Digest() const {
  uint64_t h = 14695981039346656037ull;
  for (const auto& [key, value] : data_) {
    FnvString(h, key);
    FnvString(h, value);
  }
  for (const auto& [id, client] : clients_) {
    Fnv(h, &id, sizeof(id));
    Fnv(h, &client.seq, sizeof(client.seq));
    FnvString(h, client.reply.SerializeAsString());
  }
  return h;
}

KvImage KvStateMachine::Encode() const {
  KvImage image;
  for (const auto& [key, value] : data_) {
    KvImage::Entry* e = image.add_entries();
    e->set_key(key);
    e->set_value(value);
  }
  for (const auto& [id, client] : clients_) {
    KvImage::Client* c = image.add_clients();
    c->set_id(id);
    c->set_seq(client.seq);
    *c->mutable_reply() = client.reply;
  }
  return image;
}

absl::StatusOr<KvStateMachine> KvStateMachine::Decode(const KvImage& image) {
  KvStateMachine kv;
  for (int i = 0; i < image.entries_size(); ++i) {
    const KvImage::Entry& e = image.entries(i);
    if (e.key().empty() || static_cast<int64_t>(e.key().size()) > kMaxKeyBytes ||
        static_cast<int64_t>(e.value().size()) > kMaxValueBytes)
      return absl::DataLossError(
          absl::StrCat("kv image entry ", i, ": key or value size out of limits"));
    if (!kv.data_.emplace(e.key(), e.value()).second)
      return absl::DataLossError(absl::StrCat("kv image entry ", i, ": key repeated"));
    kv.size_bytes_ += static_cast<int64_t>(e.key().size() + e.value().size());
  }
  for (int i = 0; i < image.clients_size(); ++i) {
    const KvImage::Client& c = image.clients(i);
    if (!kv.clients_.emplace(c.id(), ClientSlot{c.seq(), c.reply()}).second)
      return absl::DataLossError(
          absl::StrCat("kv image client ", i, ": client ", c.id(), " repeated"));
  }
  return kv;
}

}  // namespace ddc::paxos
