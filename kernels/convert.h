// Layout and precision conversions for the GEMM operands (conv1d.cu, gram.cu): copy a row-major
// float matrix into a column-padded one of the GEMM operand type, and back.
//
// Why pad: a K-tap conv addresses x + k*C and W + k*C; with C = 1025 those pointers are only
// 4-byte aligned and cuBLAS falls back from its tensor-core kernels. Padding C to a multiple of
// kPadElements keeps every tap's pointer and leading dimension 16-byte aligned for bf16 (32 for
// float). The pad columns are zero, so they add nothing to any product.
#pragma once
#include <cuda_bf16.h>

#include <cstdint>

#include "kernels/cuda_ops.h"
#include "kernels/gemm_plan.h"

namespace audiostyle::cuda {

// kPadElements and padded_columns: kernels/gemm_plan.h (plain C++, host-tested).

// in [rows, cols] float -> out [rows, padded_cols], zeros in columns [cols, padded_cols)
void pad_columns(const Context& context, const float* in, int64_t rows, int cols, int padded_cols,
                 float* out);
void pad_columns(const Context& context, const float* in, int64_t rows, int cols, int padded_cols,
                 __nv_bfloat16* out);
// in [rows, padded_cols] float -> out [rows, cols] (the first cols columns)
void unpad_columns(const Context& context, const float* in, int64_t rows, int padded_cols, int cols,
                   float* out);

}  // namespace audiostyle::cuda
