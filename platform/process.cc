#include "platform/process.h"

#include "platform/random.h"

namespace ddc {

uint64_t Process::Random() { return rng().Next64(); }

}  // namespace ddc
