// CPU twin of kernels/pool2d.cu: 2x2 max pooling, stride 2, floor (torchvision's MaxPool2d(2, 2)),
// NHWC, and its backward pass.
//   forward:  y[b, i, j, c] = max over (dy, dx) of x[b, 2i+dy, 2j+dx, c], i < H/2, j < W/2
//   backward: grad_x[b, 2i+dy, 2j+dx, c] = grad_y[b, i, j, c] at the window's first maximum in
//             (dy, dx) row-major order (a strict > keeps the first of equal values), 0 elsewhere.
#include <algorithm>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// Index 0..3 of the first maximum of a window (v[0..3] in (dy, dx) row-major order). A NaN in
// v[0] wins (nothing is > NaN); a NaN elsewhere is skipped. The CUDA kernel uses the same rule.
static int first_max(const float (&v)[4]) {
  int best = 0;
  for (int k = 1; k < 4; ++k)
    if (v[k] > v[best]) best = k;
  return best;
}

void maxpool2x2(const float* x, int n_batch, int height, int width, int channels, float* y) {
  const int Ho = height / 2, Wo = width / 2, C = channels;
  for (int b = 0; b < n_batch; ++b)
    for (int i = 0; i < Ho; ++i)
      for (int j = 0; j < Wo; ++j) {
        const float* x00 = x + ((int64_t(b) * height + 2 * i) * width + 2 * j) * C;
        const int64_t row = int64_t(width) * C;  // one input row further
        float* out = y + ((int64_t(b) * Ho + i) * Wo + j) * C;
        for (int c = 0; c < C; ++c) {
          const float v[4] = {x00[c], x00[C + c], x00[row + c], x00[row + C + c]};
          out[c] = v[first_max(v)];
        }
      }
}

void maxpool2x2_backward(const float* x, const float* /*y*/, const float* grad_y, int n_batch,
                         int height, int width, int channels, float* grad_x) {
  const int Ho = height / 2, Wo = width / 2, C = channels;
  // Zero first: an odd last row or column is read by no window.
  std::fill(grad_x, grad_x + int64_t(n_batch) * height * width * C, 0.f);
  for (int b = 0; b < n_batch; ++b)
    for (int i = 0; i < Ho; ++i)
      for (int j = 0; j < Wo; ++j) {
        const int64_t base = ((int64_t(b) * height + 2 * i) * width + 2 * j) * C;
        const int64_t row = int64_t(width) * C;
        const int64_t offsets[4] = {0, C, row, row + C};
        const float* gy = grad_y + ((int64_t(b) * Ho + i) * Wo + j) * C;
        for (int c = 0; c < C; ++c) {
          // The argmax is recomputed from x with the forward's rule (windows do not overlap, so
          // each input element gets at most one gradient).
          const float v[4] = {x[base + c], x[base + offsets[1] + c], x[base + offsets[2] + c],
                              x[base + offsets[3] + c]};
          grad_x[base + offsets[first_max(v)] + c] = gy[c];
        }
      }
}

}  // namespace audiostyle::cpu
