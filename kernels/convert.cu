// Padded-layout copies and bf16 conversion for the GEMM operands (kernels/convert.h).
#include "kernels/convert.h"
#include "kernels/cuda_check.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__device__ __forceinline__ float to_operand(float value, float*) { return value; }
__device__ __forceinline__ __nv_bfloat16 to_operand(float value, __nv_bfloat16*) {
  return __float2bfloat16_rn(value);
}

// One thread per output element of out [rows, padded_cols].
template <class Out>
__global__ void pad_columns_kernel(const float* __restrict__ in, int64_t rows, int cols,
                                   int padded_cols, Out* __restrict__ out) {
  const int64_t count = rows * padded_cols;
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const int64_t row = i / padded_cols;
    const int col = int(i - row * padded_cols);
    out[i] = to_operand(col < cols ? in[row * cols + col] : 0.f, out);
  }
}

// One thread per output element of out [rows, cols].
__global__ void unpad_columns_kernel(const float* __restrict__ in, int64_t rows, int padded_cols,
                                     int cols, float* __restrict__ out) {
  const int64_t count = rows * cols;
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const int64_t row = i / cols;
    const int col = int(i - row * cols);
    out[i] = in[row * padded_cols + col];
  }
}

template <class Out>
void launch_pad(const Context& context, const float* in, int64_t rows, int cols, int padded_cols,
                Out* out) {
  CUDA_REQUIRE(padded_cols >= cols && cols > 0 && rows >= 0, "pad_columns: bad shape");
  if (rows == 0) return;
  pad_columns_kernel<<<elementwise_blocks(rows * padded_cols), kBlockThreads, 0, context.stream>>>(
      in, rows, cols, padded_cols, out);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void pad_columns(const Context& context, const float* in, int64_t rows, int cols, int padded_cols,
                 float* out) {
  launch_pad(context, in, rows, cols, padded_cols, out);
}

void pad_columns(const Context& context, const float* in, int64_t rows, int cols, int padded_cols,
                 __nv_bfloat16* out) {
  launch_pad(context, in, rows, cols, padded_cols, out);
}

void unpad_columns(const Context& context, const float* in, int64_t rows, int padded_cols, int cols,
                   float* out) {
  CUDA_REQUIRE(padded_cols >= cols && cols > 0 && rows >= 0, "unpad_columns: bad shape");
  if (rows == 0) return;
  unpad_columns_kernel<<<elementwise_blocks(rows * cols), kBlockThreads, 0, context.stream>>>(
      in, rows, padded_cols, cols, out);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
