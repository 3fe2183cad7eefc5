// The CUDA backend: device memory, one stream, one cuBLAS handle, and each op forwarded to its
// kernels/<op>.cu launcher (the twin of host/cpu/cpu_backend.cpp).
//
// Every op is enqueued on the backend's stream and returns without waiting; upload and download
// copy on that stream and then synchronise it, so the host buffer is free (upload) or filled
// (download) on return. Scalars stay on the device until a download.
// The backend must outlive the plans it makes (they share its stream and cuBLAS handle), and is
// used from one host thread; the device is made current in the constructor.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/convert.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/cudnn_check.h"
#include "kernels/device_memory.h"

namespace audiostyle {
namespace {

// cuBLAS's recommended workspace on Hopper (32 MiB; 4 MiB suffices on Ampere/Ada). Giving it one
// fixed buffer makes its algorithm choice, and so its results, independent of the default pool.
constexpr size_t kCublasWorkspaceBytes = size_t(32) << 20;

struct StreamDeleter {
  void operator()(cudaStream_t stream) const noexcept { cudaStreamDestroy(stream); }
};
struct CublasDeleter {
  void operator()(cublasHandle_t handle) const noexcept { cublasDestroy(handle); }
};
struct CudnnDeleter {
  void operator()(cudnnHandle_t handle) const noexcept { cudnnDestroy(handle); }
};
struct DeviceDeleter {
  void operator()(void* ptr) const noexcept { cuda::device_free(ptr); }
};
using StreamOwner = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, StreamDeleter>;
using CublasOwner = std::unique_ptr<std::remove_pointer_t<cublasHandle_t>, CublasDeleter>;
using CudnnOwner = std::unique_ptr<std::remove_pointer_t<cudnnHandle_t>, CudnnDeleter>;
using DeviceOwner = std::unique_ptr<void, DeviceDeleter>;

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device_index) {
    int device_count = 0;
    const cudaError_t count_status = cudaGetDeviceCount(&device_count);
    if (count_status != cudaSuccess) {
      (void)cudaGetLastError();
      throw DeviceError(std::string("no usable CUDA device: ") + cudaGetErrorString(count_status));
    }
    if (device_index < 0 || device_index >= device_count)
      throw DeviceError("CUDA device " + std::to_string(device_index) + " does not exist (" +
                        std::to_string(device_count) + " found)");
    CUDA_CHECK(cudaSetDevice(device_index));
    cudaDeviceProp properties{};
    CUDA_CHECK(cudaGetDeviceProperties(&properties, device_index));
    device_name_ = properties.name;
    cuda::check_kernel_image();

    // Peak memory counts from here: this backend's workspaces, buffers and plans.
    cuda::device_reset_peak();
    cudaStream_t stream = nullptr;
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    stream_.reset(stream);
    partials_.reset(
        cuda::device_allocate(sizeof(double) * cuda::kReduceMaxValues * cuda::kReduceMaxBlocks));
    scratch_.reset(cuda::device_allocate(sizeof(double) * cuda::kScratchSlots));
    cublas_workspace_.reset(cuda::device_allocate(kCublasWorkspaceBytes));
    cublasHandle_t handle = nullptr;
    CUBLAS_CHECK(cublasCreate(&handle));
    cublas_.reset(handle);
    // cublasSetStream resets the workspace to the default pool: set the stream first.
    CUBLAS_CHECK(cublasSetStream(handle, stream));
    CUBLAS_CHECK(cublasSetWorkspace(handle, cublas_workspace_.get(), kCublasWorkspaceBytes));
    // Precision is chosen per call by the compute type (kernels/gemm.h); the default math mode
    // keeps CUBLAS_COMPUTE_32F a true fp32 product.
    CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
    CUBLAS_CHECK(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST));

