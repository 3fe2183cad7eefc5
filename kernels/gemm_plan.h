// The parameters of each cuBLAS GEMM the conv1d and Gram plans issue, computed by plain host
// functions (no CUDA header), so that the index arithmetic the device runs (operand offsets,
// leading dimensions, batch strides, transposes, beta) is what the CPU suite checks:
// tests/kernels/test_gemm_plans.cpp executes these calls with a column-major reference GEMM on the
// host and compares the result with the CPU twins (host/cpu/conv1d.cpp, gram.cpp).
// kernels/gemm.h's gemm_call issues one on cuBLAS.
//
// Semantics (cuBLAS's, column-major): for item i < batch,
//   C_i [m, n] = alpha op_a(A_i) op_b(B_i) + beta C_i,
//   A_i = a + a_offset + i * stride_a (ld lda), B_i likewise, C_i = c + c_offset + i * stride_c;
//   op N reads X[r, c] at X_i + r + c * ld, op T reads it at X_i + c + r * ld;
//   beta = 0: C is not read (it may hold anything, NaN too).
// Offsets and strides count elements of each array's own type (bf16 or float operands, float C).
#pragma once
#include <cstdint>

#include "audiostyle/backend.h"

namespace audiostyle::cuda {

enum class GemmOp { N, T };

struct GemmOperand {
  GemmOp op = GemmOp::N;
  int64_t offset = 0, ld = 0, stride = 0;
};

struct GemmCall {
  int64_t m = 0, n = 0, k = 0;
  GemmOperand a, b;
  int64_t c_offset = 0, ldc = 0, stride_c = 0;
  float beta = 0;
  int batch = 1;
};

// Columns padded to a multiple of kPadElements (kernels/convert.h says why): every tap's pointer
// and leading dimension stays 16-byte aligned for bf16 (32 for float).
constexpr int kPadElements = 8;
inline int padded_columns(int cols) {
  return (cols + kPadElements - 1) / kPadElements * kPadElements;
}

// conv1d (kernels/conv1d.cu has the derivation), Cp = padded_columns(C):
//   forward, tap k:  A = weights Wp [F, K, Cp], B = input xp [B, T, Cp], C = features [B, T', F]
//   backward, tap k: A = weights Wp, B = grad features dA [B, T', F], C = dXp [B, T, Cp]
inline GemmCall conv1d_forward_tap(const ConvShape& s, int64_t k) {
  const int64_t Cp = padded_columns(s.n_channels), F = s.n_filters, K = s.kernel_width;
  const int64_t T = s.n_frames, out_frames = s.out_frames();
  GemmCall call;
  call.m = F, call.n = out_frames, call.k = Cp;
  call.a = {GemmOp::T, k * Cp, K * Cp, 0};  // W_k [F, Cp], shared by every item
  call.b = {GemmOp::N, k * Cp, Cp, T * Cp};  // rows k .. k+T'-1 of item b
  call.c_offset = 0, call.ldc = F, call.stride_c = out_frames * F;
  call.beta = k == 0 ? 0.f : 1.f;
  call.batch = s.n_batch;
  return call;
}

inline GemmCall conv1d_backward_tap(const ConvShape& s, int64_t k) {
  const int64_t Cp = padded_columns(s.n_channels), F = s.n_filters, K = s.kernel_width;
  const int64_t T = s.n_frames, out_frames = s.out_frames();
  GemmCall call;
  call.m = Cp, call.n = out_frames, call.k = F;
  call.a = {GemmOp::N, k * Cp, K * Cp, 0};
  call.b = {GemmOp::N, 0, F, out_frames * F};
  call.c_offset = k * Cp, call.ldc = Cp, call.stride_c = T * Cp;
  call.beta = 1.f;  // taps overlap in time: dXp is zeroed first and every tap adds
  call.batch = s.n_batch;
  return call;
}

// Gram (kernels/gram.cu has the derivation) over features A [B, R, ld] whose first F columns take
// part (ld = F, or Fp for the padded bf16 copy), E [B, F, ld_error]:
//   forward:  A = B = features, C = G [B, F, F]
//   backward: A = E, B = features, C = dA [B, R, F]
inline GemmCall gram_forward_call(int64_t rows, int64_t cols, int64_t ld, int batch,
                                  bool accumulate) {
  GemmCall call;
  call.m = cols, call.n = cols, call.k = rows;
  call.a = {GemmOp::N, 0, ld, rows * ld};
  call.b = {GemmOp::T, 0, ld, rows * ld};
  call.c_offset = 0, call.ldc = cols, call.stride_c = cols * cols;
  call.beta = accumulate ? 1.f : 0.f;
  call.batch = batch;
  return call;
}

inline GemmCall gram_backward_call(int64_t rows, int64_t cols, int64_t ld, int64_t ld_error,
                                   int batch) {
  GemmCall call;
  call.m = cols, call.n = rows, call.k = cols;
  call.a = {GemmOp::N, 0, ld_error, cols * ld_error};
  call.b = {GemmOp::N, 0, ld, rows * ld};
  call.c_offset = 0, call.ldc = cols, call.stride_c = rows * cols;
  call.beta = 1.f;
  call.batch = batch;
  return call;
}

}  // namespace audiostyle::cuda
