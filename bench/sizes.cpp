#include "bench/sizes.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace audiostyle::bench {

std::string BenchSize::describe() const {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "%g s at %d Hz x %d ch, n_fft %d hop %d: T=%lld C=%d F=%d K=%d B=%d",
                seconds, sample_rate_hz, n_batch, n_fft, hop, (long long)n_frames(), n_bins(),
                n_filters, kernel_width, n_batch);
  return buffer;
}

namespace {

BenchSize size_by_name(const std::string& name) {
  BenchSize s;
  s.name = name;
  if (name == "reference") return s;  // the defaults
  if (name == "full") {
    s.sample_rate_hz = 44100;
    s.seconds = 180;
    s.n_fft = 4096;
    s.hop = 1024;
    s.n_batch = 2;
    return s;
  }
  if (name == "smoke") {
    s.seconds = 1;
    s.n_fft = 256;
    s.hop = 64;
    s.n_filters = 64;
    s.kernel_width = 5;
    s.n_batch = 2;
    return s;
  }
  throw std::invalid_argument("unknown size '" + name + "' (smoke, reference, full or both)");
}

}  // namespace

std::vector<BenchSize> sizes_by_names(const std::string& comma_separated) {
  std::vector<BenchSize> out;
  std::stringstream in(comma_separated);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name == "both") {
      out.push_back(size_by_name("reference"));
      out.push_back(size_by_name("full"));
    } else if (!name.empty()) {
      out.push_back(size_by_name(name));
    }
  }
  if (out.empty()) throw std::invalid_argument("no size given");
  return out;
}

}  // namespace audiostyle::bench
