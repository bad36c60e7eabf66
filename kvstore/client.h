// KvClient is the store's client library, in the manner of a Redis Cluster client: it caches the
// slot table (fetched from the coordinator), sends each command to its slot's owner, follows
// MOVED (updating the cache from the reply, or refetching the table when the reply names no
// owner) and ASK (one retry at the named shard with `asking`, cache untouched), and retries
// TRYAGAIN after a short backoff. Execute returns the final reply, which may be an ERROR reply
// (a failed command, nothing changed); a call that times out or is reset returns that status.
//
// Run is Execute plus history: with a recorder, GET, SET, DEL, INCR and MGET (one get per key,
// same interval) are recorded in lincheck's vocabulary, and a command whose outcome the client
// never learned (timeout, reset, too many redirects) is recorded as unknown.
//
// Bad input (wrong arity, oversized key or value, keys of several slots) is refused before
// anything is sent, with INVALID_ARGUMENT (command.h).
#ifndef DDC_KVSTORE_CLIENT_H_
#define DDC_KVSTORE_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/lincheck/history.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/slot_table.h"
#include "platform/process.h"

namespace ddc::kvstore {

struct KvClientOptions {
  std::string coordinator = "kv-coordinator";
  Duration call_timeout = Milliseconds(50);
  int max_attempts = 1000;  // redirects and TRYAGAIN retries of one command
  Duration retry_backoff = Microseconds(20);
  lincheck::HistoryRecorder* history = nullptr;
  int64_t client_id = 0;
};

struct KvClientCounters {
  int64_t moved = 0;
  int64_t asks = 0;
  int64_t tryagain = 0;  // multi-key errors seen during migrations
  int64_t failed_calls = 0;
  int64_t table_fetches = 0;
};

class KvClient {
 public:
  KvClient(Process& self, KvClientOptions options) : self_(self), options_(options) {}

  // FetchTable replaces the cached slot table by the coordinator's (which answers once every
  // shard is ready). A request or reply the network loses is sent again after call_timeout, so a
  // lossy link delays the table but never strands the client.
  asio::awaitable<absl::Status> FetchTable();
  // Execute sends `request` to its slot's owner and follows redirects. A call that times out
  // fails with DEADLINE_EXCEEDED and makes the next Execute fetch the table first: the owner
  // may have crashed or handed the slot on, and only the coordinator's table says so (Redis
  // Cluster clients refresh their slot map on a connection error for the same reason).
  asio::awaitable<absl::StatusOr<KvReply>> Execute(const KvRequest& request);
  asio::awaitable<absl::StatusOr<KvReply>> Run(const KvRequest& request);

  const SlotTable& table() const { return table_; }
  const KvClientCounters& counters() const { return counters_; }

 private:
  Process& self_;
  const KvClientOptions options_;
  SlotTable table_;
  bool table_suspect_ = false;  // a call timed out since the last fetch
  KvClientCounters counters_;
};

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_CLIENT_H_
