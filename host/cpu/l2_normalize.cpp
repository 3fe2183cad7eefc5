// CPU twin of kernels/l2_normalize.cu: per-item L2 normalisation y_b = x_b / ||x_b|| and its
// backward pass. Norms and dot products accumulate in double in index order (the CUDA twin uses a
// fixed-order tree; both are compared with a relative tolerance).
// An all-zero item (silence) has no direction: it gives y_b = 0 and grad_x_b = 0, not NaN.
#include <cmath>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

void l2_normalize(const float* x, int64_t count, int batch, float* y, double* norms) {
  for (int b = 0; b < batch; ++b) {
    const float* xb = x + b * count;
    float* yb = y + b * count;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += double(xb[i]) * double(xb[i]);
    const double norm = std::sqrt(sum);
    norms[b] = norm;
    const double inverse = norm > 0 ? 1.0 / norm : 0.0;
    for (int64_t i = 0; i < count; ++i) yb[i] = float(double(xb[i]) * inverse);
  }
}

// d(x/|x|)/dx applied to g: (g - y (y.g)) / |x|
void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                           int64_t count, int batch, float* grad_x) {
  for (int b = 0; b < batch; ++b) {
    const float* yb = y + b * count;
    const float* gb = grad_y + b * count;
    float* out = grad_x + b * count;
    double projection = 0;
    for (int64_t i = 0; i < count; ++i) projection += double(yb[i]) * double(gb[i]);
    const double inverse = norms[b] > 0 ? 1.0 / norms[b] : 0.0;
    // grad_x may alias grad_y: each element is read before it is written.
    for (int64_t i = 0; i < count; ++i)
      out[i] = float((double(gb[i]) - double(yb[i]) * projection) * inverse);
  }
}

}  // namespace audiostyle::cpu
