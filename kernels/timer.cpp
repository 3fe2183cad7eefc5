// The CUDA event timer (twin of host/cpu/timer.cpp): a cudaEvent pair recorded on the backend's
// stream, so it measures the device time of the work enqueued between start() and stop_ms(), not
// the host's enqueue time (launches return at once; the host clock would measure almost nothing).
//
// stop_ms() records the stop event, waits for it (cudaEventSynchronize: the stream has reached it,
// so all work enqueued since start() has finished) and returns cudaEventElapsedTime, resolution
// about 0.5 us. As on the CPU, a second stop_ms() without a new start() measures from the same
// start again; start() may be called again at any time to begin a new interval.
// The events are made once, in the constructor: timing the optimisation loop allocates nothing.
#include <cuda_runtime.h>

#include <memory>
#include <type_traits>

#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"

namespace audiostyle::cuda {
namespace {

struct EventDeleter {
  void operator()(cudaEvent_t event) const noexcept {
    if (cudaEventDestroy(event) != cudaSuccess) (void)cudaGetLastError();  // from a destructor
  }
};
using EventOwner = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, EventDeleter>;

EventOwner make_event() {
  cudaEvent_t event = nullptr;
  // Default flags: timing enabled (cudaEventDisableTiming would make ElapsedTime fail).
  CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDefault));
  return EventOwner(event);
}

class CudaTimer final : public Timer {
 public:
  explicit CudaTimer(const Context& context)
      : stream_(context.stream), start_(make_event()), stop_(make_event()) {}

  void start() override {
    CUDA_CHECK(cudaEventRecord(start_.get(), stream_));
    started_ = true;
  }

  double stop_ms() override {
    // Without a recorded start, cudaEventElapsedTime would fail with an opaque handle error.
    CUDA_REQUIRE(started_, "timer: stop_ms() called before start()");
    CUDA_CHECK(cudaEventRecord(stop_.get(), stream_));
    CUDA_CHECK(cudaEventSynchronize(stop_.get()));
    float elapsed_ms = 0.f;
    CUDA_CHECK(cudaEventElapsedTime(&elapsed_ms, start_.get(), stop_.get()));
    return double(elapsed_ms);
  }

 private:
  cudaStream_t stream_;
  EventOwner start_;
  EventOwner stop_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Timer> make_timer(const Context& context) {
  return std::make_unique<CudaTimer>(context);
}

}  // namespace audiostyle::cuda
