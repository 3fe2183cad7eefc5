// Central finite differences in double, for checking a backward pass against the double reference
// of its forward: for L(x) = sum_j g_j f(x)_j the gradient is the backward pass applied to g.
// Differencing in double keeps float rounding out, so the tolerance measures the gradient.
#pragma once
#include <cmath>
#include <vector>

#include "tests/support.h"

namespace audiostyle::test {

// dL/dx_i by (L(x + h e_i) - L(x - h e_i)) / 2h for every i.
template <class Loss>
std::vector<double> central_differences(const Loss& loss, std::vector<double> x, double h = 1e-6) {
  std::vector<double> gradient(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double plus = loss(x);
    x[i] = saved - h;
    const double minus = loss(x);
    x[i] = saved;
    gradient[i] = (plus - minus) / (2 * h);
  }
  return gradient;
}

inline double weighted_sum(const std::vector<double>& weights, const std::vector<double>& values) {
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) sum += weights[i] * values[i];
  return sum;
}

inline std::vector<double> as_double(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

}  // namespace audiostyle::test
