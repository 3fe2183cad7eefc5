// Ctrl-C stops a run cleanly: exit code 130 and no output or temporary file left behind.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("cli: SIGINT mid-run exits 130 and writes nothing", "[cli]") {
  test::TempDir dir;
  Audio tone;
  tone.sample_rate_hz = 22050;
  tone.channels.assign(1, std::vector<float>(22050 * 3));
  for (size_t i = 0; i < tone.channels[0].size(); ++i)
    tone.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * 440.0 * double(i) / 22050));
  const std::string input = dir.file("in.wav"), output = dir.file("out.wav");
  write_audio(input, tone);

  // Long enough that the signal lands mid-optimisation (Adam has no early stop).
  CHECK(test::run_cli_interrupted({"transfer", input, input, "-o", output, "--device", "cpu",
                                   "--filters", "256", "--optimizer", "adam", "--iterations",
                                   "100000", "-q"},
                                  std::chrono::milliseconds(1500)) == 130);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    CHECK(entry.path().filename() == "in.wav");
}
