// Levels, rates and channels (issue 11, items 5-8): the output comes back at the content's rate and
// loudness, --format never lies about FLAC, and more than two channels under auto are said.
#include <catch2/catch.hpp>
#include <regex>

#include "host/io/loudness.h"
#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;

TEST_CASE("cli levels: the output is written at the content's rate unless --output-rate says",
          "[cli][levels]") {
  TempDir dir;
  const auto content = write_wav(dir, "content.wav", sines(1.0, 44100, 2));
  const auto style = write_wav(dir, "style.wav", sines(1.2, 22050));
  const std::string base = "transfer " + content + " " + style + kTiny;
  Run run = run_cli(dir, base + " -o " + dir.file("a.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const Audio a = read_audio(dir.file("a.wav"), ReadOptions{0, false, 0, 0});
  CHECK(a.sample_rate_hz == 44100);
  CHECK(a.n_channels() == 2);
  CHECK(std::abs(a.n_samples() - 44100) <= 8);
  // The "wrote" line names rate, channels, length and format.
  CHECK(contains(run.err, "44100 Hz, 2 channels, 1.00 s, WAV pcm16"));

  for (const auto& [flag, rate] :
       {std::pair<std::string, int>{"working", 8000}, {"48000", 48000}}) {
    run = run_cli(dir, base + " --output-rate " + flag + " -o " + dir.file("b.wav") + " -q");
    REQUIRE(run.code == 0);
    CHECK(read_audio(dir.file("b.wav"), ReadOptions{0, false, 0, 0}).sample_rate_hz == rate);
  }
  CHECK(run_cli(dir, base + " --output-rate fast -o " + dir.file("c.wav") + " -q").code == 2);
}

TEST_CASE("cli levels: the output matches the content's integrated loudness under 0 dBFS",
          "[cli][levels]") {
  TempDir dir;
  // A content at a music-like -15 LUFS: the output must be raised to it and limited, not left
  // 10-30 dB quieter (the synthesised level).
  const auto content = write_wav(dir, "content.wav", sines(2.0, 22050, 1, 0.12f));
  const auto style = write_wav(dir, "style.wav", sines(1.2, 22050));
  const double content_lufs =
      io::integrated_loudness(read_audio(content, ReadOptions{0, false, 0, 0}));
  const std::string base = "transfer " + content + " " + style + kTiny + " -q";
  REQUIRE(
      run_cli(dir, base + " -o " + dir.file("m.wav") + " --report " + dir.file("m.json")).code ==
      0);
  const Audio matched = read_audio(dir.file("m.wav"), ReadOptions{0, false, 0, 0});
  CHECK(std::abs(io::integrated_loudness(matched) - content_lufs) < 1.0);
  CHECK(peak(matched) <= 0.99f);
  CHECK(content_lufs < -12);
  CHECK(content_lufs > -20);
  const auto report = read_json(dir.file("m.json"));
  CHECK(report["level"]["mode"] == "match");
  CHECK(std::abs(report["level"]["source_lufs"].get<double>() - content_lufs) < 0.01);

  REQUIRE(run_cli(dir, base + " --loudness -30 -o " + dir.file("t.wav")).code == 0);
  CHECK(
      std::abs(io::integrated_loudness(read_audio(dir.file("t.wav"), ReadOptions{0, false, 0, 0})) +
               30) < 1.0);
  REQUIRE(run_cli(dir, base + " --loudness off -o " + dir.file("o.wav") + " --report " +
                           dir.file("o.json"))
              .code == 0);
  CHECK(read_json(dir.file("o.json"))["level"]["gain_db"] == 0.0);
  CHECK(run_cli(dir, base + " --loudness loud -o " + dir.file("x.wav")).code == 2);
}

TEST_CASE("cli levels: content near silence gets a warning", "[cli][levels]") {
  TempDir dir;
  const auto content = write_wav(dir, "quiet.wav", sines(1.0, 22050, 1, 3e-5f));  // -90 dBFS
  const auto style = write_wav(dir, "style.wav", sines(1.2, 22050));
  Run run = run_cli(dir, "transfer " + content + " " + style + kTiny + " -o " + dir.file("o.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "audiostyle: warning: the content is near silence"));
  // The content's own peak (about -90 dBFS at 16 bits), not the unset -240 of an empty level.
  CHECK(std::regex_search(run.err, std::regex("peak -9[01]\\.[0-9] dBFS")));
}

TEST_CASE(
    "cli levels: --format float with a FLAC output is refused, and the report tells the truth",
    "[cli][levels]") {
  TempDir dir;
  const auto content = write_wav(dir, "content.wav", sines(1.0, 8000));
  const std::string base = "transfer " + content + " " + content + kTiny + " -q";
  Run run = run_cli(dir, base + " --format float -o " + dir.file("o.flac"));
  CHECK(run.code == 2);
  CHECK(contains(run.err, "audiostyle: --format float: FLAC stores integer samples only"));
  CHECK(!std::filesystem::exists(dir.file("o.flac")));
  REQUIRE(run_cli(dir, base + " --format pcm24 -o " + dir.file("o.flac") + " --report " +
                           dir.file("r.json"))
              .code == 0);
  CHECK(read_json(dir.file("r.json"))["output"]["format"] == "FLAC pcm24");
  REQUIRE(run_cli(dir, base + " --format float -o " + dir.file("o.wav") + " --report " +
                           dir.file("w.json"))
              .code == 0);
  CHECK(read_json(dir.file("w.json"))["output"]["format"] == "WAV float");
}

TEST_CASE("cli levels: more than two channels under --channels auto are downmixed, and said",
          "[cli][levels]") {
  TempDir dir;
  const auto content = write_wav(dir, "three.wav", sines(1.0, 8000, 3));
  Run run =
      run_cli(dir, "transfer " + content + " " + content + kTiny + " -o " + dir.file("o.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(contains(run.err,
                 "audiostyle: note: the content has 3 channels: --channels auto downmixes "
                 "them to mono"));
  CHECK(read_audio(dir.file("o.wav"), ReadOptions{0, false, 0, 0}).n_channels() == 1);
  run = run_cli(dir, "transfer " + content + " " + content + kTiny + " --channels stereo -o " +
                         dir.file("s.wav"));
  REQUIRE(run.code == 0);
  CHECK(!contains(run.err, "downmixes"));
  CHECK(read_audio(dir.file("s.wav"), ReadOptions{0, false, 0, 0}).n_channels() == 2);
}
