#include "fuzz/targets.h"

namespace ddc::fuzz {

const std::vector<FuzzTarget>& FuzzTargets() {
  static const std::vector<FuzzTarget>* const kTargets = new std::vector<FuzzTarget>{
      {"config", FuzzConfig},
      {"spec", FuzzSpec},
      {"paxos_messages", FuzzPaxosMessages},
      {"kvstore_messages", FuzzKvstoreMessages},
      {"mapreduce_records", FuzzMapreduceRecords},
      {"durable_pages", FuzzDurablePages},
      {"memory_api", FuzzMemoryApi},
  };
  return *kTargets;
}

}  // namespace ddc::fuzz
