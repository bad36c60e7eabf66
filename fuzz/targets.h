// Fuzz targets: each takes arbitrary bytes, feeds them to one decoder or API of the suite, and
// checks the promises that code makes about bad input. A target returns OK for every input the
// code handles as documented (including clean refusals); a non-OK status names a broken promise,
// which is a bug. A crash or a sanitizer report is a bug too.
//
// The same functions run in two places:
//   - under libFuzzer (fuzz/fuzzer_main.cc, built with clang when DDC_FUZZ=ON; scripts/fuzz.sh);
//   - in the ordinary test suite (fuzz/replay_test.cc, label unit), which replays every file of
//     fuzz/corpus/<target>/ (seeds and every crash a fuzzer found) through them, so a fixed crash
//     stays fixed in every build, the sanitizer build included.
//
// Targets (fuzz/README.md describes what each checks):
//   config            ParseConfig (parse, resolve, ValidateConfig) on config text
//   spec              ParseSpec and ExpandSpec on experiment-spec text
//   paxos_messages    ReplicaCore::Step / Propose / Tick on decoded PaxosMessages and Commands
//   kvstore_messages  KvRequest validation (CommandSlot), SlotTable::FromProto, KV replies
//   mapreduce_records ParseKv, the key/value serdes and MapCheckpoint decoding
//   durable_pages     the durable structures' page decoders on corrupted page images
//   memory_api        allocate, grant, steal, read, write, flush, pause and ME failure on a small
//                     simulated rack, checked against a model of page ownership
#ifndef DDC_FUZZ_TARGETS_H_
#define DDC_FUZZ_TARGETS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ddc::fuzz {

absl::Status FuzzConfig(absl::string_view input);
absl::Status FuzzSpec(absl::string_view input);
absl::Status FuzzPaxosMessages(absl::string_view input);
absl::Status FuzzKvstoreMessages(absl::string_view input);
absl::Status FuzzMapreduceRecords(absl::string_view input);
absl::Status FuzzDurablePages(absl::string_view input);
absl::Status FuzzMemoryApi(absl::string_view input);

struct FuzzTarget {
  const char* name;  // also the folder of its corpus, fuzz/corpus/<name>
  absl::Status (*run)(absl::string_view input);
};

// FuzzTargets lists every target, in a fixed order.
const std::vector<FuzzTarget>& FuzzTargets();

}  // namespace ddc::fuzz

#endif  // DDC_FUZZ_TARGETS_H_
