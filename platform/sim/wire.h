// WireHeaderBytes is the serialized size of the envelope header (wire.proto) of a message.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_SIM_WIRE_H_
#define DDC_PLATFORM_SIM_WIRE_H_

#include <cstdint>

#include "platform/process.h"

namespace ddc::sim {

int64_t WireHeaderBytes(Envelope::Kind kind, uint64_t call_id, uint32_t incarnation);

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WIRE_H_
