// Error checking for cuDNN calls, in the style of kernels/cuda_check.h: a failure throws
// audiostyle::DeviceError with file:line, the failed expression and cuDNN's own status string, e.g.
//   kernels/conv2d.cu:120: cudnnConvolutionForward(...) failed: CUDNN_STATUS_BAD_PARAM (...)
#pragma once
#include <cudnn.h>

#include <string>

#include "audiostyle/errors.h"
#include "kernels/cuda_check.h"

namespace audiostyle::cuda {

[[noreturn]] inline void throw_cudnn_error(const char* file, int line, const char* expression,
                                           cudnnStatus_t status) {
  std::string message = std::string(file) + ":" + std::to_string(line) + ": " + expression +
                        " failed: " + cudnnGetErrorString(status) + " (status " +
                        std::to_string(int(status)) + ")";
  // cuDNN 9 keeps a longer description of the last error per thread.
  char detail[512] = {0};
  cudnnGetLastErrorString(detail, sizeof(detail));
  if (detail[0] != '\0') message += ": " + std::string(detail);
  throw DeviceError(message);
}

}  // namespace audiostyle::cuda

#define CUDNN_CHECK(expr)                                                                 \
  do {                                                                                    \
    const cudnnStatus_t as_cudnn_status_ = (expr);                                        \
    if (as_cudnn_status_ != CUDNN_STATUS_SUCCESS)                                         \
      ::audiostyle::cuda::throw_cudnn_error(__FILE__, __LINE__, #expr, as_cudnn_status_); \
    ::audiostyle::cuda::sync_after_library_call(__FILE__, __LINE__, #expr);               \
  } while (0)
