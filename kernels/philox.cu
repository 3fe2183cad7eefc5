// Philox fills (twin of host/cpu/philox.cpp). Each thread owns one Philox block: the four
// consecutive elements 4b .. 4b+3 that share counter b (philox.h's index -> counter mapping), so
// the per-element calls below see the same block and the compiler may share its rounds. Every draw
// goes through philox.h's own functions, which use only correctly rounded intrinsics: the output is
// bit-identical to the CPU's.
#include "audiostyle/philox.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

constexpr int64_t kElementsPerBlock = 4;  // one Philox4x32 output block

__global__ void fill_normal_kernel(float* __restrict__ out, int64_t count, uint64_t seed,
                                   uint32_t stream, float stddev) {
  const int64_t n_philox_blocks = (count + kElementsPerBlock - 1) / kElementsPerBlock;
  for (int64_t b = first_index(); b < n_philox_blocks; b += grid_stride()) {
    const int64_t begin = b * kElementsPerBlock;
    const int64_t end = min(begin + kElementsPerBlock, count);
    for (int64_t i = begin; i < end; ++i)
      out[i] = philox::fmul(stddev, philox::normal(uint64_t(i), seed, stream));
  }
}

// phasors [count, 2] = (cos, sin)
__global__ void fill_phasor_kernel(float* __restrict__ phasors, int64_t count, uint64_t seed,
                                   uint32_t stream) {
  const int64_t n_philox_blocks = (count + kElementsPerBlock - 1) / kElementsPerBlock;
  for (int64_t b = first_index(); b < n_philox_blocks; b += grid_stride()) {
    const int64_t begin = b * kElementsPerBlock;
    const int64_t end = min(begin + kElementsPerBlock, count);
    for (int64_t i = begin; i < end; ++i) {
      float re, im;
      philox::phasor(uint64_t(i), seed, stream, re, im);
      phasors[2 * i] = re;
      phasors[2 * i + 1] = im;
    }
  }
}

int64_t philox_blocks(int64_t count) { return (count + kElementsPerBlock - 1) / kElementsPerBlock; }

}  // namespace

void fill_normal(const Context& context, float* out, int64_t count, uint64_t seed, uint32_t stream,
                 float stddev) {
  if (count <= 0) return;
  fill_normal_kernel<<<elementwise_blocks(philox_blocks(count)), kBlockThreads, 0,
                       context.stream>>>(out, count, seed, stream, stddev);
  CUDA_CHECK_LAUNCH();
}

void fill_phasor(const Context& context, float* phasors, int64_t count, uint64_t seed,
                 uint32_t stream) {
  if (count <= 0) return;
  fill_phasor_kernel<<<elementwise_blocks(philox_blocks(count)), kBlockThreads, 0,
                       context.stream>>>(phasors, count, seed, stream);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
