// log1p and expm1 of real values and their chain rule (twin of host/cpu/log1p_map.cpp),
// element-wise: the mel front end's maps between the log domain and magnitudes
// (host/extractors/mel_view.h). Arithmetic shared with the CPU (kernels/log1p_map_math.h).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/log1p_map_math.h"

namespace audiostyle::cuda {
namespace {

// No __restrict__: y may alias x.
__global__ void log1p_map_kernel(const float* x, int64_t count, float* y) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) y[i] = math::log1p_value(x[i]);
}

__global__ void expm1_map_kernel(const float* x, int64_t count, float* y) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) y[i] = math::expm1_value(x[i]);
}

__global__ void one_plus_scale_kernel(const float* __restrict__ v, int64_t count, bool divide,
                                      float* __restrict__ grad) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    grad[i] = math::one_plus_scale(grad[i], v[i], divide);
}

}  // namespace

void log1p_map(const Context& context, const float* x, int64_t count, float* y) {
  if (count <= 0) return;
  log1p_map_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count, y);
  CUDA_CHECK_LAUNCH();
}

void expm1_map(const Context& context, const float* x, int64_t count, float* y) {
  if (count <= 0) return;
  expm1_map_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(x, count, y);
  CUDA_CHECK_LAUNCH();
}

void one_plus_scale(const Context& context, const float* v, int64_t count, bool divide,
                    float* grad) {
  if (count <= 0) return;
  one_plus_scale_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      v, count, divide, grad);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
