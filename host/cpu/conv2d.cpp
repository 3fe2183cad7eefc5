// CPU twin of kernels/conv2d.cu: 3x3 convolution, stride 1, zero padding 1, bias, optional ReLU,
// NHWC, on OpenBLAS SGEMM. Two numbered variants, both checked against the double reference in
// tests/cpu/test_conv2d.cpp and timed side by side by bench_stages (conv2d_* stages):
//
//   1 (im2col): per block of image rows, patches P [rows*W, 9*Cin] (column (dy*3 + dx)*Cin + i
//     holds x[h+dy-1, w+dx-1, i], zero outside the image), then y = P @ Wm, Wm [9*Cin, Cout].
//     Backward: dP = dy @ Wm^T [rows*W, 9*Cin], then col2im adds each patch column back to the
//     pixel it was read from.
//   2 (shifted): per block of R rows, a zero-bordered copy xp [R+2, W+2, Cin]; with the output also
//     in the bordered width, yp [R, W+2, Cout] (columns W, W+1 junk), tap (dy, dx) reads row
//     r + dy*(W+2) + dx of xp for output row r = j*(W+2) + w: each tap is one GEMM on a shifted,
//     contiguous view, yp += xp_shift [R*(W+2) - 2, Cin] @ W_tap [Cin, Cout] (as conv1d's taps), and
//     no 9x patch copy is written. Backward: the transposed conv is the forward conv of dy with the
//     flipped, channel-swapped kernel W'[i, o, dy, dx] = W[o, i, 2-dy, 2-dx], run the same way.
//
// Measured (bench_stages conv2d_*_v1/_v2, 10 s spectrogram, 2 shared cores): variant 1 was faster
// in all six forward/backward pairs at conv1_1, conv2_1 and conv3_1 (by 4-45%): one GEMM with
// k = 9*Cin runs nearer OpenBLAS's peak than nine with k = Cin, which outweighs the patch copy.
// So the automatic choice is variant 1 (bench/README.md has the table).
// Both work in row blocks so the scratch stays near kScratchBudgetBytes at any image size.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

constexpr size_t kDefaultScratchBytes = size_t(32) << 20;

// Rows per block so that `bytes_per_row` * rows stays within the budget (at least one row).
int block_rows(int height, size_t bytes_per_row, size_t budget) {
  return int(std::clamp<size_t>(budget / std::max<size_t>(bytes_per_row, 1), 1, size_t(height)));
}

// y [rows, Cout]: every row = bias, the GEMM then accumulates onto it
void fill_bias(float* y, int64_t rows, int cout, const float* bias) {
  for (int64_t r = 0; r < rows; ++r) std::memcpy(y + r * cout, bias, sizeof(float) * cout);
}

void relu_in_place(float* y, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = y[i] < 0.f ? 0.f : y[i];
}

void mask_by_output(const float* y, int64_t count, float* grad) {
  for (int64_t i = 0; i < count; ++i)
    if (!(y[i] > 0.f)) grad[i] = 0.f;
}

class CpuConv2d final : public Conv2d {
 public:
  CpuConv2d(const Conv2dShape& shape, Conv2dVariant variant, size_t scratch_budget)
      : Conv2d(shape), variant_(variant) {
    const int W = shape.width, Cin = shape.in_channels, Cout = shape.out_channels;
    if (variant_ == Conv2dVariant::im2col) {
      // Patches for the forward and their gradient for the backward share one buffer.
      rows_per_block_ = block_rows(shape.height, sizeof(float) * W * 9 * Cin, scratch_budget);
      scratch_.resize(size_t(rows_per_block_) * W * 9 * Cin);
    } else {
      // Bordered input block (R+2 rows) and bordered output block (R rows) of the wider of the two
      // channel counts, since the backward runs the same scheme with Cin and Cout swapped.
      const int widest = std::max(Cin, Cout);
      rows_per_block_ =
          block_rows(shape.height, sizeof(float) * (W + 2) * 2 * widest, scratch_budget);
      bordered_in_.resize(size_t(rows_per_block_ + 2) * (W + 2) * widest);
      bordered_out_.resize(size_t(rows_per_block_) * (W + 2) * widest);
    }
  }

  void set_weights(const float* weights, const float* bias) override {
    const int Cin = shape_.in_channels, Cout = shape_.out_channels;
    bias_.assign(bias, bias + Cout);
    zero_bias_.assign(size_t(Cin), 0.f);
    // Wm [9*Cin, Cout]: row (tap*Cin + i), tap = dy*3 + dx, from W [Cout, Cin, 3, 3].
    forward_weights_.resize(size_t(9) * Cin * Cout);
    for (int o = 0; o < Cout; ++o)
      for (int i = 0; i < Cin; ++i)
        for (int tap = 0; tap < 9; ++tap)
          forward_weights_[(size_t(tap) * Cin + i) * Cout + o] = weights[(size_t(o) * Cin + i) * 9 + tap];
    if (variant_ == Conv2dVariant::shifted) {
      // W'm [9*Cout, Cin]: the flipped kernel, row ((8 - tap)*Cout + o), for the transposed conv.
      backward_weights_.resize(size_t(9) * Cin * Cout);
      for (int o = 0; o < Cout; ++o)
        for (int i = 0; i < Cin; ++i)
          for (int tap = 0; tap < 9; ++tap)
            backward_weights_[(size_t(8 - tap) * Cout + o) * Cin + i] =
                weights[(size_t(o) * Cin + i) * 9 + tap];
    }
    weights_set_ = true;
  }

