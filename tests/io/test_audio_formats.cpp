// read_audio on the compressed formats libsndfile decodes: a known sine survives each codec.
#include <sndfile.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "audiostyle/audio.h"
#include "tests/io/io_fixtures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::test;

namespace {

struct Codec {
  const char* file_name;
  int format;
  int sample_rate_hz;
  // Frames a codec may add or drop at the ends (encoder delay, padding to a whole packet).
  int64_t length_slack;
};

// Writes a 2 s sine through the codec, reads it back at the file's rate and checks length,
// frequency (to 0.05%) and amplitude (to 3%: lossy, and the codecs shape their noise).
void check_codec(const Codec& codec) {
  const uint64_t seed = fresh_seed();
  const double frequency_hz = 300 + double(seed % 700);
  const double amplitude = 0.5;
  const size_t n_samples = size_t(2 * codec.sample_rate_hz);
  INFO(codec.file_name << ": " << frequency_hz << " Hz, seed " << seed);
  TempDir folder;
  const std::string path = folder.file(codec.file_name);
  if (!write_with_sndfile(path, codec.format, codec.sample_rate_hz,
                          {sine(n_samples, frequency_hz, codec.sample_rate_hz, amplitude)})) {
    WARN("this libsndfile cannot write " << codec.file_name << ": reading it is not tested");
    return;
  }
  ReadOptions options;
  options.sample_rate_hz = 0;
  const Audio read = read_audio(path, options);
  REQUIRE(read.sample_rate_hz == codec.sample_rate_hz);
  REQUIRE(read.n_channels() == 1);
  CHECK(std::llabs(read.n_samples() - int64_t(n_samples)) <= codec.length_slack);

  // Away from the ends, where encoders fade in and pad.
  const size_t begin = size_t(read.n_samples() / 8), end = size_t(read.n_samples() * 7 / 8);
  const double measured_hz =
      zero_crossing_frequency_hz(read.channels[0], begin, end, read.sample_rate_hz);
  CHECK(std::fabs(measured_hz / frequency_hz - 1) < 5e-4);
  const double measured_amplitude =
      sine_amplitude(read.channels[0], begin, end, frequency_hz, read.sample_rate_hz);
  CHECK(std::fabs(measured_amplitude / amplitude - 1) < 0.03);
}

}  // namespace

TEST_CASE("read_audio decodes OGG/Vorbis", "[io]") {
  check_codec({"sine.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 0});
}

TEST_CASE("read_audio decodes Opus", "[io]") {
  check_codec({"sine.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 0});
}

TEST_CASE("read_audio decodes MP3", "[io]") {
  // MPEG pads to whole 1152-sample frames; the decoder trims by the LAME header when present.
  check_codec({"sine.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2 * 1152});
}

TEST_CASE("read_audio decodes FLAC and 24-bit WAV written by libsndfile", "[io]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const std::vector<float> signal = random_uniform(12345, seed, -0.9f, 0.9f);
  for (int format : {SF_FORMAT_FLAC | SF_FORMAT_PCM_24, SF_FORMAT_WAV | SF_FORMAT_PCM_24}) {
    TempDir folder;
    const std::string path = folder.file((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC ? "x.flac" : "x.wav");
    REQUIRE(write_with_sndfile(path, format, 96000, {signal}));
    ReadOptions options;
    options.sample_rate_hz = 0;
    const Audio read = read_audio(path, options);
    CHECK(read.sample_rate_hz == 96000);
    CHECK(relative_error(read.channels[0], signal) < 1e-6);
  }
}
