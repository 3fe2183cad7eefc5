#include "bench/device_versions.h"

#if defined(AUDIOSTYLE_HAVE_CUDA)
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cufft.h>
#endif

#include <string>

namespace audiostyle::bench {

#if defined(AUDIOSTYLE_HAVE_CUDA)
namespace {

// "13.0" from 13000
std::string cuda_version_string(int v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

}  // namespace

nlohmann::json cuda_versions() {
  // A failed query leaves its field out rather than failing the benchmark: versions describe the
  // run, they are not part of it.
  nlohmann::json out = {{"compiled", true}};
  int v = 0;
  if (cudaRuntimeGetVersion(&v) == cudaSuccess) out["runtime"] = cuda_version_string(v);
  if (cudaDriverGetVersion(&v) == cudaSuccess) out["driver_api"] = cuda_version_string(v);
  int major = 0, minor = 0, patch = 0;
  if (cublasGetProperty(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(MINOR_VERSION, &minor) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(PATCH_LEVEL, &patch) == CUBLAS_STATUS_SUCCESS)
    out["cublas"] = std::to_string(major) + "." + std::to_string(minor) + "." +
                    std::to_string(patch);
  if (cufftGetVersion(&v) == CUFFT_SUCCESS) out["cufft"] = v;
  int device = 0;
  cudaDeviceProp p{};
  if (cudaGetDevice(&device) == cudaSuccess &&
      cudaGetDeviceProperties(&p, device) == cudaSuccess) {
    out["device_index"] = device;
    out["name"] = p.name;
    out["compute_capability"] = std::to_string(p.major) + "." + std::to_string(p.minor);
    out["multiprocessors"] = p.multiProcessorCount;
    out["memory_bytes"] = p.totalGlobalMem;
    out["l2_cache_bytes"] = p.l2CacheSize;
  }
  cudaGetLastError();  // a failed query must not surface as the next launch's error
  return out;
}
#else
nlohmann::json cuda_versions() { return {{"compiled", false}}; }
#endif

}  // namespace audiostyle::bench
