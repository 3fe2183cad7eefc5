// Strong-Wolfe line search on host scalars (Nocedal & Wright, Numerical Optimization, 2nd ed.,
// Algorithm 3.5 bracketing + Algorithm 3.6 zoom, safeguarded cubic interpolation).
//
// It only sees phi(t) = f(x + t d) and phi'(t) = g(x + t d).d: the caller owns the vectors and
// evaluates each trial on the backend. Invariant the L-BFGS driver relies on: when the search
// converges, the accepted point is the LAST one evaluated, so the backend's x and g already hold
// it and no gradient of an earlier trial has to be kept.
#pragma once
#include <functional>

namespace audiostyle {

// phi and phi' at one step along the search direction.
struct LinePoint {
  double step = 0;
  double value = 0;  // phi(step)
  double slope = 0;  // phi'(step)
};

struct LineSearchOptions {
  double c1 = 1e-4;         // sufficient decrease: phi(t) <= phi(0) + c1 t phi'(0)
  double c2 = 0.9;          // curvature: |phi'(t)| <= c2 |phi'(0)|
  int max_evaluations = 20; // trials per search, counting the first
};

enum class LineSearchStatus {
  converged,  // the last evaluated point satisfies the strong Wolfe conditions
  failed,     // trials spent, or the bracket shrank to nothing, without a Wolfe point
  exhausted,  // the evaluator refused a trial (the caller's evaluation budget is spent)
};

struct LineSearchResult {
  LineSearchStatus status = LineSearchStatus::failed;
  LinePoint point;      // the accepted point when converged, else the last one evaluated
  int evaluations = 0;  // trials evaluated, the caller's first included
};

// Evaluates phi at `step` into `out`; returns false to refuse (budget spent).
using LineEvaluator = std::function<bool(double step, LinePoint& out)>;

// origin: phi(0), phi'(0) < 0. first: the initial trial, already evaluated by the caller (so that
// its download can also carry phi'(0)); it counts as one of max_evaluations.
LineSearchResult strong_wolfe_search(const LinePoint& origin, const LinePoint& first,
                                     const LineEvaluator& evaluate,
                                     const LineSearchOptions& options);

// Minimiser of the cubic that matches value and slope at a and b (N&W eq. 3.59), clamped to
// [lo, hi]; `fallback` when the cubic has no local minimiser or an input is not finite.
double cubic_minimizer(const LinePoint& a, const LinePoint& b, double lo, double hi,
                       double fallback);

}  // namespace audiostyle
