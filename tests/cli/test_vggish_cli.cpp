// VGGish from the command line: --recipe vggish runs end to end with the objective falling,
// VGGish's own STFT geometry and the bins it does not see filled; a fixed geometry it cannot use,
// a second pretrained network, a wrong weights count or a bad band exits with one clear line.
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
  CHECK(config["extractor"] == "vggish");
  CHECK(config["n_fft"] == 512);
  CHECK(config["hop"] == 160);
  CHECK(config["win_length"] == 400);
  CHECK(config["unseen_bins"] == "follow");
  // 31.25 Hz bins: 0-4 lie at or below 125 Hz, 240-256 at or above 7.5 kHz.
  CHECK(report["unseen_fill"]["bins"] == 5 + 17);
  const auto& it = report["iterations"];
  REQUIRE(it.size() >= 2);
  CHECK(it.back()["total"].get<double>() < 0.9 * it.front()["total"].get<double>());
  const Audio out = read_audio(dir.file("out.wav"), {0, true, 0, 0});
  CHECK(out.n_samples() == 16000);
}

TEST_CASE("cli: vggish refuses a geometry, a second network, a wrong weight count or a bad band",
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
  run = test::run_cli(dir, base + " --extractor vggish --unseen-bins maybe");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("--unseen-bins must be follow or keep"));
  run = test::run_cli(dir, base + " --extractor vggish --conv1d-band unseen");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("random_conv1d, which --extractor vggish does not include"));
  run = test::run_cli(dir, base + " --conv1d-band 8000-9000x");
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Catch::Contains("LO-HI in Hz"));
  run = test::run_cli(dir, base + " --extractor vggish+random_conv1d --conv1d-band 9000-8000");
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Catch::Contains("needs 0 <= LO < HI"));
  // No bin of n_fft 512 at 16 kHz (31.25 Hz apart) lies in 10-20 Hz: said before any work.
  run = test::run_cli(dir, base + " --extractor vggish+random_conv1d --conv1d-band 10-20");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("no bin of n_fft 512"));
  run = test::run_cli(dir, "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
                               " --iterations 1 -q --conv1d-band unseen");
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("unseen needs a pretrained network"));
  run = test::run_cli(dir, base + " --extractor vggish");
  CHECK(run.code == 0);
}
