// GPU test runner: exits 77 (CTest's SKIP_RETURN_CODE) when no CUDA device is usable, so the tests
// are reported skipped rather than passed. Listing works without a device (test discovery).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "audiostyle/backend.h"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing |= std::string(argv[i]).rfind("--list", 0) == 0;
  if (!listing) {
    std::string why;
    if (audiostyle::cuda_devices(&why).empty()) {
      std::printf("SKIPPED: no usable CUDA device (%s)\n", why.c_str());
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
