// The evaluation measures (host/eval) on signals whose answers are known: a sine's chroma lands in
// its pitch class, a file scored against itself gets the best score of every measure, a 1 kHz
// sine's loudness is the one BS.1770 states.
#include <catch2/catch.hpp>

#include <cmath>

#include "host/eval/evaluate.h"
#include "host/eval/measures.h"
#include "tests/support.h"

using namespace audiostyle;
using namespace audiostyle::eval;

namespace {

Audio sine(double hz, double seconds, double amplitude = 0.5, int rate = 22050, int channels = 1) {
  Audio a;
  a.sample_rate_hz = rate;
  a.channels.assign(size_t(channels), std::vector<float>(size_t(seconds * rate)));
  for (auto& ch : a.channels)
    for (size_t i = 0; i < ch.size(); ++i)
      ch[i] = float(amplitude * std::sin(2 * M_PI * hz * double(i) / rate));
  return a;
}

Audio noise(double seconds, uint64_t seed, int rate = 22050) {
  Audio a;
  a.sample_rate_hz = rate;
  a.channels.push_back(test::random_uniform(size_t(seconds * rate), seed, -0.3f, 0.3f));
  return a;
}

// Clicks (short decaying bursts) at the given times.
Audio clicks(const std::vector<double>& times_s, double seconds, int rate = 22050) {
  Audio a;
  a.sample_rate_hz = rate;
  a.channels.assign(1, std::vector<float>(size_t(seconds * rate), 0.0f));
  const std::vector<float> burst = test::random_uniform(400, 5, -1.f, 1.f);
  for (const double t : times_s)
    for (size_t i = 0; i < burst.size(); ++i)
      a.channels[0][size_t(t * rate) + i] += 0.8f * burst[i] * float(std::exp(-double(i) / 80));
  return a;
}

}  // namespace

TEST_CASE("eval: Slaney's mel scale and the mel filterbank", "[eval]") {
  CHECK(hz_to_mel(1000) == Approx(15.0));
  CHECK(hz_to_mel(500) == Approx(7.5));
  for (const double hz : {0.0, 200.0, 999.0, 1000.0, 4321.0, 11025.0})
    CHECK(mel_to_hz(hz_to_mel(hz)) == Approx(hz).margin(1e-9));
  // Each triangle peaks at its centre edge; weights are non-negative and every band has some.
  const int rate = 22050, n_fft = 2048, n_mels = 40;
  const auto bank = mel_filterbank(rate, n_fft, n_mels, 0, rate / 2.0);
  const int C = n_fft / 2 + 1;
  const double step = hz_to_mel(rate / 2.0) / (n_mels + 1);
  for (int m = 0; m < n_mels; ++m) {
    int best = 0;
    for (int c = 0; c < C; ++c) {
      CHECK(bank[size_t(m * C + c)] >= 0);
      if (bank[size_t(m * C + c)] > bank[size_t(m * C + best)]) best = c;
    }
    const double centre_hz = mel_to_hz((m + 1) * step);
    INFO("band " << m);
    CHECK(std::fabs(best * double(rate) / n_fft - centre_hz) <= double(rate) / n_fft);
  }
}

TEST_CASE("eval: a sine's chroma lands in its pitch class", "[eval]") {
  auto cpu = make_cpu_backend();
  const auto bank = chroma_filterbank(22050, 2048);
  // C4, E4, A4, F#5 (classes 0, 4, 9, 6 with C = 0).
  const std::pair<double, int> notes[] = {{261.63, 0}, {329.63, 4}, {440.0, 9}, {739.99, 6}};
  for (const auto& [hz, pitch_class] : notes) {
    INFO(hz << " Hz");
    const Audio a = sine(hz, 1.0);
    const Spectrogram c = chroma(power_spectrogram(*cpu, a.channels[0], 2048, 512), bank);
    REQUIRE(c.n_bands == 12);
    for (int64_t t = 2; t < c.n_frames - 2; ++t) {  // away from the zero-padded edges
      int best = 0;
      for (int p = 0; p < 12; ++p)
        if (c.at(t, p) > c.at(t, best)) best = p;
      CHECK(best == pitch_class);
      CHECK(c.at(t, best) == Approx(1.0f));  // norm = inf
      // The neighbours a semitone away are far below the class itself.
      CHECK(c.at(t, (pitch_class + 1) % 12) < 0.5f);
      CHECK(c.at(t, (pitch_class + 11) % 12) < 0.5f);
    }
  }
}

TEST_CASE("eval: onset envelopes correlate when the onsets coincide", "[eval]") {
  auto cpu = make_cpu_backend();
  const auto mel_bank = mel_filterbank(22050, 2048, 128, 0, 11025);
  auto envelope = [&](const Audio& a) {
    return onset_envelope(
        power_to_db(mel_spectrogram(power_spectrogram(*cpu, a.channels[0], 2048, 512), mel_bank, 128),
                    80));
  };
  const auto base = envelope(clicks({0.3, 0.9, 1.5, 2.2}, 3));
  const auto same = envelope(clicks({0.3, 0.9, 1.5, 2.2}, 3));
  const auto moved = envelope(clicks({0.6, 1.2, 1.9, 2.6}, 3));
  CHECK(pearson(base, same) == Approx(1.0));
  CHECK(pearson(base, moved) < 0.3);
  // The envelope peaks at the click frames (frame = t * rate / hop).
  size_t peak = 0;
  for (size_t t = 0; t < base.size(); ++t)
    if (base[t] > base[peak]) peak = t;
  bool near_a_click = false;
  for (const double t : {0.3, 0.9, 1.5, 2.2})
    near_a_click |= std::fabs(double(peak) - t * 22050 / 512) <= 2;
  CHECK(near_a_click);
  CHECK(pearson(base, std::vector<float>(base.size(), 1.0f)) == 0.0);  // constant: 0, not NaN
}

