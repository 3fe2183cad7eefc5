// Accelerated Griffin-Lim update (Nenov, Nguyen, Balazs & Bot, ICASSP 2023), twin of
// host/cpu/griffinlim_agla.cpp and, like it, computed in double per element and rounded once:
//   t = (1 - gamma) d + gamma rebuilt;  c = t + alpha (t - t_prev);  d = t + beta (t - t_prev)
//   t_prev = t;  angles = c / (|c| + 1e-16)
// All [count, 2]; each thread reads its element's inputs before writing.
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void griffinlim_agla_update_kernel(const float* __restrict__ rebuilt,
                                              float* __restrict__ previous,
                                              float* __restrict__ extrapolated,
                                              float* __restrict__ angles, int64_t count,
                                              double alpha, double beta, double gamma) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    double t[2], c[2];
    for (int k = 0; k < 2; ++k) {
      const int64_t j = 2 * i + k;
      // _rn intrinsics: no fma contraction, the same roundings as the CPU twin.
      t[k] = __dadd_rn(__dmul_rn(__dsub_rn(1.0, gamma), double(extrapolated[j])),
                       __dmul_rn(gamma, double(rebuilt[j])));
      const double step = __dsub_rn(t[k], double(previous[j]));
      c[k] = __dadd_rn(t[k], __dmul_rn(alpha, step));
      extrapolated[j] = float(__dadd_rn(t[k], __dmul_rn(beta, step)));
      previous[j] = float(t[k]);
    }
    const double norm = hypot(c[0], c[1]) + 1e-16;
    angles[2 * i] = float(c[0] / norm);
    angles[2 * i + 1] = float(c[1] / norm);
  }
}

}  // namespace

void griffinlim_agla_update(const Context& context, const float* rebuilt, float* previous,
                            float* extrapolated, float* angles, int64_t count, float alpha,
                            float beta, float gamma) {
  if (count <= 0) return;
  griffinlim_agla_update_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      rebuilt, previous, extrapolated, angles, count, double(alpha), double(beta), double(gamma));
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
