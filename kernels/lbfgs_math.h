// The scalar and per-element arithmetic of the L-BFGS curvature test and two-loop recursion,
// shared by kernels/lbfgs.cu (device doubles written by reduction epilogues, update kernels) and
// host/cpu/lbfgs.cpp (kernels/rounded_math.h says why). The dot products themselves stay with each
// backend (double sums in different orders).
#pragma once
#include "kernels/rounded_math.h"

namespace audiostyle::math {

// Machine epsilon of double: scipy's L-BFGS-B skips a pair whose curvature s.y is not above eps
// times its scale; we use y.y as the scale (backend.h), so a pair with s.y <= 0 never enters.
constexpr double kCurvatureEps = 2.220446049250313e-16;

// rho[newest] = 1 / (s.y) when s.y > eps * y.y, else 0 (the pair stays in the ring, skipped);
// gamma = s.y / y.y only for a valid pair, so H0 keeps the scale of the newest pair that had
// positive curvature.
AS_MATH void lbfgs_curvature_update(double sy, double yy, double* rho_newest, double* gamma) {
  if (sy > mul_rn(kCurvatureEps, yy) && yy > 0) {
    *rho_newest = div_rn(1.0, sy);
    *gamma = div_rn(sy, yy);
  } else {
    *rho_newest = 0.0;
  }
}

// First loop: alpha_i = rho_i s_i.q (0 for a skipped pair).
AS_MATH double lbfgs_alpha(double rho, double s_dot_q) {
  return rho == 0.0 ? 0.0 : mul_rn(rho, s_dot_q);
}

// Second loop: alpha_i - beta_i with beta_i = rho_i y_i.r (0 for a skipped pair).
AS_MATH double lbfgs_coefficient(double rho, double alpha, double y_dot_r) {
  return rho == 0.0 ? 0.0 : sub_rn(alpha, mul_rn(rho, y_dot_r));
}

// direction -/+ c v in double, rounded once to float.
AS_MATH float lbfgs_subtract_scaled(float direction, double c, float v) {
  return float(sub_rn(double(direction), mul_rn(c, double(v))));
}
AS_MATH float lbfgs_add_scaled(float direction, double c, float v) {
  return float(add_rn(double(direction), mul_rn(c, double(v))));
}

// r = gamma q, in double rounded once.
AS_MATH float lbfgs_scale(double gamma, float direction) {
  return float(mul_rn(gamma, double(direction)));
}

}  // namespace audiostyle::math
