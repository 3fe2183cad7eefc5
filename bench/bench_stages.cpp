// Stage benchmarks on one backend: STFT, ISTFT, conv forward and input-gradient, Gram forward and
// backward, loss and gradient, one objective evaluation, the L-BFGS direction, one L-BFGS iteration
// and one Griffin-Lim iteration, at the reference size and/or the full-track size (sizes.h), each
// held against ceilings measured in the same run (ceilings.h), before and after the stages.
//
//   bench_stages [--device cpu|cuda] [--sizes reference|full|both|smoke|none] [--precision tf32]
//                [--repeats N] [--warmup N] [--stages a,b,...] [--json FILE]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "audiostyle/errors.h"
#include "bench/bench_util.h"
#include "bench/ceilings.h"
#include "bench/sizes.h"
#include "bench/stages.h"

using namespace audiostyle;
using namespace audiostyle::bench;

namespace {

struct Args {
  std::string device = "auto", sizes = "reference", precision = "tf32", stages, json;
  int repeats = 0, warmup = 2, lbfgs_iterations = 5, gl_iterations = 20;
  int ceiling_gemm = 0;
  double ceiling_copy_mib = 0;
};

Precision parse_precision(const std::string& s) {
  if (s == "fp32") return Precision::fp32;
  if (s == "tf32") return Precision::tf32;
  if (s == "bf16") return Precision::bf16;
  throw UsageError("--precision must be fp32, tf32 or bf16");
}

std::unique_ptr<Backend> open_backend(const std::string& device) {
  if (device == "cpu") return make_cpu_backend();
  if (device == "cuda") return make_cuda_backend(0);
  if (device != "auto") throw UsageError("--device must be auto, cpu or cuda");
  return cuda_devices().empty() ? make_cpu_backend() : make_cuda_backend(0);
}

// One stage's figures against the ceilings: achieved rates, fractions, and the floor (the larger
// of FLOP / GEMM rate and bytes / copy rate; bytes only for memory-bound stages).
nlohmann::json assess(const StageResult& r, const Ceilings& ceilings, Precision precision) {
  const double seconds = r.timing.median_ms * 1e-3;
  const double gemm = ceilings.gemm_rate(precision), copy = ceilings.copy_rate();
  const double flops = seconds > 0 ? r.flop / seconds : 0;
  const double bandwidth = seconds > 0 ? r.bytes / seconds : 0;
  double floor_ms = copy > 0 ? r.bytes / copy * 1e3 : 0;
  if (r.bound == "gemm" && gemm > 0) floor_ms = std::max(floor_ms, r.flop / gemm * 1e3);
  nlohmann::json out = {
      {"name", r.name},
      {"bound", r.bound},
      {"flop", r.flop},
      {"bytes", r.bytes},
      {"times_ms", r.timing.times_ms},
      {"median_ms", r.timing.median_ms},
      {"min_ms", r.timing.min_ms},
      {"max_ms", r.timing.max_ms},
      {"tflops", flops * 1e-12},
      {"gbs", bandwidth * 1e-9},
      {"fraction_of_copy", copy > 0 ? bandwidth / copy : 0},
      {"floor_ms", floor_ms},
      {"fraction_of_floor", r.timing.median_ms > 0 ? floor_ms / r.timing.median_ms : 0},
      {"details", r.details},
  };
  if (r.bound == "gemm") {
    out["gemm_ceiling"] = ceilings.gemm_name(precision);
    out["fraction_of_gemm"] = gemm > 0 ? flops / gemm : 0;
  }
  return out;
}

void print_ceilings(const char* when, const Ceilings& c) {
  for (const auto& item : c.items)
    std::printf("  ceiling %-6s %-20s %10.2f %s  (%s, median of %zu: %.3f ms)\n", when,
                item.name.c_str(), item.unit == "B/s" ? item.rate() * 1e-9 : item.rate() * 1e-12,
                item.unit == "B/s" ? "GB/s   " : "TFLOP/s", item.what.c_str(),
                item.timing.times_ms.size(), item.timing.median_ms);
}

// The higher rate of each ceiling between the two measurements: fractions are then conservative
// (never flattered by a ceiling measured while other processes held the cores), and a machine
// whose load changed during the run shows as a spread between before and after.
Ceilings best_of(const Ceilings& before, const Ceilings& after) {
  Ceilings out = before;
  for (auto& item : out.items)
    for (const auto& late : after.items)
      if (late.name == item.name && late.rate() > item.rate()) item = late;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"audiostyle stage benchmarks"};
  Args a;
  app.add_option("--device", a.device, "auto, cpu or cuda")->capture_default_str();
  app.add_option("--sizes", a.sizes, "reference, full, both or smoke (comma-separated); none: ceilings only")
      ->capture_default_str();
  app.add_option("--precision", a.precision, "GEMM precision on CUDA: fp32, tf32, bf16")
      ->capture_default_str();
  app.add_option("--repeats", a.repeats, "Timed repeats per stage (0: 10 on CUDA, 5 on the CPU)");
  app.add_option("--warmup", a.warmup, "Untimed calls first")->capture_default_str();
  app.add_option("--lbfgs-iterations", a.lbfgs_iterations, "Iterations per timed minimisation")
      ->capture_default_str();
  app.add_option("--gl-iterations", a.gl_iterations, "Griffin-Lim iterations the slope spans")
      ->capture_default_str();
  app.add_option("--stages", a.stages, "Only these stages (comma-separated names)");
  app.add_option("--ceiling-gemm", a.ceiling_gemm, "Ceiling GEMM size (0: 8192 CUDA, 4096 CPU)");
  app.add_option("--ceiling-copy-mib", a.ceiling_copy_mib, "Ceiling copy size (0: 1024 / 256)");
  app.add_option("--json", a.json, "Write the results here");
  CLI11_PARSE(app, argc, argv);

