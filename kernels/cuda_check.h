// Error checking for every CUDA runtime, cuBLAS and cuFFT call, and for every kernel launch.
// A failure throws audiostyle::DeviceError carrying file:line, the failed expression and the
// library's own name and description of the status, e.g.
//   kernels/stft.cu:88: cufftExecR2C(...) failed: CUFFT_EXEC_FAILED (cuFFT failed to execute)
//
// Launch checks catch configuration errors at once; faults inside a kernel surface at the next
// synchronising call (download, synchronize). Set AUDIOSTYLE_CUDA_SYNC=1 in the environment to
// synchronise after every launch and after every successful cuBLAS and cuFFT call (their kernels
// are launches too), so a fault is reported at the call that caused it: a fault inside a GEMM or
// the C2R is then blamed on that call, not on the ReLU or overlap-add kernel that follows it.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cufft.h>

#include <string>

#include "audiostyle/errors.h"

namespace audiostyle::cuda {

[[noreturn]] void throw_cuda_error(const char* file, int line, const char* expression,
                                   cudaError_t status);
[[noreturn]] void throw_cublas_error(const char* file, int line, const char* expression,
                                     cublasStatus_t status);
[[noreturn]] void throw_cufft_error(const char* file, int line, const char* expression,
                                    cufftResult status);
// An argument or shape that only a bug can produce (the CUDA twin of AS_CHECK, kept here so the
// CUDA library does not depend on the core library's symbols at link time).
[[noreturn]] void throw_invalid(const char* file, int line, const std::string& what);
// Checks the last launch; synchronises first when AUDIOSTYLE_CUDA_SYNC=1.
void check_launch(const char* file, int line);
// After a successful library call: when AUDIOSTYLE_CUDA_SYNC=1, synchronises and throws at this
// file:line if the call's own kernels faulted; otherwise does nothing.
void sync_after_library_call(const char* file, int line, const char* expression);

const char* cufft_status_name(cufftResult status);

}  // namespace audiostyle::cuda

#define CUDA_CHECK(expr)                                                                \
  do {                                                                                  \
    const cudaError_t as_cuda_status_ = (expr);                                         \
    if (as_cuda_status_ != cudaSuccess)                                                 \
      ::audiostyle::cuda::throw_cuda_error(__FILE__, __LINE__, #expr, as_cuda_status_); \
  } while (0)

#define CUBLAS_CHECK(expr)                                                                  \
  do {                                                                                      \
    const cublasStatus_t as_cublas_status_ = (expr);                                        \
    if (as_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                         \
      ::audiostyle::cuda::throw_cublas_error(__FILE__, __LINE__, #expr, as_cublas_status_); \
    ::audiostyle::cuda::sync_after_library_call(__FILE__, __LINE__, #expr);                 \
  } while (0)

#define CUFFT_CHECK(expr)                                                                 \
  do {                                                                                    \
    const cufftResult as_cufft_status_ = (expr);                                          \
    if (as_cufft_status_ != CUFFT_SUCCESS)                                                \
      ::audiostyle::cuda::throw_cufft_error(__FILE__, __LINE__, #expr, as_cufft_status_); \
    ::audiostyle::cuda::sync_after_library_call(__FILE__, __LINE__, #expr);               \
  } while (0)

#define CUDA_CHECK_LAUNCH() ::audiostyle::cuda::check_launch(__FILE__, __LINE__)

#define CUDA_REQUIRE(cond, msg)                                                \
  do {                                                                         \
    if (!(cond)) ::audiostyle::cuda::throw_invalid(__FILE__, __LINE__, (msg)); \
  } while (0)
