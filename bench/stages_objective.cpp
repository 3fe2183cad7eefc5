// Conv forward and input-gradient, Gram forward and backward, losses, one objective evaluation and
// L-BFGS (stages.h for the work counted), through the same feature plan, Gram plan, objective and
// optimiser the pipeline uses.
#include <functional>
#include <algorithm>
#include <vector>

#include "audiostyle/philox.h"
#include "bench/stages.h"
#include "host/pipeline/features.h"
#include "host/pipeline/optimizer.h"
#include "host/pipeline/style_objective.h"

namespace audiostyle::bench {
namespace {

// x [items, T, C] = log1p |z|, z complex normal: the value range of a real log-magnitude
// spectrogram (non-negative, heavy near zero), which a ReLU feature map and the Gram see.
void fill_log_spectrogram(Backend& backend, float* x, int64_t count, uint64_t seed) {
  Buffer<float> z(backend, 2 * count);
  backend.fill_normal(z.get(), z.size(), seed, 7, 1.0f);
  backend.log1p_magnitude(z.get(), count, x);
}

}  // namespace

void run_objective_stages(Backend& backend, const BenchSize& size, const StageOptions& o,
                          const std::function<bool(const std::string&)>& wanted,
                          const StageSink& sink) {
  const int64_t T = size.n_frames(), rows = size.rows();
  const int C = size.n_bins(), F = size.n_filters, K = size.kernel_width, B = size.n_batch;
  const int64_t n = int64_t(B) * T * C;           // optimisation variables
  const int64_t n_features = int64_t(B) * rows * F;
  const int64_t n_gram = int64_t(F) * F;
  const double f4 = sizeof(float);

  auto extractor = make_random_conv1d(backend, C, F, K, /*seed=*/0, o.precision);
  auto plan = extractor->plan(T, B);
  auto gram = backend.make_gram(rows, F, o.precision, B);
  const std::string algorithm = plan->algorithm();

  // The style Gram Gs [F, F] from one style item of T frames, as the pipeline computes it.
  Buffer<float> style_gram(backend, n_gram);
  {
    Buffer<float> x_style(backend, T * C), features(backend, rows * F);
    fill_log_spectrogram(backend, x_style.get(), T * C, 31);
    auto style_plan = extractor->plan(T, 1);
    auto style_gram_plan = backend.make_gram(rows, F, o.precision, 1);
    style_plan->forward(x_style.get(), features.get());
    style_gram_plan->forward(features.get(), 1.0f / float(T), style_gram.get());
  }
  Buffer<float> x(backend, n), grad(backend, n), content(backend, n_features),
      features(backend, n_features), grad_features(backend, n_features),
      grams(backend, int64_t(B) * n_gram), gram_error(backend, int64_t(B) * n_gram);
  Buffer<double> slots(backend, 3);
  fill_log_spectrogram(backend, x.get(), n, 32);
  plan->forward(x.get(), content.get());  // content features Ac
  fill_log_spectrogram(backend, x.get(), n, 33);
  plan->forward(x.get(), features.get());
  gram->forward(features.get(), 1.0f / float(T), grams.get());
  backend.fill_normal(grad_features.get(), n_features, 34, 7, 1.0f);
  backend.fill_normal(gram_error.get(), int64_t(B) * n_gram, 35, 7, 1e-3f);

  const double conv_flop = 2.0 * B * rows * F * double(K) * C;
  const double weight_bytes = f4 * F * double(K) * C;
  const double gram_forward_flop = double(B) * rows * F * (F + 1.0);
  const double gram_backward_flop = 2.0 * B * rows * double(F) * F;
  const double loss_flop = 3.0 * B * n_gram + 4.0 * double(n_features);
  const double conv_forward_bytes = f4 * (n + n_features) + weight_bytes;
  const double conv_backward_bytes = f4 * (2.0 * n_features + n) + weight_bytes;
  const double gram_forward_bytes = f4 * (n_features + double(B) * n_gram);
  const double gram_backward_bytes = f4 * (3.0 * n_features + double(B) * n_gram);
  const double loss_bytes = f4 * ((2.0 * B + 1) * n_gram + 3.0 * n_features);
  const nlohmann::json conv_details = {{"algorithm", algorithm},
                                      {"precision", to_string(o.precision)}};
  nlohmann::json gemm_details = {{"precision", to_string(o.precision)}};

  // Times one call of `body` as stage r, when that stage is wanted.
  auto stage = [&](StageResult r, const std::function<void()>& body,
                   const nlohmann::json& details = nlohmann::json::object()) {
    if (!wanted(r.name)) return;
    r.timing = time_backend(backend, body, o.warmup, o.repeats);
    r.details = details;
    sink(r);
  };
  stage({"conv_forward", "gemm", conv_flop, conv_forward_bytes},
        [&] { plan->forward(x.get(), features.get()); }, conv_details);
  // The plan masks grad_features in place (idempotent), so repeats see the same input.
  stage({"conv_input_gradient", "gemm", conv_flop, conv_backward_bytes},
        [&] { plan->backward(grad_features.get(), features.get(), grad.get()); }, conv_details);
  stage({"gram_forward", "gemm", gram_forward_flop, gram_forward_bytes},
        [&] { gram->forward(features.get(), 1.0f / float(T), grams.get()); }, gemm_details);
  stage({"gram_backward", "gemm", gram_backward_flop, gram_backward_bytes},
        [&] {
          gram->backward(features.get(), gram_error.get(), 4.0f / float(T), grad_features.get());
        },
        gemm_details);
  // Separate error and gradient outputs: the inputs stay the same across repeats.
  stage({"loss_gradient", "memory", loss_flop, loss_bytes}, [&] {
    backend.style_loss(grams.get(), style_gram.get(), n_gram, B, gram_error.get(), slots.get() + 2);
    backend.content_loss(features.get(), content.get(), n_features, o.alpha, grad_features.get(),
                         slots.get() + 1);
  });

  StyleObjective objective(backend, *plan, *gram, T, style_gram.get(), content.get(), o.alpha);
  Buffer<double> values(backend, objective.value_count());  // per-item slots too when B > 1
  const double eval_flop = 2 * conv_flop + gram_forward_flop + gram_backward_flop + loss_flop;
  const double eval_bytes = conv_forward_bytes + conv_backward_bytes + gram_forward_bytes +
                            gram_backward_bytes + loss_bytes;
  nlohmann::json objective_details = conv_details;
  objective_details["bytes_note"] = "sum of the component stages' minimum bytes";
  stage({"objective", "gemm", eval_flop, eval_bytes},
        [&] { objective.evaluate(x.get(), grad.get(), values.get()); }, objective_details);

  const int m = o.lbfgs_history;
  const double direction_flop = 8.0 * m * n + n;
  const double direction_bytes = f4 * (10.0 * m + 4) * n;
  // Vector work of an accepted step besides the direction: x += t d, s = t d, y = g+ - g, s.y, y.y.
  const double update_flop = 8.0 * n;
  const double update_bytes = f4 * 11.0 * n;
  if (wanted("lbfgs_direction") || wanted("lbfgs_iteration")) {
    // Full histories of pairs that pass the curvature test: y = 2 s + noise, so s.y > 0 and every
    // pair takes part in both loops, as in a long run.
    const int sets = wanted("lbfgs_direction") ? std::min(rotation_sets(f4 * 2.0 * m * n), 4) : 1;
    std::vector<Buffer<float>> s, y;
    std::vector<Buffer<double>> scalars;  // per set: rho [m], alpha [m], gamma [1]
    std::vector<LbfgsHistory> histories;
    for (int set = 0; set < sets; ++set) {
      s.emplace_back(backend, int64_t(m) * n);
      y.emplace_back(backend, int64_t(m) * n);
      scalars.emplace_back(backend, 2 * m + 1);
      backend.fill_normal(s.back().get(), s.back().size(), 40 + set, 7, 1e-2f);
      backend.fill_normal(y.back().get(), y.back().size(), 50 + set, 7, 1e-3f);
      backend.axpy(y.back().size(), 2.0f, s.back().get(), y.back().get());
      LbfgsHistory h;
      h.s = s.back().get();
      h.y = y.back().get();
      h.rho = scalars.back().get();
      h.alpha = scalars.back().get() + m;
      h.gamma = scalars.back().get() + 2 * m;
      h.capacity = m;
      h.n = n;
      for (int pair = 0; pair < m; ++pair) {
        h.newest = pair;
        h.count = pair + 1;
        backend.lbfgs_curvature(h);
      }
      histories.push_back(h);
    }
    Buffer<float> direction(backend, n), grad_new(backend, n), x_start(backend, n);
    backend.fill_normal(grad.get(), n, 36, 7, 1.0f);
    if (wanted("lbfgs_direction")) {
      int set = 0;
      StageResult r{"lbfgs_direction", "memory", direction_flop, direction_bytes};
      r.timing = time_backend(backend, [&] {
        backend.lbfgs_direction(histories[set], grad.get(), direction.get());
        set = (set + 1) % sets;
      }, o.warmup, o.repeats);
      r.details = {{"history", m}, {"input_sets", sets},
                   {"bytes_note", "unfused two-loop recursion: s and y read twice, q per pair"}};
      sink(r);
    }
    if (wanted("lbfgs_iteration")) {
      // A steady-state iteration with the line search accepting its first trial (unit step), the
      // common case late in a run: direction, step, one evaluation, the new pair and its
      // curvature test, all device-side. lbfgs_minimize below measures whole iterations including
      // extra line-search evaluations.
      LbfgsHistory& h = histories[0];
      Buffer<float> grad_start(backend, n);
      objective.evaluate(x.get(), grad_start.get(), values.get());
      backend.copy(x_start.get(), x.get(), x.bytes());
      StageResult r{"lbfgs_iteration", "gemm", direction_flop + update_flop + eval_flop,
                    direction_bytes + update_bytes + eval_bytes};
      r.timing = time_backend(backend, [&] {
        backend.lbfgs_direction(h, grad.get(), direction.get());
        backend.axpy(n, 1.0f, direction.get(), x.get());
        objective.evaluate(x.get(), grad_new.get(), values.get());
        const int slot = (h.newest + 1) % h.capacity;
        float* s_new = h.s + int64_t(slot) * n;
        float* y_new = h.y + int64_t(slot) * n;
        backend.copy(s_new, direction.get(), direction.bytes());
        backend.copy(y_new, grad_new.get(), grad_new.bytes());
        backend.axpy(n, -1.0f, grad.get(), y_new);
        h.newest = slot;
        backend.lbfgs_curvature(h);
      }, o.warmup, o.repeats, [&] {
        // Every repeat steps from the same point: the pair it stores is a true (s, y) there.
        backend.copy(x.get(), x_start.get(), x.bytes());
        backend.copy(grad.get(), grad_start.get(), grad.bytes());
      });
      const std::vector<double> rho = scalars[0].download();
      const int valid = int(std::count_if(rho.begin(), rho.begin() + m, [](double v) { return v != 0; }));
      r.details = {{"method", "direction + unit step + one evaluation + pair update, timed together"},
                   {"history", m}, {"pairs_passing_curvature", valid},
                   {"precision", to_string(o.precision)}};
      sink(r);
    }
  }
  if (wanted("lbfgs_minimize")) {
    LbfgsOptions options;
    options.max_iterations = std::max(1, o.lbfgs_iterations);
    options.history = m;
    options.ftol = 0;  // run exactly max_iterations unless the line search fails
    options.gtol = 0;
    auto lbfgs = make_lbfgs(backend, n, options);
    Buffer<float> x0(backend, n);
    backend.fill_normal(x0.get(), n, 0, philox::kStreamInit, 1e-3f);  // the recipe's start
    OptimizerResult last;
    const Timing whole = time_backend(
        backend, [&] { last = lbfgs->minimize(objective, x.get(), {}); }, std::min(o.warmup, 1),
        o.repeats, [&] { backend.copy(x.get(), x0.get(), x0.bytes()); });
    const int iterations = std::max(1, last.iterations);
    const double evaluations_per_iteration = double(last.evaluations) / iterations;
    StageResult r{"lbfgs_minimize", "gemm",
                  evaluations_per_iteration * eval_flop + direction_flop + update_flop,
                  evaluations_per_iteration * eval_bytes + direction_bytes + update_bytes};
    for (double t : whole.times_ms) r.timing.times_ms.push_back(t / iterations);
    r.timing.median_ms = whole.median_ms / iterations;
    r.timing.min_ms = whole.min_ms / iterations;
    r.timing.max_ms = whole.max_ms / iterations;
    r.details = {{"method", "one minimisation of " + std::to_string(iterations) +
                                " iterations from randn * 1e-3, time / iterations (early "
                                "iterations take several line-search evaluations each)"},
                 {"iterations", last.iterations},
                 {"evaluations", last.evaluations},
                 {"evaluations_per_iteration", evaluations_per_iteration},
                 {"stop_reason", last.stop_reason},
                 {"final_objective", last.values.empty() ? 0.0 : last.values[0]},
                 {"precision", to_string(o.precision)}};
    sink(r);
  }
}

}  // namespace audiostyle::bench
