// Device allocation and its out-of-memory message.
#include "kernels/device_memory.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "kernels/cuda_check.h"

namespace audiostyle::cuda {
namespace {

size_t mebibytes_rounded_up(size_t bytes) { return (bytes + (size_t(1) << 20) - 1) >> 20; }

// Live and peak bytes, for the report's peak memory. One host thread drives the backend.
std::unordered_map<void*, size_t>& live_allocations() {
  static std::unordered_map<void*, size_t> sizes;
  return sizes;
}
size_t g_live_bytes = 0, g_peak_bytes = 0;

}  // namespace

void* device_allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  void* ptr = nullptr;
  const cudaError_t status = cudaMalloc(&ptr, bytes);
  if (status == cudaSuccess) {
    live_allocations()[ptr] = bytes;
    g_live_bytes += bytes;
    g_peak_bytes = std::max(g_peak_bytes, g_live_bytes);
    return ptr;
  }
  // A failed cudaMalloc is not sticky, but it is recorded as the last error: clear it, or the
  // next CUDA_CHECK_LAUNCH() would report this allocation as a launch failure.
  (void)cudaGetLastError();
  if (status != cudaErrorMemoryAllocation) CUDA_CHECK(status);

  std::string device_name = "device ?";
  size_t free_bytes = 0, total_bytes = 0;
  int device = 0;
  cudaDeviceProp properties{};
  if (cudaGetDevice(&device) == cudaSuccess &&
      cudaGetDeviceProperties(&properties, device) == cudaSuccess)
    device_name = properties.name;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) free_bytes = total_bytes = 0;
  (void)cudaGetLastError();
  throw DeviceError("out of device memory: needed " + std::to_string(mebibytes_rounded_up(bytes)) +
                    " MiB, " + std::to_string(free_bytes >> 20) + " MiB free of " +
                    std::to_string(total_bytes >> 20) + " MiB on " + device_name);
}

void device_free(void* ptr) noexcept {
  if (!ptr) return;
  auto& sizes = live_allocations();
  const auto it = sizes.find(ptr);
  if (it != sizes.end()) {
    g_live_bytes -= it->second;
    sizes.erase(it);
  }
  if (cudaFree(ptr) != cudaSuccess) (void)cudaGetLastError();
}

size_t device_peak_bytes() { return g_peak_bytes; }

void device_reset_peak() { g_peak_bytes = g_live_bytes; }

}  // namespace audiostyle::cuda
