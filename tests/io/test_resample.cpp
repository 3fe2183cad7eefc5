// resample, downmix, peak and read_audio's crop: checked against signals whose answer is known.
#include <sndfile.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>

#include "audiostyle/audio.h"
#include "tests/io/io_fixtures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::test;

TEST_CASE("resample keeps a sine's frequency, amplitude and phase", "[io][resample]") {
  const std::pair<int, int> conversions[] = {
      {44100, 22050}, {48000, 22050}, {16000, 22050}, {22050, 44100}, {96000, 8000}};
  for (const auto& [in_rate_hz, out_rate_hz] : conversions) {
    const uint64_t seed = fresh_seed();
    std::mt19937_64 draw(seed);
    // Below 0.4 of the lower Nyquist: inside soxr HQ's flat passband for every conversion.
    const double top_hz = 0.4 * std::min(in_rate_hz, out_rate_hz) / 2;
    const double frequency_hz = std::uniform_real_distribution<double>(50, top_hz)(draw);
    const double amplitude = std::uniform_real_distribution<double>(0.2, 0.9)(draw);
    const double phase = std::uniform_real_distribution<double>(0, 2 * M_PI)(draw);
    INFO(in_rate_hz << " -> " << out_rate_hz << " Hz: " << frequency_hz << " Hz, amplitude "
                    << amplitude << ", seed " << seed);
    Audio in;
    in.sample_rate_hz = in_rate_hz;
    in.channels = {sine(size_t(in_rate_hz), frequency_hz, in_rate_hz, amplitude, phase)};  // 1 s

    const Audio out = resample(in, out_rate_hz);
    REQUIRE(out.sample_rate_hz == out_rate_hz);
    REQUIRE(out.n_channels() == 1);
    CHECK(std::llabs(out.n_samples() - out_rate_hz) <= 1);

    // soxr compensates its filter delay: sample k is the sine at k / out_rate. Compare with the
    // ideal sine in double, away from the edges where the filter sees the signal's cut.
    const size_t edge = size_t(out_rate_hz / 20);  // 50 ms
    const size_t begin = edge, end = size_t(out.n_samples()) - edge;
    const std::vector<float> ideal = sine(size_t(out.n_samples()), frequency_hz, out_rate_hz,
                                          amplitude, phase);
    const std::vector<float> out_middle(out.channels[0].begin() + begin, out.channels[0].begin() + end);
    const std::vector<float> ideal_middle(ideal.begin() + begin, ideal.begin() + end);
    const double error = relative_error(out_middle, ideal_middle);
    INFO("relative error " << error);
    CHECK(error < 1e-5);  // SOXR_HQ: 20-bit precision, ~1e-6

    const double measured_hz = zero_crossing_frequency_hz(out.channels[0], begin, end, out_rate_hz);
    CHECK(std::fabs(measured_hz / frequency_hz - 1) < 1e-4);
    const double measured_amplitude =
        sine_amplitude(out.channels[0], begin, end, frequency_hz, out_rate_hz);
    CHECK(std::fabs(measured_amplitude / amplitude - 1) < 0.005);
  }
}

TEST_CASE("resample to the same rate returns the input unchanged", "[io][resample]") {
  Audio in;
  in.sample_rate_hz = 22050;
  in.channels = {random_uniform(5000, fresh_seed()), random_uniform(5000, fresh_seed())};
  const Audio out = resample(in, 22050);
  CHECK(out.channels == in.channels);
  CHECK_THROWS_AS(resample(in, 0), UsageError);
}

TEST_CASE("read_audio turns 44.1 kHz stereo into 22.05 kHz mono of the expected length",
          "[io][resample]") {
  const uint64_t seed = fresh_seed();
  const size_t n_frames = 44100 + seed % 44100;  // odd lengths too
  INFO("seed " << seed << ", " << n_frames << " frames");
  TempDir folder;
  const std::string path = folder.file("stereo.wav");
  REQUIRE(write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100,
                             {random_uniform(n_frames, seed, -0.5f, 0.5f),
                              random_uniform(n_frames, seed + 1, -0.5f, 0.5f)}));
  const Audio audio = read_audio(path);  // defaults: 22050 Hz, mono
  CHECK(audio.sample_rate_hz == 22050);
  CHECK(audio.n_channels() == 1);
  CHECK(std::fabs(double(audio.n_samples()) - double(n_frames) / 2) <= 1.0);
}

TEST_CASE("downmix averages the channels", "[io]") {
  for (int n_channels : {1, 2, 3, 6}) {
    const uint64_t seed = fresh_seed();
    INFO(n_channels << " channels, seed " << seed);
    Audio in;
    in.sample_rate_hz = 8000;
    for (int c = 0; c < n_channels; ++c)
      in.channels.push_back(random_uniform(4097, seed + uint64_t(c)));
    std::vector<double> mean(4097, 0.0);
    for (const auto& channel : in.channels)
      for (size_t i = 0; i < mean.size(); ++i) mean[i] += double(channel[i]) / n_channels;

    const Audio out = downmix(in);
    REQUIRE(out.n_channels() == 1);
    CHECK(out.sample_rate_hz == 8000);
    REQUIRE(out.n_samples() == 4097);
    // One float rounding of the double mean.
    CHECK(relative_error(out.channels[0].data(), mean.data(), mean.size()) < 1e-7);
  }
}

