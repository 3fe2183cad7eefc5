// Pipes, threads and formats (issue 11, item 13): `-` reads stdin and writes WAV to stdout,
// --threads sets the CPU's, and .ogg, .opus and .mp3 outputs are written where libsndfile can.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;

TEST_CASE("cli streams: - reads stdin and writes WAV to stdout", "[cli][streams]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 8000));
  const std::string out = dir.file("piped.wav");
  const Run run = run_cli(dir, "transfer - " + content + kTiny + " -o - --report " +
                                   dir.file("r.json") + " <" + content + " >" + out);
  INFO(run.err);
  REQUIRE(run.code == 0);
  const Audio piped = read_audio(out, ReadOptions{0, false, 0, 0});
  CHECK(piped.sample_rate_hz == 8000);
  CHECK(std::abs(piped.n_samples() - 8000) <= 8);
  const auto r = read_json(dir.file("r.json"));
  CHECK(r["sources"]["content"]["path"] == "-");
  CHECK(contains(run.err, "wrote stdout"));
  // An empty stdin is bad input, said about "-".
  const Run empty =
      run_cli(dir, "transfer - " + content + kTiny + " -o " + dir.file("x.wav") + " </dev/null");
  CHECK(empty.code == 3);
  CHECK(contains(empty.err, "audiostyle: cannot read '-'"));
}

TEST_CASE("cli streams: --threads runs the CPU backend on that many threads", "[cli][streams]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 8000));
  const Run run =
      run_cli(dir, "transfer " + content + " " + content + kTiny + " --threads 1 -q -o " +
                       dir.file("o.wav") + " --report " + dir.file("r.json"));
  REQUIRE(run.code == 0);
  CHECK(read_json(dir.file("r.json"))["config"]["threads"] == 1);
  // What the backend runs on, not the flag echoed: OpenBLAS's own thread count.
  CHECK(read_json(dir.file("r.json"))["device"] == "CPU (1 threads)");
  CHECK(run_cli(dir, "transfer " + content + " " + content + kTiny + " --threads -2 -q -o " +
                         dir.file("p.wav"))
            .code == 2);
}

TEST_CASE("cli streams: .ogg, .opus and .mp3 outputs", "[cli][streams]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 16000, 2));
  for (const auto& [name, rate, format] :
       {std::tuple<std::string, int, std::string>{"o.ogg", 16000, "Ogg Vorbis"},
        {"o.opus", 16000, "Ogg Opus"},
        {"o.mp3", 16000, "MP3"}}) {
    INFO(name);
    const Run run = run_cli(dir, "transfer " + content + " " + content + kTiny + " -q -o " +
                                     dir.file(name) + " --report " + dir.file(name + ".json"));
    INFO(run.err);
    REQUIRE(run.code == 0);
    const Audio back = read_audio(dir.file(name), ReadOptions{0, false, 0, 0});
    CHECK(back.n_channels() == 2);
    CHECK(back.sample_rate_hz == rate);
    CHECK(back.seconds() > 0.9);
    CHECK(read_json(dir.file(name + ".json"))["output"]["format"] == format);
  }
  // A lossy file has no sample format to choose.
  CHECK(run_cli(dir, "transfer " + content + " " + content + kTiny + " -q --format pcm24 -o " +
                         dir.file("x.mp3"))
            .code == 2);
}
