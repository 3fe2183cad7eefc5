// The command-line tool end to end: exit codes, one clear line per bad input, no output left behind
// on failure, the report's fields on success.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "tests/io/io_fixtures.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;
namespace fs = std::filesystem;

namespace {

using Run = test::CliRun;

Run cli(const test::TempDir& dir, const std::string& args) { return test::run_cli(dir, args); }

Audio tone(double seconds, int rate = 22050, float amplitude = 0.3f) {
  Audio a;
  a.sample_rate_hz = rate;
  a.channels.assign(1, std::vector<float>(size_t(seconds * rate)));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = amplitude * float(std::sin(2 * M_PI * 440.0 * i / rate));
  return a;
}

std::string write(const test::TempDir& dir, const std::string& name, const Audio& audio,
                  SampleFormat format = SampleFormat::pcm16) {
  const std::string path = dir.file(name);
  write_audio(path, audio, WriteOptions{format});
  return path;
}

// Fast settings so that a successful run takes well under a second.
const std::string kFast =
    " --n-fft 256 --hop 64 --filters 32 --kernel-width 3 --iterations 5 --gl-iterations 5"
    " --sample-rate 8000 --device cpu -q";

// Only the inputs remain: no output, no temporary file.
void check_nothing_written(const test::TempDir& dir, const std::vector<std::string>& inputs) {
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    if (name == "stderr.txt") continue;
    bool is_input = false;
    for (const auto& in : inputs) is_input |= fs::path(in).filename() == name;
    INFO("left behind: " << name);
    CHECK(is_input);
  }
}

}  // namespace

TEST_CASE("cli: a small transfer succeeds and writes the output and the report", "[cli]") {
  test::TempDir dir;
  const auto content = write(dir, "content.wav", tone(1.0));
  const auto style = write(dir, "style.flac", tone(1.2, 44100));
  const Run run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("out.wav") +
                               " --report " + dir.file("report.json") + kFast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const Audio out = read_audio(dir.file("out.wav"), ReadOptions{0, true, 0, 0});
  CHECK(out.sample_rate_hz == 8000);
  CHECK(std::abs(out.n_samples() - 8000) <= 1);
  std::ifstream in(dir.file("report.json"));
  const auto report = nlohmann::json::parse(in);
  for (const char* key : {"config", "backend", "device", "iterations", "timings_ms", "output"})
    CHECK(report.contains(key));
  CHECK(report["backend"] == "cpu");
  REQUIRE(report["iterations"].size() >= 1);
  for (const char* key : {"iteration", "total", "content", "style"})
    CHECK(report["iterations"][0].contains(key));
  CHECK(report["timings_ms"].contains("optimise"));
  CHECK(report["timings_ms"].contains("griffin_lim"));
}

TEST_CASE("cli: texture writes the requested length", "[cli]") {
  test::TempDir dir;
  const auto style = write(dir, "style.wav", tone(1.0));
  const Run run = cli(dir, "texture " + style + " -o " + dir.file("tex.flac") + " --seconds 1.5" + kFast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(std::abs(read_audio(dir.file("tex.flac"), ReadOptions{0, true, 0, 0}).n_samples() - 12000) <= 1);
}

TEST_CASE("cli: info and help exit 0", "[cli]") {
  test::TempDir dir;
  CHECK(cli(dir, "info").code == 0);
  CHECK(cli(dir, "--help > /dev/null").code == 0);
  CHECK(cli(dir, "transfer --help > /dev/null").code == 0);
}

TEST_CASE("cli: bad input files exit 3 with one clear line and no output", "[cli]") {
  test::TempDir dir;
  const auto good = write(dir, "good.wav", tone(1.0));
  std::vector<std::string> inputs = {good};
  const std::string out = " -o " + dir.file("out.wav") + kFast;

  SECTION("missing content") {
    const Run run = cli(dir, "transfer " + dir.file("nope.wav") + " " + good + out);
    CHECK(run.code == 3);
    CHECK(run.err.find("nope.wav") != std::string::npos);
  }
  SECTION("corrupt content (text named .wav)") {
    const std::string path = dir.file("text.wav");
    std::ofstream(path) << "this is not audio, just some text pretending to be a wav file\n";
    inputs.push_back(path);
    const Run run = cli(dir, "transfer " + path + " " + good + out);
    CHECK(run.code == 3);
    CHECK(run.err.find("text.wav") != std::string::npos);
  }
  SECTION("a folder given as the style") {
    fs::create_directory(dir.file("folder.wav"));
    inputs.push_back(dir.file("folder.wav"));
    const Run run = cli(dir, "transfer " + good + " " + dir.file("folder.wav") + out);
    CHECK(run.code == 3);
  }
  SECTION("empty content") {
    const std::string path = dir.file("empty.wav");
    {
      // libsndfile writes a valid header with zero frames.
      write_audio(path, tone(0.0));
    }
    inputs.push_back(path);
    const Run run = cli(dir, "transfer " + path + " " + good + out);
    CHECK(run.code == 3);
    CHECK(run.err.find("empty.wav") != std::string::npos);
  }
  SECTION("silent style") {
    const auto path = write(dir, "silent.wav", tone(1.0, 22050, 0.0f));
    inputs.push_back(path);
    const Run run = cli(dir, "transfer " + good + " " + path + out);
    CHECK(run.code == 3);
    CHECK(run.err.find("silent") != std::string::npos);
  }
  SECTION("NaN samples") {
    Audio bad = tone(1.0);
    bad.channels[0][1234] = std::numeric_limits<float>::quiet_NaN();
    // Our writer refuses NaN, so libsndfile writes it directly.
    const std::string path = dir.file("nan.wav");
    REQUIRE(test::write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, bad.channels));
    inputs.push_back(path);
    const Run run = cli(dir, "transfer " + path + " " + good + out);
    CHECK(run.code == 3);
    CHECK(run.err.find("nan.wav") != std::string::npos);
  }
  SECTION("a clip shorter than the kernel") {
    const auto path = write(dir, "short.wav", tone(0.01));
    inputs.push_back(path);
    const Run run = cli(dir, "transfer " + path + " " + good + " -o " + dir.file("out.wav") +
                                 " --kernel-width 11 --device cpu -q --iterations 1");
    CHECK(run.code == 3);
    CHECK(run.err.find("too short") != std::string::npos);
  }
  SECTION("an output folder that does not exist") {
    const Run run = cli(dir, "transfer " + good + " " + good + " -o " +
                                 dir.file("no/such/dir/out.wav") + kFast);
    CHECK(run.code == 3);
    CHECK(run.err.find("out.wav") != std::string::npos);
  }
  SECTION("an unsupported output extension") {
    const Run run = cli(dir, "transfer " + good + " " + good + " -o " + dir.file("out.xyz") + kFast);
    CHECK(run.code == 3);
  }
  check_nothing_written(dir, inputs);
}

