// 1D convolution over time, VALID, no bias, ReLU (twin of host/cpu/conv1d.cpp), as K shifted GEMMs
// on cuBLAS over a column-padded layout (kernels/convert.h): C -> Cp = padded_columns(C), batched
// over B independent items (stereo channels, segments).
//
//   set_weights:    W [F, K, C] -> Wp [F, K, Cp] in the operand type (float, or bf16), once.
//   forward_relu:   x [B, T, C] -> xp [B, T, Cp]; A_b [T', F] = sum_k xp_b[k:k+T', :] Wp_k^T;
//                   A = relu(A)
//   backward_input: dA *= (A > 0); dXp [B, T, Cp] = 0; dXp_b[k:k+T', :] += dA_b Wp_k;
//                   dX = dXp[:, :, :C]
// with Wp_k = Wp + k*Cp: the [F, Cp] matrix of tap k, leading dimension K*Cp, and xp_b + k*Cp: rows
// k .. k+T'-1 of item b, the [T', Cp] matrix with leading dimension Cp (no im2col copy).
//
// The GEMM parameters below are computed by kernels/gemm_plan.h (conv1d_forward_tap,
// conv1d_backward_tap), which tests/kernels/test_gemm_plans.cpp runs on the host against the CPU.
//
// Batching: each tap is one cublasGemmStridedBatchedEx over the B items (kernels/gemm.h), with
// batch strides T*Cp for xp and dXp, T'*F for A and dA, and 0 for Wp (one weight matrix shared by
// every item, never copied). Chosen over a host loop of B plain GEMMs because it issues K launches
// instead of B*K, and a short item (a segment of a long input, small T') is a thin GEMM that alone
// leaves most of the GPU idle; a batch of them fills it. Chosen over folding B into the row
// dimension (one GEMM over the [B*T, Cp] rows) because that would compute K-1 windows per item that
// straddle two items and leave them as junk rows inside A, needing a compaction pass (and a
// scatter in the backward). Items never share output rows, so the batch has no write overlap; the
// taps of one item do overlap in the backward, and they stay serialised as successive launches on
// the stream. B = 1 issues the plain cublasGemmEx (gemm_strided_batched), as before batching.
//
// Row-major -> cuBLAS column-major (kernels/gemm.h: a row-major [r, c] matrix is the column-major
// [c, r] one with the same leading dimension), per item b:
//   forward, per tap: row-major A [T', F] += X_k [T', Cp] W_k^T [Cp, F]
//     column-major A^T [F, T'] = W_k [F, Cp] X_k^T [Cp, T']
//     cuBLAS sees W_k as column-major [Cp, F] (ld K*Cp) -> op_a = T; X_k as [Cp, T'] (ld Cp) ->
//     op_b = N; gemm(T, N, m = F, n = T', k = Cp, A = Wp + k*Cp, lda = K*Cp, B = xp + k*Cp,
//     ldb = Cp, C = A, ldc = F), beta = 0 for the first tap, 1 after.
//   backward, per tap: row-major dX_k [T', Cp] += dA [T', F] W_k [F, Cp]
//     column-major dX_k^T [Cp, T'] = W_k^T [Cp, F] dA^T [F, T']
//     gemm(N, N, m = Cp, n = T', k = F, A = Wp + k*Cp, lda = K*Cp, B = dA, ldb = F,
//     C = dXp + k*Cp, ldc = Cp), beta = 1 (dXp zeroed first: taps overlap in time).
//
// Hand check of the forward mapping on a 2x3 example (T' = 2 output frames, Cp = 3, F = 1, one
// tap): X = [[1, 2, 3], [4, 5, 6]] row-major is memory 1 2 3 4 5 6; W = [[1, 0, -1]] is 1 0 -1.
//   cuBLAS reads B = X as column-major [3, 2] with ld 3: columns (1, 2, 3) and (4, 5, 6), op N.
//   It reads A = W as column-major [3, 1] with ld 3: column (1, 0, -1); op T makes it [1, 3].
//   C [1, 2] = [1 0 -1] [[1, 4], [2, 5], [3, 6]] = [1 - 3, 4 - 6] = [-2, -2], stored at A[0], A[1]
//   with ldc = F = 1: row-major A [2, 1] = [[-2], [-2]] = X W^T. Correct.
// And the backward on the same numbers: dA = [[1], [2]] (T' = 2, F = 1). cuBLAS reads Wp as
// column-major [3, 1] (op N), dA as column-major [1, 2] with ld 1: (1), (2).
//   C [3, 2] = (1, 0, -1) [1 2] = columns (1, 0, -1) and (2, 0, -2), stored with ldc = 3 as
//   1 0 -1 2 0 -2: row-major dX [2, 3] = [[1, 0, -1], [2, 0, -2]] = dA W. Correct.
// The batch adds only the item offsets: with B = 2 and T = 2 the second item's X starts at element
// T*Cp = 6 of xp and its A at T'*F = 2 of A, exactly the strides passed.
//
// Padding and unpadding treat x [B, T, C] as the row-major [B*T, C] matrix: every row is padded on
// its own, so the batch needs nothing more there.
// ReLU: a small element-wise kernel after the last tap's GEMM, chosen for being obviously correct.
// A cuBLASLt RELU epilogue on the last GEMM would save its one read and write of A (7 MB per item
// at the reference shape, against 11 GEMMs that each read and write A as C).
// bf16: x and dA are converted into plan scratch per call (the mask fused into dA's conversion);
// GEMMs accumulate in fp32 and write fp32 A and dXp.
#include <cuda_bf16.h>

