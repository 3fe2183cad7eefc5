// L-BFGS on the device (twin of host/cpu/lbfgs.cpp): the curvature test and the two-loop recursion
// (Nocedal & Wright, Algorithm 7.4) with every decision taken on the device. The host only walks
// the ring indices (h.newest, h.count are host state); rho, alpha, gamma and each step's
// coefficient are device doubles, written by the reduction epilogues below and read by the update
// kernels.
//
// Ring layout: pair i lives at s + i n, y + i n; the h.count stored pairs are newest, newest - 1,
// ... (mod capacity). A pair with rho = 0 failed the curvature test and is skipped in both loops
// (its update kernels return at once, and its alpha is written 0, as on the CPU).
#include <string>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"
#include "kernels/lbfgs_math.h"
#include "kernels/reduce.cuh"

namespace audiostyle::cuda {
namespace {

// slots[0] = s.y, slots[1] = y.y  ->  rho[newest], and gamma for a valid pair.
__global__ void curvature_kernel(const double* slots, double* rho_newest, double* gamma) {
  math::lbfgs_curvature_update(slots[0], slots[1], rho_newest, gamma);
}

// First loop: alpha_i = rho_i s_i.q (0 for a skipped pair).
struct AlphaEpilogue {
  const double* rho;
  double* alpha;
  __device__ void operator()(const double (&total)[1]) const {
    *alpha = math::lbfgs_alpha(*rho, total[0]);
  }
};

// Second loop: coefficient_i = alpha_i - beta_i, beta_i = rho_i y_i.r (0 for a skipped pair).
struct CoefficientEpilogue {
  const double* rho;
  const double* alpha;
  double* coefficient;
  __device__ void operator()(const double (&total)[1]) const {
    *coefficient = math::lbfgs_coefficient(*rho, *alpha, total[0]);
  }
};

// direction += coefficient * v in double, rounded once (lbfgs_math.h, as the CPU); `sign` = -1
// gives the first loop's q -= alpha y. Nothing happens for a skipped pair.
__global__ void update_kernel(int64_t n, const double* rho, const double* coefficient, double sign,
                              const float* __restrict__ v, float* __restrict__ direction) {
  if (*rho == 0.0) return;
  const double c = *coefficient;
  for (int64_t j = first_index(); j < n; j += grid_stride())
    direction[j] = sign < 0 ? math::lbfgs_subtract_scaled(direction[j], c, v[j])
                            : math::lbfgs_add_scaled(direction[j], c, v[j]);
}

// r = gamma q, in double rounded once.
__global__ void scale_by_slot_kernel(int64_t n, const double* gamma, float* direction) {
  const double g = *gamma;
  for (int64_t j = first_index(); j < n; j += grid_stride())
    direction[j] = math::lbfgs_scale(g, direction[j]);
}

__global__ void negate_kernel(int64_t n, float* direction) {
  for (int64_t j = first_index(); j < n; j += grid_stride()) direction[j] = -direction[j];
}

void check_history(const LbfgsHistory& h) {
  CUDA_REQUIRE(h.capacity > 0 && h.count >= 0 && h.count <= h.capacity && h.n > 0,
               "lbfgs: malformed history (capacity " + std::to_string(h.capacity) + ", count " +
                   std::to_string(h.count) + ")");
  CUDA_REQUIRE(h.count == 0 || (h.newest >= 0 && h.newest < h.capacity),
               "lbfgs: newest pair index " + std::to_string(h.newest) + " outside the ring");
}

}  // namespace

void lbfgs_curvature(const Context& context, LbfgsHistory& h) {
  check_history(h);
  CUDA_REQUIRE(h.count > 0, "lbfgs_curvature: no pair stored");
  const float* s = h.s + int64_t(h.newest) * h.n;
  const float* y = h.y + int64_t(h.newest) * h.n;
  double* sy_yy = context.scratch_slots;  // [2]
  int n_blocks = dot_partials(context, h.n, s, y);
  finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{sy_yy, 1.0});
  n_blocks = dot_partials(context, h.n, y, y);
  finalize_partials<1>(context, n_blocks, SumCombine{}, StoreScaled<1>{sy_yy + 1, 1.0});
  curvature_kernel<<<1, 1, 0, context.stream>>>(sy_yy, h.rho + h.newest, h.gamma);
  CUDA_CHECK_LAUNCH();
}

void lbfgs_direction(const Context& context, LbfgsHistory& h, const float* grad, float* direction) {
  check_history(h);
  CUDA_REQUIRE(grad != direction, "lbfgs_direction: grad and direction must not alias");
  const int64_t n = h.n;
  const unsigned blocks = elementwise_blocks(n);
  double* coefficient = context.scratch_slots + 2;
  CUDA_CHECK(cudaMemcpyAsync(direction, grad, sizeof(float) * size_t(n), cudaMemcpyDeviceToDevice,
                             context.stream));

  // First loop, newest to oldest: alpha_i = rho_i s_i.q; q -= alpha_i y_i.
  for (int k = 0; k < h.count; ++k) {
    const int i = (h.newest - k + h.capacity) % h.capacity;
    const float* s = h.s + int64_t(i) * n;
    const float* y = h.y + int64_t(i) * n;
    const int n_blocks = dot_partials(context, n, s, direction);
    finalize_partials<1>(context, n_blocks, SumCombine{}, AlphaEpilogue{h.rho + i, h.alpha + i});
    update_kernel<<<blocks, kBlockThreads, 0, context.stream>>>(n, h.rho + i, h.alpha + i, -1.0, y,
                                                                direction);
    CUDA_CHECK_LAUNCH();
  }

  scale_by_slot_kernel<<<blocks, kBlockThreads, 0, context.stream>>>(n, h.gamma, direction);
  CUDA_CHECK_LAUNCH();

  // Second loop, oldest to newest: beta_i = rho_i y_i.r; r += (alpha_i - beta_i) s_i.
  for (int k = h.count - 1; k >= 0; --k) {
    const int i = (h.newest - k + h.capacity) % h.capacity;
    const float* s = h.s + int64_t(i) * n;
    const float* y = h.y + int64_t(i) * n;
    const int n_blocks = dot_partials(context, n, y, direction);
    finalize_partials<1>(context, n_blocks, SumCombine{},
                         CoefficientEpilogue{h.rho + i, h.alpha + i, coefficient});
    update_kernel<<<blocks, kBlockThreads, 0, context.stream>>>(n, h.rho + i, coefficient, 1.0, s,
                                                                direction);
    CUDA_CHECK_LAUNCH();
  }

  negate_kernel<<<blocks, kBlockThreads, 0, context.stream>>>(n, direction);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