  try {
    auto backend = open_backend(a.device);
    const bool cpu = backend->name() == "cpu";
    StageOptions options;
    options.precision = parse_precision(a.precision);
    if (cpu && options.precision != Precision::fp32) {
      // The CPU backend computes in fp32 whatever it is asked: record what ran.
      std::printf("note: the CPU backend ignores --precision %s and runs fp32\n", a.precision.c_str());
      options.precision = Precision::fp32;
      a.precision = "fp32";
    }
    options.repeats = a.repeats > 0 ? a.repeats : (cpu ? 5 : 10);
    options.warmup = a.warmup;
    options.lbfgs_iterations = a.lbfgs_iterations;
    options.gl_iterations = a.gl_iterations;
    // "none": the ceilings alone (measured around other work, e.g. the end-to-end jobs).
    const auto sizes = a.sizes == "none" ? std::vector<BenchSize>{} : sizes_by_names(a.sizes);
    std::set<std::string> only;
    {
      std::stringstream in(a.stages);
      for (std::string s; std::getline(in, s, ',');)
        if (!s.empty()) only.insert(s);
    }
    auto wanted = [&](const std::string& name) { return only.empty() || only.count(name) > 0; };

    CeilingOptions ceiling_options;
    ceiling_options.gemm_size = a.ceiling_gemm > 0 ? a.ceiling_gemm : (cpu ? 4096 : 8192);
    ceiling_options.copy_bytes = (a.ceiling_copy_mib > 0 ? a.ceiling_copy_mib : (cpu ? 256 : 1024)) * 1048576.0;
    ceiling_options.warmup = cpu ? 1 : 3;
    ceiling_options.repeats = cpu ? 3 : 20;

    nlohmann::json machine = machine_description(*backend);
    std::printf("stage benchmarks on %s (%s), precision %s, %d repeats\n",
                backend->device_name().c_str(), backend->name().c_str(), a.precision.c_str(),
                options.repeats);
    const Ceilings before = measure_ceilings(*backend, ceiling_options);
    print_ceilings("before", before);

    std::vector<std::pair<BenchSize, std::vector<StageResult>>> measured;
    for (const auto& size : sizes) {
      std::printf("size %s: %s\n", size.name.c_str(), size.describe().c_str());
      std::fflush(stdout);
      std::vector<StageResult> results;
      auto sink = [&](const StageResult& r) {
        std::printf("  %-22s %10.3f ms  (min %.3f, max %.3f)  %9.3f GFLOP  %10.1f MB\n",
                    r.name.c_str(), r.timing.median_ms, r.timing.min_ms, r.timing.max_ms,
                    r.flop * 1e-9, r.bytes * 1e-6);
        std::fflush(stdout);
        results.push_back(r);
      };
      run_spectral_stages(*backend, size, options, wanted, sink);
      run_objective_stages(*backend, size, options, wanted, sink);
      run_conv2d_stages(*backend, size, options, wanted, sink);
      measured.emplace_back(size, std::move(results));
    }
    const Ceilings after = measure_ceilings(*backend, ceiling_options);
    print_ceilings("after", after);
    const Ceilings ceilings = best_of(before, after);
    machine["load_average_end"] = load_average();

    nlohmann::json sizes_json = nlohmann::json::array();
    std::printf("\n%-10s %-22s %10s %9s %9s %8s %8s %8s\n", "size", "stage", "median ms",
                "TFLOP/s", "GB/s", "%gemm", "%copy", "%floor");
    for (const auto& [size, results] : measured) {
      nlohmann::json stages = nlohmann::json::array();
      for (const auto& r : results) {
        const nlohmann::json s = assess(r, ceilings, options.precision);
        std::printf("%-10s %-22s %10.3f %9.4f %9.2f %8s %7.1f%% %7.1f%%\n", size.name.c_str(),
                    r.name.c_str(), r.timing.median_ms, s["tflops"].get<double>(),
                    s["gbs"].get<double>(),
                    s.contains("fraction_of_gemm")
                        ? (std::to_string(int(100 * s["fraction_of_gemm"].get<double>() + 0.5)) + "%").c_str()
                        : "-",
                    100 * s["fraction_of_copy"].get<double>(),
                    100 * s["fraction_of_floor"].get<double>());
        stages.push_back(s);
      }
      sizes_json.push_back({{"name", size.name},
                            {"describe", size.describe()},
                            {"sample_rate_hz", size.sample_rate_hz},
                            {"seconds", size.seconds},
                            {"n_fft", size.n_fft},
                            {"hop", size.hop},
                            {"T", size.n_frames()},
                            {"C", size.n_bins()},
                            {"F", size.n_filters},
                            {"K", size.kernel_width},
                            {"B", size.n_batch},
                            {"stages", stages}});
    }
    std::printf("(fractions against the higher of the before/after ceilings; %%gemm vs %s)\n",
                ceilings.gemm_name(options.precision).c_str());
    if (!a.json.empty()) {
      write_json(a.json, {{"benchmark", "stages"},
                          {"machine", machine},
                          {"precision", a.precision},
                          {"repeats", options.repeats},
                          {"warmup", options.warmup},
                          {"ceilings", ceilings.to_json()},
                          {"ceilings_before", before.to_json()},
                          {"ceilings_after", after.to_json()},
                          {"sizes", sizes_json}});
      std::printf("wrote %s\n", a.json.c_str());
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_stages: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stages: %s\n", e.what());
    return 1;
  }
  return 0;
}
