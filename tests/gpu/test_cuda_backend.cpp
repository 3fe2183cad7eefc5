// The CUDA backend's device listing, memory transfers and out-of-memory error.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "audiostyle/errors.h"
#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: cuda_devices describes the device the backend opens", "[cuda_backend]") {
  std::string why = "unchanged";
  const auto devices = cuda_devices(&why);
  REQUIRE(!devices.empty());
  CHECK(why.empty());
  CHECK(cuda_compiled());
  for (const auto& device : devices) {
    INFO("device " << device.index << " " << device.name);
    CHECK(!device.name.empty());
    CHECK(device.free_memory_bytes > 0);
    CHECK(device.free_memory_bytes <= device.total_memory_bytes);
    CHECK(device.compute_major >= 8);  // the oldest architecture compiled is sm_80
  }
  auto backend = make_cuda_backend(devices[0].index);
  CHECK(backend->name() == "cuda");
  CHECK(backend->device_name() == devices[0].name);
  CHECK(backend->available_memory_bytes() > 0);
  CHECK(backend->available_memory_bytes() <= devices[0].total_memory_bytes);
  CHECK_THROWS_AS(make_cuda_backend(int(devices.size()) + 7), DeviceError);
}

TEST_CASE("gpu: upload, copy and download move bytes exactly", "[cuda_backend]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = test::make_gpu_backend();
  const auto host = test::random_normal(1000003, seed);
  auto source = test::buffer_from(*backend, host);
  auto target = test::poisoned_buffer<float>(*backend, source.size());
  backend->copy(target.get(), source.get(), source.bytes());
  const auto back = target.download();
  REQUIRE(back.size() == host.size());
  CHECK(std::memcmp(back.data(), host.data(), source.bytes()) == 0);

  const std::vector<double> slots_host = {1.0 / 3.0, -2.5e300};
  auto slots = test::buffer_from(*backend, slots_host);
  CHECK(slots.download() == slots_host);
}

TEST_CASE("gpu: allocating more than the device holds throws 'out of device memory'",
          "[cuda_backend]") {
  const auto devices = cuda_devices();
  REQUIRE(!devices.empty());
  auto backend = make_cuda_backend(devices[0].index);
  const size_t too_many_bytes = devices[0].total_memory_bytes + (size_t(1) << 30);
  std::string message;
  try {
    void* ptr = backend->allocate(too_many_bytes);
    backend->deallocate(ptr);
  } catch (const DeviceError& error) {
    message = error.what();
  }
  INFO("message: " << message);
  CHECK(message.find("out of device memory") != std::string::npos);
  const size_t needed_mib = (too_many_bytes + (size_t(1) << 20) - 1) >> 20;
  CHECK(message.find("needed " + std::to_string(needed_mib) + " MiB") != std::string::npos);
  CHECK(message.find(devices[0].name) != std::string::npos);

  // The failed cudaMalloc must not leak into the next launch check.
  Buffer<float> x(*backend, 4099);
  backend->fill(x.get(), x.size(), 2.5f);
  for (float value : x.download()) REQUIRE(value == 2.5f);
}

// Run in a child process (the hidden test below) so that, should the runtime queue the null copy
// instead of refusing it, the sticky fault it leaves poisons only that process, not every later
// test of this one; the parent asserts on the child's exit status and its Catch report.
TEST_CASE("gpu: a failed runtime call is not blamed on the next launch", "[cuda_backend]") {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command =
      "'" + self + "' 'gpu: (child) a null copy throws and the next launch is clean' 2>&1";
  std::string output;
  FILE* child = popen(command.c_str(), "r");
  REQUIRE(child != nullptr);
  char chunk[4096];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, child)) output.append(chunk, n);
  const int status = pclose(child);
  INFO("child output:\n" << output);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(output.find("All tests passed") != std::string::npos);  // it ran, and passed
}

TEST_CASE("gpu: (child) a null copy throws and the next launch is clean", "[.isolated]") {
  auto backend = test::make_gpu_backend();
  Buffer<float> x(*backend, 1000);
  // cudaMemcpyAsync to a null pointer fails with cudaErrorInvalidValue (not sticky); the runtime
  // also records it as the last error, which the next launch check must not report.
  CHECK_THROWS_AS(backend->copy(nullptr, x.get(), x.bytes()), DeviceError);
  backend->fill(x.get(), x.size(), 1.5f);
  for (float value : x.download()) REQUIRE(value == 1.5f);
}

TEST_CASE("gpu: peak memory counts from the backend's creation", "[cuda_backend]") {
  constexpr size_t kMiB = size_t(1) << 20;
  size_t first_peak = 0;
  {
    auto first = test::make_gpu_backend();
    Buffer<float> big(*first, int64_t(256 * kMiB / sizeof(float)));
    first_peak = first->peak_memory_bytes();
  }
  INFO("first backend's peak " << first_peak / kMiB << " MiB");
  CHECK(first_peak >= 256 * kMiB);
  auto second = test::make_gpu_backend();
  const size_t baseline = second->peak_memory_bytes();  // its own workspaces
  INFO("second backend's peak at creation " << baseline / kMiB << " MiB");
  CHECK(baseline < 256 * kMiB);  // the first backend's buffer is gone and not counted
  {
    Buffer<float> held(*second, int64_t(64 * kMiB / sizeof(float)));
    CHECK(second->peak_memory_bytes() >= baseline + 64 * kMiB);
  }
  // A high-water mark: it stays after the buffer is freed.
  CHECK(second->peak_memory_bytes() >= baseline + 64 * kMiB);
}
