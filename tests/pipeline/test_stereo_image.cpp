// Stereo that stays stereo (host/pipeline/stereo_image.cpp and the engine's stereo runs): the
// output's inter-channel correlation and side/mid energy follow the content's, a mono content stays
// mono, and the downmix of a stereo run scores as well as a mono run.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <string>

#include "audiostyle/audio.h"
#include "audiostyle/pipeline.h"
#include "host/pipeline/stereo_image.h"
#include "tests/pipeline/small_config.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct Image {
  double correlation = 0, side_to_mid = 0;
};

Image image_of(const std::vector<float>& left, const std::vector<float>& right) {
  double ll = 0, rr = 0, lr = 0, mm = 0, ss = 0, ml = 0, mr = 0;
  const double n = double(left.size());
  for (size_t i = 0; i < left.size(); ++i) {
    ml += left[i];
    mr += right[i];
  }
  ml /= n;
  mr /= n;
  for (size_t i = 0; i < left.size(); ++i) {
    const double l = left[i] - ml, r = right[i] - mr;
    ll += l * l;
    rr += r * r;
    lr += l * r;
    mm += 0.25 * (left[i] + right[i]) * (left[i] + right[i]);
    ss += 0.25 * (left[i] - right[i]) * (left[i] - right[i]);
  }
  return {lr / std::sqrt(ll * rr), ss / mm};
}

// A smoothed noise: a one-pole low-pass of white noise, so its spectrum is not flat.
std::vector<float> coloured_noise(size_t n, uint64_t seed, float pole) {
  auto x = test::random_normal(n, seed, 0.1f);
  for (size_t i = 1; i < n; ++i) x[i] += pole * x[i - 1];
  return x;
}

std::vector<float> downmix_of(const Audio& a) {
  if (a.n_channels() == 1) return a.channels[0];
  std::vector<float> m(a.channels[0].size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = 0.5f * (a.channels[0][i] + a.channels[1][i]);
  return m;
}

// Held-out scores of a mono signal, measured with statistics the optimiser never saw:
//   style distance ratio  || stats(out) - stats(style) || / || stats(content) - stats(style) ||
//     with stats = per-bin mean and standard deviation over frames of log1p|STFT| (lower: closer
//     to the style);
//   onset correlation     Pearson correlation of the spectral-flux envelopes of out and content.
struct Scores {
  double style_ratio = 0, onset_correlation = 0;
};

std::vector<float> log_spec(Backend& backend, const StftShape& shape, const std::vector<float>& x) {
  auto stft = backend.make_stft(shape);
  const int64_t count = shape.n_frames() * shape.n_bins();
  Buffer<float> audio(backend, shape.n_samples), spec(backend, 2 * count), out(backend, count);
  audio.upload(x);
  stft->forward(audio.get(), spec.get());
  backend.log1p_magnitude(spec.get(), count, out.get());
  return out.download();
}

std::vector<double> stats(const std::vector<float>& s, int64_t T, int C) {
  std::vector<double> out(size_t(2 * C), 0.0);
  for (int c = 0; c < C; ++c) {
    double sum = 0, sq = 0;
    for (int64_t t = 0; t < T; ++t) {
      const double v = s[size_t(t * C + c)];
      sum += v;
      sq += v * v;
    }
    out[size_t(c)] = sum / T;
    out[size_t(C + c)] = std::sqrt(std::max(sq / T - (sum / T) * (sum / T), 0.0));
  }
  return out;
}

std::vector<double> flux(const std::vector<float>& s, int64_t T, int C) {
  std::vector<double> out(size_t(T - 1), 0.0);
  for (int64_t t = 1; t < T; ++t)
    for (int c = 0; c < C; ++c)
      out[size_t(t - 1)] += std::max(0.0f, s[size_t(t * C + c)] - s[size_t((t - 1) * C + c)]);
  return out;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(d);
}

Scores score(Backend& backend, const StftShape& shape, const std::vector<float>& out,
             const std::vector<float>& content, const std::vector<float>& style) {
  const int C = shape.n_bins();
  const int64_t T = shape.n_frames();
  const StftShape style_shape{shape.n_fft, shape.hop, int64_t(style.size())};
  const auto s_out = log_spec(backend, shape, out), s_content = log_spec(backend, shape, content);
  const auto s_style = log_spec(backend, style_shape, style);
  const auto st_style = stats(s_style, style_shape.n_frames(), C);
  Scores scores;
  scores.style_ratio = distance(stats(s_out, T, C), st_style) /
                       distance(stats(s_content, T, C), st_style);
  scores.onset_correlation = pearson(flux(s_out, T, C), flux(s_content, T, C));
  return scores;
}

}  // namespace

