// Element-wise maps between complex spectrograms and the log1p-magnitude domain, and Griffin-Lim's
// convergence measure (twin of host/cpu/spectral.cpp). Both backends run kernels/spectral_math.h
// per element (double, rounded once); the reduction is double, like the CPU's.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/reduce.cuh"
#include "kernels/spectral_math.h"

namespace audiostyle::cuda {
namespace {

// spec [count, 2] -> out [count]
__global__ void log1p_magnitude_kernel(const float* __restrict__ spec, int64_t count,
                                       float* __restrict__ out) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    out[i] = math::log1p_magnitude(spec[2 * i], spec[2 * i + 1]);
}

// spec [count, 2], grad_x [count] -> grad_spec [count, 2]: the chain rule through log1p|spec|.
// grad_spec may alias spec (the waveform objective runs it in place), so neither is __restrict__:
// each pair is read before it is written, by the same thread.
__global__ void log1p_magnitude_backward_kernel(const float* spec,
                                                const float* __restrict__ grad_x, int64_t count,
                                                float* grad_spec) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    float grad_re, grad_im;
    math::log1p_magnitude_backward(spec[2 * i], spec[2 * i + 1], grad_x[i], grad_re, grad_im);
    grad_spec[2 * i] = grad_re;
    grad_spec[2 * i + 1] = grad_im;
  }
}

// max(expm1(x), 0), NaN kept (kernels/spectral_math.h). The pipeline calls it in place (x == out, host/pipeline/engine.cpp), so no __restrict__: each
// element is read before it is written, by the same thread.
__global__ void expm1_clamped_kernel(const float* x, int64_t count, float* out) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    out[i] = math::expm1_clamped(x[i]);
}

// magnitude [count], phasor [count, 2] -> spec [count, 2]
__global__ void apply_magnitude_kernel(const float* __restrict__ magnitude,
                                       const float* __restrict__ phasor, int64_t count,
                                       float* __restrict__ spec) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const float m = magnitude[i];
    spec[2 * i] = math::mul_rn(m, phasor[2 * i]);
    spec[2 * i + 1] = math::mul_rn(m, phasor[2 * i + 1]);
  }
}

// partials[0][block] = sum (|spec| - magnitude)^2, partials[1][block] = sum magnitude^2
__global__ void __launch_bounds__(kReduceThreads)
    spectral_distance_kernel(const float* __restrict__ spec, const float* __restrict__ magnitude,
                             int64_t count, double* partials) {
  double value[2] = {0.0, 0.0};
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    double distance_sq, energy;
    math::spectral_distance_terms(spec[2 * i], spec[2 * i + 1], magnitude[i], distance_sq, energy);
    value[0] += distance_sq;
    value[1] += energy;
  }
  write_block_partials<2>(value, SumCombine{}, partials);
}

}  // namespace

void log1p_magnitude(const Context& context, const float* spec, int64_t count, float* out) {
  if (count <= 0) return;
  log1p_magnitude_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      spec, count, out);
  CUDA_CHECK_LAUNCH();
}

void log1p_magnitude_backward(const Context& context, const float* spec, const float* grad_x,
                              int64_t count, float* grad_spec) {
  if (count <= 0) return;
  log1p_magnitude_backward_kernel<<<elementwise_blocks(count), kBlockThreads, 0,
                                    context.stream>>>(spec, grad_x, count, grad_spec);
  CUDA_CHECK_LAUNCH();
}

void expm1_clamped(const Context& context, const float* x, int64_t count, float* out) {
  if (count <= 0) return;
  expm1_clamped_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count,
                                                                                        out);
  CUDA_CHECK_LAUNCH();
}

void apply_magnitude(const Context& context, const float* magnitude, const float* phasor,
                     int64_t count, float* spec) {
  if (count <= 0) return;
  apply_magnitude_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      magnitude, phasor, count, spec);
  CUDA_CHECK_LAUNCH();
}

void spectral_distance(const Context& context, const float* spec, const float* magnitude,
                       int64_t count, double* slots) {
  const int n_blocks = reduce_blocks(count);
  spectral_distance_kernel<<<n_blocks, kReduceThreads, 0, context.stream>>>(
      spec, magnitude, count, context.reduce_partials);
  CUDA_CHECK_LAUNCH();
  finalize_partials<2>(context, n_blocks, SumCombine{}, StoreScaled<2>{slots, 1.0});
}

}  // namespace audiostyle::cuda
