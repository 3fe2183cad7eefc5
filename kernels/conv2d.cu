// 3x3 conv2d, stride 1, zero padding 1, bias, optional ReLU, NHWC (twin of host/cpu/conv2d.cpp),
// on cuDNN 9's legacy convolution API (cudnn_cnn.h: deprecated in 9 but present and supported; it
// runs on the same engines as the graph API).
//
// Why the legacy API and cudnnFind*AlgorithmEx: "chosen by measurement once per shape" is exactly
// what Find does: it runs every algorithm cuDNN has for the descriptors on our own buffers and
// returns them sorted by measured time, with each one's workspace, determinism and math type. The
// graph API would need a few hundred lines of backend descriptors plus our own timing loop for the
// same choice, and this code has to be right before it has ever run on a GPU.
//
//   make plan:     descriptors (x [B, Cin, H, W] and y [B, Cout, H, W] as NHWC tensors, filter
//                  [Cout, Cin, 3, 3] in NHWC = KRSC order, cross-correlation as PyTorch, pad 1);
//                  Find forward and backward-data on scratch buffers (freed after), keeping the
//                  fastest deterministic algorithm of an allowed math type; one workspace of the
//                  larger chosen size, kept for the plan's life; a probe of the fused
//                  conv + bias + ReLU call with the chosen forward algorithm.
//   set_weights:   W [Cout, Cin, 3, 3] (OIHW) -> Wk [Cout, 3, 3, Cin] (KRSC) and a bias copy.
//   forward:       relu and the fused call supported: cudnnConvolutionBiasActivationForward;
//                  otherwise cudnnConvolutionForward then one kernel adding the bias (and ReLU).
//   backward:      grad_y masked in place by (y > 0) when relu (relu.cu's kernel), then
//                  cudnnConvolutionBackwardData.
//
// Precision -> math type: fp32 CUDNN_FMA_MATH (no tensor cores, so no TF32; cuDNN's DEFAULT_MATH
// would allow TF32 on Ampere and later); tf32 CUDNN_TENSOR_OP_MATH (TF32 tensor cores for float
// data). bf16 runs the tf32 path: the tensors stay float and no bf16 copies are made (reported by
// algorithm()). Only CUDNN_DETERMINISTIC algorithms are accepted, so a result is reproducible run
// to run (backward-data ALGO_0 uses atomics and is excluded).
// The fused call with CUDNN_ACTIVATION_RELU accepts any forward algorithm (only IDENTITY is limited
// to IMPLICIT_PRECOMP_GEMM); a NOT_SUPPORTED answer from the probe falls back to the bias kernel.
#include <cudnn.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/cudnn_check.h"
#include "kernels/device_memory.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

// Largest workspace an algorithm may use while searching: larger ones are skipped by Find.
constexpr size_t kMaxSearchWorkspaceBytes = size_t(1) << 30;

// Wk[((o*3 + dy)*3 + dx)*Cin + i] = W[((o*Cin + i)*3 + dy)*3 + dx]; one thread per element of Wk.
__global__ void oihw_to_ohwi_kernel(const float* __restrict__ oihw, int out_channels,
                                    int in_channels, float* __restrict__ ohwi) {
  const int64_t count = int64_t(out_channels) * 9 * in_channels;
  for (int64_t index = first_index(); index < count; index += grid_stride()) {
    const int i = int(index % in_channels);
    const int tap = int((index / in_channels) % 9);  // dy*3 + dx
    const int64_t o = index / (int64_t(in_channels) * 9);
    ohwi[index] = oihw[(o * in_channels + i) * 9 + tap];
  }
}

// y [pixels, Cout] += bias (then ReLU, x < 0 ? 0 : x as the CPU). Explicit rounding: no contraction.
__global__ void add_bias_kernel(float* y, int64_t count, int out_channels,
                                const float* __restrict__ bias, bool relu) {
  for (int64_t index = first_index(); index < count; index += grid_stride()) {
    const float v = __fadd_rn(y[index], bias[index % out_channels]);
    y[index] = relu && v < 0.f ? 0.f : v;
  }
}

