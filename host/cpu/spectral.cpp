// CPU twins of kernels/spectral.cu: the element-wise maps between complex spectrograms and the
// log1p-magnitude domain the optimiser works in, and Griffin-Lim's convergence measure.
// Each element goes through the kernel's own arithmetic (kernels/spectral_math.h: double, rounded
// once); only the order of the double sums differs from the GPU's.
#include "host/cpu/cpu_ops.h"
#include "kernels/rounded_math.h"
#include "kernels/spectral_math.h"

namespace audiostyle::cpu {

// spec [count, 2] -> out [count]: log1p(|spec|)
void log1p_magnitude(const float* spec, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i)
    out[i] = math::log1p_magnitude(spec[2 * i], spec[2 * i + 1]);
}

// spec [count, 2], grad_x [count] -> grad_spec [count, 2]: the chain rule through log1p|spec|
void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                              float* grad_spec) {
  for (int64_t i = 0; i < count; ++i)
    math::log1p_magnitude_backward(spec[2 * i], spec[2 * i + 1], grad_x[i], grad_spec[2 * i],
                                   grad_spec[2 * i + 1]);
}

// x [count] -> out [count]: max(expm1(x), 0), NaN kept (kernels/spectral_math.h says why).
void expm1_clamped(const float* x, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = math::expm1_clamped(x[i]);
}

// magnitude [count], phasor [count, 2] -> spec [count, 2]
void apply_magnitude(const float* magnitude, const float* phasor, int64_t count, float* spec) {
  for (int64_t i = 0; i < count; ++i) {
    const float m = magnitude[i];
    spec[2 * i] = math::mul_rn(m, phasor[2 * i]);
    spec[2 * i + 1] = math::mul_rn(m, phasor[2 * i + 1]);
  }
}

// slots[0] = sum (|spec| - magnitude)^2, slots[1] = sum magnitude^2 (double accumulation).
void spectral_distance(const float* spec, const float* magnitude, int64_t count, double* slots) {
  double distance = 0, energy = 0;
  for (int64_t i = 0; i < count; ++i) {
    double distance_sq, energy_i;
    math::spectral_distance_terms(spec[2 * i], spec[2 * i + 1], magnitude[i], distance_sq,
                                  energy_i);
    distance += distance_sq;
    energy += energy_i;
  }
  slots[0] = distance;
  slots[1] = energy;
}

}  // namespace audiostyle::cpu
