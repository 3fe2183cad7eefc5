// One function evaluation of the style objective (conv forward, Gram, losses, Gram backward, conv
// input-gradient) on the CPU backend, at the reference size by default (T=430, C=1025, F=4096,
// K=11), against OpenBLAS sgemm measured in the same run.
//
//   bench_cpu_eval [--frames T] [--channels C] [--filters F] [--kernel K] [--repeats N]
//                  [--json FILE]
#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/bench_util.h"
#include "host/pipeline/features.h"
#include "host/pipeline/style_objective.h"

using namespace audiostyle;

namespace {

struct Args {
  int64_t frames = 430;
  int channels = 1025, filters = 4096, kernel = 11, repeats = 5;
  std::string json;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--frames") a.frames = std::atoll(v);
    else if (flag == "--channels") a.channels = std::atoi(v);
    else if (flag == "--filters") a.filters = std::atoi(v);
    else if (flag == "--kernel") a.kernel = std::atoi(v);
    else if (flag == "--repeats") a.repeats = std::atoi(v);
    else if (flag == "--json") a.json = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return a;
}

// Median ms of C [m, n] = A [m, k] B [k, n] in OpenBLAS sgemm.
double sgemm_ms(int m, int n, int k, int repeats) {
  auto backend = make_cpu_backend();
  Buffer<float> a(*backend, int64_t(m) * k), b(*backend, int64_t(k) * n), c(*backend, int64_t(m) * n);
  backend->fill_normal(a.get(), a.size(), 1, 7, 1.0f);
  backend->fill_normal(b.get(), b.size(), 2, 7, 1.0f);
  return bench::median(bench::time_ms(
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.get(), k, b.get(),
                    n, 0.0f, c.get(), n);
      },
      1, repeats));
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  auto backend = make_cpu_backend();
  const int64_t T = args.frames, rows = T - args.kernel + 1;
  const int C = args.channels, F = args.filters, K = args.kernel;

  auto extractor = make_random_conv1d(*backend, C, F, K, 1, Precision::fp32);
  auto plan = extractor->plan(T);
  Buffer<float> x(*backend, T * C), grad(*backend, T * C), content(*backend, rows * F),
      style_gram(*backend, int64_t(F) * F);
  Buffer<double> values(*backend, 3);
  backend->fill_normal(x.get(), x.size(), 3, 7, 1.0f);
  plan->forward(x.get(), content.get());
  auto gram = backend->make_gram(rows, F, Precision::fp32);
  gram->forward(content.get(), 1.0f / float(T), style_gram.get());
  backend->fill_normal(x.get(), x.size(), 4, 7, 1e-3f);
  StyleObjective objective(*backend, *plan, T, style_gram.get(), content.get(), 1e-2f,
                           Precision::fp32);

  // Work: conv forward and input-gradient 2 T' F K C each; SYRK T' F^2; SYMM 2 T' F^2.
  const double conv_flop = 2.0 * rows * F * double(K) * C;
  const double flop = 2 * conv_flop + 3.0 * rows * double(F) * F;
  const auto times = bench::time_ms([&] { objective.evaluate(x.get(), grad.get(), values.get()); },
                                    1, args.repeats);
  const double eval_ms = bench::median(times);
  const double eval_gflops = flop / eval_ms * 1e-6;

  // Ceilings: the conv's own GEMM shape, and a large square GEMM.
  const double conv_gemm_ms = sgemm_ms(int(rows), F, C, args.repeats);
  const double conv_gemm_gflops = 2.0 * rows * F * double(C) / conv_gemm_ms * 1e-6;
  const int square = 2048;
  const double square_ms = sgemm_ms(square, square, square, args.repeats);
  const double square_gflops = 2.0 * square * double(square) * square / square_ms * 1e-6;

  std::printf("one evaluation, T=%lld C=%d F=%d K=%d: %.1f GFLOP\n", (long long)T, C, F, K,
              flop * 1e-9);
  std::printf("  median %.1f ms over %d repeats: %.1f GFLOP/s\n", eval_ms, args.repeats,
              eval_gflops);
  std::printf("  OpenBLAS sgemm [%lld x %d x %d]: %.1f GFLOP/s -> evaluation at %.0f%%\n",
              (long long)rows, F, C, conv_gemm_gflops, 100 * eval_gflops / conv_gemm_gflops);
  std::printf("  OpenBLAS sgemm [%d^3]: %.1f GFLOP/s -> evaluation at %.0f%%\n", square,
              square_gflops, 100 * eval_gflops / square_gflops);

  if (!args.json.empty()) {
    bench::write_json(args.json,
                      {{"benchmark", "cpu_eval"},
                       {"machine", bench::machine_description()},
                       {"shape", {{"T", T}, {"C", C}, {"F", F}, {"K", K}}},
                       {"flop", flop},
                       {"repeats", args.repeats},
                       {"times_ms", times},
                       {"median_ms", eval_ms},
                       {"gflops", eval_gflops},
                       {"sgemm_conv_shape_gflops", conv_gemm_gflops},
                       {"sgemm_square_gflops", square_gflops},
                       {"fraction_of_sgemm_conv_shape", eval_gflops / conv_gemm_gflops},
                       {"fraction_of_sgemm_square", eval_gflops / square_gflops}});
    std::printf("wrote %s\n", args.json.c_str());
  }
  return 0;
}
