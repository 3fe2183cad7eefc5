// cuBLAS GEMMs (single and strided-batched) per precision, shared by conv1d.cu and gram.cu.
//
// cuBLAS is column-major. A row-major matrix M [r, c] with leading dimension L is, read by cuBLAS,
// the column-major matrix M^T [c, r] with the same leading dimension L. So a row-major product
// C = A B is issued as the column-major C^T = B^T A^T: operands swapped, dimensions (m, n) = (cols
// of C, rows of C). Each caller writes its own mapping out next to the call.
//
// Precision -> cuBLAS:
//   fp32: operands float,          CUBLAS_COMPUTE_32F (no TF32: the handle's math mode is
//         CUBLAS_DEFAULT_MATH, set in the backend)
//   tf32: operands float,          CUBLAS_COMPUTE_32F_FAST_TF32 (tensor cores, 10-bit mantissa)
//   bf16: operands __nv_bfloat16,  CUBLAS_COMPUTE_32F (bf16 tensor cores, fp32 accumulation)
// C is float in every case; alpha and beta are host floats.
#pragma once
#include <cublas_v2.h>

#include <cstdint>

#include "audiostyle/backend.h"
#include "kernels/cuda_ops.h"
#include "kernels/gemm_plan.h"

namespace audiostyle::cuda {

// Column-major C [m, n] = alpha op_a(A) op_b(B) + beta C; A and B stored as the precision's
// operand type (float, or __nv_bfloat16 for Precision::bf16).
void gemm(const Context& context, Precision precision, cublasOperation_t op_a,
          cublasOperation_t op_b, int64_t m, int64_t n, int64_t k, float alpha, const void* a,
          int64_t lda, const void* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same for `batch_count` independent products: item i uses A + i*stride_a, B + i*stride_b and
// C + i*stride_c (strides in elements of each array's type). A stride of 0 broadcasts one operand
// to every item (cuBLAS allows it for A and B, as NVIDIA's MatX relies on, NVIDIA/MatX#474; C items
// must not overlap). Whether every bf16/TF32 kernel cuBLAS picks honours it at the reference shape
// is for the GPU tests ([conv1d][batch] against the CPU and against B = 1) to show. One item issues the
// plain cublasGemmEx above, so an unbatched plan keeps exactly the kernels (and results) it had.
void gemm_strided_batched(const Context& context, Precision precision, cublasOperation_t op_a,
                          cublasOperation_t op_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const void* a, int64_t lda, int64_t stride_a, const void* b,
                          int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                          int64_t stride_c, int batch_count);

// One call of kernels/gemm_plan.h: a, b point at operand arrays of the precision's operand type,
// c at floats; the call's offsets are added here.
void gemm_call(const Context& context, Precision precision, const GemmCall& call, float alpha,
               const void* a, const void* b, float* c);

const char* precision_name(Precision precision);
// Bytes per stored operand element: 4 for fp32/tf32, 2 for bf16.
size_t operand_bytes(Precision precision);

}  // namespace audiostyle::cuda
