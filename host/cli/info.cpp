// `info`: version, backends compiled in, devices found.
#include <cblas.h>

#include <cstdio>
#include <thread>

#include "audiostyle/errors.h"
#include "host/cli/commands.h"
#include "host/cli/recipes.h"
#include "host/extractors/extractors.h"

namespace audiostyle::cli {

int run_info() {
  std::printf("audiostyle %s\n", AUDIOSTYLE_VERSION);
  std::printf("backends: cpu%s\n", cuda_compiled() ? ", cuda" : " (cuda not compiled in)");
  std::printf("cpu: %u threads, %s\n", std::thread::hardware_concurrency(), openblas_get_config());
  std::string why;
  const auto devices = cuda_devices(&why);
  if (devices.empty()) {
    const std::string plain = plain_device_reason(why);
    if (plain == why)
      std::printf("cuda devices: none (%s)\n", why.c_str());
    else
      std::printf("cuda devices: none (%s: %s)\n", plain.c_str(), why.c_str());
  }
  for (const auto& d : devices)
    std::printf("cuda device %d: %s, compute capability %d.%d, %.1f GiB (%.1f GiB free)\n",
                d.index, d.name.c_str(), d.compute_major, d.compute_minor,
                d.total_memory_bytes / 1073741824.0, d.free_memory_bytes / 1073741824.0);
  print_recipes();
  std::printf("extractors:\n%s", describe_extractors().c_str());
  return kExitOk;
}

}  // namespace audiostyle::cli
