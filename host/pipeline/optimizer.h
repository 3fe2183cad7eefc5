// Optimisers written once against the Backend: L-BFGS (strong-Wolfe line search, stopping like
// scipy's L-BFGS-B) and Adam. State lives in backend memory, allocated once in the constructor; the
// loop reads at most one small device-to-host copy per function evaluation.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/backend.h"

namespace audiostyle {

// A differentiable objective on backend memory.
class Objective {
 public:
  virtual ~Objective() = default;
  // How many values evaluate() writes: values[0] is f, the rest are reported (content, style...).
  virtual int value_count() const { return 1; }
  // values[0..value_count) and grad = df/dx, all in backend memory; no host synchronisation.
  virtual void evaluate(const float* x, float* grad, double* values) = 0;
};

struct IterationReport {
  int iteration = 0;             // accepted steps so far (scipy's nit)
  int evaluations = 0;           // objective evaluations so far (scipy's nfev)
  std::vector<double> values;    // the objective's values at the new point: f, then the rest
  double grad_max = 0;           // max |g_i|
  double step = 0;               // accepted step length along the search direction
};
// Called after every iteration; may throw (Interrupted) to stop the run cleanly.
using IterationCallback = std::function<void(const IterationReport&)>;

struct OptimizerResult {
  int iterations = 0;
  int evaluations = 0;
  std::vector<double> values;  // at the returned x
  std::string stop_reason;     // "max iterations", "ftol", "gtol", "max evaluations", "line search"
  int skipped_pairs = 0;       // L-BFGS: pairs that failed the curvature test (not stored)
  int restarts = 0;            // L-BFGS: failed line searches retried along the steepest descent
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Minimises in place from x; x holds the best point found on return.
  virtual OptimizerResult minimize(Objective& objective, float* x, const IterationCallback& cb) = 0;
  virtual size_t state_bytes() const = 0;  // backend memory held
};

struct LbfgsOptions {
  int max_iterations = 300;
  int max_evaluations = 15000;
  int history = 10;
  double ftol = 2.220446049250313e-09;  // (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol stops
  double gtol = 1e-5;                   // max |g_i| <= gtol stops
  double c1 = 1e-4, c2 = 0.9;           // strong Wolfe constants
  int max_line_search = 20;             // evaluations per line search
};

struct AdamOptions {
  int iterations = 300;
  float learning_rate = 1e-2f;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

std::unique_ptr<Optimizer> make_lbfgs(Backend& backend, int64_t n, const LbfgsOptions& options);
std::unique_ptr<Optimizer> make_adam(Backend& backend, int64_t n, const AdamOptions& options);

}  // namespace audiostyle