const char* forward_algorithm_name(cudnnConvolutionFwdAlgo_t algo) {
  switch (algo) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "WINOGRAD_NONFUSED";
    default: return "?";
  }
}

const char* backward_algorithm_name(cudnnConvolutionBwdDataAlgo_t algo) {
  switch (algo) {
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_0: return "ALGO_0";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_1: return "ALGO_1";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT: return "FFT";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING: return "FFT_TILING";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD: return "WINOGRAD";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED: return "WINOGRAD_NONFUSED";
    default: return "?";
  }
}

const char* math_name(cudnnMathType_t math) {
  switch (math) {
    case CUDNN_DEFAULT_MATH: return "default math";
    case CUDNN_TENSOR_OP_MATH: return "tensor-op math";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor-op math with conversion";
    case CUDNN_FMA_MATH: return "FMA math";
  }
  return "?";
}

// Owning wrappers so a throw half-way through the constructor leaks nothing.
struct TensorDescriptor {
  cudnnTensorDescriptor_t handle = nullptr;
  TensorDescriptor() { CUDNN_CHECK(cudnnCreateTensorDescriptor(&handle)); }
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(handle); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
};
struct FilterDescriptor {
  cudnnFilterDescriptor_t handle = nullptr;
  FilterDescriptor() { CUDNN_CHECK(cudnnCreateFilterDescriptor(&handle)); }
  ~FilterDescriptor() { cudnnDestroyFilterDescriptor(handle); }
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
};
struct ConvolutionDescriptor {
  cudnnConvolutionDescriptor_t handle = nullptr;
  ConvolutionDescriptor() { CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&handle)); }
  ~ConvolutionDescriptor() { cudnnDestroyConvolutionDescriptor(handle); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
};
struct ActivationDescriptor {
  cudnnActivationDescriptor_t handle = nullptr;
  ActivationDescriptor() { CUDNN_CHECK(cudnnCreateActivationDescriptor(&handle)); }
  ~ActivationDescriptor() { cudnnDestroyActivationDescriptor(handle); }
  ActivationDescriptor(const ActivationDescriptor&) = delete;
  ActivationDescriptor& operator=(const ActivationDescriptor&) = delete;
};

// A Find result is usable when it ran, is deterministic, and its math type fits the precision:
// fp32 never tensor-op math (TF32), and no precision the fp16 conversion.
template <class Perf>
bool acceptable(const Perf& perf, Precision precision) {
  if (perf.status != CUDNN_STATUS_SUCCESS || perf.determinism != CUDNN_DETERMINISTIC) return false;
  if (perf.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) return false;
  if (precision == Precision::fp32 && perf.mathType == CUDNN_TENSOR_OP_MATH) return false;
  return true;
}

