// CPU twin of the CUDA event timer: CPU ops run synchronously, so the steady clock is exact.
#include <chrono>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

class CpuTimer final : public Timer {
 public:
  void start() override { start_ = std::chrono::steady_clock::now(); }
  double stop_ms() override {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::unique_ptr<Timer> make_timer() { return std::make_unique<CpuTimer>(); }

}  // namespace audiostyle::cpu