    context_.device = device_index;
    context_.stream = stream;
    context_.cublas = handle;
    context_.reduce_partials = static_cast<double*>(partials_.get());
    context_.scratch_slots = static_cast<double*>(scratch_.get());
  }

  ~CudaBackend() override {
    // Let queued work finish before its resources go; errors cannot be reported from here.
    if (stream_ && cudaStreamSynchronize(stream_.get()) != cudaSuccess) (void)cudaGetLastError();
  }

  std::string name() const override { return "cuda"; }
  std::string device_name() const override { return device_name_; }

  // --- Memory ----------------------------------------------------------------------------------
  void* allocate(size_t bytes) override { return cuda::device_allocate(bytes); }
  void deallocate(void* ptr) noexcept override { cuda::device_free(ptr); }
  // Includes the plans' scratch (DeviceArray) and the backend's own workspaces: all go through
  // device_allocate. cuFFT's and cuBLAS's internal allocations are not seen.
  // Beyond the pipeline's own buffers (which already count a padded input and gradient): the conv
  // plan's padded weights and bf16 copies, the Gram plan's bf16 copies, the cuBLAS workspace, and
  // cuFFT's work area (about one complex spectrum per transform direction).
  size_t plan_scratch_bytes(const ConvShape& s, Precision precision, int n_fft) const override {
    const int64_t Cp = cuda::padded_columns(s.n_channels), Fp = cuda::padded_columns(s.n_filters);
    const int64_t F = s.n_filters, B = s.n_batch, T = s.n_frames, R = s.out_frames();
    const bool bf16 = precision == Precision::bf16;
    const int64_t operand = bf16 ? 2 : 4;
    int64_t bytes = F * s.kernel_width * Cp * operand;  // padded weights
    if (bf16) bytes += 2 * (B * T * Cp + B * R * F + B * R * Fp + B * F * Fp);
    bytes += int64_t(kCublasWorkspaceBytes);
    bytes += 2 * T * (n_fft / 2 + 1) * 8;
    return size_t(bytes);
  }
  size_t peak_memory_bytes() const override { return cuda::device_peak_bytes(); }
  void upload(void* dst, const void* src, size_t bytes) override {
    if (bytes == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, context_.stream));
    CUDA_CHECK(cudaStreamSynchronize(context_.stream));
  }
  void download(void* dst, const void* src, size_t bytes) override {
    if (bytes == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, context_.stream));
    CUDA_CHECK(cudaStreamSynchronize(context_.stream));
  }
  void copy(void* dst, const void* src, size_t bytes) override {
    if (bytes == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, context_.stream));
  }
  void synchronize() override { CUDA_CHECK(cudaStreamSynchronize(context_.stream)); }
  size_t available_memory_bytes() const override {
    size_t free_bytes = 0, total_bytes = 0;
    CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    return free_bytes;
  }

  // --- Plans -----------------------------------------------------------------------------------
  std::unique_ptr<Stft> make_stft(const StftShape& shape) override {
    return cuda::make_stft(context_, shape);
  }
  std::unique_ptr<Conv1d> make_conv1d(const ConvShape& shape, Precision precision) override {
    return cuda::make_conv1d(context_, shape, precision);
  }
  std::unique_ptr<Gram> make_gram(int64_t rows, int cols, Precision precision,
                                  int batch) override {
    return cuda::make_gram(context_, rows, cols, precision, batch);
  }
  std::unique_ptr<Timer> make_timer() override { return cuda::make_timer(context_); }
  // The cuDNN handle is made on first use: creating it loads cuDNN's libraries, which method 1
  // never needs.
  std::unique_ptr<Conv2d> make_conv2d(const Conv2dShape& shape, Precision precision) override {
    if (!cudnn_) {
      cudnnHandle_t handle = nullptr;
      CUDNN_CHECK(cudnnCreate(&handle));
      cudnn_.reset(handle);
      CUDNN_CHECK(cudnnSetStream(handle, context_.stream));
      context_.cudnn = handle;
    }
    return cuda::make_conv2d(context_, shape, precision);
  }

  // --- Random ----------------------------------------------------------------------------------
  void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream,
                   float stddev) override {
    cuda::fill_normal(context_, out, count, seed, stream, stddev);
  }
  void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream) override {
    cuda::fill_phasor(context_, phasors, count, seed, stream);
  }

  // --- Spectral maps ---------------------------------------------------------------------------
  void log1p_magnitude(const float* spec, int64_t count, float* out) override {
    cuda::log1p_magnitude(context_, spec, count, out);
  }
  void log1p_magnitude_backward(const float* spec, const float* grad_x, int64_t count,
                                float* grad_spec) override {
    cuda::log1p_magnitude_backward(context_, spec, grad_x, count, grad_spec);
  }
  void expm1_clamped(const float* x, int64_t count, float* out) override {
    cuda::expm1_clamped(context_, x, count, out);
  }
  void apply_magnitude(const float* magnitude, const float* phasor, int64_t count,
                       float* spec) override {
    cuda::apply_magnitude(context_, magnitude, phasor, count, spec);
  }
  void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                         float momentum) override {
    cuda::griffinlim_update(context_, rebuilt, previous, angles, count, momentum);
  }
  void spectral_distance(const float* spec, const float* magnitude, int64_t count,
                         double* slots) override {
    cuda::spectral_distance(context_, spec, magnitude, count, slots);
  }
  void griffinlim_agla_update(const float* rebuilt, float* previous, float* extrapolated,
                              float* angles, int64_t count, float alpha, float beta,
                              float gamma) override {
    cuda::griffinlim_agla_update(context_, rebuilt, previous, extrapolated, angles, count, alpha, beta, gamma);
  }
  void bin_energy(const float* spec, int64_t n_frames, int n_bins, double* energy) override {
    cuda::bin_energy(context_, spec, n_frames, n_bins, energy);
  }
  void scale_bins(float* spec, const float* gain, int64_t n_frames, int n_bins) override {
    cuda::scale_bins(context_, spec, gain, n_frames, n_bins);
  }

  // --- Losses ----------------------------------------------------------------------------------
  void style_loss(const float* gram, const float* target, int64_t count, int batch, float* error,
                  double* loss) override {
    cuda::style_loss(context_, gram, target, count, batch, error, loss);
  }
  void content_loss(const float* features, const float* target, int64_t count, float alpha,
                    float* grad, double* loss) override {
    cuda::content_loss(context_, features, target, count, alpha, grad, loss);
  }

  // --- Vector ops ------------------------------------------------------------------------------
  void fill(float* x, int64_t count, float value) override {
    cuda::fill(context_, x, count, value);
  }
  void axpy(int64_t count, float a, const float* x, float* y) override {
    cuda::axpy(context_, count, a, x, y);
  }
  void scale(int64_t count, float a, float* x) override { cuda::scale(context_, count, a, x); }
  void dot(int64_t count, const float* x, const float* y, double* out) override {
    cuda::dot(context_, count, x, y, out);
  }
  void amax(int64_t count, const float* x, double* out) override {
    cuda::amax(context_, count, x, out);
  }
  void add_slots(const double* a, double* out) override { cuda::add_slots(context_, a, out); }
  void gather_columns(const float* x, int64_t rows, int cols, const int* index, int n_index,
                      float* y) override {
    cuda::gather_columns(context_, x, rows, cols, index, n_index, y);
  }
  void scatter_columns(const float* y, int64_t rows, int cols, const int* index, int n_index,
                       float* x) override {
    cuda::scatter_columns(context_, y, rows, cols, index, n_index, x);
  }
  void bin_gain(float* x, int64_t rows, int cols, const float* gain) override {
    cuda::bin_gain(context_, x, rows, cols, gain);
  }

  // --- 2D layer ops --------------------------------------------------------------------------
  void log1p_map(const float* x, int64_t count, float* y) override {
    cuda::log1p_map(context_, x, count, y);
  }
  void expm1_map(const float* x, int64_t count, float* y) override {
    cuda::expm1_map(context_, x, count, y);
  }
  void one_plus_scale(const float* v, int64_t count, bool divide, float* grad) override {
    cuda::one_plus_scale(context_, v, count, divide, grad);
  }
  void relu(const float* x, int64_t count, float* y) override {
    cuda::relu(context_, x, count, y);
  }
  void relu_backward(const float* y, int64_t count, float* grad) override {
    cuda::relu_backward(context_, y, count, grad);
  }
  void maxpool2x2(const float* x, int n_batch, int height, int width, int channels,
                  float* y) override {
    cuda::maxpool2x2(context_, x, n_batch, height, width, channels, y);
  }
  void maxpool2x2_backward(const float* x, const float* y, const float* grad_y, int n_batch,
                           int height, int width, int channels, float* grad_x) override {
    cuda::maxpool2x2_backward(context_, x, y, grad_y, n_batch, height, width, channels, grad_x);
  }
  void l2_normalize(const float* x, int64_t count, int batch, float* y, double* norms) override {
    cuda::l2_normalize(context_, x, count, batch, y, norms);
  }
  void l2_normalize_backward(const float* y, const float* grad_y, const double* norms,
                             int64_t count, int batch, float* grad_x) override {
    cuda::l2_normalize_backward(context_, y, grad_y, norms, count, batch, grad_x);
  }
  void grey_to_rgb(const float* x, int64_t pixels, float* y) override {
    cuda::grey_to_rgb(context_, x, pixels, y);
  }
  void grey_to_rgb_backward(const float* grad_y, int64_t pixels, float* grad_x) override {
    cuda::grey_to_rgb_backward(context_, grad_y, pixels, grad_x);
  }

  void lbfgs_curvature(LbfgsHistory& h) override { cuda::lbfgs_curvature(context_, h); }
  void lbfgs_direction(LbfgsHistory& h, const float* grad, float* direction) override {
    cuda::lbfgs_direction(context_, h, grad, direction);
  }
  void adam_step(int64_t count, float* x, const float* grad, float* m, float* v, float lr,
                 float beta1, float beta2, float eps, int step) override {
    cuda::adam_step(context_, count, x, grad, m, v, lr, beta1, beta2, eps, step);
  }

 private:
  // Declaration order is destruction order reversed: the cuDNN and cuBLAS handles go first, the
  // stream last.
  StreamOwner stream_;
  DeviceOwner partials_;
  DeviceOwner scratch_;
  DeviceOwner cublas_workspace_;
  CublasOwner cublas_;
  CudnnOwner cudnn_;
  cuda::Context context_;
  std::string device_name_;
};

}  // namespace