class CudaConv2d final : public Conv2d {
 public:
  CudaConv2d(const Context& context, const Conv2dShape& shape, Precision precision)
      : Conv2d(shape), context_(context), precision_(precision) {
    CUDA_REQUIRE(context.cudnn != nullptr, "conv2d: the backend has no cuDNN handle");
    const int B = shape.n_batch, H = shape.height, W = shape.width;
    const int Cin = shape.in_channels, Cout = shape.out_channels;
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(x_desc_.handle, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, B,
                                           Cin, H, W));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(y_desc_.handle, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, B,
                                           Cout, H, W));
    CUDNN_CHECK(cudnnSetTensor4dDescriptor(bias_desc_.handle, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT,
                                           1, Cout, 1, 1));
    // NHWC filter format = [K, R, S, C] = [Cout, 3, 3, Cin] (set_weights transposes into it).
    CUDNN_CHECK(cudnnSetFilter4dDescriptor(w_desc_.handle, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC,
                                           Cout, Cin, 3, 3));
    const cudnnMathType_t math =
        precision_ == Precision::fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
    for (cudnnConvolutionDescriptor_t conv : {forward_conv_.handle, backward_conv_.handle}) {
      CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1,
                                                  CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
      CUDNN_CHECK(cudnnSetConvolutionMathType(conv, math));
    }
    CUDNN_CHECK(cudnnSetActivationDescriptor(relu_desc_.handle, CUDNN_ACTIVATION_RELU,
                                             CUDNN_NOT_PROPAGATE_NAN, 0.0));
    // The output shape cuDNN derives must be the input's (pad 1, 3x3, stride 1).
    int n = 0, c = 0, h = 0, w = 0;
    CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(forward_conv_.handle, x_desc_.handle,
                                                      w_desc_.handle, &n, &c, &h, &w));
    CUDA_REQUIRE(n == B && c == Cout && h == H && w == W, "conv2d: unexpected cuDNN output shape");

    weights_ = DeviceArray<float>(int64_t(Cout) * 9 * Cin);
    bias_ = DeviceArray<float>(Cout);
    choose_algorithms();
  }

  void set_weights(const float* weights, const float* bias) override {
    const int64_t count = weights_.size();
    oihw_to_ohwi_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context_.stream>>>(
        weights, shape_.out_channels, shape_.in_channels, weights_.get());
    CUDA_CHECK_LAUNCH();
    CUDA_CHECK(cudaMemcpyAsync(bias_.get(), bias, bias_.bytes(), cudaMemcpyDeviceToDevice,
                               context_.stream));
    weights_set_ = true;
  }

  // x [B, H, W, Cin] -> y [B, H, W, Cout]
  void forward(const float* x, float* y, bool relu) override {
    CUDA_REQUIRE(weights_set_, "conv2d: set_weights was not called");
    const float one = 1.0f, zero = 0.0f;
    if (relu && fused_relu_) {
      // y = relu(conv(x) + 0 * z + bias), z = y (alpha2 = 0: z is not read for its values)
      CUDNN_CHECK(cudnnConvolutionBiasActivationForward(
          context_.cudnn, &one, x_desc_.handle, x, w_desc_.handle, weights_.get(),
          forward_conv_.handle, forward_algo_, workspace_.get(), workspace_.bytes(), &zero,
          y_desc_.handle, y, bias_desc_.handle, bias_.get(), relu_desc_.handle, y_desc_.handle,
          y));
      return;
    }
    CUDNN_CHECK(cudnnConvolutionForward(context_.cudnn, &one, x_desc_.handle, x, w_desc_.handle,
                                        weights_.get(), forward_conv_.handle, forward_algo_,
                                        workspace_.get(), workspace_.bytes(), &zero,
                                        y_desc_.handle, y));
    const int64_t count = shape_.out_count();
    add_bias_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context_.stream>>>(
        y, count, shape_.out_channels, bias_.get(), relu);
    CUDA_CHECK_LAUNCH();
  }

  // grad_y [B, H, W, Cout] (masked in place when relu), y [B, H, W, Cout] -> grad_x [B, H, W, Cin]
  void backward_input(float* grad_y, const float* y, float* grad_x, bool relu) override {
    CUDA_REQUIRE(weights_set_, "conv2d: set_weights was not called");
    if (relu) cuda::relu_backward(context_, y, shape_.out_count(), grad_y);
    const float one = 1.0f, zero = 0.0f;
    CUDNN_CHECK(cudnnConvolutionBackwardData(context_.cudnn, &one, w_desc_.handle, weights_.get(),
                                             y_desc_.handle, grad_y, backward_conv_.handle,
                                             backward_algo_, workspace_.get(), workspace_.bytes(),
                                             &zero, x_desc_.handle, grad_x));
  }

  size_t workspace_bytes() const override {
    return weights_.bytes() + bias_.bytes() + workspace_.bytes();
  }

  std::string algorithm() const override { return description_; }

 private:
  // Find forward and backward-data algorithms on scratch tensors of this shape (zeros: values do
  // not change the timing, and zeros cannot produce NaN or denormal slow paths), then allocate the
  // plan's one workspace and probe the fused ReLU call.
  void choose_algorithms() {
    size_t free_bytes = 0, total_bytes = 0;
    CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const size_t search_bytes = std::min(kMaxSearchWorkspaceBytes, free_bytes / 4);
    std::string forward_report, backward_report;
    {
      DeviceArray<float> x(shape_.in_count()), y(shape_.out_count());
      DeviceArray<char> search_workspace{int64_t(search_bytes)};
      CUDA_CHECK(cudaMemsetAsync(x.get(), 0, x.bytes(), context_.stream));
      CUDA_CHECK(cudaMemsetAsync(y.get(), 0, y.bytes(), context_.stream));
      CUDA_CHECK(cudaMemsetAsync(weights_.get(), 0, weights_.bytes(), context_.stream));

      std::vector<cudnnConvolutionFwdAlgoPerf_t> forward(CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
      int forward_count = 0;
      CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(
          context_.cudnn, x_desc_.handle, x.get(), w_desc_.handle, weights_.get(),
          forward_conv_.handle, y_desc_.handle, y.get(), int(forward.size()), &forward_count,
          forward.data(), search_workspace.get(), search_bytes));
      const auto forward_best = std::find_if(
          forward.begin(), forward.begin() + forward_count,
          [&](const cudnnConvolutionFwdAlgoPerf_t& p) { return acceptable(p, precision_); });
      CUDA_REQUIRE(forward_best != forward.begin() + forward_count,
                   "conv2d: cuDNN found no deterministic forward algorithm for " + shape_text());
      forward_algo_ = forward_best->algo;
      forward_time_ms_ = forward_best->time;
      if (precision_ != Precision::fp32)
        CUDNN_CHECK(cudnnSetConvolutionMathType(forward_conv_.handle, forward_best->mathType));
      forward_report = std::string(forward_algorithm_name(forward_algo_)) + " (" +
                       math_name(forward_best->mathType) + ")";

      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> backward(
          CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);
      int backward_count = 0;
      CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(
          context_.cudnn, w_desc_.handle, weights_.get(), y_desc_.handle, y.get(),
          backward_conv_.handle, x_desc_.handle, x.get(), int(backward.size()), &backward_count,
          backward.data(), search_workspace.get(), search_bytes));
      const auto backward_best = std::find_if(
          backward.begin(), backward.begin() + backward_count,
          [&](const cudnnConvolutionBwdDataAlgoPerf_t& p) { return acceptable(p, precision_); });
      CUDA_REQUIRE(backward_best != backward.begin() + backward_count,
                   "conv2d: cuDNN found no deterministic backward-data algorithm for " +
                       shape_text());
      backward_algo_ = backward_best->algo;
      backward_time_ms_ = backward_best->time;
      if (precision_ != Precision::fp32)
        CUDNN_CHECK(cudnnSetConvolutionMathType(backward_conv_.handle, backward_best->mathType));
      backward_report = std::string(backward_algorithm_name(backward_algo_)) + " (" +
                        math_name(backward_best->mathType) + ")";
    }  // search buffers freed here, before the plan's own workspace is allocated

    // The exact sizes for the chosen algorithms with their final math types.
    size_t forward_bytes = 0, backward_bytes = 0;
    CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(
        context_.cudnn, x_desc_.handle, w_desc_.handle, forward_conv_.handle, y_desc_.handle,
        forward_algo_, &forward_bytes));
    CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(
        context_.cudnn, w_desc_.handle, y_desc_.handle, backward_conv_.handle, x_desc_.handle,
        backward_algo_, &backward_bytes));
    workspace_ = DeviceArray<char>{int64_t(std::max(forward_bytes, backward_bytes))};
    probe_fused_relu();

    description_ = "cudnn " + std::to_string(CUDNN_MAJOR) + "." + std::to_string(CUDNN_MINOR) +
                   " NHWC " + shape_text() + ", " + precision_label() + ": forward " +
                   forward_report + " " + std::to_string(forward_time_ms_) + " ms" +
                   (fused_relu_ ? ", ReLU fused" : ", ReLU by kernel") + "; backward-data " +
                   backward_report + " " + std::to_string(backward_time_ms_) +
                   " ms (measured by cudnnFind*AlgorithmEx); workspace " +
                   std::to_string(workspace_.bytes()) + " B";
  }

  // One fused call on scratch tensors: cuDNN answers NOT_SUPPORTED (some category-3000 status)
  // when this algorithm has no fused ReLU kernel; any other failure is a real error.
  void probe_fused_relu() {
    DeviceArray<float> x(shape_.in_count()), y(shape_.out_count());
    CUDA_CHECK(cudaMemsetAsync(x.get(), 0, x.bytes(), context_.stream));
    CUDA_CHECK(cudaMemsetAsync(bias_.get(), 0, bias_.bytes(), context_.stream));
    const float one = 1.0f, zero = 0.0f;
    const cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
        context_.cudnn, &one, x_desc_.handle, x.get(), w_desc_.handle, weights_.get(),
        forward_conv_.handle, forward_algo_, workspace_.get(), workspace_.bytes(), &zero,
        y_desc_.handle, y.get(), bias_desc_.handle, bias_.get(), relu_desc_.handle,
        y_desc_.handle, y.get());
    if (status == CUDNN_STATUS_SUCCESS) {
      fused_relu_ = true;
    } else if (CUDNN_STATUS_CATEGORY(status) == CUDNN_STATUS_NOT_SUPPORTED) {
      fused_relu_ = false;
    } else {
      throw_cudnn_error(__FILE__, __LINE__, "cudnnConvolutionBiasActivationForward (probe)",
                        status);
    }
    // The scratch tensors are freed on return while the probe may still run: wait for it.
    CUDA_CHECK(cudaStreamSynchronize(context_.stream));
  }

  std::string shape_text() const {
    const Conv2dShape& s = shape_;
    return "[" + std::to_string(s.n_batch) + ", " + std::to_string(s.height) + ", " +
           std::to_string(s.width) + ", " + std::to_string(s.in_channels) + "] -> " +
           std::to_string(s.out_channels) + " channels";
  }

  std::string precision_label() const {
    switch (precision_) {
      case Precision::fp32: return "fp32";
      case Precision::tf32: return "tf32";
      case Precision::bf16: return "bf16 requested, tf32 run (float tensors)";
    }
    return "?";
  }

  Context context_;
  Precision precision_;
  TensorDescriptor x_desc_, y_desc_, bias_desc_;
  FilterDescriptor w_desc_;
  ConvolutionDescriptor forward_conv_, backward_conv_;  // each carries its algorithm's math type
  ActivationDescriptor relu_desc_;
  cudnnConvolutionFwdAlgo_t forward_algo_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnConvolutionBwdDataAlgo_t backward_algo_ = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
  float forward_time_ms_ = 0, backward_time_ms_ = 0;
  bool fused_relu_ = false;
  bool weights_set_ = false;
  DeviceArray<float> weights_;   // [Cout, 3, 3, Cin]
  DeviceArray<float> bias_;      // [Cout]
  DeviceArray<char> workspace_;  // max of the chosen forward and backward-data workspaces
  std::string description_;
};

}  // namespace

std::unique_ptr<Conv2d> make_conv2d(const Context& context, const Conv2dShape& shape,
                                    Precision precision) {
  CUDA_REQUIRE(shape.n_batch >= 1 && shape.height >= 1 && shape.width >= 1 &&
                   shape.in_channels >= 1 && shape.out_channels >= 1,
               "conv2d: batch, height, width and channel counts must be >= 1");
  return std::make_unique<CudaConv2d>(context, shape, precision);
}

}  // namespace audiostyle::cuda
