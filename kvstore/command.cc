#include "kvstore/command.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kvstore/slot.h"

namespace ddc::kvstore {
namespace {

absl::Status Arity(const KvRequest& request, int want) {
  if (request.args_size() == want) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("wrong number of arguments for '",
                                                 CommandName_Name(request.command()),
                                                 "': ", request.args_size(), ", want ", want));
}

absl::Status CheckKey(const std::string& key) {
  if (key.empty() || static_cast<int64_t>(key.size()) > kMaxKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("key of ", key.size(), " bytes: must be 1 to ", kMaxKeyBytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> CommandSlot(const KvRequest& request) {
  switch (request.command()) {
    case GET:
    case DEL:
    case INCR:
    case SET: {
      absl::Status arity = Arity(request, request.command() == SET ? 2 : 1);
      if (!arity.ok()) return arity;
      absl::Status key = CheckKey(request.args(0));
      if (!key.ok()) return key;
      if (request.command() == SET &&
          static_cast<int64_t>(request.args(1).size()) > kMaxValueBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat("value of ", request.args(1).size(), " bytes: at most ", kMaxValueBytes));
      }
      return KeySlot(request.args(0));
    }
    case MGET: {
      if (request.args_size() < 1 || request.args_size() > kMaxMultiKeys) {
        return absl::InvalidArgumentError(
            absl::StrCat("wrong number of arguments for 'MGET': ", request.args_size(),
                         ", want 1 to ", kMaxMultiKeys));
      }
      int slot = -1;
      for (const std::string& key : request.args()) {
        absl::Status ok = CheckKey(key);
        if (!ok.ok()) return ok;
        const int key_slot = KeySlot(key);
        if (slot >= 0 && key_slot != slot) {
          return absl::InvalidArgumentError(
              "CROSSSLOT: keys in a multi-key command must hash to the same slot");
        }
        slot = key_slot;
      }
      return slot;
    }
    case SCAN: {
      absl::Status arity = Arity(request, 1);
      if (!arity.ok()) return arity;
      int slot = -1;
      if (!absl::SimpleAtoi(request.args(0), &slot) || slot < 0 || slot >= kSlotCount) {
        return absl::InvalidArgumentError(absl::StrCat(
            "SCAN slot \"", request.args(0), "\": must be an integer in [0, ", kSlotCount, ")"));
      }
      return slot;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown command ", static_cast<int>(request.command())));
  }
}

bool IsWrite(CommandName command) { return command == SET || command == DEL || command == INCR; }

KvRequest Get(std::string key) {
  KvRequest r;
  r.set_command(GET);
  r.add_args(std::move(key));
  return r;
}
KvRequest Set(std::string key, std::string value) {
  KvRequest r;
  r.set_command(SET);
  r.add_args(std::move(key));
  r.add_args(std::move(value));
  return r;
}
KvRequest Del(std::string key) {
  KvRequest r;
  r.set_command(DEL);
  r.add_args(std::move(key));
  return r;
}
KvRequest Incr(std::string key) {
  KvRequest r;
  r.set_command(INCR);
  r.add_args(std::move(key));
  return r;
}
KvRequest Scan(int slot) {
  KvRequest r;
  r.set_command(SCAN);
  r.add_args(absl::StrCat(slot));
  return r;
}

}  // namespace ddc::kvstore