TEST_CASE("eval: loudness, peak, DC and clipping have their known values", "[eval]") {
  // BS.1770: a 1 kHz sine of peak A in one channel reads 20 log10(A) - 3.01 LUFS.
  const Audio quiet = sine(1000, 3.0, 0.1);
  const SignalStats s = signal_stats(quiet);
  REQUIRE(s.lufs.has_value());
  CHECK(*s.lufs == Approx(-23.01).margin(0.1));
  CHECK(s.peak == Approx(0.1).epsilon(1e-3));
  CHECK(s.peak_dbfs == Approx(-20).margin(0.01));
  CHECK(s.dc < 1e-4);
  CHECK(s.clipped == 0);
  // The same sine in two channels adds 3 dB.
  CHECK(*integrated_lufs(sine(1000, 3.0, 0.1, 22050, 2)) == Approx(-20.0).margin(0.1));
  // Digital silence has no loudness; an offset is DC; full-scale samples count as clipped.
  Audio offset = sine(1000, 1.0, 0.0);
  CHECK_FALSE(integrated_lufs(offset).has_value());
  for (float& v : offset.channels[0]) v = 0.25f;
  offset.channels[0][10] = 1.0f;
  offset.channels[0][20] = -1.0f;
  const SignalStats o = signal_stats(offset);
  CHECK(o.dc == Approx(0.25).margin(1e-3));
  CHECK(o.clipped == 2);
}

TEST_CASE("eval: evaluation nets avoid the run's kernel width and any typed seed", "[eval]") {
  const auto nets = evaluation_nets(3, 64, 7);
  REQUIRE(nets.size() == 3);
  for (const auto& n : nets) {
    CHECK(n.kernel_width != 7);
    CHECK(n.seed > (uint64_t(1) << 48));
    CHECK(n.n_filters == 64);
  }
  CHECK(nets[0].seed != nets[1].seed);
}

TEST_CASE("eval: the content scored against itself, and identical files, get the best scores",
          "[eval]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  const Audio content = sine(440, 1.5, 0.4);
  Audio style = noise(2.0, seed);
  EvalOptions options;
  options.net_filters = 64;  // keeps the test fast; the measure is the same
  const Evaluation e = evaluate(*cpu, content, &content, &style, options);
  REQUIRE(e.columns == std::vector<std::string>{"output", "content", "style"});
  const Scores& output = e.scores[0];  // the output is the content itself
  const Scores& as_content = e.scores[1];
  const Scores& as_style = e.scores[2];
  // Against itself: chroma similarity and onset correlation are 1.
  CHECK(*output.chroma_similarity == Approx(1.0));
  CHECK(*output.onset_correlation == Approx(1.0));
  CHECK(*as_content.chroma_similarity == Approx(1.0));
  // The style against itself: Gram and spectrum distance 0.
  CHECK(*as_style.gram_distance == 0.0);
  CHECK(*as_style.spectrum_distance_db == 0.0);
  // A sine is far from noise in style, and noise shares no pitch with the sine.
  CHECK(*output.gram_distance > 0.1);
  CHECK(*output.spectrum_distance_db > 3);
  CHECK(*as_style.chroma_similarity < 0.9);
  CHECK(*output.gram_distance == *as_content.gram_distance);  // same input, same number
  CHECK_FALSE(output.spectral_convergence_db.has_value());    // standalone: no target
  // Without a content, the content measures are absent.
  const Evaluation style_only = evaluate(*cpu, content, nullptr, &style, options);
  CHECK(style_only.columns == std::vector<std::string>{"output", "style"});
  CHECK_FALSE(style_only.scores[0].chroma_similarity.has_value());
  const std::string table = format_table(style_only);
  CHECK(table.find("chroma") == std::string::npos);
  CHECK(table.find("gram distance (3 nets)") != std::string::npos);
  const auto json = to_json(e);
  CHECK(json["candidates"]["style"]["style"]["gram_distance"] == 0.0);
  CHECK(json["analysis"]["gram_nets"].size() == 3);
}

TEST_CASE("eval: the Gram distance orders a closer texture before a farther one", "[eval]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto cpu = make_cpu_backend();
  const GramNet net = evaluation_nets(1, 64)[0];
  // The style: noise; a different noise draw is close, a sine is far.
  const Audio style = noise(1.5, seed), other = noise(1.5, seed + 1), tone = sine(440, 1.5, 0.3);
  const auto g_style = net_gram(*cpu, net, style.channels[0], 2048, 512);
  const double close = relative_gram_distance(net_gram(*cpu, net, other.channels[0], 2048, 512), g_style);
  const double far = relative_gram_distance(net_gram(*cpu, net, tone.channels[0], 2048, 512), g_style);
  // Two draws of one noise differ by sampling alone (0.07-0.14 seen over 1.5 s with 64 filters);
  // the sine is about 1 away.
  CHECK(close < 0.3);
  CHECK(far > 0.8);
  CHECK(far > 3 * close);
}
