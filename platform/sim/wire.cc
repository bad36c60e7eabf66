#include "platform/sim/wire.h"

#include "google/protobuf/io/coded_stream.h"

namespace ddc::sim {

int64_t WireHeaderBytes(Envelope::Kind kind, uint64_t call_id, uint32_t incarnation) {
  using google::protobuf::io::CodedOutputStream;
  int64_t bytes = 0;
  // One tag byte per field present (field numbers < 16), then the varint value.
  if (kind != Envelope::Kind::kOneWay) bytes += 1 + CodedOutputStream::VarintSize64(call_id);
  if (kind == Envelope::Kind::kReply) bytes += 2;
  if (incarnation > 0) bytes += 1 + CodedOutputStream::VarintSize32(incarnation);
  return bytes;
}

}  // namespace ddc::sim
