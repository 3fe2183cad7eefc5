// `audiostyle reconstruct`: drops the phase of a file and rebuilds it; its report carries the
// spectral convergence; bad flags and inputs exit with the documented codes.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// A 2 s harmonic tone with vibrato, stereo with the right channel quieter: a consistent magnitude.
std::string write_tone(const test::TempDir& dir, int channels) {
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels.assign(size_t(channels), std::vector<float>(16000));
  for (size_t i = 0; i < 16000; ++i) {
    const double t = double(i) / 8000;
    const double phase = 2 * M_PI * 220 * t + 2 * std::sin(2 * M_PI * 4 * t);
    double y = 0;
    for (int h = 1; h <= 5; ++h) y += 0.3 / h * std::sin(h * phase);
    for (int c = 0; c < channels; ++c) a.channels[size_t(c)][i] = float(y * (c == 0 ? 1.0 : 0.6));
  }
  const std::string path = dir.file(channels == 1 ? "tone.wav" : "tone_stereo.wav");
  write_audio(path, a, WriteOptions{SampleFormat::float32});
  return path;
}

const std::string kSmall = " --sample-rate 8000 --n-fft 256 --hop 64 --device cpu -q";

double convergence_db(const std::string& report_path) {
  std::ifstream in(report_path);
  const auto report = nlohmann::json::parse(in);
  return report.at("griffin_lim").at("spectral_convergence_db").get<double>();
}

}  // namespace

TEST_CASE("cli: reconstruct rebuilds a file and reports the spectral convergence", "[cli][reconstruct]") {
  test::TempDir dir;
  const std::string in = write_tone(dir, 1);
  const auto run = test::run_cli(dir, "reconstruct " + in + " -o " + dir.file("out.wav") +
                                          " --gl-iterations 60 --report " + dir.file("r.json") + kSmall);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const Audio out = read_audio(dir.file("out.wav"), ReadOptions{0, false, 0, 0});
  CHECK(out.sample_rate_hz == 8000);
  CHECK(out.n_channels() == 1);
  CHECK(out.n_samples() == 16000);
  std::ifstream report_in(dir.file("r.json"));
  const auto report = nlohmann::json::parse(report_in);
  CHECK(report["config"]["command"] == "reconstruct");
  CHECK(report["config"]["gl_algorithm"] == "fgla");
  CHECK(report["timings_ms"].contains("griffin_lim"));
  const double db = report["griffin_lim"]["spectral_convergence_db"].get<double>();
  CHECK(db < -15.0);  // 60 fast Griffin-Lim iterations on a clean tone get far below that
}

TEST_CASE("cli: reconstruct with pghi starts closer than a random phase", "[cli][reconstruct]") {
  test::TempDir dir;
  const std::string in = write_tone(dir, 1);
  // No iterations: the initial phase alone.
  for (const char* init : {"random", "pghi"}) {
    const auto run = test::run_cli(dir, "reconstruct " + in + " -o " + dir.file("out.wav") +
                                            " --gl-iterations 0 --phase-init " + init +
                                            " --report " + dir.file(std::string(init) + ".json") +
                                            kSmall);
    INFO(run.err);
    REQUIRE(run.code == 0);
  }
  const double random_db = convergence_db(dir.file("random.json"));
  const double pghi_db = convergence_db(dir.file("pghi.json"));
  INFO("random " << random_db << " dB, pghi " << pghi_db << " dB");
  CHECK(random_db > -8.0);
  CHECK(pghi_db < -15.0);
}

TEST_CASE("cli: reconstruct keeps a stereo file stereo", "[cli][reconstruct]") {
  test::TempDir dir;
  const std::string in = write_tone(dir, 2);
  const auto run = test::run_cli(dir, "reconstruct " + in + " -o " + dir.file("out.wav") +
                                          " --gl-iterations 30 --gl-algorithm agla" + kSmall);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const Audio out = read_audio(dir.file("out.wav"), ReadOptions{0, false, 0, 0});
  REQUIRE(out.n_channels() == 2);
  // The input's channels are one signal at two levels (correlation 1): the output's must stay
  // within the 0.1 of it. (Its side is the difference of two rebuilt channels, rescaled
  // to the input's level: partly incoherent with the mid, so not exactly 1.)
  double lr = 0, ll = 0, rr = 0;
  for (int64_t i = 0; i < out.n_samples(); ++i) {
    const double l = out.channels[0][size_t(i)], r = out.channels[1][size_t(i)];
    lr += l * r;
    ll += l * l;
    rr += r * r;
  }
  CHECK(lr / std::sqrt(ll * rr) > 0.9);
}

TEST_CASE("cli: reconstruct refuses bad flags (2) and bad input (3)", "[cli][reconstruct]") {
  test::TempDir dir;
  const std::string in = write_tone(dir, 1);
  const std::string out = " -o " + dir.file("out.wav");
  auto content = test::run_cli(dir, "reconstruct " + in + out + " --phase-init content" + kSmall);
  CHECK(content.code == 2);
  CHECK(content.err.rfind("audiostyle: ", 0) == 0);
  CHECK(test::run_cli(dir, "reconstruct " + in + out + " --gl-algorithm slow" + kSmall).code == 2);
  CHECK(test::run_cli(dir, "reconstruct " + dir.file("missing.wav") + out + kSmall).code == 3);
}