  void forward(const float* x, float* y, bool relu) override {
    AS_CHECK(weights_set_, "conv2d: set_weights was not called");
    const int Cin = shape_.in_channels, Cout = shape_.out_channels;
    if (variant_ == Conv2dVariant::im2col)
      forward_im2col(x, y, relu);
    else
      forward_shifted(x, Cin, Cout, forward_weights_.data(), bias_.data(), y, relu);
  }

  void backward_input(float* grad_y, const float* y, float* grad_x, bool relu) override {
    AS_CHECK(weights_set_, "conv2d: set_weights was not called");
    if (relu) mask_by_output(y, shape_.out_count(), grad_y);
    if (variant_ == Conv2dVariant::im2col)
      backward_im2col(grad_y, grad_x);
    else
      forward_shifted(grad_y, shape_.out_channels, shape_.in_channels, backward_weights_.data(),
                      zero_bias_.data(), grad_x, false);
  }

  size_t workspace_bytes() const override {
    return sizeof(float) * (scratch_.size() + bordered_in_.size() + bordered_out_.size() +
                            forward_weights_.size() + backward_weights_.size());
  }

  std::string algorithm() const override {
    return std::string(variant_ == Conv2dVariant::im2col ? "variant 1: im2col + openblas sgemm"
                                                         : "variant 2: 9 shifted openblas sgemm") +
           ", " + std::to_string(rows_per_block_) + " rows per block";
  }

