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

// The stereo test recordings (tests/pipeline/test_stereo_image.cpp): stereo 22.05 kHz at -1 dBFS
// peak, with the image data/README.md states (a natural one: partly correlated channels, a side
// well below the mid), so the stereo tests have an image to follow that is neither mono nor wide.
TEST_CASE("the stereo test recordings in data/ decode as stereo 22.05 kHz with a natural image",
          "[io][data]") {
  struct Clip {
    const char* name;
    double correlation, side_to_mid;  // as data/README.md gives them
  };
  for (const Clip& clip : {Clip{"content_guitar_stereo.flac", 0.669, 0.250},
                           Clip{"content_piano_stereo.flac", 0.579, 0.267}}) {
    INFO(clip.name);
    ReadOptions options;
    options.sample_rate_hz = 0;
    options.downmix = false;
    const Audio audio = read_audio(test::source_path(std::string("data/") + clip.name), options);
    REQUIRE(audio.n_channels() == 2);
    CHECK(audio.sample_rate_hz == 22050);
    CHECK(audio.seconds() > 3.5);  // the stereo tests read the first 3 s
    CHECK(audio.seconds() < 10.0);
    CHECK(std::fabs(peak(audio) - std::pow(10.f, -1.f / 20)) < 2e-3f);
    // corr = Pearson(L, R); side/mid = sum S^2 / sum M^2, M = (L+R)/2, S = (L-R)/2: the
    // definitions of bench/peers/stereo_image.py.
    const auto& left = audio.channels[0];
    const auto& right = audio.channels[1];
    const double n = double(left.size());
    double mean_l = 0, mean_r = 0;
    for (size_t i = 0; i < left.size(); ++i) {
      mean_l += left[i];
      mean_r += right[i];
    }
    mean_l /= n;
    mean_r /= n;
    double ll = 0, rr = 0, lr = 0, mid = 0, side = 0;
    for (size_t i = 0; i < left.size(); ++i) {
      const double l = left[i] - mean_l, r = right[i] - mean_r;
      ll += l * l;
      rr += r * r;
      lr += l * r;
      mid += 0.25 * (double(left[i]) + right[i]) * (double(left[i]) + right[i]);
      side += 0.25 * (double(left[i]) - right[i]) * (double(left[i]) - right[i]);
    }
    const double rms_dbfs = 10 * std::log10((ll + rr) / (2 * n));
    CHECK(rms_dbfs > -24.0);
    CHECK(rms_dbfs < -8.0);
    CHECK(std::fabs(lr / std::sqrt(ll * rr) - clip.correlation) < 0.005);
    CHECK(std::fabs(side / mid - clip.side_to_mid) < 0.005);
  }
}