TEST_CASE("read_audio's downmix equals averaging its planar read", "[io]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  TempDir folder;
  const std::string path = folder.file("quad.flac");
  std::vector<std::vector<float>> planar;
  for (int c = 0; c < 4; ++c) planar.push_back(random_uniform(9000, seed + uint64_t(c), -0.8f, 0.8f));
  REQUIRE(write_with_sndfile(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 24000, planar));
  ReadOptions options;
  options.sample_rate_hz = 0;
  const Audio mono = read_audio(path, options);
  options.downmix = false;
  const Audio averaged = downmix(read_audio(path, options));
  REQUIRE(mono.n_channels() == 1);
  CHECK(relative_error(mono.channels[0], averaged.channels[0]) == 0.0);
}

TEST_CASE("peak is the largest absolute sample over all channels", "[io]") {
  const uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  Audio audio;
  audio.sample_rate_hz = 8000;
  audio.channels = {random_uniform(1000, seed, -0.5f, 0.5f), random_uniform(1000, seed + 1, -0.5f, 0.5f)};
  audio.channels[1][777] = -0.75f;
  CHECK(peak(audio) == 0.75f);
  CHECK(peak(Audio{}) == 0.f);
}

TEST_CASE("read_audio crops by offset and duration in the file's own rate", "[io]") {
  TempDir folder;
  const std::string path = folder.file("ramp.wav");
  // Sample i holds i / 2^14, exact in float: the crop's first sample names its position.
  const int rate_hz = 8000;
  const size_t n_frames = 10000;  // 1.25 s
  std::vector<float> ramp(n_frames);
  for (size_t i = 0; i < n_frames; ++i) ramp[i] = float(i) * 0x1p-14f;
  REQUIRE(write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate_hz, {ramp}));

  auto crop = [&](double offset_seconds, double duration_seconds) {
    ReadOptions options;
    options.sample_rate_hz = 0;
    options.offset_seconds = offset_seconds;
    options.duration_seconds = duration_seconds;
    return read_audio(path, options).channels[0];
  };
  SECTION("offset and duration select [offset, offset + duration)") {
    const auto x = crop(0.25, 0.5);
    REQUIRE(x.size() == 4000);
    CHECK(x.front() == 2000 * 0x1p-14f);
    CHECK(x.back() == 5999 * 0x1p-14f);
  }
  SECTION("duration 0 reads to the end") {
    const auto x = crop(1.0, 0);
    REQUIRE(x.size() == 2000);
    CHECK(x.front() == 8000 * 0x1p-14f);
  }
  SECTION("a duration past the end stops at the end") {
    CHECK(crop(1.0, 5.0).size() == 2000);
  }
  SECTION("offset and duration round to the nearest sample") {
    CHECK(crop(0.00006, 0.00019).size() == 2);  // 0.48 -> 0, 1.52 -> 2
  }
}

TEST_CASE("read_audio crops before it resamples", "[io][resample]") {
  // A 3 s sine at 44.1 kHz read from 0.5 s for 1 s at 22.05 kHz: the samples are the sine at
  // 0.5 s + k / 22050 (the crop is placed in the file's own rate), and they are exactly what
  // resampling the native-rate crop gives.
  const uint64_t seed = fresh_seed();
  std::mt19937_64 draw(seed);
  const double frequency_hz = std::uniform_real_distribution<double>(100, 4000)(draw);
  const double phase = std::uniform_real_distribution<double>(0, 2 * M_PI)(draw);
  INFO("seed " << seed << ", " << frequency_hz << " Hz");
  TempDir folder;
  const std::string path = folder.file("long.wav");
  REQUIRE(write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100,
                             {sine(3 * 44100, frequency_hz, 44100, 0.5, phase)}));
  ReadOptions options;  // 22050 Hz
  options.offset_seconds = 0.5;
  options.duration_seconds = 1.0;
  const Audio audio = read_audio(path, options);
  REQUIRE(audio.sample_rate_hz == 22050);
  REQUIRE(std::llabs(audio.n_samples() - 22050) <= 1);

  const double start_phase = phase + 2 * M_PI * frequency_hz * 0.5;
  const std::vector<float> ideal =
      sine(size_t(audio.n_samples()), frequency_hz, 22050, 0.5, std::fmod(start_phase, 2 * M_PI));
  const size_t edge = 22050 / 20;  // 50 ms: the resampler sees the crop's cut there
  const std::vector<float> middle(audio.channels[0].begin() + edge, audio.channels[0].end() - edge);
  const std::vector<float> ideal_middle(ideal.begin() + edge, ideal.end() - edge);
  const double error = relative_error(middle, ideal_middle);
  INFO("relative error against the ideal sine " << error);
  CHECK(error < 1e-5);  // SOXR_HQ, as in the sine test above

  ReadOptions native = options;
  native.sample_rate_hz = 0;
  const Audio crop = read_audio(path, native);
  REQUIRE(crop.sample_rate_hz == 44100);
  REQUIRE(crop.n_samples() == 44100);
  CHECK(resample(crop, 22050).channels == audio.channels);
}
