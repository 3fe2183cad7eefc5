// The same seed, inputs and flags give bit-identical output files on the CPU backend, run to run;
// another seed gives another file (so the comparison can fail).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("determinism: same seed and flags, bit-identical outputs on the CPU", "[cli][safety]") {
  test::TempDir dir;
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels.assign(2, std::vector<float>(6000));
  for (size_t i = 0; i < 6000; ++i) {
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * 440 * double(i) / 8000));
    a.channels[1][i] = 0.2f * float(std::sin(2 * M_PI * 330 * double(i) / 8000));
  }
  write_audio(dir.file("c.wav"), a);
  const std::string base = "transfer " + dir.file("c.wav") + " " + dir.file("c.wav") +
                           " --n-fft 256 --filters 32 --kernel-width 5 --iterations 4"
                           " --gl-iterations 4 --sample-rate 8000 --device cpu -q --format float";
  // Stereo, L-BFGS and Adam: the batched paths and both optimisers.
  for (const char* optimizer : {"lbfgs", "adam"}) {
    INFO(optimizer);
    const std::string flags = base + " --optimizer " + optimizer;
    for (const char* name : {"1.wav", "2.wav"})
      REQUIRE(test::run_cli(dir, flags + " --seed 7 -o " + dir.file(name)).code == 0);
    REQUIRE(test::run_cli(dir, flags + " --seed 8 -o " + dir.file("3.wav")).code == 0);
    const std::string first = bytes_of(dir.file("1.wav"));
    CHECK(first.size() > 6000 * 2 * 4);
    CHECK(first == bytes_of(dir.file("2.wav")));
    CHECK(first != bytes_of(dir.file("3.wav")));
  }
}
