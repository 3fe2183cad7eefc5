// CPU twin of kernels/loss.cu: the reference's content and style losses with their gradients,
// element terms from the kernel's own kernels/loss_math.h.
#include "host/cpu/cpu_ops.h"
#include "kernels/loss_math.h"

namespace audiostyle::cpu {

void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                double* loss) {
  double sum = 0;
  for (int b = 0; b < batch; ++b)
    for (int64_t i = 0; i < count; ++i) {
      const float e = math::style_error(gram[b * count + i], target[i]);
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
    const float d = math::content_difference(features[i], target[i]);
    grad[i] = math::content_gradient(two_alpha, d);
    sum += double(d) * d;
  }
  *loss = double(alpha) * sum;
}

}  // namespace audiostyle::cpu