#include <string>

#include "kernels/convert.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/device_memory.h"
#include "kernels/gemm.h"
#include "kernels/launch.cuh"
#include "kernels/relu_math.h"

namespace audiostyle::cuda {
namespace {

__global__ void relu_kernel(int64_t count, float* features) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    features[i] = math::relu(features[i]);  // a NaN stays NaN, as on the CPU
}

// dA = A > 0 ? dA : 0, in place (A > 0 exactly where the pre-activation was > 0).
__global__ void relu_mask_kernel(int64_t count, const float* __restrict__ features,
                                 float* __restrict__ grad_features) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    grad_features[i] = math::relu_backward(features[i], grad_features[i]);
}

// dA16 = bf16(A > 0 ? dA : 0); dA itself is left as it was.
__global__ void relu_mask_bf16_kernel(int64_t count, const float* __restrict__ features,
                                      const float* __restrict__ grad_features,
                                      __nv_bfloat16* __restrict__ out) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    out[i] = __float2bfloat16_rn(math::relu_backward(features[i], grad_features[i]));
}

class CudaConv1d final : public Conv1d {
 public:
  CudaConv1d(const Context& context, const ConvShape& shape, Precision precision)
      : Conv1d(shape), context_(context), precision_(precision) {
    CUDA_REQUIRE(shape.n_channels > 0 && shape.n_filters > 0 && shape.kernel_width > 0,
                 "conv1d: channels, filters and kernel width must be positive");
    CUDA_REQUIRE(shape.out_frames() >= 1, "conv1d: fewer frames than the kernel width");
    CUDA_REQUIRE(shape.n_batch >= 1, "conv1d: batch must be >= 1");
    padded_channels_ = padded_columns(shape.n_channels);
    const int64_t B = shape.n_batch, T = shape.n_frames, out_frames = shape.out_frames();
    const int64_t F = shape.n_filters, K = shape.kernel_width;
    const int64_t weight_count = F * K * padded_channels_;
    const int64_t input_count = B * T * padded_channels_;  // every item's padded input
    if (precision_ == Precision::bf16) {
      weights16_ = DeviceArray<__nv_bfloat16>(weight_count);
      input16_ = DeviceArray<__nv_bfloat16>(input_count);
      grad_features16_ = DeviceArray<__nv_bfloat16>(B * out_frames * F);
    } else {
      weights32_ = DeviceArray<float>(weight_count);
      input32_ = DeviceArray<float>(input_count);
    }
    grad_input_padded_ = DeviceArray<float>(input_count);
  }

  void set_weights(const float* weights) override {
    const ConvShape& s = shape_;
    // W [F, K, C] is the row-major [F*K, C] matrix; pad each row to Cp.
    if (precision_ == Precision::bf16)
      pad_columns(context_, weights, int64_t(s.n_filters) * s.kernel_width, s.n_channels,
                  padded_channels_, weights16_.get());
    else
      pad_columns(context_, weights, int64_t(s.n_filters) * s.kernel_width, s.n_channels,
                  padded_channels_, weights32_.get());
    weights_set_ = true;
  }