 private:
  // x [B, H, W, Cin] -> y [B, H, W, Cout] by variant 1; the ReLU on each block while it is hot.
  void forward_im2col(const float* x, float* y, bool relu) {
    const int H = shape_.height, W = shape_.width, Cin = shape_.in_channels;
    const int Cout = shape_.out_channels, K = 9 * Cin;
    for (int b = 0; b < shape_.n_batch; ++b) {
      const float* xb = x + int64_t(b) * H * W * Cin;
      float* yb = y + int64_t(b) * H * W * Cout;
      for (int h0 = 0; h0 < H; h0 += rows_per_block_) {
        const int rows = std::min(rows_per_block_, H - h0);
        float* patches = scratch_.data();
        for (int h = h0; h < h0 + rows; ++h)
          for (int w = 0; w < W; ++w) {
            float* patch = patches + (int64_t(h - h0) * W + w) * K;
            for (int dy = 0; dy < 3; ++dy)
              for (int dx = 0; dx < 3; ++dx) {
                const int hy = h + dy - 1, wx = w + dx - 1;
                float* dst = patch + (dy * 3 + dx) * Cin;
                if (hy < 0 || hy >= H || wx < 0 || wx >= W)
                  std::fill(dst, dst + Cin, 0.f);
                else
                  std::memcpy(dst, xb + (int64_t(hy) * W + wx) * Cin, sizeof(float) * Cin);
              }
          }
        const int64_t pixels = int64_t(rows) * W;
        float* out = yb + int64_t(h0) * W * Cout;
        fill_bias(out, pixels, Cout, bias_.data());
        // out [pixels, Cout] += P [pixels, 9*Cin] @ Wm [9*Cin, Cout]
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(pixels), Cout, K, 1.0f,
                    patches, K, forward_weights_.data(), Cout, 1.0f, out, Cout);
        if (relu) relu_in_place(out, pixels * Cout);
      }
    }
  }

  // grad_y [B, H, W, Cout] (already masked) -> grad_x [B, H, W, Cin] by variant 1.
  void backward_im2col(const float* grad_y, float* grad_x) {
    const int H = shape_.height, W = shape_.width, Cin = shape_.in_channels;
    const int Cout = shape_.out_channels, K = 9 * Cin;
    std::fill(grad_x, grad_x + shape_.in_count(), 0.f);
    for (int b = 0; b < shape_.n_batch; ++b) {
      const float* gyb = grad_y + int64_t(b) * H * W * Cout;
      float* gxb = grad_x + int64_t(b) * H * W * Cin;
      for (int h0 = 0; h0 < H; h0 += rows_per_block_) {
        const int rows = std::min(rows_per_block_, H - h0);
        const int64_t pixels = int64_t(rows) * W;
        float* patch_grad = scratch_.data();
        // dP [pixels, 9*Cin] = dy [pixels, Cout] @ Wm^T [Cout, 9*Cin]
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(pixels), K, Cout, 1.0f,
                    gyb + int64_t(h0) * W * Cout, Cout, forward_weights_.data(), Cout, 0.0f,
                    patch_grad, K);
        // col2im: each patch entry back to the pixel it was read from (blocks overlap by a row
        // at their edges, hence the accumulation into a zeroed grad_x).
        for (int h = h0; h < h0 + rows; ++h)
          for (int w = 0; w < W; ++w) {
            const float* patch = patch_grad + (int64_t(h - h0) * W + w) * K;
            for (int dy = 0; dy < 3; ++dy)
              for (int dx = 0; dx < 3; ++dx) {
                const int hy = h + dy - 1, wx = w + dx - 1;
                if (hy < 0 || hy >= H || wx < 0 || wx >= W) continue;
                const float* src = patch + (dy * 3 + dx) * Cin;
                float* dst = gxb + (int64_t(hy) * W + wx) * Cin;
                for (int i = 0; i < Cin; ++i) dst[i] += src[i];
              }
          }
      }
    }
  }

  // Variant 2 for any channel pair: out [B, H, W, n_out] = bias + 3x3 conv of in [B, H, W, n_in]
  // with taps Wm [9*n_in, n_out] (row tap*n_in + i). Used for the forward (Cin -> Cout, W) and
  // the backward (Cout -> Cin, the flipped kernel, zero bias).
  void forward_shifted(const float* in, int n_in, int n_out, const float* taps, const float* bias,
                       float* out, bool relu) {
    const int H = shape_.height, W = shape_.width, Wp = W + 2;
    for (int b = 0; b < shape_.n_batch; ++b) {
      const float* ib = in + int64_t(b) * H * W * n_in;
      float* ob = out + int64_t(b) * H * W * n_out;
      for (int h0 = 0; h0 < H; h0 += rows_per_block_) {
        const int rows = std::min(rows_per_block_, H - h0);
        // xp [rows+2, Wp, n_in]: image rows h0-1 .. h0+rows, columns -1 .. W, zero outside.
        float* xp = bordered_in_.data();
        std::fill(xp, xp + int64_t(rows + 2) * Wp * n_in, 0.f);
        for (int j = 0; j < rows + 2; ++j) {
          const int h = h0 - 1 + j;
          if (h < 0 || h >= H) continue;
          std::memcpy(xp + (int64_t(j) * Wp + 1) * n_in, ib + int64_t(h) * W * n_in,
                      sizeof(float) * W * n_in);
        }
        // yp [rows*Wp, n_out], of which the first rows*Wp - 2 rows are computed (the last two
        // are junk columns whose taps would read past xp).
        float* yp = bordered_out_.data();
        const int64_t m = int64_t(rows) * Wp - 2;
        fill_bias(yp, m, n_out, bias);
        for (int dy = 0; dy < 3; ++dy)
          for (int dx = 0; dx < 3; ++dx)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), n_out, n_in, 1.0f,
                        xp + (int64_t(dy) * Wp + dx) * n_in, n_in,
                        taps + int64_t(dy * 3 + dx) * n_in * n_out, n_out, 1.0f, yp, n_out);
        for (int j = 0; j < rows; ++j) {
          float* dst = ob + int64_t(h0 + j) * W * n_out;
          std::memcpy(dst, yp + int64_t(j) * Wp * n_out, sizeof(float) * W * n_out);
          if (relu) relu_in_place(dst, int64_t(W) * n_out);
        }
      }
    }
  }

  Conv2dVariant variant_;
  int rows_per_block_ = 1;
  bool weights_set_ = false;
  std::vector<float> forward_weights_;   // Wm [9*Cin, Cout]
  std::vector<float> backward_weights_;  // W'm [9*Cout, Cin] (variant 2)
  std::vector<float> bias_, zero_bias_;  // [Cout], [Cin]
  std::vector<float> scratch_;           // variant 1: [rows, W, 9*Cin] patches or their gradient
  std::vector<float> bordered_in_;       // variant 2: [rows+2, W+2, max(Cin, Cout)]
  std::vector<float> bordered_out_;      // variant 2: [rows, W+2, max(Cin, Cout)]
};

}  // namespace

Conv2dVariant automatic_conv2d_variant(const Conv2dShape&) { return Conv2dVariant::im2col; }

std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape, Conv2dVariant variant,
                                    size_t scratch_budget_bytes) {
  AS_CHECK(shape.n_batch >= 1 && shape.height >= 1 && shape.width >= 1 &&
               shape.in_channels >= 1 && shape.out_channels >= 1,
           "conv2d: batch, height, width and channel counts must be >= 1");
  if (variant == Conv2dVariant::automatic) variant = automatic_conv2d_variant(shape);
  return std::make_unique<CpuConv2d>(
      shape, variant, scratch_budget_bytes ? scratch_budget_bytes : kDefaultScratchBytes);
}

}  // namespace audiostyle::cpu
