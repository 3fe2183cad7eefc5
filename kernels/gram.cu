// Gram matrices of the features and their backward pass (twin of host/cpu/gram.cpp) on cuBLAS,
// batched over B independent items.
//
//   forward:  G_b [F, F] = scale A_b^T A_b  (or += when accumulating),  A_b [R, F] row-major
//             (R = rows, F = cols); A [B, R, F], G [B, F, F]
//   backward: dA_b [R, F] += scale A_b E_b,  E_b [F, F] symmetric;  E [B, F, F], dA [B, R, F]
//
// Row-major -> cuBLAS column-major (kernels/gemm.h), per item:
//   forward: cuBLAS reads A as the column-major [F, R] matrix A^T (ld F). A^T A is then
//     op_a(A^T) op_b(A^T) with op_a = N, op_b = T: gemm(N, T, m = F, n = F, k = R, A = feat,
//     lda = F, B = feat, ldb = F, C = G, ldc = F). Element (i, j) of the column-major result is
//     sum_r A[r, i] A[r, j] = G[i, j], stored at G[i + j*F], i.e. row-major G[j, i] = G[i, j]:
//     the symmetric G either way. (A GEMM rather than SYRK: the same tensor-core kernels for
//     every precision and the full matrix without a mirroring pass.)
//     Accumulating (a long input streamed in row chunks: G = sum over chunks of scale A_c^T A_c)
//     is beta = 1 instead of 0; with beta = 0 cuBLAS does not read G, so it may hold anything.
//   backward: row-major dA [R, F] += A [R, F] E [F, F] is column-major dA^T [F, R] += E^T A^T:
//     cuBLAS reads E (row-major, ld F) as column-major E^T and A as A^T, both op N:
//     gemm(N, N, m = F, n = R, k = F, A = E, lda = F, B = feat, ldb = F, beta = 1, C = dA,
//     ldc = F). Element (i, r) = sum_j E[j, i] A[r, j] = (A E)[r, i], exact for any E, as the
//     CPU twin's row-major SGEMM (the interface still promises a symmetric E).
// The parameters are computed by kernels/gemm_plan.h (gram_forward_call, gram_backward_call),
// which tests/kernels/test_gemm_plans.cpp runs on the host against the CPU twin.
// Batch: one cublasGemmStridedBatchedEx per pass (kernels/gemm.h), item strides R*F (A, dA; R*Fp
// for the padded bf16 copy) and F*F (G, E; F*Fp for the padded bf16 E). Items never share an
// output, so the batch has no write overlap. B = 1 issues the plain cublasGemmEx, as before.
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
  CudaGram(const Context& context, int64_t rows, int cols, Precision precision, int batch)
      : Gram(rows, cols, batch), context_(context), precision_(precision) {
    CUDA_REQUIRE(rows > 0 && cols > 0, "gram: rows and cols must be positive");
    CUDA_REQUIRE(batch >= 1, "gram: batch must be >= 1");
    if (precision_ == Precision::bf16) {
      padded_cols_ = padded_columns(cols);
      features16_ = DeviceArray<__nv_bfloat16>(batch * rows * padded_cols_);
      error16_ = DeviceArray<__nv_bfloat16>(int64_t(batch) * cols * padded_cols_);
    }
  }

  // A [B, R, F] -> G [B, F, F] (= or +=)
  void forward(const float* features, float scale, float* gram, bool accumulate) override {
    const int64_t F = cols_, R = rows_;  // beta = accumulate ? 1 : 0 (gram_forward_call)
    if (precision_ == Precision::bf16) {
      const int64_t Fp = padded_cols_;
      // [B, R, F] is the row-major [B*R, F] matrix: each row padded on its own.
      pad_columns(context_, features, batch_ * R, cols_, padded_cols_, features16_.get());
      gemm_call(context_, precision_, gram_forward_call(R, F, Fp, batch_, accumulate), scale,
                features16_.get(), features16_.get(), gram);
    } else {
      gemm_call(context_, precision_, gram_forward_call(R, F, F, batch_, accumulate), scale,
                features, features, gram);
    }
  }

  // A [B, R, F], E [B, F, F] -> dA [B, R, F] += scale A_b E_b
  void backward(const float* features, const float* gram_error, float scale,
                float* grad_features) override {
    const int64_t F = cols_, R = rows_;
    if (precision_ == Precision::bf16) {
      const int64_t Fp = padded_cols_;
      pad_columns(context_, features, batch_ * R, cols_, padded_cols_, features16_.get());
      pad_columns(context_, gram_error, batch_ * F, cols_, padded_cols_, error16_.get());
      gemm_call(context_, precision_, gram_backward_call(R, F, Fp, Fp, batch_), scale,
                error16_.get(), features16_.get(), grad_features);
    } else {
      gemm_call(context_, precision_, gram_backward_call(R, F, F, F, batch_), scale, gram_error,
                features, grad_features);
    }
  }

  size_t workspace_bytes() const override { return features16_.bytes() + error16_.bytes(); }

 private:
  Context context_;
  Precision precision_;
  int padded_cols_ = 0;                    // Fp (bf16 only)
  DeviceArray<__nv_bfloat16> features16_;  // [B, R, Fp] bf16
  DeviceArray<__nv_bfloat16> error16_;     // [B, F, Fp] bf16
};

}  // namespace

std::unique_ptr<Gram> make_gram(const Context& context, int64_t rows, int cols, Precision precision,
                                int batch) {
  return std::make_unique<CudaGram>(context, rows, cols, precision, batch);
}

}  // namespace audiostyle::cuda
