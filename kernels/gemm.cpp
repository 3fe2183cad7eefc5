// cublasGemmEx and cublasGemmStridedBatchedEx with the precision's operand and compute types
// (kernels/gemm.h).
#include "kernels/gemm.h"

#include <climits>
#include <string>

#include "kernels/cuda_check.h"

namespace audiostyle::cuda {
namespace {

int as_int(int64_t value, const char* what) {
  CUDA_REQUIRE(value >= 0 && value <= INT_MAX, std::string("gemm: ") + what + " = " +
                                                   std::to_string(value) +
                                                   " does not fit cuBLAS's 32-bit int");
  return int(value);
}

cudaDataType operand_type(Precision precision) {
  return precision == Precision::bf16 ? CUDA_R_16BF : CUDA_R_32F;
}

cublasComputeType_t compute_type(Precision precision) {
  return precision == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

cublasOperation_t cublas_op(GemmOp op) { return op == GemmOp::T ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace

void gemm_call(const Context& context, Precision precision, const GemmCall& call, float alpha,
               const void* a, const void* b, float* c) {
  const int64_t bytes = int64_t(operand_bytes(precision));
  const char* a_bytes = static_cast<const char*>(a) + call.a.offset * bytes;
  const char* b_bytes = static_cast<const char*>(b) + call.b.offset * bytes;
  gemm_strided_batched(context, precision, cublas_op(call.a.op), cublas_op(call.b.op), call.m,
                       call.n, call.k, alpha, a_bytes, call.a.ld, call.a.stride, b_bytes,
                       call.b.ld, call.b.stride, call.beta, c + call.c_offset, call.ldc,
                       call.stride_c, call.batch);
}

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "unknown";
}

size_t operand_bytes(Precision precision) { return precision == Precision::bf16 ? 2 : 4; }

void gemm(const Context& context, Precision precision, cublasOperation_t op_a,
          cublasOperation_t op_b, int64_t m, int64_t n, int64_t k, float alpha, const void* a,
          int64_t lda, const void* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  CUBLAS_CHECK(cublasGemmEx(context.cublas, op_a, op_b, as_int(m, "m"), as_int(n, "n"),
                            as_int(k, "k"), &alpha, a, operand_type(precision), as_int(lda, "lda"),
                            b, operand_type(precision), as_int(ldb, "ldb"), &beta, c, CUDA_R_32F,
                            as_int(ldc, "ldc"), compute_type(precision), CUBLAS_GEMM_DEFAULT));
}

void gemm_strided_batched(const Context& context, Precision precision, cublasOperation_t op_a,
                          cublasOperation_t op_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const void* a, int64_t lda, int64_t stride_a, const void* b,
                          int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                          int64_t stride_c, int batch_count) {
  CUDA_REQUIRE(batch_count >= 1, "gemm: batch_count must be >= 1");
  CUDA_REQUIRE(stride_a >= 0 && stride_b >= 0 && stride_c >= 0, "gemm: negative batch stride");
  if (batch_count == 1) {
    gemm(context, precision, op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      context.cublas, op_a, op_b, as_int(m, "m"), as_int(n, "n"), as_int(k, "k"), &alpha, a,
      operand_type(precision), as_int(lda, "lda"), stride_a, b, operand_type(precision),
      as_int(ldb, "ldb"), stride_b, &beta, c, CUDA_R_32F, as_int(ldc, "ldc"), stride_c,
      batch_count, compute_type(precision), CUBLAS_GEMM_DEFAULT));
}

}  // namespace audiostyle::cuda
