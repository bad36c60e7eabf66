// The libFuzzer entry point of one target: DDC_FUZZ_FUNCTION names its function (targets.h), so
// that each fuzzer links only the code it drives. A broken promise aborts, so libFuzzer keeps the
// input as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Status status =
      ddc::fuzz::DDC_FUZZ_FUNCTION(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!status.ok()) {
    std::fprintf(stderr, "fuzz target %s: %s\n", DDC_FUZZ_NAME, status.ToString().c_str());
    std::abort();
  }
  return 0;
}
