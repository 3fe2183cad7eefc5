// Method 2 from the command line: a small vgg16 transfer runs end to end with the objective
// falling, and bad weights or flags exit with one clear line.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audiostyle/audio.h"
#include "host/extractors/vgg16.h"
#include "host/io/weights.h"
#include "tests/cli/cli_runner.h"

using namespace audiostyle;

namespace {

std::string write_tone(const test::TempDir& dir, const std::string& name, double hz) {
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels.assign(1, std::vector<float>(4000));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = float(0.3 * std::sin(2 * M_PI * hz * double(i) / 8000) *
                             (0.6 + 0.4 * std::sin(double(i) * 0.003)));
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

// Philox weights up to conv3_1 (the default layers), as the converter would name them.
std::string write_weights(const test::TempDir& dir) {
  const Vgg16Weights w = vgg16_philox_weights(5, 5);
  std::vector<NamedTensor> tensors;
  for (int j = 0; j < 5; ++j) {
    const StackConv& c = vgg16_conv(j);
    tensors.push_back({std::string(c.name) + ".weight", {c.out_channels, c.in_channels, 3, 3},
                       w.weight[size_t(j)]});
    tensors.push_back({std::string(c.name) + ".bias", {c.out_channels}, w.bias[size_t(j)]});
  }
  const std::string path = dir.file("vgg16.safetensors");
  write_safetensors(path, tensors);
  return path;
}

// The run's output (out.wav, the 4000 samples of the inputs) and its report (r.json), whose
// objective must have fallen by a tenth with both terms above zero at the start.
nlohmann::json read_run(const test::TempDir& dir) {
  const Audio out = read_audio(dir.file("out.wav"), {0, true, 0, 0});
  CHECK(out.n_samples() == 4000);
  std::ifstream in(dir.file("r.json"));
  const auto report = nlohmann::json::parse(in);
  const auto& it = report["iterations"];
  REQUIRE(it.size() >= 2);
  CHECK(it.back()["total"].get<double>() < 0.9 * it.front()["total"].get<double>());
  CHECK(it.front()["content"].get<double>() > 0);
  CHECK(it.front()["style"].get<double>() > 0);
  return report;
}

bool one_line(const std::string& err) {
  return err.rfind("audiostyle: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

}  // namespace

TEST_CASE("cli: a vgg16 transfer runs end to end and its objective falls", "[cli][vgg16]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 660);
  const std::string weights = write_weights(dir);
  const std::string common = " --sample-rate 8000 --n-fft 128 --gl-iterations 5 -q";
  const auto run = test::run_cli(dir, "transfer " + content + " " + style + " -o " +
                                          dir.file("out.wav") + " --extractor vgg16 --weights " +
                                          weights + " --iterations 4 --lowpass 3000 --report " +
                                          dir.file("r.json") + common);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_run(dir);
  CHECK(report["config"]["extractor"] == "vgg16");
}

TEST_CASE("cli: vgg16 without weights, with bad weights or bad layers exits with one line",
          "[cli][vgg16]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 660);
  const std::string base = "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
                           " --sample-rate 8000 --n-fft 128 --iterations 1 -q --extractor vgg16";
  auto run = test::run_cli(dir, base);
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("convert_weights.py") && Catch::Contains("vgg16-397923af.pth"));

  // Truncated: the first half of a good file.
  const std::string good = write_weights(dir);
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir.file("half.safetensors"), std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size() / 2));
  run = test::run_cli(dir, base + " --weights " + dir.file("half.safetensors"));
  CHECK(run.code == 3);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("half.safetensors") && Catch::Contains("truncated"));

  // A file lacking the deepest layer asked for names it.
  run = test::run_cli(dir, base + " --weights " + good + " --content-layers conv4_1");
  CHECK(run.code == 3);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("conv3_2.weight"));

  run = test::run_cli(dir, base + " --weights " + good + " --style-layers conv1_1,conv9_9");
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Catch::Contains("conv9_9"));
  run = test::run_cli(dir, base + " --weights " + good + " --style-layers conv1_1:abc");
  CHECK(run.code == 2);
  run = test::run_cli(dir, "transfer " + content + " " + style + " -o " + dir.file("o.wav") +
                               " --style-layers conv1_1");
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Catch::Contains("--extractor vgg16"));
  CHECK(!std::ifstream(dir.file("out.wav")).good());
}

