// L-BFGS written once against the Backend: two-loop direction and curvature test are backend ops,
// the strong-Wolfe line search (line_search.h) runs on host scalars, and each objective evaluation
// costs exactly one small download: [g.d, max|g|, g.g, g_k.d_k, values...] from a slot buffer.
//
// Iteration k, from the accepted x_k, g_k, f_k (host knows f_k, max|g_k|, ||g_k||^2):
//   d_k   = -H_k g_k (lbfgs_direction), or -g_k on the first iteration and after a reset
//   t0    = 1 / ||g_k||_2 for a steepest-descent step (scipy's L-BFGS-B first step; scipy tries 1
//           after a reset, we keep the scaled step there too), 1 otherwise (PyTorch uses
//           min(1, 1 / sum|g|) for the first step; we follow scipy)
//   line search along d_k from x_k (x_prev) with trials x = x_k + t d_k
//   s_k   = t d_k, y_k = g_{k+1} - g_k written straight into the ring's free slot, then
//           lbfgs_curvature sets rho (0 for a pair that fails s.y > eps y.y) and gamma on device.
// A pair that fails the curvature test is skipped, not stored (scipy's L-BFGS-B does the same): it
// must not evict the oldest valid pair. The ring therefore has history + 1 physical slots, so the
// candidate always lands in a free one, and is counted at once (the two-loop skips it by rho = 0);
// its verdict rho travels in the next evaluation's download (no extra host read), and a failed
// pair is then uncounted, which brings the evicted-looking oldest pair back untouched. The one
// direction computed between a failed pair and its verdict walks one valid pair fewer when the
// history is full; every later direction sees the full valid history.
// g_k.d_k (phi'(0)) is computed before the first trial and travels in that trial's download, so no
// extra host read is needed; if it shows d_k is not a descent direction, that trial is discarded,
// the history is reset and the iteration restarts with steepest descent.
//
// Stopping, in scipy L-BFGS-B's order after each accepted iteration: iterations >= max_iterations,
// evaluations >= max_evaluations, max|g| <= gtol (also before the first iteration), then
// (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol. A line search that finds no strong Wolfe
// point restores x_k, as L-BFGS-B does; with a non-empty history it then drops the history and
// retries once along the steepest descent (L-BFGS-B's refresh), and stops only if that fails too.
// Running out of the evaluation budget restores x_k and stops.
//
// Best point: an accepted step satisfies sufficient decrease with g_k.d_k < 0, so f never rises
// across accepted iterates and the latest accepted x is the best one seen.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "audiostyle/errors.h"
#include "host/pipeline/line_search.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {
namespace {

// Slot buffer layout (doubles in backend memory), downloaded as one block of
// kSlotValues + value_count after every evaluation.
enum : int {
  kSlotSlope = 0,        // g.d at the trial point: phi'(t)
  kSlotGradMax = 1,      // max |g| at the trial point
  kSlotGradNormSq = 2,   // g.g at the trial point: sizes the next steepest-descent step
  kSlotSlopeOrigin = 3,  // g_k.d_k: phi'(0), written before the first trial of a search
  kSlotCurvature = 4,    // rho of the newest pair (0: failed the curvature test), after a push
  kSlotValues = 5,       // the objective's values: f, then what it reports
};
// Value slots are sized in the constructor, before the objective is known: an objective may report
// up to this many values (minimize throws otherwise).
constexpr int kMaxValues = 16;

class Lbfgs final : public Optimizer {
 public:
  Lbfgs(Backend& backend, int64_t n, const LbfgsOptions& options)
      : backend_(backend), n_(n), options_(options) {
    if (n <= 0) throw UsageError("lbfgs: the problem size must be positive, got " +
                                 std::to_string(n));
    if (options.history < 1) throw UsageError("lbfgs: history must be at least 1");
    if (options.max_iterations < 0 || options.max_evaluations < 1)
      throw UsageError("lbfgs: max_iterations must be >= 0 and max_evaluations >= 1");
    if (options.max_line_search < 1) throw UsageError("lbfgs: max_line_search must be >= 1");
    if (!(options.gtol >= 0) || !(options.ftol >= 0))
      throw UsageError("lbfgs: gtol and ftol must be non-negative");
    if (!(0 < options.c1 && options.c1 < options.c2 && options.c2 < 1))
      throw UsageError("lbfgs: Wolfe constants need 0 < c1 < c2 < 1");
    x_prev_ = Buffer<float>(backend, n);
    grad_accepted_ = Buffer<float>(backend, n);
    grad_trial_ = Buffer<float>(backend, n);
    direction_ = Buffer<float>(backend, n);
    // One slot beyond the history: a candidate pair never overwrites a stored one.
    const int slots = options.history + 1;
    pairs_s_ = Buffer<float>(backend, int64_t(slots) * n);
    pairs_y_ = Buffer<float>(backend, int64_t(slots) * n);
    rho_ = Buffer<double>(backend, slots);
    alpha_ = Buffer<double>(backend, slots);
    gamma_ = Buffer<double>(backend, 1);
    slots_ = Buffer<double>(backend, kSlotValues + kMaxValues);
    history_.s = pairs_s_.get();
    history_.y = pairs_y_.get();
    history_.rho = rho_.get();
    history_.alpha = alpha_.get();
    history_.gamma = gamma_.get();
    history_.capacity = slots;  // the ring's physical length; count stays <= options.history
    history_.n = n;
  }

