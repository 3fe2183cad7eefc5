#include "host/pipeline/line_search.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace audiostyle {
namespace {

// Extrapolation in the bracketing phase: the next trial lies in [t + 1.1 (t - t_prev),
// t + 4 (t - t_prev)], the bounds MINPACK-2's dcsrch (scipy's L-BFGS-B line search) uses; the
// lower bound guarantees the bracket grows at least geometrically.
constexpr double kExtrapolateMin = 1.1, kExtrapolateMax = 4.0;
// Zoom safeguards: a trial stays this fraction of the bracket away from either end, and when two
// trials have not shrunk the bracket below this fraction of its width we bisect (dcsrch's 0.66).
constexpr double kZoomMargin = 0.1, kZoomShrink = 0.66;
// A bracket narrower than this (relative to its larger end) cannot move x any more in float.
constexpr double kMinRelativeWidth = 1e-10;

bool finite(const LinePoint& p) { return std::isfinite(p.value) && std::isfinite(p.slope); }

}  // namespace

double cubic_minimizer(const LinePoint& a, const LinePoint& b, double lo, double hi,
                       double fallback) {
  const double d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.step - b.step);
  const double discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0) || !std::isfinite(discriminant)) return fallback;
  const double d2 = std::copysign(std::sqrt(discriminant), b.step - a.step);
  const double t =
      b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2);
  if (!std::isfinite(t)) return fallback;
  return std::clamp(t, lo, hi);
}

LineSearchResult strong_wolfe_search(const LinePoint& origin, const LinePoint& first,
                                     const LineEvaluator& evaluate,
                                     const LineSearchOptions& options) {
  LineSearchResult result;
  result.evaluations = 1;
  result.point = first;
  // A non-finite trial fails sufficient decrease, so the search backs away from it.
  const auto sufficient = [&](const LinePoint& p) {
    return finite(p) && p.value <= origin.value + options.c1 * p.step * origin.slope;
  };
  const auto curvature = [&](const LinePoint& p) {
    return std::fabs(p.slope) <= -options.c2 * origin.slope;
  };
  const auto trial = [&](double step) {
    if (!evaluate(step, result.point)) return false;
    ++result.evaluations;
    return true;
  };

  // Algorithm 3.6: lo satisfies sufficient decrease with the lowest value seen, and
  // lo.slope (hi.step - lo.step) < 0, so [lo, hi] brackets a strong Wolfe point.
  const auto zoom = [&](LinePoint lo, LinePoint hi) {
    double width_two_back = std::numeric_limits<double>::infinity();
    double width_one_back = std::numeric_limits<double>::infinity();
    for (;;) {
      if (result.evaluations >= options.max_evaluations) return LineSearchStatus::failed;
      const double left = std::min(lo.step, hi.step), right = std::max(lo.step, hi.step);
      const double width = right - left;
      if (!(width > kMinRelativeWidth * right)) return LineSearchStatus::failed;
      double step;
      if (!finite(hi)) {
        // Nothing to interpolate: a non-finite trial was far too long, step back towards lo.
        step = lo.step + kZoomMargin * (hi.step - lo.step);
      } else if (width > kZoomShrink * width_two_back) {
        step = 0.5 * (left + right);
      } else {
        step = cubic_minimizer(lo, hi, left + kZoomMargin * width, right - kZoomMargin * width,
                               0.5 * (left + right));
      }
      width_two_back = width_one_back;
      width_one_back = width;
      if (!trial(step)) return LineSearchStatus::exhausted;
      const LinePoint p = result.point;
      if (!sufficient(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvature(p)) return LineSearchStatus::converged;
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = p;
      }
    }
  };

  // Algorithm 3.5: grow the step until the bracket [previous, current] holds a Wolfe point.
  LinePoint previous = origin;
  for (;;) {
    const LinePoint current = result.point;
    if (!sufficient(current) || (result.evaluations > 1 && current.value >= previous.value)) {
      result.status = zoom(previous, current);
      return result;
    }
    if (curvature(current)) {
      result.status = LineSearchStatus::converged;
      return result;
    }
    if (current.slope >= 0) {
      result.status = zoom(current, previous);
      return result;
    }
    if (result.evaluations >= options.max_evaluations) {
      result.status = LineSearchStatus::failed;
      return result;
    }
    const double growth = current.step - previous.step;
    const double lo = current.step + kExtrapolateMin * growth;
    const double hi = current.step + kExtrapolateMax * growth;
    const double step = cubic_minimizer(previous, current, lo, hi, hi);
    previous = current;
    if (!trial(step)) {
      result.status = LineSearchStatus::exhausted;
      return result;
    }
  }
}

}  // namespace audiostyle
