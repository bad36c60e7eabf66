// A YCSB client process: draws operations from a YcsbGenerator and runs them through a KvClient,
// either closed loop (`outstanding` threads, each issuing its next operation when the last one
// returns) or open loop (Poisson arrivals at rate_per_s, each operation in a thread of its own,
// latency measured from the arrival, so queueing counts). It stops issuing when the observer's
// stop flag is set and reports once every operation in flight has returned.
//
// Each operation's latency goes to the process's statistics: histogram "latency" and time series
// "latency" (one row per interval: throughput, p50, p99, p99.9). A read-modify-write (F) is a GET
// and a SET, measured as one operation.
#ifndef DDC_KVSTORE_YCSB_CLIENT_H_
#define DDC_KVSTORE_YCSB_CLIENT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "kvstore/client.h"
#include "kvstore/observer.h"
#include "kvstore/waiters.h"
#include "kvstore/ycsb.h"
#include "platform/process.h"
#include "platform/stats.h"

namespace ddc::kvstore {

struct YcsbClientConfig {
  YcsbOptions ycsb;
  int client_index = 0;  // inserts are spread over clients by index (YcsbGenerator)
  int client_count = 1;
  bool open_loop = false;
  double rate_per_s = 10000;  // open loop
  int outstanding = 4;        // closed loop
  Duration series_interval = Milliseconds(5);
  KvClientOptions kv;
  // series, when set, also receives every operation (a cluster-wide latency series).
  TimeSeries* series = nullptr;
};

struct ClientReport {
  int64_t ops = 0;
  int64_t errors = 0;  // calls that failed or commands answered with an error
  Histogram latency;   // every operation, ns
  // Operations that completed before the rebalancing started, and while it ran.
  Histogram before;
  Histogram during;
  Time first_op_at = -1;
  KvClientCounters counters;
  bool done = false;
};

asio::awaitable<absl::Status> RunYcsbClient(Process& self, YcsbClientConfig config,
                                            ClusterObserver* observer, ClientReport* report);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_YCSB_CLIENT_H_
