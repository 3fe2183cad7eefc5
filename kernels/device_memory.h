// Device allocation with a useful out-of-memory message, and an owning array for plan scratch.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace audiostyle::cuda {

// cudaMalloc; on cudaErrorMemoryAllocation throws DeviceError
//   "out of device memory: needed N MiB, M MiB free of T MiB on <device name>"
// and clears the runtime's last-error state so the next launch check does not report it again.
void* device_allocate(size_t bytes);
// cudaFree, errors ignored (and cleared): used from destructors.
void device_free(void* ptr) noexcept;
// High-water mark of the bytes held through device_allocate in this process since the last
// device_reset_peak() (or since the start).
size_t device_peak_bytes();
// Restarts the high-water mark from the bytes held now. The CUDA backend calls it when it is made,
// so its peak_memory_bytes() is "since the backend was made" (backend.h), as the CPU backend's is,
// and not the peak of an earlier backend in the same process (a test run, a batch). The counters
// are per process: a second backend alive at the same time is counted too.
void device_reset_peak();

// Owns `count` elements of T in device memory (plan scratch, converted weights).
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(int64_t count) : count_(count) {
    if (count_ > 0) ptr_ = static_cast<T*>(device_allocate(sizeof(T) * size_t(count_)));
  }
  DeviceArray(DeviceArray&& other) noexcept { swap(other); }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    DeviceArray moved(std::move(other));
    swap(moved);
    return *this;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { device_free(ptr_); }

  T* get() const { return ptr_; }
  int64_t size() const { return count_; }
  size_t bytes() const { return sizeof(T) * size_t(count_); }

 private:
  void swap(DeviceArray& other) noexcept {
    std::swap(ptr_, other.ptr_);
    std::swap(count_, other.count_);
  }
  T* ptr_ = nullptr;
  int64_t count_ = 0;
};

}  // namespace audiostyle::cuda