  // x [B, T, C] -> A [B, T', F]
  void forward_relu(const float* x, float* features) override {
    CUDA_REQUIRE(weights_set_, "conv1d: set_weights was not called");
    const ConvShape& s = shape_;
    const int64_t F = s.n_filters, K = s.kernel_width, out_frames = s.out_frames();
    const int64_t input_rows = s.n_batch * s.n_frames;
    const void* input = nullptr;
    const void* weights = nullptr;
    if (precision_ == Precision::bf16) {
      pad_columns(context_, x, input_rows, s.n_channels, padded_channels_, input16_.get());
      input = input16_.get();
      weights = weights16_.get();
    } else {
      pad_columns(context_, x, input_rows, s.n_channels, padded_channels_, input32_.get());
      input = input32_.get();
      weights = weights32_.get();
    }
    // Batch strides: Wp shared (0), xp_b = xp + b*T*Cp, A_b = A + b*T'*F (kernels/gemm_plan.h).
    for (int64_t k = 0; k < K; ++k)
      gemm_call(context_, precision_, conv1d_forward_tap(s, k), 1.0f, weights, input, features);
    const int64_t count = s.n_batch * out_frames * F;
    relu_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context_.stream>>>(count, features);
    CUDA_CHECK_LAUNCH();
  }

  // dA [B, T', F] (masked in place for fp32/tf32), A [B, T', F] -> dX [B, T, C]
  void backward_input(float* grad_features, const float* features, float* grad_x) override {
    CUDA_REQUIRE(weights_set_, "conv1d: set_weights was not called");
    const ConvShape& s = shape_;
    const int64_t F = s.n_filters, K = s.kernel_width, T = s.n_frames;
    const int64_t count = s.n_batch * s.out_frames() * F;
    const void* grad = nullptr;
    const void* weights = nullptr;
    if (precision_ == Precision::bf16) {
      relu_mask_bf16_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context_.stream>>>(
          count, features, grad_features, grad_features16_.get());
      CUDA_CHECK_LAUNCH();
      grad = grad_features16_.get();
      weights = weights16_.get();
    } else {
      relu_mask_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context_.stream>>>(
          count, features, grad_features);
      CUDA_CHECK_LAUNCH();
      grad = grad_features;
      weights = weights32_.get();
    }
    CUDA_CHECK(
        cudaMemsetAsync(grad_input_padded_.get(), 0, grad_input_padded_.bytes(), context_.stream));
    // Batch strides: Wp shared (0), dA_b = dA + b*T'*F, dXp_b = dXp + b*T*Cp (gemm_plan.h).
    for (int64_t k = 0; k < K; ++k)
      gemm_call(context_, precision_, conv1d_backward_tap(s, k), 1.0f, weights, grad,
                grad_input_padded_.get());
    unpad_columns(context_, grad_input_padded_.get(), s.n_batch * T, padded_channels_,
                  s.n_channels, grad_x);
  }

  size_t workspace_bytes() const override {
    return weights32_.bytes() + input32_.bytes() + weights16_.bytes() + input16_.bytes() +
           grad_features16_.bytes() + grad_input_padded_.bytes();
  }

  std::string algorithm() const override {
    const std::string gemm_name = shape_.n_batch > 1
                                      ? "cublasGemmStridedBatchedEx (batch " +
                                            std::to_string(shape_.n_batch) + ") "
                                      : std::string("cublasGemmEx ");
    return gemm_name + precision_name(precision_) + ", " +
           std::to_string(shape_.kernel_width) + " shifted taps, channels padded " +
           std::to_string(shape_.n_channels) + " -> " + std::to_string(padded_channels_) +
           ", ReLU kernel";
  }

 private:
  Context context_;
  Precision precision_;
  int padded_channels_ = 0;  // Cp
  bool weights_set_ = false;
  DeviceArray<float> weights32_;                // [F, K, Cp] fp32/tf32
  DeviceArray<float> input32_;                  // [B, T, Cp] fp32/tf32
  DeviceArray<__nv_bfloat16> weights16_;        // [F, K, Cp] bf16
  DeviceArray<__nv_bfloat16> input16_;          // [B, T, Cp] bf16
  DeviceArray<__nv_bfloat16> grad_features16_;  // [B, T', F] bf16, masked
  DeviceArray<float> grad_input_padded_;        // [B, T, Cp]
};

}  // namespace

std::unique_ptr<Conv1d> make_conv1d(const Context& context, const ConvShape& shape,
                                    Precision precision) {
  return std::make_unique<CudaConv1d>(context, shape, precision);
}

}  // namespace audiostyle::cuda
