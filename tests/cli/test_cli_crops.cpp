// Crops and batch (issue 11, items 9-10): a crop past the end is clamped with a notice or refused
// naming the length; batch makes the output folders; row numbers agree; a bad cell is named.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;
namespace fs = std::filesystem;

TEST_CASE("cli crops: past the end is clamped with a notice, an offset beyond it exits 2",
          "[cli][crops]") {
  TempDir dir;
  const auto content = write_wav(dir, "five.wav", sines(5.0, 8000));
  const std::string base = "transfer " + content + " " + content + kTiny;
  Run run = run_cli(dir, base + " --seconds 20 -o " + dir.file("a.wav"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "audiostyle: note: --offset 0 --seconds 20 runs past the end of " +
                              content + " (5 s long): using the 5 s there"));
  run = run_cli(dir, base + " --offset 4 --seconds 3 -o " + dir.file("b.wav"));
  REQUIRE(run.code == 0);
  CHECK(contains(run.err, "using the 1 s there"));
  CHECK(std::abs(read_audio(dir.file("b.wav"), ReadOptions{0, false, 0, 0}).seconds() - 1.0) <
        0.01);

  run = run_cli(dir, base + " --offset 8 -o " + dir.file("c.wav"));
  CHECK(run.code == 2);
  CHECK(contains(run.err,
                 "audiostyle: --offset 8 s is at or beyond the end of " + content + " (5 s long)"));
  // Too short after a crop: the message names the crop.
  run = run_cli(dir, base + " --offset 4.99 -o " + dir.file("d.wav"));
  CHECK(run.code == 3);
  CHECK(contains(run.err, "too short"));
  // Only the flags given, in the same words as the other crop messages (not "--seconds 0.000000").
  CHECK(contains(run.err, "the crop (--offset 4.99 s) leaves"));
}

TEST_CASE("cli batch: missing output folders are made, rows are numbered as --shard counts them",
          "[cli][batch]") {
  TempDir dir;
  write_wav(dir, "content.wav", sines(1.0, 8000));
  write_wav(dir, "style.wav", sines(1.2, 8000));
  const std::string manifest = dir.file("jobs.csv");
  std::ofstream(manifest) << "content,style,output\n"
                             "content.wav,style.wav,out/a.wav\n"
                             "content.wav,style.wav,out/deeper/b.wav\n"
                             "missing.wav,style.wav,out/c.wav\n";
  const Run run = run_cli(dir, "batch " + manifest + " --summary " + dir.file("s.json") + kTiny);
  INFO(run.err);
  CHECK(run.code == 5);  // the missing content fails its row only
  CHECK(fs::exists(dir.file("out/a.wav")));
  CHECK(fs::exists(dir.file("out/deeper/b.wav")));
  // Progress, failures and the summary all call the third row "row 2".
  CHECK(contains(run.err, "[1/3] row 0 (line 2)"));
  CHECK(contains(run.err, "[3/3] row 2 (line 4) failed"));
  CHECK(contains(run.err, "row 2, line 4: "));
  const auto summary = read_json(dir.file("s.json"));
  CHECK(summary["rows"][2]["row"] == 2);
  CHECK(summary["rows"][2]["status"] == "failed");
}

TEST_CASE("cli batch: a bad cell names its column and value, --shard counts from 0",
          "[cli][batch]") {
  TempDir dir;
  write_wav(dir, "content.wav", sines(1.0, 8000));
  const std::string manifest = dir.file("jobs.csv");
  std::ofstream(manifest) << "content,style,output,iterations\n"
                             "content.wav,content.wav,a.wav,3\n"
                             "content.wav,content.wav,b.wav,many\n";
  Run run = run_cli(dir, "batch " + manifest + kTiny + " -q");
  CHECK(run.code == 2);
  CHECK(contains(run.err, "line 3: column 'iterations', value 'many'"));
  CHECK(contains(run.err, "(row 1)"));
  run = run_cli(dir, "batch " + manifest + kTiny + " -q --shard 2/2");
  CHECK(run.code == 2);
  CHECK(contains(run.err, "shards count from 0 (0/2 .. 1/2)"));
}

TEST_CASE("cli batch: texture rows run beside transfer rows", "[cli][batch]") {
  TempDir dir;
  write_wav(dir, "content.wav", sines(1.0, 8000));
  write_wav(dir, "style.wav", sines(1.2, 8000));
  const std::string manifest = dir.file("jobs.csv");
  std::ofstream(manifest) << "command,content,style,output,seconds\n"
                             "texture,,style.wav,tex.wav,0.75\n"
                             "transfer,content.wav,style.wav,tr.wav,\n"
                             "texture,,style.wav,bad.wav,\n";
  // The third row has no length: the manifest is refused before anything runs.
  Run run = run_cli(dir, "batch " + manifest + kTiny + " -q");
  CHECK(run.code == 2);
  CHECK(contains(run.err, "line 4"));
  CHECK(contains(run.err, "--seconds"));
  CHECK(!std::filesystem::exists(dir.file("tex.wav")));
  std::ofstream(manifest, std::ios::trunc) << "command,content,style,output,seconds\n"
                                              "texture,,style.wav,tex.wav,0.75\n"
                                              "transfer,content.wav,style.wav,tr.wav,\n";
  run = run_cli(dir, "batch " + manifest + kTiny + " -q --summary " + dir.file("s.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(std::abs(read_audio(dir.file("tex.wav"), ReadOptions{0, false, 0, 0}).seconds() - 0.75) <
        0.01);
  CHECK(std::filesystem::exists(dir.file("tr.wav")));
  const auto summary = read_json(dir.file("s.json"));
  CHECK(summary["rows"][0]["command"] == "texture");
  CHECK(summary["rows"][1]["command"] == "transfer");
}
