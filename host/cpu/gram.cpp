// CPU twin of kernels/gram.cu: G = scale A^T A and its backward pass on OpenBLAS.
#include <cblas.h>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

class CpuGram final : public Gram {
 public:
  CpuGram(int64_t rows, int cols) : Gram(rows, cols) {}

  void forward(const float* features, float scale, float* gram) override {
    // SYRK fills the upper triangle (half the FLOPs of a GEMM); mirror it into the lower.
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, cols_, int(rows_), scale, features, cols_,
                0.0f, gram, cols_);
    for (int i = 0; i < cols_; ++i)
      for (int j = 0; j < i; ++j) gram[int64_t(i) * cols_ + j] = gram[int64_t(j) * cols_ + i];
  }

  void backward(const float* features, const float* gram_error, float scale,
                float* grad_features) override {
    // dA [rows, cols] += scale * A [rows, cols] @ E [cols, cols]; E symmetric.
    cblas_ssymm(CblasRowMajor, CblasRight, CblasUpper, int(rows_), cols_, scale, gram_error, cols_,
                features, cols_, 1.0f, grad_features, cols_);
  }

  size_t workspace_bytes() const override { return 0; }
};

}  // namespace

std::unique_ptr<Gram> make_gram(int64_t rows, int cols) {
  return std::make_unique<CpuGram>(rows, cols);
}

}  // namespace audiostyle::cpu
