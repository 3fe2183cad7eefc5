// --refine-waveform: L-BFGS on the samples after Griffin-Lim lowers the objective of the
// re-analysed output, which the report and the "wrote" lines state before and after; it batches
// stereo items; it refuses segments (exit 2).
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"

using namespace audiostyle;
using namespace audiostyle::test;

namespace {

// A content that is not a pure tone (two sines with a tremolo), and a brighter style.
Audio textured(double seconds, int rate_hz, int channels, double base_hz) {
  Audio a = sines(seconds, rate_hz, channels);
  for (auto& channel : a.channels)
    for (size_t i = 0; i < channel.size(); ++i) {
      const double t = double(i) / rate_hz;
      channel[i] = float(channel[i] * (0.6 + 0.4 * std::sin(2 * M_PI * 3 * t)) +
                         0.2 * std::sin(2 * M_PI * base_hz * t));
    }
  return a;
}

}  // namespace

TEST_CASE("cli: --refine-waveform 5 lowers the re-analysed objective of the output vs 0",
          "[cli][refine]") {
  TempDir dir;
  const std::string content = write_wav(dir, "content.wav", textured(1.5, 8000, 1, 1250));
  const std::string style = write_wav(dir, "style.wav", textured(1.5, 8000, 1, 2100));
  nlohmann::json reports[2];
  const int steps[2] = {0, 5};
  for (int k = 0; k < 2; ++k) {
    const std::string report = dir.file("r" + std::to_string(steps[k]) + ".json");
    const Run run = run_cli(dir, "transfer " + content + " " + style + kTiny + " -o " +
                                     dir.file("out.wav") + " --refine-waveform " +
                                     std::to_string(steps[k]) + " --report " + report);
    INFO(run.err);
    REQUIRE(run.code == 0);
    CHECK(contains(run.err, "waveform refinement") == (steps[k] > 0));
    reports[k] = read_json(report);
    CHECK(reports[k]["config"]["refine_waveform"] == steps[k]);
  }
  CHECK(reports[0]["refine_waveform"].is_null());
  // Everything up to Griffin-Lim is the same run: "before" is the output the 0 run wrote.
  CHECK(reports[1]["final"]["total"] == reports[0]["final"]["total"]);
  CHECK(reports[1]["griffin_lim"]["spectral_convergence_db"] ==
        reports[0]["griffin_lim"]["spectral_convergence_db"]);
  const auto& refined = reports[1]["refine_waveform"];
  REQUIRE(refined.is_object());
  const double before = refined["before"]["total"].get<double>();
  const double after = refined["after"]["total"].get<double>();
  INFO("re-analysed objective " << before << " -> " << after << " in "
                                << refined["iterations"] << " iterations ("
                                << refined["stop_reason"] << ")");
  CHECK(refined["iterations"].get<int>() >= 1);
  CHECK(refined["iterations"].get<int>() <= 5);
  CHECK(before > 0);
  // The Griffin-Lim output of an optimised (inconsistent) spectrogram sits well above the
  // optimised objective; five steps on the samples recover a clear share of the gap.
  CHECK(after < 0.9 * before);
  CHECK(reports[1]["timings_ms"].contains("refine_waveform"));
}

TEST_CASE("cli: --refine-waveform refines a stereo pair as one batch", "[cli][refine]") {
  TempDir dir;
  const std::string content = write_wav(dir, "content.wav", textured(1.5, 8000, 2, 1250));
  const std::string style = write_wav(dir, "style.wav", textured(1.5, 8000, 1, 2100));
  const Run run = run_cli(dir, "transfer " + content + " " + style + kTiny + " -o " +
                                   dir.file("out.wav") + " --channels stereo" +
                                   " --refine-waveform 3 --report " + dir.file("r.json"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto report = read_json(dir.file("r.json"));
  const auto& refined = report["refine_waveform"];
  REQUIRE(refined.is_object());
  CHECK(refined["after"]["total"].get<double>() < refined["before"]["total"].get<double>());
  CHECK(read_audio(dir.file("out.wav"), ReadOptions{0, false, 0, 0}).n_channels() == 2);
}

TEST_CASE("cli: --refine-waveform refuses segments and bad counts (exit 2)", "[cli][refine]") {
  TempDir dir;
  const std::string content = write_wav(dir, "content.wav", sines(3, 8000));
  for (const std::string flags : {" --refine-waveform 2 --segment-seconds 1.5 --overlap-seconds 0.5",
                                  " --refine-waveform -1"}) {
    const Run run = run_cli(dir, "transfer " + content + " " + content + kTiny + " -o " +
                                     dir.file("out.wav") + flags);
    INFO(flags << ": " << run.err);
    CHECK(run.code == 2);
    CHECK(contains(run.err, "--refine-waveform"));
    CHECK(every_message_prefixed(run.err));
  }
}