  size_t state_bytes() const override {
    return x_prev_.bytes() + grad_accepted_.bytes() + grad_trial_.bytes() + direction_.bytes() +
           pairs_s_.bytes() + pairs_y_.bytes() + rho_.bytes() + alpha_.bytes() + gamma_.bytes() +
           slots_.bytes();
  }

  OptimizerResult minimize(Objective& objective, float* x, const IterationCallback& cb) override;

 private:
  // Objective at x into grad_trial_, its g.d, max|g| and g.g, then the one download.
  void evaluate(Objective& objective, const float* x) {
    double* slots = slots_.get();
    objective.evaluate(x, grad_trial_.get(), slots + kSlotValues);
    backend_.dot(n_, grad_trial_.get(), direction_.get(), slots + kSlotSlope);
    backend_.amax(n_, grad_trial_.get(), slots + kSlotGradMax);
    backend_.dot(n_, grad_trial_.get(), grad_trial_.get(), slots + kSlotGradNormSq);
    backend_.download(host_slots_.data(), slots,
                      sizeof(double) * size_t(kSlotValues + value_count_));
    ++evaluations_;
    if (pending_) {
      pending_ = false;
      if (host_slots_[kSlotCurvature] == 0) {  // failed the curvature test: not stored
        history_.newest = pending_previous_newest_;
        history_.count = pending_previous_count_;
        ++skipped_pairs_;
      }
    }
  }
  double value() const { return host_slots_[kSlotValues]; }

  void reset_history() {
    history_.count = 0;
    history_.newest = -1;
    pending_ = false;
    const double one = 1.0;  // H0 = I until a pair passes the curvature test
    backend_.upload(history_.gamma, &one, sizeof one);
  }

  // s = t d and y = g_{k+1} - g_k into the free ring slot, then rho and gamma on the device; the
  // verdict is read with the next evaluation (see the top of the file).
  void push_pair(double step) {
    const int slot = (history_.newest + 1) % history_.capacity;
    float* s = history_.s + int64_t(slot) * n_;
    float* y = history_.y + int64_t(slot) * n_;
    backend_.copy(s, direction_.get(), direction_.bytes());
    backend_.scale(n_, float(step), s);
    backend_.copy(y, grad_trial_.get(), grad_trial_.bytes());
    backend_.axpy(n_, -1.f, grad_accepted_.get(), y);
    pending_previous_newest_ = history_.newest;
    pending_previous_count_ = history_.count;
    pending_ = true;
    history_.newest = slot;
    history_.count = std::min(history_.count + 1, options_.history);
    backend_.lbfgs_curvature(history_);
    backend_.copy(slots_.get() + kSlotCurvature, history_.rho + slot, sizeof(double));
  }

