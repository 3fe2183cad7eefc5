// Gram matrix of the features and its backward pass (twin of host/cpu/gram.cpp) on cuBLAS.
//
//   forward:  G [F, F] = scale A^T A,   A [R, F] row-major (R = rows, F = cols)
//   backward: dA [R, F] += scale A E,   E [F, F] symmetric
//
// Row-major -> cuBLAS column-major (kernels/gemm.h):
//   forward: cuBLAS reads A as the column-major [F, R] matrix A^T (ld F). A^T A is then
//     op_a(A^T) op_b(A^T) with op_a = N, op_b = T: gemm(N, T, m = F, n = F, k = R, A = feat,
//     lda = F, B = feat, ldb = F, C = G, ldc = F). Element (i, j) of the column-major result is
//     sum_r A[r, i] A[r, j] = G[i, j], stored at G[i + j*F], i.e. row-major G[j, i] = G[i, j]:
//     the symmetric G either way. (A GEMM rather than SYRK: the same tensor-core kernels for
//     every precision and the full matrix without a mirroring pass.)
//   backward: row-major dA [R, F] += A [R, F] E [F, F] is column-major dA^T [F, R] += E^T A^T:
//     cuBLAS reads E (row-major, ld F) as column-major E^T and A as A^T, both op N:
//     gemm(N, N, m = F, n = R, k = F, A = E, lda = F, B = feat, ldb = F, beta = 1, C = dA,
//     ldc = F). Element (i, r) = sum_j E[j, i] A[r, j] = (A E)[r, i], exact for any E (the CPU's
//     SSYMM reads only E's upper triangle, so E must be symmetric for the two to agree).
// bf16: A and E converted into plan scratch, columns padded to Fp (kernels/convert.h) so each
// operand is 16-byte aligned; only the first F columns take part (k and m stop at F).
#include <cuda_bf16.h>

#include "kernels/convert.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/device_memory.h"
#include "kernels/gemm.h"

namespace audiostyle::cuda {
namespace {

class CudaGram final : public Gram {
 public:
  CudaGram(const Context& context, int64_t rows, int cols, Precision precision)
      : Gram(rows, cols), context_(context), precision_(precision) {
    CUDA_REQUIRE(rows > 0 && cols > 0, "gram: rows and cols must be positive");
    if (precision_ == Precision::bf16) {
      padded_cols_ = padded_columns(cols);
      features16_ = DeviceArray<__nv_bfloat16>(rows * padded_cols_);
      error16_ = DeviceArray<__nv_bfloat16>(int64_t(cols) * padded_cols_);
    }
  }

  // A [R, F] -> G [F, F]
  void forward(const float* features, float scale, float* gram) override {
    const int64_t F = cols_;
    if (precision_ == Precision::bf16) {
      pad_columns(context_, features, rows_, cols_, padded_cols_, features16_.get());
      gemm(context_, precision_, CUBLAS_OP_N, CUBLAS_OP_T, F, F, rows_, scale, features16_.get(),
           padded_cols_, features16_.get(), padded_cols_, 0.0f, gram, F);
    } else {
      gemm(context_, precision_, CUBLAS_OP_N, CUBLAS_OP_T, F, F, rows_, scale, features, F,
           features, F, 0.0f, gram, F);
    }
  }

  // A [R, F], E [F, F] -> dA [R, F] += scale A E
  void backward(const float* features, const float* gram_error, float scale,
                float* grad_features) override {
    const int64_t F = cols_;
    if (precision_ == Precision::bf16) {
      pad_columns(context_, features, rows_, cols_, padded_cols_, features16_.get());
      pad_columns(context_, gram_error, F, cols_, padded_cols_, error16_.get());
      gemm(context_, precision_, CUBLAS_OP_N, CUBLAS_OP_N, F, rows_, F, scale, error16_.get(),
           padded_cols_, features16_.get(), padded_cols_, 1.0f, grad_features, F);
    } else {
      gemm(context_, precision_, CUBLAS_OP_N, CUBLAS_OP_N, F, rows_, F, scale, gram_error, F,
           features, F, 1.0f, grad_features, F);
    }
  }

  size_t workspace_bytes() const override { return features16_.bytes() + error16_.bytes(); }

 private:
  Context context_;
  Precision precision_;
  int padded_cols_ = 0;                    // Fp (bf16 only)
  DeviceArray<__nv_bfloat16> features16_;  // [R, Fp] bf16
  DeviceArray<__nv_bfloat16> error16_;     // [F, Fp] bf16
};

}  // namespace

std::unique_ptr<Gram> make_gram(const Context& context, int64_t rows, int cols,
                                Precision precision) {
  return std::make_unique<CudaGram>(context, rows, cols, precision);
}

}  // namespace audiostyle::cuda
