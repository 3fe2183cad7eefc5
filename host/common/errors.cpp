#include "audiostyle/errors.h"

namespace audiostyle {

void throw_runtime(const char* file, int line, const std::string& what) {
  throw Error(std::string(file) + ":" + std::to_string(line) + ": " + what);
}

}  // namespace audiostyle
