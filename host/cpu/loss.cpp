// CPU twin of kernels/loss.cu: the reference's content and style losses with their gradients.
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                double* loss) {
  double sum = 0;
  for (int b = 0; b < batch; ++b)
    for (int64_t i = 0; i < count; ++i) {
      const float e = gram[b * count + i] - target[i];
      error[b * count + i] = e;
      sum += double(e) * e;
    }
  *loss = sum;
}

void content_loss(const float* features, const float* target, int64_t count, float alpha,
                  float* grad, double* loss) {
  double sum = 0;
  const float two_alpha = 2.0f * alpha;
  for (int64_t i = 0; i < count; ++i) {
    const float d = features[i] - target[i];
    grad[i] = two_alpha * d;
    sum += double(d) * d;
  }
  *loss = double(alpha) * sum;
}

}  // namespace audiostyle::cpu
