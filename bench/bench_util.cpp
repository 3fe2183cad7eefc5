#include "bench/bench_util.h"

#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

namespace audiostyle::bench {

std::vector<double> time_ms(const std::function<void()>& body, int warmup, int repeats,
                            const std::function<void()>& sync) {
  for (int i = 0; i < warmup; ++i) body();
  if (sync) sync();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    body();
    if (sync) sync();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return times;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

namespace {

std::string first_line_of(const char* command) {
  std::string out;
  if (FILE* pipe = popen(command, "r")) {
    char buffer[256];
    if (fgets(buffer, sizeof buffer, pipe)) out = buffer;
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

nlohmann::json machine_description() {
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {
      {"cpu", first_line_of("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")},
      {"threads", std::thread::hardware_concurrency()},
      {"openblas", openblas_get_config()},
      {"openblas_threads", openblas_get_num_threads()},
      {"git_commit", first_line_of("git -C " AUDIOSTYLE_SOURCE_DIR " rev-parse --short HEAD 2>/dev/null")},
      {"date", date},
  };
}

void write_json(const std::string& path, const nlohmann::json& value) {
  std::ofstream out(path);
  out << value.dump(2) << "\n";
}

}  // namespace audiostyle::bench
