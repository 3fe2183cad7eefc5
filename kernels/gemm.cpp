// cublasGemmEx with the precision's operand and compute types (kernels/gemm.h).
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

}  // namespace

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
  const cudaDataType operand_type = precision == Precision::bf16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute_type =
      precision == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  CUBLAS_CHECK(cublasGemmEx(context.cublas, op_a, op_b, as_int(m, "m"), as_int(n, "n"),
                            as_int(k, "k"), &alpha, a, operand_type, as_int(lda, "lda"), b,
                            operand_type, as_int(ldb, "ldb"), &beta, c, CUDA_R_32F,
                            as_int(ldc, "ldc"), compute_type, CUBLAS_GEMM_DEFAULT));
}

}  // namespace audiostyle::cuda
