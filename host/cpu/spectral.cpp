// CPU twins of kernels/spectral.cu: the element-wise maps between complex spectrograms and the
// log1p-magnitude domain the optimiser works in, and Griffin-Lim's convergence measure.
// Each element is computed in double and rounded once, so these are the reference the GPU's float
// versions are held to.
#include <algorithm>
#include <cmath>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// spec [count, 2] -> out [count]: log1p(|spec|)
void log1p_magnitude(const float* spec, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i)
    out[i] = float(std::log1p(std::hypot(double(spec[2 * i]), double(spec[2 * i + 1]))));
}

// x [count] -> out [count]: max(expm1(x), 0). The optimiser may push a log-magnitude below 0, which
// has no magnitude; NaN stays NaN (std::max returns its first argument when unordered) so a
// diverged run shows instead of turning silent.
void expm1_clamped(const float* x, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = std::max(float(std::expm1(double(x[i]))), 0.f);
}

// magnitude [count], phasor [count, 2] -> spec [count, 2]
void apply_magnitude(const float* magnitude, const float* phasor, int64_t count, float* spec) {
  for (int64_t i = 0; i < count; ++i) {
    const float m = magnitude[i];
    spec[2 * i] = m * phasor[2 * i];
    spec[2 * i + 1] = m * phasor[2 * i + 1];
  }
}

// slots[0] = sum (|spec| - magnitude)^2, slots[1] = sum magnitude^2 (double accumulation).
void spectral_distance(const float* spec, const float* magnitude, int64_t count, double* slots) {
  double distance = 0, energy = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double m = magnitude[i];
    const double d = std::hypot(double(spec[2 * i]), double(spec[2 * i + 1])) - m;
    distance += d * d;
    energy += m * m;
  }
  slots[0] = distance;
  slots[1] = energy;
}

}  // namespace audiostyle::cpu
