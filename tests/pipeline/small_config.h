// A recipe small enough for unit tests of the whole pipeline: 8 kHz, n_fft 256, 64 filters of 5 taps.
#pragma once
#include "audiostyle/config.h"

namespace audiostyle::test {

inline TransferConfig small_config(int iterations = 30, int gl_iterations = 30) {
  TransferConfig c;
  c.sample_rate_hz = 8000;
  c.n_fft = 256;
  c.hop = 64;
  c.n_filters = 64;
  c.kernel_width = 5;
  c.iterations = iterations;
  c.gl_iterations = gl_iterations;
  c.seed = 7;
  return c;
}

}  // namespace audiostyle::test
