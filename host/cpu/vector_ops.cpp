// CPU twins of kernels/vector_ops.cu: the optimisers' BLAS-1 ops on host memory.
// Sums (dot) accumulate in double in index order, so the CPU result is a fixed, reproducible
// reference; the CUDA reduction order differs and is compared with a relative tolerance.
#include <cmath>
#include <limits>

#include "host/cpu/cpu_ops.h"
#include "kernels/vector_math.h"

namespace audiostyle::cpu {

void fill(float* x, int64_t count, float value) {
  for (int64_t i = 0; i < count; ++i) x[i] = value;
}

// y[i] = y[i] + a * x[i], product and sum each rounded to float (kernels/vector_math.h).
void axpy(int64_t count, float a, const float* x, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] = math::axpy_element(a, x[i], y[i]);
}

void scale(int64_t count, float a, float* x) {
  for (int64_t i = 0; i < count; ++i) x[i] = math::scale_element(a, x[i]);
}

// A float product is exact in double (24 + 24 significand bits < 53), so the only rounding is in
// the running double sum.
void dot(int64_t count, const float* x, const float* y, double* out) {
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += double(x[i]) * double(y[i]);
  *out = sum;
}

// NaN propagates (std::max would drop it): a NaN gradient must never look converged to a
// max|g| <= gtol test.
void amax(int64_t count, const float* x, double* out) {
  double largest = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double magnitude = std::fabs(double(x[i]));
    if (std::isnan(magnitude)) {
      largest = std::numeric_limits<double>::quiet_NaN();
      break;
    }
    if (magnitude > largest) largest = magnitude;
  }
  *out = largest;
}

}  // namespace audiostyle::cpu