TEST_CASE("stereo image: match gives the output the reference's side/mid and correlation",
          "[stereo_image]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const StftShape shape{256, 64, 16000};
  auto stft = backend->make_stft(shape);
  const size_t n = size_t(shape.n_samples);
  // Reference: a dark mid and a brighter, quieter side, independent (as the mid and side of a
  // recording roughly are), so the per-bin ratios differ and the correlation is (1 - r) / (1 + r).
  // Output: two unrelated noises (correlation ~0, side/mid ~1).
  const auto mid = coloured_noise(n, seed, 0.9f), side = coloured_noise(n, seed + 1, 0.3f);
  std::vector<float> ref_l(n), ref_r(n);
  for (size_t i = 0; i < n; ++i) {
    ref_l[i] = mid[i] + 0.5f * side[i];
    ref_r[i] = mid[i] - 0.5f * side[i];
  }
  const auto out_l = coloured_noise(n, seed + 2, 0.6f), out_r = coloured_noise(n, seed + 3, 0.6f);
  Buffer<float> ref(*backend, 2 * int64_t(n)), out(*backend, 2 * int64_t(n));
  backend->upload(ref.get(), ref_l.data(), 4 * n);
  backend->upload(ref.get() + n, ref_r.data(), 4 * n);
  backend->upload(out.get(), out_l.data(), 4 * n);
  backend->upload(out.get() + n, out_r.data(), 4 * n);
  StereoImage stereo(*backend, *stft);
  const BinImage reference = stereo.measure(ref.get(), ref.get() + n, ChannelMode::stereo);
  const BinImage before = stereo.match(out.get(), out.get() + n, ChannelMode::stereo, reference);
  const auto host = out.download();
  const std::vector<float> l(host.begin(), host.begin() + n), r(host.begin() + n, host.end());
  const Image want = image_of(ref_l, ref_r), got = image_of(l, r), had = image_of(out_l, out_r);
  INFO("reference corr " << want.correlation << " side/mid " << want.side_to_mid);
  INFO("before corr " << had.correlation << " side/mid " << had.side_to_mid << " (bins "
                      << before.side_to_mid() << ")");
  INFO("after corr " << got.correlation << " side/mid " << got.side_to_mid);
  REQUIRE(had.side_to_mid > 0.8);  // the output really was wide, so the match had work to do
  CHECK(std::fabs(got.side_to_mid - want.side_to_mid) < 0.03);
  CHECK(std::fabs(got.correlation - want.correlation) < 0.05);
  // The mid, i.e. the downmix, is untouched.
  std::vector<float> mid_before(n), mid_after(n);
  for (size_t i = 0; i < n; ++i) {
    mid_before[i] = 0.5f * (out_l[i] + out_r[i]);
    mid_after[i] = 0.5f * (l[i] + r[i]);
  }
  CHECK(test::relative_error(mid_after, mid_before) < 1e-4);
}

TEST_CASE("stereo image: a mono content makes a mono output, in stereo and mid-side",
          "[stereo_image]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const StftShape shape{256, 64, 8000};
  auto stft = backend->make_stft(shape);
  const size_t n = size_t(shape.n_samples);
  const auto mono = coloured_noise(n, seed, 0.8f);
  for (ChannelMode mode : {ChannelMode::stereo, ChannelMode::mid_side}) {
    INFO("mode " << to_string(mode));
    // Content items: L = R (stereo) or S = 0 (mid-side); output: two unrelated signals.
    const std::vector<std::vector<float>> content = {
        mono, mode == ChannelMode::stereo ? mono : std::vector<float>(n, 0.0f)};
    const auto x = coloured_noise(n, seed + 1, 0.5f), y = coloured_noise(n, seed + 2, 0.5f);
    Buffer<float> out(*backend, 2 * int64_t(n));
    backend->upload(out.get(), x.data(), 4 * n);
    backend->upload(out.get() + n, y.data(), 4 * n);
    follow_content_image(*backend, *stft, content, out.get(), mode);
    const auto host = out.download();
    // stereo: L and R; mid-side: M and S (S must vanish).
    const std::vector<float> first(host.begin(), host.begin() + n), second(host.begin() + n, host.end());
    if (mode == ChannelMode::stereo) {
      CHECK(test::relative_error(second, first) < 1e-3);
    } else {
      double side = 0, mid = 0;
      for (size_t i = 0; i < n; ++i) {
        side += double(second[i]) * second[i];
        mid += double(first[i]) * first[i];
      }
      CHECK(side / mid < 1e-6);
    }
  }
}

