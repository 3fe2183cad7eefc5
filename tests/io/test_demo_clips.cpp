// The bundled demo clips decode, and are what data/README.md says they are.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "audiostyle/audio.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("the demo clips in data/ decode as mono 22.05 kHz at -1 dBFS peak", "[io][data]") {
  for (const char* name : {"content_piano.flac", "style_strings.flac", "style_guitar.flac"}) {
    INFO(name);
    ReadOptions options;
    options.sample_rate_hz = 0;  // as stored: render.sh writes them at the working rate
    options.downmix = false;
    const Audio clip = read_audio(test::source_path(std::string("data/") + name), options);
    CHECK(clip.sample_rate_hz == 22050);
    CHECK(clip.n_channels() == 1);
    CHECK(clip.seconds() > 7.0);
    CHECK(clip.seconds() < 14.0);
    // render.sh normalises to -1 dBFS = 0.891; 16-bit rounding and dither move it by < 1e-3.
    CHECK(std::fabs(peak(clip) - std::pow(10.f, -1.f / 20)) < 2e-3f);
    double energy = 0;
    for (float sample : clip.channels[0]) energy += double(sample) * sample;
    const double rms_dbfs = 10 * std::log10(energy / double(clip.n_samples()));
    CHECK(rms_dbfs > -24.0);  // music throughout, not a click in silence
    CHECK(rms_dbfs < -8.0);
  }
}
