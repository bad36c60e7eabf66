#include "examples/primary_backup/service.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace ddc::primary_backup {

absl::StatusOr<ProcessId> FindPeer(const Process& self, absl::string_view name) {
  std::optional<ProcessId> peer = self.FindProcess(name);
  if (!peer) {
    return absl::NotFoundError(
        absl::StrCat("\"", self.name(), "\" found no process named \"", name, "\""));
  }
  return *peer;
}

}  // namespace ddc::primary_backup
