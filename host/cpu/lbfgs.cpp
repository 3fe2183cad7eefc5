// CPU twins of kernels/lbfgs.cu: the L-BFGS curvature test and the two-loop recursion over the
// ring of (s, y) pairs that the optimiser (host/pipeline/lbfgs.cpp) keeps in backend memory.
//
// Ring layout: pair i lives at s + i n, y + i n; h.newest is the ring index of the newest pair and
// the h.count stored pairs are newest, newest - 1, ... (mod capacity).
#include <cmath>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"
#include "kernels/lbfgs_math.h"

namespace audiostyle::cpu {
namespace {

double dot_double(int64_t count, const float* a, const float* b) {
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += double(a[i]) * double(b[i]);
  return sum;
}

void check_history(const LbfgsHistory& h) {
  AS_CHECK(h.capacity > 0 && h.count >= 0 && h.count <= h.capacity && h.n > 0,
           "lbfgs: malformed history (capacity " + std::to_string(h.capacity) + ", count " +
               std::to_string(h.count) + ")");
  AS_CHECK(h.count == 0 || (h.newest >= 0 && h.newest < h.capacity),
           "lbfgs: newest pair index " + std::to_string(h.newest) + " outside the ring");
}

}  // namespace

// rho[newest] = 1 / (s.y) when s.y > eps * y.y, else 0: the two-loop skips such a pair, and the
// optimiser reads the verdict and does not store it (host/pipeline/lbfgs.cpp); gamma = s.y / y.y
// only for a valid pair, so H0 keeps the scale of the newest pair with positive curvature
// (kernels/lbfgs_math.h, shared with the kernel).
void lbfgs_curvature(LbfgsHistory& h) {
  check_history(h);
  AS_CHECK(h.count > 0, "lbfgs_curvature: no pair stored");
  const float* s = h.s + int64_t(h.newest) * h.n;
  const float* y = h.y + int64_t(h.newest) * h.n;
  math::lbfgs_curvature_update(dot_double(h.n, s, y), dot_double(h.n, y, y), h.rho + h.newest,
                               h.gamma);
}

// Nocedal & Wright Algorithm 7.4, computing r = H g with H0 = gamma I, then direction = -r.
// `direction` holds q and then r in place (float); the coefficients alpha_i, beta_i and every
// element update are computed in double and rounded to float once per update:
//   first loop, newest to oldest:  alpha_i = rho_i s_i.q;  q -= alpha_i y_i
//   scaling:                       r = gamma q
//   second loop, oldest to newest: beta_i = rho_i y_i.r;  r += (alpha_i - beta_i) s_i
// Pairs with rho_i = 0 (failed curvature) are skipped in both loops.
void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction) {
  check_history(h);
  AS_CHECK(grad != direction, "lbfgs_direction: grad and direction must not alias");
  const int64_t n = h.n;
  for (int64_t j = 0; j < n; ++j) direction[j] = grad[j];

  for (int k = 0; k < h.count; ++k) {
    const int i = (h.newest - k + h.capacity) % h.capacity;
    h.alpha[i] = 0;
    if (h.rho[i] == 0) continue;
    const float* s = h.s + int64_t(i) * n;
    const float* y = h.y + int64_t(i) * n;
    const double alpha = math::lbfgs_alpha(h.rho[i], dot_double(n, s, direction));
    h.alpha[i] = alpha;
    for (int64_t j = 0; j < n; ++j)
      direction[j] = math::lbfgs_subtract_scaled(direction[j], alpha, y[j]);
  }

  const double gamma = *h.gamma;
  for (int64_t j = 0; j < n; ++j) direction[j] = math::lbfgs_scale(gamma, direction[j]);

  for (int k = h.count - 1; k >= 0; --k) {
    const int i = (h.newest - k + h.capacity) % h.capacity;
    if (h.rho[i] == 0) continue;
    const float* s = h.s + int64_t(i) * n;
    const float* y = h.y + int64_t(i) * n;
    const double coefficient =
        math::lbfgs_coefficient(h.rho[i], h.alpha[i], dot_double(n, y, direction));
    for (int64_t j = 0; j < n; ++j)
      direction[j] = math::lbfgs_add_scaled(direction[j], coefficient, s[j]);
  }

  for (int64_t j = 0; j < n; ++j) direction[j] = -direction[j];
}

}  // namespace audiostyle::cpu
