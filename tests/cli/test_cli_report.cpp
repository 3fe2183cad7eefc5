// The report and the summary line (issue 11, items 2 and 14): iteration 0 is the starting point,
// segmented runs give their losses per segment, the sources and the command line are recorded,
// config values read as given.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;

TEST_CASE("cli report: iteration 0, the sources, the command line and values as given",
          "[cli][report]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(1.0, 16000, 2));
  const auto style = write_wav(dir, "s.wav", sines(1.5, 8000));
  const Run run = run_cli(dir, "transfer " + content + " " + style + kTiny + " --alpha 0.01 -o " +
                                   dir.file("o.wav") + " --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto r = read_json(dir.file("r.json"));
  const auto& iterations = r["iterations"];
  REQUIRE(iterations.size() >= 2);
  CHECK(iterations[0]["iteration"] == 0);
  // One evaluation per item: the content is stereo, its mid and side are optimised one by one.
  CHECK(iterations[0]["evaluations"] == 2);
  CHECK(iterations[0]["elapsed_ms_cumulative"] == 0.0);
  CHECK(iterations[1]["iteration"] == 1);
  // The line starts where the report does.
  char first[64];
  std::snprintf(first, sizeof first, "loss %.4g (iteration 0) -> ",
                iterations[0]["total"].get<double>());
  CHECK(contains(run.err, first));

  CHECK(r["config"]["alpha"].dump() == "0.01");
  CHECK(r["config"]["momentum"].dump() == "0.99");
  CHECK(r["sources"]["content"]["sample_rate_hz"] == 16000);
  CHECK(r["sources"]["content"]["channels"] == 2);
  CHECK(std::abs(r["sources"]["content"]["file_seconds"].get<double>() - 1.0) < 1e-6);
  CHECK(r["sources"]["style"]["sample_rate_hz"] == 8000);
  CHECK(r["frames"]["content"] == r["frames"]["output"]);
  CHECK(r["frames"].contains("style"));
  CHECK(r["items"]["count"] == 2);
  CHECK(r["segments"][0]["sample_rate_hz"] == 8000);
  CHECK(r["griffin_lim"].contains("spectral_convergence_is"));
  CHECK(r["argv"].size() >= 5);
  CHECK(r["argv"][1] == "transfer");
  CHECK(r["timestamp_utc"].get<std::string>().size() == 20);  // 2026-12-02T17:00:00Z
}

TEST_CASE("cli report: a segmented run gives its losses per segment", "[cli][report]") {
  TempDir dir;
  const auto content = write_wav(dir, "c.wav", sines(3.0, 8000));
  const Run run = run_cli(dir, "transfer " + content + " " + content + kTiny +
                                   " --segment-seconds 1 --overlap-seconds 0.2 -o " +
                                   dir.file("o.wav") + " --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto r = read_json(dir.file("r.json"));
  REQUIRE(r["segments"].size() == 4);  // at most 1 s each, 0.2 s overlaps included
  REQUIRE(r["loss_per_segment"].size() == 4);
  for (const auto& s : r["loss_per_segment"])
    CHECK(s["initial_total"].get<double>() > s["final_total"].get<double>());
  CHECK(contains(run.err, "loss per segment (iteration 0 -> last): 1: "));
  CHECK(contains(run.err, " 4: "));
}
