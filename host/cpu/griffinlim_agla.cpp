// CPU twin of kernels/griffinlim_agla.cu: the accelerated Griffin-Lim update of Nenov, Nguyen,
// Balazs & Bot ("Faster than fast: accelerating the Griffin-Lim algorithm", ICASSP 2023), which
// generalises fast Griffin-Lim (gamma = 1 is Perraudin et al.'s update with momentum alpha):
//   t = (1 - gamma) d + gamma P(c);  c = t + alpha (t - t_prev);  d = t + beta (t - t_prev)
// with P = the projection (magnitude, then ISTFT/STFT) the caller has applied: rebuilt = P(c).
// c is stored as a unit phasor: the next magnitude projection keeps only its direction.
#include <cmath>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// rebuilt, previous (t_prev), extrapolated (d), angles (c): [count, 2]; double per element,
// rounded once.
void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                            float* angles, int64_t count, float alpha, float beta, float gamma) {
  for (int64_t i = 0; i < count; ++i) {
    double t[2], c[2];
    for (int k = 0; k < 2; ++k) {
      const int64_t j = 2 * i + k;
      t[k] = (1.0 - double(gamma)) * double(extrapolated[j]) + double(gamma) * double(rebuilt[j]);
      const double step = t[k] - double(previous[j]);
      c[k] = t[k] + double(alpha) * step;
      extrapolated[j] = float(t[k] + double(beta) * step);
      previous[j] = float(t[k]);
    }
    const double norm = std::hypot(c[0], c[1]) + 1e-16;
    angles[2 * i] = float(c[0] / norm);
    angles[2 * i + 1] = float(c[1] / norm);
  }
}

}  // namespace audiostyle::cpu
