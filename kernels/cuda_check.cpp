// Formats the errors of kernels/cuda_check.h.
#include "kernels/cuda_check.h"

#include <cstdlib>
#include <cstring>

namespace audiostyle::cuda {
namespace {

std::string where(const char* file, int line) {
  return std::string(file) + ":" + std::to_string(line);
}

bool sync_after_launch() {
  static const bool enabled = [] {
    const char* value = std::getenv("AUDIOSTYLE_CUDA_SYNC");
    return value && std::strcmp(value, "0") != 0 && value[0] != '\0';
  }();
  return enabled;
}

}  // namespace

void throw_cuda_error(const char* file, int line, const char* expression, cudaError_t status) {
  // A failed runtime call is also recorded as the thread's last error. Clear it: a caller that
  // catches this (cuda_devices() skipping a device its kernels cannot run on, a test expecting the
  // throw) would otherwise see it again at the next CUDA_CHECK_LAUNCH(), blamed on an innocent
  // launch. (A sticky error, a fault inside a kernel, stays whatever is done here.)
  (void)cudaGetLastError();
  throw DeviceError(where(file, line) + ": " + expression + " failed: " + cudaGetErrorName(status) +
                    " (" + cudaGetErrorString(status) + ")");
}

void throw_cublas_error(const char* file, int line, const char* expression, cublasStatus_t status) {
  throw DeviceError(where(file, line) + ": " + expression + " failed: " +
                    cublasGetStatusName(status) + " (" + cublasGetStatusString(status) + ")");
}

void throw_cufft_error(const char* file, int line, const char* expression, cufftResult status) {
  throw DeviceError(where(file, line) + ": " + expression +
                    " failed: " + cufft_status_name(status));
}

void throw_invalid(const char* file, int line, const std::string& what) {
  throw Error(where(file, line) + ": " + what);
}

void check_launch(const char* file, int line) {
  const cudaError_t launch_status = cudaGetLastError();
  if (launch_status != cudaSuccess) throw_cuda_error(file, line, "kernel launch", launch_status);
  if (sync_after_launch()) {
    const cudaError_t run_status = cudaDeviceSynchronize();
    if (run_status != cudaSuccess)
      throw_cuda_error(file, line, "kernel execution (AUDIOSTYLE_CUDA_SYNC=1)", run_status);
  }
}

void sync_after_library_call(const char* file, int line, const char* expression) {
  if (!sync_after_launch()) return;
  const cudaError_t run_status = cudaDeviceSynchronize();
  if (run_status != cudaSuccess)
    throw_cuda_error(file, line,
                     (std::string(expression) + " execution (AUDIOSTYLE_CUDA_SYNC=1)").c_str(),
                     run_status);
}

// cuFFT has no status-to-string function; names and descriptions from cufft.h and the cuFFT guide.
const char* cufft_status_name(cufftResult status) {
  switch (status) {
    case CUFFT_SUCCESS: return "CUFFT_SUCCESS";
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN (invalid plan handle)";
    case CUFFT_ALLOC_FAILED:
      return "CUFFT_ALLOC_FAILED (cuFFT failed to allocate GPU or CPU memory)";
    case CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE (bad pointer or parameter)";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR (driver or internal cuFFT error)";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED (cuFFT failed to execute an FFT on the GPU)";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED (the cuFFT library failed to initialise)";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE (unsupported transform size)";
    case CUFFT_UNALIGNED_DATA: return "CUFFT_UNALIGNED_DATA";
    case CUFFT_INVALID_DEVICE: return "CUFFT_INVALID_DEVICE (plan used on another device)";
    case CUFFT_NO_WORKSPACE: return "CUFFT_NO_WORKSPACE (no work area provided)";
    case CUFFT_NOT_IMPLEMENTED: return "CUFFT_NOT_IMPLEMENTED";
    case CUFFT_NOT_SUPPORTED:
      return "CUFFT_NOT_SUPPORTED (operation not supported for the parameters)";
    case CUFFT_MISSING_DEPENDENCY: return "CUFFT_MISSING_DEPENDENCY";
    case CUFFT_NVRTC_FAILURE: return "CUFFT_NVRTC_FAILURE";
    case CUFFT_NVJITLINK_FAILURE: return "CUFFT_NVJITLINK_FAILURE";
    case CUFFT_NVSHMEM_FAILURE: return "CUFFT_NVSHMEM_FAILURE";
  }
  return "unknown cufftResult";
}

}  // namespace audiostyle::cuda
