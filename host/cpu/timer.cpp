// CPU twin of the CUDA event timer: CPU ops run synchronously, so the steady clock is exact.
#include <chrono>

#include "audiostyle/errors.h"
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

class CpuTimer final : public Timer {
 public:
  void start() override {
    start_ = std::chrono::steady_clock::now();
    started_ = true;
  }
  double stop_ms() override {
    if (!started_) throw Error("timer: stop_ms() before start()");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Timer> make_timer() { return std::make_unique<CpuTimer>(); }

}  // namespace audiostyle::cpu
