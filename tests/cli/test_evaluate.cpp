// `audiostyle evaluate` and the --evaluate / --plots flags of transfer and texture, end to end.
#include <cairo.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audiostyle/audio.h"
#include "tests/cli/cli_runner.h"
#include "tests/support.h"

using namespace audiostyle;
namespace fs = std::filesystem;

namespace {

std::string write_tone(const test::TempDir& dir, const std::string& name, double hz,
                       double seconds, int rate = 8000) {
  Audio a;
  a.sample_rate_hz = rate;
  a.channels.assign(1, std::vector<float>(size_t(seconds * rate)));
  for (size_t i = 0; i < a.channels[0].size(); ++i)
    a.channels[0][i] = 0.3f * float(std::sin(2 * M_PI * hz * i / rate)) *
                       float(0.5 + 0.5 * std::sin(2 * M_PI * 2.0 * i / rate));  // 2 Hz tremolo
  const std::string path = dir.file(name);
  write_audio(path, a);
  return path;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::pair<int, int> png_size(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  const std::pair<int, int> size{cairo_image_surface_get_width(s), cairo_image_surface_get_height(s)};
  cairo_surface_destroy(s);
  return size;
}

const std::string kFast =
    " --n-fft 256 --hop 64 --filters 32 --kernel-width 3 --iterations 5 --gl-iterations 5"
    " --sample-rate 8000 --device cpu -q";

}  // namespace

TEST_CASE("cli: evaluate scores the content against itself as the best answer", "[cli][eval]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440, 1.5);
  const std::string style = write_tone(dir, "s.wav", 1200, 1.5);
  const std::string report = dir.file("e.json");
  const test::CliRun run = test::run_cli(dir, "evaluate " + content + " --content " + content +
                                                  " --style " + style + " --device cpu -q" +
                                                  " --report " + report + " --plots " +
                                                  dir.file("plots") + " > " + dir.file("out.txt"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto json = read_json(report);
  CHECK(json["command"] == "evaluate");
  CHECK(json["backend"] == "cpu");
  const auto& c = json["evaluation"]["candidates"];
  CHECK(c["output"]["content"]["chroma_similarity"].get<double>() == Approx(1.0));
  CHECK(c["output"]["content"]["onset_correlation"].get<double>() == Approx(1.0));
  CHECK(c["style"]["style"]["gram_distance"].get<double>() == 0.0);
  CHECK(c["output"]["style"]["gram_distance"].get<double>() > 0.0);
  CHECK(c["output"]["signal"]["spectral_convergence_db"].is_null());
  CHECK(c["output"]["signal"]["loudness_lufs"].get<double>() < -5);
  std::ifstream table(dir.file("out.txt"));
  std::stringstream text;
  text << table.rdbuf();
  CHECK(text.str().find("content: chroma similarity") != std::string::npos);
  CHECK(text.str().find("output") != std::string::npos);
  const auto size = png_size(dir.file("plots/spectrograms.png"));
  CHECK(size.first > 3 * 360);  // three panels
  CHECK_FALSE(fs::exists(dir.file("plots/losses.png")));  // no run, no losses
}

TEST_CASE("cli: evaluate refuses bad calls with their exit codes", "[cli][eval]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440, 1.0);
  test::CliRun run = test::run_cli(dir, "evaluate " + content + " --device cpu");
  CHECK(run.code == 2);
  CHECK(run.err.find("audiostyle: evaluate needs --content, --style or both") != std::string::npos);
  run = test::run_cli(dir, "evaluate " + dir.file("missing.wav") + " --content " + content +
                               " --device cpu -q");
  CHECK(run.code == 3);
  CHECK(run.err.rfind("audiostyle:", 0) == 0);
  run = test::run_cli(dir, "evaluate " + content + " --content " + content + " --report " +
                               dir.file("no/such/dir/e.json") + " --device cpu -q");
  CHECK(run.code == 3);
}

TEST_CASE("cli: transfer --evaluate --plots writes the scores and both pictures", "[cli][eval]") {
  test::TempDir dir;
  const std::string content = write_tone(dir, "c.wav", 440, 1.0);
  const std::string style = write_tone(dir, "s.wav", 1200, 1.0);
  const std::string report = dir.file("r.json");
  const test::CliRun run = test::run_cli(
      dir, "transfer " + content + " " + style + " -o " + dir.file("o.wav") + " --report " +
               report + " --evaluate --plots " + dir.file("p") + kFast + " > " + dir.file("t.txt"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto json = read_json(report);
  REQUIRE(json.contains("evaluation"));
  const auto& output = json["evaluation"]["candidates"]["output"];
  // From the run: Griffin-Lim's spectral convergence is known here.
  CHECK(output["signal"]["spectral_convergence_db"].get<double>() ==
        Approx(json["griffin_lim"]["spectral_convergence_db"].get<double>()));
  CHECK(json["evaluation"]["candidates"].contains("content"));
  for (const auto& net : json["evaluation"]["analysis"]["gram_nets"])
    CHECK(net["kernel_width"] != 3);  // the run's K
  CHECK(png_size(dir.file("p/spectrograms.png")).first > 3 * 360);
  const auto losses = png_size(dir.file("p/losses.png"));
  CHECK(losses.first > 500);
  CHECK(losses.second > 200);
}

TEST_CASE("cli: texture --plots draws the style and the output", "[cli][eval]") {
  test::TempDir dir;
  const std::string style = write_tone(dir, "s.wav", 1200, 1.0);
  const test::CliRun run = test::run_cli(dir, "texture " + style + " -o " + dir.file("o.wav") +
                                                  " --seconds 1 --plots " + dir.file("p") + kFast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto size = png_size(dir.file("p/spectrograms.png"));
  CHECK(size.first > 2 * 360);
  CHECK(size.first < 3 * 360);  // two panels, no content
  CHECK(fs::exists(dir.file("p/losses.png")));
}

TEST_CASE("cli: a stereo run's report and progress give the item count and per-item losses",
          "[cli]") {
  test::TempDir dir;
  Audio content;
  content.sample_rate_hz = 8000;
  for (const double hz : {440.0, 660.0}) {
    std::vector<float> ch(8000);
    for (size_t i = 0; i < ch.size(); ++i) ch[i] = 0.3f * float(std::sin(2 * M_PI * hz * i / 8000));
    content.channels.push_back(ch);
  }
  write_audio(dir.file("c.wav"), content);
  const std::string style = write_tone(dir, "s.wav", 1200, 1.0);
  std::string fast = kFast;
  fast.erase(fast.find(" -q"));  // the progress lines are what is checked
  const test::CliRun run =
      test::run_cli(dir, "transfer " + dir.file("c.wav") + " " + style + " -o " + dir.file("o.wav") +
                             " --report " + dir.file("r.json") + fast);
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(run.err.find("= 2 items: mid ") != std::string::npos);
  CHECK(run.err.find(" + side ") != std::string::npos);
  const auto json = read_json(dir.file("r.json"));
  CHECK(json["final"]["item_count"] == 2);
  REQUIRE(json["final"]["items"].size() == 2);
  CHECK(json["final"]["items"][0]["name"] == "mid");
  CHECK(json["final"]["items"][1]["name"] == "side");
  const double sum = json["final"]["items"][0]["total"].get<double>() +
                     json["final"]["items"][1]["total"].get<double>();
  CHECK(json["final"]["total"].get<double>() == Approx(sum));
  REQUIRE(json["iterations"].size() >= 1);
  CHECK(json["iterations"][0]["items"]["style"].size() == 2);
}