TEST_CASE("cli: --recipe vgg16 sets the paper's defaults, flags given override them",
          "[cli][vgg16][recipes]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 660);
  const std::string weights = write_weights(dir);
  const std::string base = "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
                           " --sample-rate 8000 --n-fft 128 --gl-iterations 2 -q --recipe vgg16";
  auto config_of = [&](const std::string& flags) {
    const auto run = test::run_cli(dir, base + " --weights " + weights + " --report " +
                                            dir.file("r.json") + flags);
    INFO(run.err);
    REQUIRE(run.code == 0);
    std::ifstream in(dir.file("r.json"));
    return nlohmann::json::parse(in)["config"];
  };
  auto config = config_of("");
  CHECK(config["recipe"] == "vgg16");
  CHECK(config["extractor"] == "vgg16");
  CHECK(config["content_layers"] == nlohmann::json({{"conv3_1", 1.0}}));
  CHECK(config["style_layers"] ==
        nlohmann::json({{"conv1_1", 1.0}, {"conv1_2", 1.0}, {"conv2_1", 1.0}, {"conv2_2", 1.0}}));
  CHECK(config["optimizer"] == "lbfgs");
  CHECK(config["iterations"] == 60);
  CHECK(config["lowpass_hz"] == 8000.0);
  CHECK(config["mid_boost_db"] == 3.0);

  config = config_of(" --iterations 2 --style-layers conv1_1:0.5 --lowpass 0 --mid-boost 1");
  CHECK(config["extractor"] == "vgg16");
  CHECK(config["content_layers"] == nlohmann::json({{"conv3_1", 1.0}}));
  CHECK(config["style_layers"] == nlohmann::json({{"conv1_1", 0.5}}));
  CHECK(config["iterations"] == 2);
  CHECK(config["lowpass_hz"] == 0.0);
  CHECK(config["mid_boost_db"] == 1.0);

  // Without --weights: where to get them and how to convert them.
  auto run = test::run_cli(dir, base);
  CHECK(run.code == 2);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::Contains("convert_weights.py") && Catch::Contains("vgg16-397923af.pth"));

  // A texture takes the preset less its content flags.
  run = test::run_cli(dir, "texture " + style + " -o " + dir.file("t.wav") +
                               " --seconds 0.5 --sample-rate 8000 --n-fft 128 --gl-iterations 2"
                               " --iterations 1 -q --recipe vgg16 --weights " + weights);
  INFO(run.err);
  CHECK(run.code == 0);
}

TEST_CASE("cli: vgg16 on a mel view (--vgg-input mel) runs end to end and its objective falls",
          "[cli][vgg16][mel]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440), style = write_tone(dir, "s.wav", 660);
  const std::string weights = write_weights(dir);
  const auto run = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
               " --extractor vgg16 --weights " + weights + " --vgg-input mel --mel-bins 24" +
               " --iterations 4 --report " + dir.file("r.json") +
               " --sample-rate 8000 --n-fft 256 --gl-iterations 5 -q");
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_run(dir);
  CHECK(report["config"]["vgg_input"] == "mel");
  CHECK(report["config"]["mel_bins"] == 24);

  // Fewer bands than the pools up to conv3_1 leave: one line before anything runs.
  const auto few = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + dir.file("few.wav") +
               " --extractor vgg16 --weights " + weights + " --vgg-input mel --mel-bins 3" +
               " --sample-rate 8000 --n-fft 256 -q");
  CHECK(few.code == 2);
  CHECK(one_line(few.err));
  CHECK_THAT(few.err, Catch::Contains("--mel-bins 3") && Catch::Contains("at least 4 bands"));
}