  Backend& backend_;
  int64_t n_;
  LbfgsOptions options_;
  Buffer<float> x_prev_, grad_accepted_, grad_trial_, direction_, pairs_s_, pairs_y_;
  Buffer<double> rho_, alpha_, gamma_, slots_;
  LbfgsHistory history_;
  std::array<double, kSlotValues + kMaxValues> host_slots_{};
  int value_count_ = 1;
  int evaluations_ = 0;
  bool pending_ = false;  // the newest pair's curvature verdict has not been read yet
  int pending_previous_newest_ = -1, pending_previous_count_ = 0;
  int skipped_pairs_ = 0;
  int restarts_ = 0;  // line-search failures retried along the steepest descent
};

OptimizerResult Lbfgs::minimize(Objective& objective, float* x, const IterationCallback& cb) {
  value_count_ = objective.value_count();
  if (value_count_ < 1 || value_count_ > kMaxValues)
    throw Error("lbfgs: the objective reports " + std::to_string(value_count_) +
                " values; between 1 and " + std::to_string(kMaxValues) + " are supported");
  evaluations_ = 0;
  skipped_pairs_ = 0;
  restarts_ = 0;
  reset_history();
  backend_.fill(direction_.get(), n_, 0.f);  // evaluate() takes g.d; keep it finite at x_0

  OptimizerResult result;
  const auto finish = [&](const char* reason, const std::vector<double>& values) {
    result.evaluations = evaluations_;
    result.values = values;
    result.stop_reason = reason;
    result.skipped_pairs = skipped_pairs_;
    result.restarts = restarts_;
    return result;
  };

  evaluate(objective, x);
  std::swap(grad_accepted_, grad_trial_);
  double f_accepted = value();
  double grad_max = host_slots_[kSlotGradMax];
  double grad_norm_sq = host_slots_[kSlotGradNormSq];
  std::vector<double> values(host_slots_.begin() + kSlotValues,
                             host_slots_.begin() + kSlotValues + value_count_);
  if (!std::isfinite(f_accepted) || !std::isfinite(grad_max))
    throw Error("lbfgs: the objective or its gradient is not finite at the starting point");
  result.initial_values = values;
  result.initial_grad_max = grad_max;
  if (grad_max <= options_.gtol) return finish("gtol", values);
  if (options_.max_iterations == 0) return finish("max iterations", values);

  const LineSearchOptions search_options{options_.c1, options_.c2, options_.max_line_search};
  // One trial of the line search: x = x_k + t d_k, evaluated with its one download.
  const LineEvaluator trial = [&](double step, LinePoint& out) {
    if (evaluations_ >= options_.max_evaluations) return false;
    backend_.copy(x, x_prev_.get(), x_prev_.bytes());
    backend_.axpy(n_, float(step), direction_.get(), x);
    evaluate(objective, x);
    out = {step, value(), host_slots_[kSlotSlope]};
    return true;
  };
  bool steepest = true;
  for (;;) {
    backend_.copy(x_prev_.get(), x, x_prev_.bytes());
    double first_step = 1.0;
    if (steepest) {
      backend_.copy(direction_.get(), grad_accepted_.get(), direction_.bytes());
      backend_.scale(n_, -1.f, direction_.get());
      // g != 0 here (max|g| > gtol >= 0), so ||g||_2 > 0.
      first_step = 1.0 / std::sqrt(grad_norm_sq);
    } else {
      backend_.lbfgs_direction(history_, grad_accepted_.get(), direction_.get());
    }
    backend_.dot(n_, grad_accepted_.get(), direction_.get(), slots_.get() + kSlotSlopeOrigin);

    if (evaluations_ >= options_.max_evaluations) return finish("max evaluations", values);
    backend_.axpy(n_, float(first_step), direction_.get(), x);
    evaluate(objective, x);
    const double slope_origin = host_slots_[kSlotSlopeOrigin];
    if (!(slope_origin < 0)) {
      backend_.copy(x, x_prev_.get(), x_prev_.bytes());
      // -g is a descent direction whenever g != 0 and finite; if even it fails, give up.
      if (steepest) return finish("line search", values);
      reset_history();
      steepest = true;
      continue;
    }

    const LinePoint origin{0.0, f_accepted, slope_origin};
    const LinePoint first{first_step, value(), host_slots_[kSlotSlope]};
    const LineSearchResult search = strong_wolfe_search(origin, first, trial, search_options);
    if (search.status != LineSearchStatus::converged) {
      backend_.copy(x, x_prev_.get(), x_prev_.bytes());
      if (search.status == LineSearchStatus::failed && !steepest) {
        // The quasi-Newton model may be what failed: drop it and try the gradient once.
        reset_history();
        steepest = true;
        ++restarts_;
        continue;
      }
      return finish(search.status == LineSearchStatus::exhausted ? "max evaluations"
                                                                 : "line search",
                    values);
    }

    // The accepted point was the last evaluated: x and grad_trial_ hold x_{k+1}, g_{k+1}.
    push_pair(search.point.step);
    std::swap(grad_accepted_, grad_trial_);
    const double f_previous = f_accepted;
    f_accepted = value();
    grad_max = host_slots_[kSlotGradMax];
    grad_norm_sq = host_slots_[kSlotGradNormSq];
    values.assign(host_slots_.begin() + kSlotValues,
                  host_slots_.begin() + kSlotValues + value_count_);
    ++result.iterations;
    steepest = false;
    // The line search accepts finite values and slopes only; a non-finite max|g| would still
    // poison the next direction, so it stops the run here rather than in a NaN output.
    if (!std::isfinite(f_accepted) || !std::isfinite(grad_max))
      throw Error("lbfgs: the objective or its gradient is not finite at iteration " +
                  std::to_string(result.iterations) + " (the optimisation diverged)");

    if (cb) {
      IterationReport report;
      report.iteration = result.iterations;
      report.evaluations = evaluations_;
      report.values = values;
      report.grad_max = grad_max;
      report.step = search.point.step;
      cb(report);
    }

    if (result.iterations >= options_.max_iterations) return finish("max iterations", values);
    if (evaluations_ >= options_.max_evaluations) return finish("max evaluations", values);
    if (grad_max <= options_.gtol) return finish("gtol", values);
    const double scale = std::max({std::fabs(f_previous), std::fabs(f_accepted), 1.0});
    if ((f_previous - f_accepted) / scale <= options_.ftol) return finish("ftol", values);
  }
}

}  // namespace

std::unique_ptr<Optimizer> make_lbfgs(Backend& backend, int64_t n, const LbfgsOptions& options) {
  return std::make_unique<Lbfgs>(backend, n, options);
}

}  // namespace audiostyle
