// Adam written once against the Backend: m, v, the gradient, a copy of the best x and the value
// slots live in backend memory, allocated once; each iteration is evaluate -> amax -> one download
// of [max|g|, values...] -> adam_step (fused, backend op) -> callback.
//
// Adam is not monotone, so the optimiser keeps the best point it has evaluated (a backend copy of
// x whenever f improves, decided from the value read it makes anyway) and returns that. The point
// after the last update is evaluated too (one evaluation more than iterations), so the final
// step is not thrown away unseen.
#include <array>
#include <cmath>
#include <limits>

#include "audiostyle/errors.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {
namespace {

enum : int { kSlotGradMax = 0, kSlotValues = 1 };
constexpr int kMaxValues = 16;  // value slots are sized before the objective is known

class Adam final : public Optimizer {
 public:
  Adam(Backend& backend, int64_t n, const AdamOptions& options)
      : backend_(backend), n_(n), options_(options) {
    if (n <= 0) throw UsageError("adam: the problem size must be positive, got " +
                                 std::to_string(n));
    if (options.iterations < 0) throw UsageError("adam: iterations must be >= 0");
    if (!(options.learning_rate > 0)) throw UsageError("adam: the learning rate must be positive");
    if (!(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1))
      throw UsageError("adam: beta1 and beta2 must lie in [0, 1)");
    if (!(options.eps > 0)) throw UsageError("adam: eps must be positive");
    grad_ = Buffer<float>(backend, n);
    first_moment_ = Buffer<float>(backend, n);
    second_moment_ = Buffer<float>(backend, n);
    best_x_ = Buffer<float>(backend, n);
    slots_ = Buffer<double>(backend, kSlotValues + kMaxValues);
  }

  size_t state_bytes() const override {
    return grad_.bytes() + first_moment_.bytes() + second_moment_.bytes() + best_x_.bytes() +
           slots_.bytes();
  }

  OptimizerResult minimize(Objective& objective, float* x, const IterationCallback& cb) override {
    const int value_count = objective.value_count();
    if (value_count < 1 || value_count > kMaxValues)
      throw Error("adam: the objective reports " + std::to_string(value_count) +
                  " values; between 1 and " + std::to_string(kMaxValues) + " are supported");
    backend_.fill(first_moment_.get(), n_, 0.f);
    backend_.fill(second_moment_.get(), n_, 0.f);

    OptimizerResult result;
    double best_value = std::numeric_limits<double>::infinity();
    bool best_is_x = false;  // whether x itself (not best_x_) holds the best point
    std::vector<double> values(static_cast<size_t>(value_count));
    // Evaluates at x, reads the values, and remembers x if it is the best so far.
    // A NaN or Inf stops the run: the moments would carry it into every later step, and a result
    // "best so far" from before the blow-up would pass a diverged run off as a finished one.
    const auto check_finite = [&](int iteration) {
      if (std::isfinite(values[0]) && std::isfinite(host_slots_[kSlotGradMax])) return;
      throw Error("adam: the " +
                  std::string(std::isfinite(values[0]) ? "gradient" : "objective") +
                  " is not finite at iteration " + std::to_string(iteration) +
                  " (the optimisation diverged; a smaller --lr may help)");
    };
    const auto evaluate = [&] {
      double* slots = slots_.get();
      objective.evaluate(x, grad_.get(), slots + kSlotValues);
      backend_.amax(n_, grad_.get(), slots + kSlotGradMax);
      backend_.download(host_slots_.data(), slots,
                        sizeof(double) * size_t(kSlotValues + value_count));
      ++result.evaluations;
      values.assign(host_slots_.begin() + kSlotValues,
                    host_slots_.begin() + kSlotValues + value_count);
      best_is_x = values[0] < best_value;
      if (best_is_x) {
        best_value = values[0];
        result.values = values;
      }
    };

    for (int step = 1; step <= options_.iterations; ++step) {
      evaluate();
      check_finite(step - 1);  // the point after step - 1 updates
      if (step == 1) {
        result.initial_values = values;
        result.initial_grad_max = host_slots_[kSlotGradMax];
      }
      if (best_is_x) backend_.copy(best_x_.get(), x, best_x_.bytes());
      backend_.adam_step(n_, x, grad_.get(), first_moment_.get(), second_moment_.get(),
                         options_.learning_rate, options_.beta1, options_.beta2, options_.eps,
                         step);
      result.iterations = step;
      if (cb) {
        IterationReport report;
        report.iteration = step;
        report.evaluations = result.evaluations;
        report.values = values;  // at the point this step started from
        report.grad_max = host_slots_[kSlotGradMax];
        report.step = options_.learning_rate;
        cb(report);
      }
    }
    evaluate();
    check_finite(options_.iterations);
    if (!best_is_x) {
      if (result.values.empty())  // never a finite value: return the last point as it is
        result.values = values;
      else
        backend_.copy(x, best_x_.get(), best_x_.bytes());
    }
    result.stop_reason = "max iterations";
    return result;
  }

 private:
  Backend& backend_;
  int64_t n_;
  AdamOptions options_;
  Buffer<float> grad_, first_moment_, second_moment_, best_x_;
  Buffer<double> slots_;
  std::array<double, kSlotValues + kMaxValues> host_slots_{};
};

}  // namespace

std::unique_ptr<Optimizer> make_adam(Backend& backend, int64_t n, const AdamOptions& options) {
  return std::make_unique<Adam>(backend, n, options);
}

}  // namespace audiostyle
