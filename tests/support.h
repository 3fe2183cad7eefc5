// Test helpers: fresh random inputs, poisoned outputs, relative errors in double.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace audiostyle::test {

// A seed drawn fresh for each run (std::random_device), printed by Catch on failure via INFO.
uint64_t fresh_seed();
// Uniform in [lo, hi) from `seed`.
std::vector<float> random_uniform(size_t count, uint64_t seed, float lo = -1.f, float hi = 1.f);
std::vector<float> random_normal(size_t count, uint64_t seed, float stddev = 1.f);
// NaN everywhere: an output element the op never wrote stays NaN and fails the comparison.
std::vector<float> poisoned(size_t count);
// ||out - ref|| / ||ref|| in double; infinity if any element of out is not finite.
double relative_error(const std::vector<float>& out, const std::vector<float>& ref);
double relative_error(const float* out, const double* ref, size_t count);
// Path under the source tree (data/, tests/golden/); $AUDIOSTYLE_SOURCE_DIR overrides the root.
std::string source_path(const std::string& relative);
// A fresh empty folder under the system temp dir, removed at exit of the owning object.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
  std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace audiostyle::test
