// CUDA runtime, driver, cuBLAS and cuFFT versions and the current device's properties, for the
// benchmark JSON; {"compiled": false} when the build has no CUDA backend.
#pragma once
#include <nlohmann/json.hpp>

namespace audiostyle::bench {

nlohmann::json cuda_versions();

}  // namespace audiostyle::bench
