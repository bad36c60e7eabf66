#include "mapreduce/rack_config.h"

#include "absl/strings/str_cat.h"

namespace ddc::mapreduce {

PlatformConfig OneRackConfig(int ces, int mes, Mode mode) {
  PlatformConfig config;
  config.set_mode(mode == Mode::kExposed ? PlatformConfig::EXPOSED : PlatformConfig::TRANSPARENT);
  config::Rack* rack = config.add_racks();
  rack->set_name("r0");
  for (int i = 0; i < ces; ++i) rack->add_compute_elements()->set_name(absl::StrCat("ce", i));
  for (int i = 0; i < mes; ++i) rack->add_memory_elements()->set_name(absl::StrCat("me", i));
  return config;
}

}  // namespace ddc::mapreduce
