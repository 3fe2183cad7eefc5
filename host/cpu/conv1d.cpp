// CPU twin of kernels/conv1d.cu: the 1D convolution over time as K shifted GEMMs on OpenBLAS.
// Row-major x [T, C] makes each tap's input a contiguous view: rows k .. k+T'-1 of x are the
// [T', C] matrix x + k*C, so no im2col copy is needed.
#include <cblas.h>

#include <algorithm>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"
#include "kernels/relu_math.h"

namespace audiostyle::cpu {
namespace {

class CpuConv1d final : public Conv1d {
 public:
  explicit CpuConv1d(const ConvShape& shape) : Conv1d(shape) {}

  void set_weights(const float* weights) override { weights_ = weights; }

  void forward_relu(const float* x, float* features) override {
    AS_CHECK(weights_, "conv1d: set_weights was not called");
    const auto [T, C, F, K] = dims();
    const int64_t out_frames = shape_.out_frames();
    // A_b [T', F] = sum_k x_b[k:k+T', :] [T', C] @ W_k^T, W_k = W + k*C: [F, C], leading dim K*C.
    for (int b = 0; b < shape_.n_batch; ++b)
      for (int k = 0; k < K; ++k)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(out_frames), F, C, 1.0f,
                    x + b * T * C + k * C, C, weights_ + k * C, K * C, k == 0 ? 0.0f : 1.0f,
                    features + b * out_frames * F, F);
    const int64_t count = shape_.n_batch * out_frames * F;
    for (int64_t i = 0; i < count; ++i) features[i] = math::relu(features[i]);
  }

  void backward_input(float* grad_features, const float* features, float* grad_x) override {
    AS_CHECK(weights_, "conv1d: set_weights was not called");
    const auto [T, C, F, K] = dims();
    const int64_t out_frames = shape_.out_frames();
    const int64_t count = shape_.n_batch * out_frames * F;
    // ReLU backward: A > 0 exactly where the pre-activation was > 0.
    for (int64_t i = 0; i < count; ++i)
      grad_features[i] = math::relu_backward(features[i], grad_features[i]);
    std::fill(grad_x, grad_x + shape_.n_batch * T * C, 0.0f);
    // grad_x_b[k:k+T', :] += dA_b [T', F] @ W_k [F, C]
    for (int b = 0; b < shape_.n_batch; ++b)
      for (int k = 0; k < K; ++k)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(out_frames), C, F, 1.0f,
                    grad_features + b * out_frames * F, F, weights_ + k * C, K * C, 1.0f,
                    grad_x + b * T * C + k * C, C);
  }

  size_t workspace_bytes() const override { return 0; }
  std::string algorithm() const override { return "openblas sgemm, K shifted taps"; }

 private:
  struct Dims {
    int64_t T;
    int C, F, K;
  };
  Dims dims() const {
    return {shape_.n_frames, shape_.n_channels, shape_.n_filters, shape_.kernel_width};
  }
  const float* weights_ = nullptr;
};

}  // namespace

std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape) {
  AS_CHECK(shape.out_frames() >= 1, "conv1d: fewer frames than the kernel width");
  AS_CHECK(shape.n_batch >= 1, "conv1d: batch must be >= 1");
  return std::make_unique<CpuConv1d>(shape);
}

}  // namespace audiostyle::cpu
