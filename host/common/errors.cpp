#include "audiostyle/errors.h"

#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

void throw_runtime(const char* file, int line, const std::string& what) {
  throw Error(std::string(file) + ":" + std::to_string(line) + ": " + what);
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}
const char* to_string(OptimizerKind k) { return k == OptimizerKind::lbfgs ? "lbfgs" : "adam"; }
const char* to_string(InitKind k) { return k == InitKind::random ? "random" : "content"; }

}  // namespace audiostyle