namespace {

// A stereo and a mid-side run of `clip` (its first 3 s, tiny recipe) against a mono run of the same
// content: the image follows the content's (within 0.1), and the downmix scores no worse than the
// mono run's.
void check_stereo_runs(const std::string& clip, uint64_t seed) {
  INFO(clip << ", transfer seed " << seed);
  auto backend = make_cpu_backend();
  TransferConfig config = test::small_config(40, 60);
  config.seed = seed;
  const Audio content = read_audio(test::source_path(clip),
                                   ReadOptions{config.sample_rate_hz, false, 0, 3.0});
  const Audio style = read_audio(test::source_path("data/style_strings.flac"),
                                 ReadOptions{config.sample_rate_hz, true, 0, 3.0});
  REQUIRE(content.n_channels() == 2);
  const Image want = image_of(content.channels[0], content.channels[1]);
  INFO("content: corr " << want.correlation << " side/mid " << want.side_to_mid);
  const StftShape shape{config.n_fft, config.hop, content.n_samples()};
  const std::vector<float> content_mono = downmix_of(content);
  Engine engine(*backend);
  config.channels = ChannelMode::mono;
  const Scores mono = score(*backend, shape, downmix_of(engine.transfer(content, style, config).output),
                            content_mono, style.channels[0]);
  INFO("mono run: style ratio " << mono.style_ratio << " onset corr " << mono.onset_correlation);
  for (ChannelMode mode : {ChannelMode::stereo, ChannelMode::mid_side}) {
    config.channels = mode;
    const Audio out = engine.transfer(content, style, config).output;
    REQUIRE(out.n_channels() == 2);
    const Image got = image_of(out.channels[0], out.channels[1]);
    const Scores s = score(*backend, shape, downmix_of(out), content_mono, style.channels[0]);
    INFO(to_string(mode) << ": corr " << got.correlation << " side/mid " << got.side_to_mid
                         << "; downmix style ratio " << s.style_ratio << " onset corr "
                         << s.onset_correlation);
    CHECK(std::fabs(got.correlation - want.correlation) < 0.1);
    CHECK(std::fabs(got.side_to_mid - want.side_to_mid) < 0.1);
    // No allowance beyond float rounding: both modes optimise the mid, the downmix, on its own
    // from the mono run's starting point, so it takes the mono run's path, and the image match
    // leaves it as it is (up to the ISTFT/STFT round trip). Measured over transfer seeds 1-10 on
    // both recordings: |gap| <= 3.4e-9 (style ratio) and 3.4e-8 (onset correlation). Before,
    // with L and R optimised as the stereo items and all items in one L-BFGS, the stereo downmix
    // scored worse than the mono run in style ratio at every seed (+0.006 to +0.011 on the real
    // recording) and fell more than 0.02 below it in onset correlation at 6 of 10 (seed 7: 0.228
    // against 0.257), and mid-side at 2 of 10 (gaps -0.040 to +0.040).
    constexpr double kRounding = 1e-6;
    CHECK(s.style_ratio <= mono.style_ratio + kRounding);
    CHECK(s.onset_correlation >= mono.onset_correlation - kRounding);
  }
}

}  // namespace

// data/content_guitar_stereo.flac: a real stereo mix (a guitar performance, data/README.md).
TEST_CASE("stereo runs on a real stereo recording keep its image and the downmix scores as mono",
          "[stereo_image][transfer]") {
  check_stereo_runs("data/content_guitar_stereo.flac", 7);
}

// data/content_piano_stereo.flac: the synthetic FluidSynth render, a second, different image.
TEST_CASE("stereo runs on a synthetic stereo render keep its image and the downmix scores as mono",
          "[stereo_image][transfer]") {
  check_stereo_runs("data/content_piano_stereo.flac", 7);
}

