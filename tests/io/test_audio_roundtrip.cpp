// write_audio -> read_audio round trips: each format returns what was written, to its quantisation.
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

Audio random_audio(int n_channels, size_t n_samples, int sample_rate_hz, uint64_t seed) {
  Audio audio;
  audio.sample_rate_hz = sample_rate_hz;
  for (int c = 0; c < n_channels; ++c)
    audio.channels.push_back(random_uniform(n_samples, seed + uint64_t(c), -0.99f, 0.99f));
  return audio;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return INFINITY;
    worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
  }
  return worst;
}

ReadOptions as_stored() {
  ReadOptions options;
  options.sample_rate_hz = 0;
  options.downmix = false;
  return options;
}

}  // namespace

TEST_CASE("write_audio then read_audio returns the samples within the format's quantisation",
          "[io]") {
  struct Case {
    const char* name;
    SampleFormat format;
    int expected_subtype;
    // libsndfile writes float x as round(x * (2^(b-1) - 1)) and reads back k / 2^(b-1): half a step
    // of rounding plus |x| / 2^(b-1) of gain, 1.5 steps at most; 24-bit adds float's own rounding.
    double max_error;
  };
  const Case cases[] = {
      {"out.wav", SampleFormat::pcm16, SF_FORMAT_PCM_16, 1.5 / 32768},
      {"out.wav", SampleFormat::pcm24, SF_FORMAT_PCM_24, 1.5 / 8388608 + 0x1p-24},
      {"out.wav", SampleFormat::float32, SF_FORMAT_FLOAT, 0.0},
      {"out.flac", SampleFormat::pcm16, SF_FORMAT_PCM_16, 1.5 / 32768},
      {"out.flac", SampleFormat::pcm24, SF_FORMAT_PCM_24, 1.5 / 8388608 + 0x1p-24},
      {"out.flac", SampleFormat::float32, SF_FORMAT_PCM_24, 1.5 / 8388608 + 0x1p-24},  // FLAC: 24
  };
  for (const Case& c : cases) {
    const uint64_t seed = fresh_seed();
    const int n_channels = 2;
    const size_t n_samples = 30000 + seed % 5000;
    INFO("file " << c.name << ", format " << int(c.format) << ", seed " << seed);
    TempDir folder;
    const Audio written = random_audio(n_channels, n_samples, 44100, seed);
    write_audio(folder.file(c.name), written, WriteOptions{c.format});

    // The file itself, seen by libsndfile directly: right container, bit depth, rate, channels.
    SF_INFO info{};
    read_with_sndfile(folder.file(c.name), info);
    CHECK((info.format & SF_FORMAT_SUBMASK) == c.expected_subtype);
    CHECK(info.samplerate == 44100);
    CHECK(info.channels == n_channels);
    CHECK(info.frames == sf_count_t(n_samples));

    const Audio read = read_audio(folder.file(c.name), as_stored());
    REQUIRE(read.sample_rate_hz == 44100);
    REQUIRE(read.n_channels() == n_channels);
    REQUIRE(read.n_samples() == int64_t(n_samples));
    for (int ch = 0; ch < n_channels; ++ch) {
      const double max_error = max_abs_difference(read.channels[ch], written.channels[ch]);
      const double relative = relative_error(read.channels[ch], written.channels[ch]);
      INFO("channel " << ch << ": max |error| " << max_error << ", relative " << relative);
      CHECK(max_error <= c.max_error);
      CHECK(relative <= std::max(c.max_error, 1e-12) * 2);
    }
    // Only the finished file is left: the temporary one was renamed onto it.
    CHECK(folder_entries(folder.path) == std::set<std::string>{c.name});
  }
}

TEST_CASE("write_audio accepts the extension in any case", "[io]") {
  TempDir folder;
  const Audio audio = random_audio(1, 4000, 22050, fresh_seed());
  for (const char* name : {"A.WAV", "b.Wav", "C.FLAC", "d.fLaC"}) {
    INFO(name);
    write_audio(folder.file(name), audio);
    CHECK(read_audio(folder.file(name), as_stored()).n_samples() == 4000);
  }
}

TEST_CASE("PCM output clips at full scale instead of wrapping, float keeps overshoots", "[io]") {
  TempDir folder;
  Audio audio;
  audio.sample_rate_hz = 8000;
  audio.channels = {{1.5f, -1.5f, 1.0001f, -3.f, 0.25f}};
  for (const char* name : {"clip.wav", "clip.flac"}) {
    for (SampleFormat format : {SampleFormat::pcm16, SampleFormat::pcm24}) {
      INFO(name << " format " << int(format));
      write_audio(folder.file(name), audio, WriteOptions{format});
      const Audio read = read_audio(folder.file(name), as_stored());
      const auto& x = read.channels[0];
      REQUIRE(x.size() == 5);
      // Full scale reads back as (2^(b-1) - 1) / 2^(b-1): within 2^-15 of +1, exactly -1 below.
      CHECK(x[0] >= 1.f - 0x1p-15f);
      CHECK(x[0] <= 1.f);
      CHECK(x[1] == -1.f);
      CHECK(x[2] >= 1.f - 0x1p-15f);
      CHECK(x[3] == -1.f);
      CHECK(std::fabs(x[4] - 0.25f) <= 1.5f / 32768);
    }
  }
  write_audio(folder.file("float.wav"), audio, WriteOptions{SampleFormat::float32});
  CHECK(read_audio(folder.file("float.wav"), as_stored()).channels == audio.channels);
}

TEST_CASE("write_audio replaces an existing file whole", "[io]") {
  TempDir folder;
  const std::string path = folder.file("take.wav");
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  write_audio(path, random_audio(2, 20000, 16000, seed), WriteOptions{SampleFormat::float32});
  const Audio second = random_audio(1, 7000, 16000, seed + 100);
  write_audio(path, second, WriteOptions{SampleFormat::float32});
  const Audio read = read_audio(path, as_stored());
  CHECK(read.n_channels() == 1);
  CHECK(relative_error(read.channels[0], second.channels[0]) == 0.0);
  CHECK(folder_entries(folder.path) == std::set<std::string>{"take.wav"});
}

TEST_CASE("read_audio keeps planar channels in order when not downmixing", "[io]") {
  TempDir folder;
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::vector<std::vector<float>> planar;
  for (int c = 0; c < 5; ++c) planar.push_back(random_uniform(3001, seed + uint64_t(c)));
  REQUIRE(write_with_sndfile(folder.file("five.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 32000,
                             planar));
  const Audio read = read_audio(folder.file("five.wav"), as_stored());
  REQUIRE(read.n_channels() == 5);
  CHECK(read.sample_rate_hz == 32000);
  for (int c = 0; c < 5; ++c) CHECK(relative_error(read.channels[c], planar[c]) == 0.0);
}
