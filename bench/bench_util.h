// Shared by the benchmarks: timing through the Backend's timer (CUDA events on the GPU, the steady
// clock on the CPU), medians, the machine description and JSON output.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "audiostyle/backend.h"

namespace audiostyle::bench {

struct Timing {
  std::vector<double> times_ms;  // one per repeat, in order
  double median_ms = 0, min_ms = 0, max_ms = 0;
};

// Runs `body` `warmup` times (then synchronises), then `repeats` times, each timed alone with a
// fresh start/stop of the backend's timer. `setup`, when given, runs before every call (warm-up
// and timed) and outside the timed region: it resets state a call consumes (e.g. the start point
// of a minimisation).
Timing time_backend(Backend& backend, const std::function<void()>& body, int warmup, int repeats,
                    const std::function<void()>& setup = {});

double median(std::vector<double> values);

// Host, device, library versions (OpenBLAS, FFTW; CUDA runtime, driver, cuBLAS, cuFFT when the
// backend is CUDA), compiler, git commit and dirtiness, UTC date, and the load average (other
// processes sharing the machine make CPU timings noisy: this records how busy it was).
nlohmann::json machine_description(Backend& backend);
nlohmann::json load_average();

// Writes atomically enough for a benchmark: the whole document, then a newline; throws on failure.
void write_json(const std::string& path, const nlohmann::json& value);

// 1.5 GiB, 12.3 MiB, 512 B
std::string human_bytes(double bytes);

}  // namespace audiostyle::bench
