#include "bench/bench_util.h"

#include <cblas.h>
#include <fftw3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "bench/device_versions.h"

namespace audiostyle::bench {

Timing time_backend(Backend& backend, const std::function<void()>& body, int warmup, int repeats,
                    const std::function<void()>& setup) {
  // Warm-up keeps plan creation, lazy library initialisation and first-touch page faults out of
  // the numbers.
  for (int i = 0; i < warmup; ++i) {
    if (setup) setup();
    body();
  }
  backend.synchronize();
  auto timer = backend.make_timer();
  Timing t;
  for (int i = 0; i < repeats; ++i) {
    if (setup) setup();
    timer->start();
    body();
    t.times_ms.push_back(timer->stop_ms());
  }
  t.median_ms = median(t.times_ms);
  if (!t.times_ms.empty()) {
    t.min_ms = *std::min_element(t.times_ms.begin(), t.times_ms.end());
    t.max_ms = *std::max_element(t.times_ms.begin(), t.times_ms.end());
  }
  return t;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

namespace {

std::string first_line_of(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    if (fgets(buffer, sizeof buffer, pipe)) out = buffer;
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

}  // namespace

nlohmann::json load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return nullptr;
  return {{"1min", one}, {"5min", five}, {"15min", fifteen}};
}

nlohmann::json machine_description(Backend& backend) {
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  const std::string git = "git -C \"" AUDIOSTYLE_SOURCE_DIR "\" ";
  nlohmann::json out = {
      {"backend", backend.name()},
      {"device", backend.device_name()},
      {"host_cpu", first_line_of("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")},
      {"host_threads", std::thread::hardware_concurrency()},
      {"openblas", openblas_get_config()},
      {"openblas_threads", openblas_get_num_threads()},
      {"fftw", std::string(fftwf_version)},
      {"compiler", __VERSION__},
      {"git_commit", std::getenv("AUDIOSTYLE_GIT_COMMIT")
                         ? std::string(std::getenv("AUDIOSTYLE_GIT_COMMIT"))
                         : first_line_of(git + "rev-parse --short HEAD 2>/dev/null")},
      {"git_dirty", !first_line_of(git + "status --porcelain --untracked-files=no 2>/dev/null")
                         .empty()},
      {"date", date},
      {"load_average", load_average()},
  };
  if (backend.name() == "cuda") out["cuda"] = cuda_versions();
  return out;
}

void write_json(const std::string& path, const nlohmann::json& value) {
  std::ofstream out(path);
  out << value.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buffer;
}

}  // namespace audiostyle::bench
