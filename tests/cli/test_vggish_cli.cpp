// VGGish from the command line: --recipe vggish runs end to end (VGGish + method 1's random conv on
// one spectrogram) with the objective falling and VGGish's own STFT geometry; a fixed geometry it
// cannot use, a second pretrained network or a wrong weights count exits with one clear line.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"

using namespace audiostyle;

namespace {

std::string write_tone(const test::TempDir& dir, const std::string& name, double hz) {
  Audio a;
  a.sample_rate_hz = 16000;
  a.channels.assign(1, std::vector<float>(16000));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = float(0.3 * std::sin(2 * M_PI * hz * double(i) / 16000) *
                             (0.6 + 0.4 * std::sin(double(i) * 0.002)));
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

bool one_line(const std::string& err) {
  return err.rfind("audiostyle: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

}  // namespace

TEST_CASE("cli: --recipe vggish runs end to end at VGGish's geometry, the objective falling",
          "[cli][vggish]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 880);
  // The converter's file of a random-init torchvggish (conv1, conv2): layers up to relu2.
  const std::string weights = test::source_path("tests/golden/vggish_converted_tiny.safetensors");
  const auto run = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
               " --recipe vggish --weights " + weights +
               " --content-layers relu2:1000 --style-layers relu1:1.5 --filters 64 --iterations 6"
               " --gl-iterations 4 --sample-rate 16000 -q --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  std::ifstream in(dir.file("r.json"));
  const auto report = nlohmann::json::parse(in);
  const auto& config = report["config"];
  CHECK(config["extractor"] == "vggish+random_conv1d");
  CHECK(config["n_fft"] == 512);
  CHECK(config["hop"] == 160);
  CHECK(config["win_length"] == 400);
  CHECK(config["extractor_weights"]["random_conv1d"].get<double>() == Approx(0.1));
  const auto& it = report["iterations"];
  REQUIRE(it.size() >= 2);
  CHECK(it.back()["total"].get<double>() < 0.9 * it.front()["total"].get<double>());
  const Audio out = read_audio(dir.file("out.wav"), {0, true, 0, 0});
  CHECK(out.n_samples() == 16000);
}

TEST_CASE("cli: vggish refuses a geometry, a second network and a wrong weight count in one line",
          "[cli][vggish]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 880);
  const std::string weights = test::source_path("tests/golden/vggish_converted_tiny.safetensors");
  const std::string base = "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
                           " --sample-rate 16000 --iterations 1 -q --weights " + weights +
                           " --style-layers relu1 --content-layers relu2";
  auto run = test::run_cli(dir, base + " --extractor vggish --n-fft 1024");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("n_fft 512, hop 160, window 400"));
  run = test::run_cli(dir, base + " --extractor vggish+vgg16");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("one pretrained network"));
  run = test::run_cli(dir, base + " --extractor vggish+random_conv1d --extractor-weights 1");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("1 weights for 2 extractors"));
  run = test::run_cli(dir, base + " --extractor vggish");
  CHECK(run.code == 0);
  // The recipe's two extractor weights belong to its own sum: a user's --extractor drops them.
  run = test::run_cli(dir, base + " --recipe vggish --extractor vggish --gl-iterations 2");
  INFO(run.err);
  CHECK(run.code == 0);
}
