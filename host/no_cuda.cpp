// Built when the CUDA backend is not compiled in.
#include "audiostyle/backend.h"
#include "audiostyle/errors.h"

namespace audiostyle {

bool cuda_compiled() { return false; }

std::vector<DeviceInfo> cuda_devices(std::string* why) {
  if (why) *why = "this build has no CUDA backend (configured with AUDIOSTYLE_CUDA=OFF or no nvcc)";
  return {};
}

std::unique_ptr<Backend> make_cuda_backend(int) {
  throw DeviceError("this build has no CUDA backend (configured with AUDIOSTYLE_CUDA=OFF or no nvcc)");
}

}  // namespace audiostyle