TEST_CASE("cli: invalid flags and combinations exit 2", "[cli]") {
  test::TempDir dir;
  const auto good = write(dir, "good.wav", tone(1.0));
  const std::string base = "transfer " + good + " " + good + " -o " + dir.file("out.wav") + " -q";
  for (const char* flags :
       {" --iterations -1", " --optimizer sgd", " --n-fft 1023", " --hop 4096 --n-fft 2048",
        " --momentum 1.5", " --device tpu", " --precision fp8", " --no-such-flag", " --alpha -1",
        " --filters 0", " --init zeros", " --format mp3", " --seed -3"}) {
    INFO(flags);
    const Run run = cli(dir, base + flags);
    CHECK(run.code == 2);
    CHECK(!run.err.empty());
  }
  CHECK(cli(dir, "texture " + good + " -o " + dir.file("t.wav") + " -q").code == 2);  // no --seconds
  CHECK(cli(dir, "").code == 2);  // no subcommand
  check_nothing_written(dir, {good});
}

TEST_CASE("cli: --device cuda without a usable device exits 4", "[cli]") {
  // CUDA_VISIBLE_DEVICES= hides every device from the CUDA runtime, so this holds on a GPU machine
  // too (and on a build without CUDA, where no device is ever usable).
  test::TempDir dir;
  const auto good = write(dir, "good.wav", tone(1.0));
  const Run run = test::run_cli(dir,
                                "transfer " + good + " " + good + " -o " + dir.file("out.wav") +
                                    " --device cuda -q",
                                "CUDA_VISIBLE_DEVICES=");
  CHECK(run.code == 4);
  CHECK(run.err.find("CUDA") != std::string::npos);
  check_nothing_written(dir, {good});
}

TEST_CASE("cli: stereo in, stereo out; --channels mono downmixes; native rate keeps 44.1 kHz",
          "[cli]") {
  test::TempDir dir;
  Audio stereo = tone(1.0, 44100);
  stereo.channels.push_back(tone(1.0, 44100, 0.2f).channels[0]);
  const auto content = write(dir, "stereo.wav", stereo);
  const auto style = write(dir, "style.wav", tone(1.0));
  const std::string fast =
      " --filters 32 --kernel-width 3 --iterations 3 --gl-iterations 3 --device cpu -q";

  Run run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("auto.wav") +
                         " --sample-rate 8000 --n-fft 256" + fast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(read_audio(dir.file("auto.wav"), ReadOptions{0, false, 0, 0}).n_channels() == 2);

  run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("mono.wav") +
                     " --sample-rate 8000 --n-fft 256 --channels mono" + fast);
  REQUIRE(run.code == 0);
  CHECK(read_audio(dir.file("mono.wav"), ReadOptions{0, false, 0, 0}).n_channels() == 1);

  run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("native.wav") +
                     " --sample-rate native --channels mid-side --report " +
                     dir.file("native.json") + fast);
  REQUIRE(run.code == 0);
  const Audio native = read_audio(dir.file("native.wav"), ReadOptions{0, false, 0, 0});
  CHECK(native.sample_rate_hz == 44100);
  CHECK(native.n_channels() == 2);
  std::ifstream in(dir.file("native.json"));
  const auto report = nlohmann::json::parse(in);
  CHECK(report["config"]["n_fft"] == 4096);
  CHECK(report["config"]["hop"] == 1024);
  CHECK(report["channel_mode"] == "mid-side");

  run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("x.wav") +
                     " --channels surround" + fast);
  CHECK(run.code == 2);
  run = cli(dir, "transfer " + content + " " + style + " -o " + dir.file("x.wav") +
                     " --sample-rate fast" + fast);
  CHECK(run.code == 2);
}
