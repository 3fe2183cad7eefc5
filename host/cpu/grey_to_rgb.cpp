// CPU twin of kernels/grey_to_rgb.cu: a grey image copied to three channels with torchvision's
// ImageNet normalisation, and its backward pass. Float arithmetic in a fixed order (the build has
// -ffp-contract=off; the CUDA twin uses the rounded intrinsics), so both backends agree bitwise.
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// y[p, c] = (x[p] - mean[c]) / std[c]; x [pixels], y [pixels, 3]
void grey_to_rgb(const float* x, int64_t pixels, float* y) {
  for (int64_t p = 0; p < pixels; ++p)
    for (int c = 0; c < 3; ++c) y[p * 3 + c] = (x[p] - kImagenetMean[c]) / kImagenetStd[c];
}

// grad_x[p] = grad_y[p, 0] / std[0] + grad_y[p, 1] / std[1] + grad_y[p, 2] / std[2], in that order
void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x) {
  for (int64_t p = 0; p < pixels; ++p) {
    const float* g = grad_y + p * 3;
    grad_x[p] = (g[0] / kImagenetStd[0] + g[1] / kImagenetStd[1]) + g[2] / kImagenetStd[2];
  }
}

}  // namespace audiostyle::cpu
