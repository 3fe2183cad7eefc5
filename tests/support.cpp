#include "tests/support.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>

namespace audiostyle::test {

uint64_t fresh_seed() {
  std::random_device device;
  return (uint64_t(device()) << 32) ^ device();
}

std::vector<float> random_uniform(size_t count, uint64_t seed, float lo, float hi) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(engine);
  return v;
}

std::vector<float> random_normal(size_t count, uint64_t seed, float stddev) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> dist(0.f, stddev);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(engine);
  return v;
}

std::vector<float> poisoned(size_t count) {
  return std::vector<float>(count, std::numeric_limits<float>::quiet_NaN());
}

double relative_error(const std::vector<float>& out, const std::vector<float>& ref) {
  if (out.size() != ref.size()) return std::numeric_limits<double>::infinity();
  double num = 0, den = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    const double d = double(out[i]) - double(ref[i]);
    num += d * d;
    den += double(ref[i]) * double(ref[i]);
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

double relative_error(const float* out, const double* ref, size_t count) {
  double num = 0, den = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    const double d = double(out[i]) - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

std::string source_path(const std::string& relative) {
  // The environment wins, so a relocated bundle can point at a copy of the tree.
  const char* root = std::getenv("AUDIOSTYLE_SOURCE_DIR");
  return std::string(root ? root : AUDIOSTYLE_SOURCE_DIR) + "/" + relative;
}

TempDir::TempDir() {
  namespace fs = std::filesystem;
  std::random_device device;
  path = (fs::temp_directory_path() / ("audiostyle-test-" + std::to_string(device()))).string();
  fs::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace audiostyle::test
