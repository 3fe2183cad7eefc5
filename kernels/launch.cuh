// Launch geometry shared by the element-wise kernels: 256-thread blocks, grid-stride loops with
// 64-bit indices (counts can exceed 2^31), the grid capped so huge counts loop instead of
// overflowing gridDim.
#pragma once
#include <algorithm>
#include <cstdint>

namespace audiostyle::cuda {

constexpr int kBlockThreads = 256;
constexpr int64_t kMaxElementwiseBlocks = 65536;

inline unsigned elementwise_blocks(int64_t count) {
  return unsigned(
      std::clamp<int64_t>((count + kBlockThreads - 1) / kBlockThreads, 1, kMaxElementwiseBlocks));
}

__device__ __forceinline__ int64_t first_index() {
  return int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t grid_stride() { return int64_t(gridDim.x) * blockDim.x; }

}  // namespace audiostyle::cuda