bool cuda_compiled() { return true; }

std::vector<DeviceInfo> cuda_devices(std::string* why) {
  std::vector<DeviceInfo> devices;
  int device_count = 0;
  const cudaError_t count_status = cudaGetDeviceCount(&device_count);
  if (count_status != cudaSuccess) {
    (void)cudaGetLastError();
    if (why) *why = cudaGetErrorString(count_status);
    return devices;
  }
  if (device_count == 0) {
    if (why) *why = "no CUDA device found";
    return devices;
  }
  int current = 0;
  const bool have_current = cudaGetDevice(&current) == cudaSuccess;
  std::string problems;
  for (int index = 0; index < device_count; ++index) {
    cudaDeviceProp properties{};
    size_t free_bytes = 0, total_bytes = 0;
    cudaError_t status = cudaGetDeviceProperties(&properties, index);
    if (status == cudaSuccess) status = cudaSetDevice(index);
    if (status == cudaSuccess) status = cudaMemGetInfo(&free_bytes, &total_bytes);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();
      problems += (problems.empty() ? "" : "; ") + std::string("device ") + std::to_string(index) +
                  ": " + cudaGetErrorString(status);
      continue;
    }
    // A device none of the compiled architectures can run (older than sm_80 without PTX to JIT)
    // is listed as unusable rather than failing at the first launch.
    try {
      cuda::check_kernel_image();
    } catch (const DeviceError& error) {
      problems += (problems.empty() ? "" : "; ") + std::string("device ") + std::to_string(index) +
                  " (" + properties.name + ", compute capability " +
                  std::to_string(properties.major) + "." + std::to_string(properties.minor) +
                  "): this build's kernels cannot run on it: " + error.what();
      continue;
    }
    DeviceInfo info;
    info.index = index;
    info.name = properties.name;
    info.total_memory_bytes = total_bytes;
    info.free_memory_bytes = free_bytes;
    info.compute_major = properties.major;
    info.compute_minor = properties.minor;
    devices.push_back(info);
  }
  if (have_current && cudaSetDevice(current) != cudaSuccess) (void)cudaGetLastError();
  if (why) *why = devices.empty() ? problems : std::string();
  return devices;
}

std::unique_ptr<Backend> make_cuda_backend(int device_index) {
  return std::make_unique<CudaBackend>(device_index);
}

}  // namespace audiostyle
