// Absurd sizes are refused up front, with the limit named, before anything is read or allocated;
// a memory plan that cannot fit is refused (exit 4) before any buffer exists.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

std::string tone_file(const test::TempDir& dir, const std::string& name, int rate_hz) {
  Audio a;
  a.sample_rate_hz = rate_hz;
  a.channels.assign(1, std::vector<float>(size_t(rate_hz)));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * 100 * double(i) / rate_hz));
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

}  // namespace

TEST_CASE("limits: absurd sizes are refused before any work, naming the limit", "[cli][limits]") {
  test::TempDir dir;
  const std::string in = tone_file(dir, "in.wav", 8000);
  const std::string run = "transfer " + in + " " + in + " -o " + dir.file("o.wav") +
                          " --device cpu -q ";
  const std::pair<const char*, const char*> cases[] = {
      {"--n-fft 1048576", "--n-fft must be an even number in [16, 65536]"},
      {"--filters 1000000000", "--filters must be in [1, 65536]"},
      {"--kernel-width 100000", "--kernel-width must be in [1, 1024]"},
      {"--iterations 1000000000", "--iterations must be in [0, 1000000]"},
      {"--gl-iterations 1000000000", "--gl-iterations must be in [0, 100000]"},
      {"--sample-rate 100000000", "--sample-rate must be in [1000, 384000] Hz"},
      // Past int64 once in samples: undefined behaviour in llround before these limits.
      {"--segment-seconds 1e300", "--segment-seconds must be in [0, 86400]"},
      {"--overlap-seconds 1e300", "--overlap-seconds must be in [0, 86400]"},
      {"--seconds 1e300", "--seconds must be in [0, 86400]"},
      {"--offset 1e300", "--offset must be in [0, 86400]"},
  };
  for (const auto& [flags, says] : cases) {
    const auto start = std::chrono::steady_clock::now();
    const test::CliRun r = test::run_cli(dir, run + flags);
    INFO(flags << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK(r.err == std::string("audiostyle: ") + says + "\n");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  }
  // Texture length.
  const test::CliRun t = test::run_cli(
      dir, "texture " + in + " --seconds 7200 -o " + dir.file("t.wav") + " --device cpu -q");
  CHECK(t.code == 2);
  CHECK(t.err.find("at most 3600") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("o.wav")));
}

TEST_CASE("limits: --sample-rate native refuses a file rate outside the working range",
          "[cli][limits]") {
  test::TempDir dir;
  const std::string slow = tone_file(dir, "slow.wav", 500);
  const test::CliRun r = test::run_cli(dir, "transfer " + slow + " " + slow + " -o " +
                                                dir.file("o.wav") +
                                                " --sample-rate native --device cpu -q");
  INFO(r.err);
  CHECK(r.code == 3);
  CHECK(r.err.find("500 Hz is outside [1000, 384000] Hz") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("o.wav")));
}

TEST_CASE("limits: a memory plan that cannot fit is refused before allocating", "[cli][limits]") {
  test::TempDir dir;
  const std::string in = tone_file(dir, "in.wav", 22050);
  // 65536 filters: the style Gram alone is 16 GiB, the weights 2.1 GiB; the plan is refused with
  // the sizes named (or, where a machine really has the memory, the run is segmented and slow:
  // the test then only needs it not to crash, so it asks for no iterations).
  const auto start = std::chrono::steady_clock::now();
  const test::CliRun r = test::run_cli(
      dir, "transfer " + in + " " + in + " -o " + dir.file("o.wav") +
               " --filters 65536 --iterations 0 --gl-iterations 0 --device cpu -q",
      "ulimit -t 60;");
  INFO(r.err);
  if (r.code == 4) {
    CHECK(r.err.find("not enough memory") != std::string::npos);
    CHECK(r.err.find("MiB are available") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  } else {
    CHECK(r.code == 0);
  }
}
