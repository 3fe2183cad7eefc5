// CPU twin of kernels/gram.cu: G_b = scale A_b^T A_b and its backward pass on OpenBLAS.
#include <cblas.h>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

class CpuGram final : public Gram {
 public:
  CpuGram(int64_t rows, int cols, int batch) : Gram(rows, cols, batch) {}

  void forward(const float* features, float scale, float* gram, bool accumulate) override {
    const int64_t a_stride = rows_ * cols_, g_stride = int64_t(cols_) * cols_;
    for (int b = 0; b < batch_; ++b) {
      float* g = gram + b * g_stride;
      // A full GEMM, not SYRK: OpenBLAS's SGEMM runs near peak where its SYRK reaches a quarter of
      // it (bench_stages gram_forward at the reference size on 2 cores: 91 ms SYRK, 47 ms GEMM).
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols_, cols_, int(rows_), scale,
                  features + b * a_stride, cols_, features + b * a_stride, cols_,
                  accumulate ? 1.0f : 0.0f, g, cols_);
    }
  }

  void backward(const float* features, const float* gram_error, float scale,
                float* grad_features) override {
    const int64_t a_stride = rows_ * cols_, g_stride = int64_t(cols_) * cols_;
    // dA_b [rows, cols] += scale * A_b [rows, cols] @ E_b [cols, cols]; a GEMM, as SGEMM beats
    // OpenBLAS's SYMM here too (52 ms against 58 ms at the
    // reference size).
    for (int b = 0; b < batch_; ++b)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows_), cols_, cols_, scale,
                  features + b * a_stride, cols_, gram_error + b * g_stride, cols_, 1.0f,
                  grad_features + b * a_stride, cols_);
  }

  size_t workspace_bytes() const override { return 0; }
};

}  // namespace

std::unique_ptr<Gram> make_gram(int64_t rows, int cols, int batch) {
  return std::make_unique<CpuGram>(rows, cols, batch);
}

}  // namespace audiostyle::cpu
