// Long tracks in segments: the plan covers the track on frame boundaries, stitching is a weighted
// average that reproduces a spectrogram the segments agree on, and a sine sweep rendered in
// segments shows no seam at the boundaries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "audiostyle/pipeline.h"
#include "host/pipeline/segments.h"
#include "tests/pipeline/optimizer_fixtures.h"
#include "tests/pipeline/small_config.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("segments cover the track with the requested overlap", "[segments]") {
  const int hop = 64;
  for (int64_t total : {1000, 4096, 100003}) {
    for (int64_t length : {300, 1000, 5000}) {
      const int64_t overlap = length / 5;
      const auto segments = plan_segments(total, length, overlap, hop);
      INFO("total " << total << " length " << length);
      REQUIRE(!segments.empty());
      CHECK(segments.front().first_sample == 0);
      CHECK(segments.back().first_sample + segments.back().n_samples == total);
      for (size_t i = 0; i < segments.size(); ++i) {
        CHECK(segments[i].first_sample % hop == 0);
        CHECK(segments[i].n_samples <= length + hop);
        if (i > 0) {
          const int64_t shared = segments[i - 1].first_sample + segments[i - 1].n_samples -
                                 segments[i].first_sample;
          CHECK(shared >= overlap);
          CHECK(segments[i].first_sample > segments[i - 1].first_sample);
        }
        if (i + 2 < segments.size()) CHECK(segments[i].n_samples == segments[i + 1].n_samples);
      }
      if (length >= total) CHECK(segments.size() == 1);
    }
  }
}

TEST_CASE("stitching segments that agree reproduces the track's spectrogram", "[segments]") {
  const int hop = 32, C = 5, B = 2;
  const int64_t total = 3000;
  const auto segments = plan_segments(total, 900, 200, hop);
  REQUIRE(segments.size() >= 3);
  const int64_t T = 1 + total / hop;
  const auto track = test::random_uniform(size_t(B * T * C), test::fresh_seed());
  std::vector<float> sum(track.size(), 0.0f), weight(size_t(T), 0.0f);
  for (size_t i = 0; i < segments.size(); ++i) {
    const int64_t first = segments[i].first_sample / hop, frames = 1 + segments[i].n_samples / hop;
    std::vector<float> x(size_t(B * frames * C));
    for (int b = 0; b < B; ++b)
      for (int64_t j = 0; j < frames; ++j)
        for (int c = 0; c < C; ++c)
          x[size_t((b * frames + j) * C + c)] = track[size_t((b * T + first + j) * C + c)];
    stitch_add(sum, weight, x, B, T, C, segments, i, 256, hop);
  }
  for (int b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t) {
      REQUIRE(weight[size_t(t)] > 0);
      for (int c = 0; c < C; ++c) {
        const size_t k = size_t((b * T + t) * C + c);
        REQUIRE(sum[k] / weight[size_t(t)] == Approx(track[k]).epsilon(1e-5));
      }
    }
}

TEST_CASE("stitching segments that disagree crossfades them along the designed ramp",
          "[segments]") {
  // Segment i holds the constant i (item b: i + 10 b), so the stitched value at a frame is the
  // blend weight of the segments there. The design (segments.h): over the R frames a segment
  // shares with a neighbour its weight ramps linearly, (j + 0.5) / R at its j-th shared frame from
  // its edge, and is 1 elsewhere; the overlap has R + 1 frames (frames are 1 + samples / hop).
  const int hop = 32, C = 3, B = 2;
  const int64_t total = 3000, T = 1 + total / hop;
  const auto segments = plan_segments(total, 900, 200, hop);
  REQUIRE(segments.size() >= 3);
  std::vector<float> sum(size_t(B * T * C), 0.0f), weight(size_t(T), 0.0f);
  for (size_t i = 0; i < segments.size(); ++i) {
    const int64_t frames = 1 + segments[i].n_samples / hop;
    std::vector<float> x(size_t(B * frames * C));
    for (int b = 0; b < B; ++b)
      std::fill(x.begin() + b * frames * C, x.begin() + (b + 1) * frames * C, float(i + 10 * b));
    stitch_add(sum, weight, x, B, T, C, segments, i, 256, hop);
  }
  auto value = [&](int b, int64_t t, int c) {
    return double(sum[size_t((b * T + t) * C + c)]) / double(weight[size_t(t)]);
  };
  auto first_frame = [&](size_t i) { return segments[i].first_sample / hop; };
  auto last_frame = [&](size_t i) { return first_frame(i) + segments[i].n_samples / hop; };
  // The track's own edges and every frame only one segment covers: weight 1, that segment's value.
  CHECK(weight.front() == 1.0f);
  CHECK(weight.back() == 1.0f);
  for (size_t i = 0; i < segments.size(); ++i) {
    const int64_t from = i > 0 ? last_frame(i - 1) + 1 : 0;
    const int64_t to = i + 1 < segments.size() ? first_frame(i + 1) : T;
    REQUIRE(from < to);
    for (int64_t t = from; t < to; ++t) {
      INFO("segment " << i << " frame " << t);
      REQUIRE(weight[size_t(t)] == 1.0f);
      for (int b = 0; b < B; ++b)
        for (int c = 0; c < C; ++c) REQUIRE(value(b, t, c) == double(i + 10 * b));
    }
  }
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const int64_t start = first_frame(i + 1), R = last_frame(i) - start;
    REQUIRE(R >= 2);
    double previous = double(i);
    for (int64_t k = 0; k <= R; ++k) {
      const double w_in = std::min(1.0, (double(k) + 0.5) / double(R));
      const double w_out = std::min(1.0, (double(R - k) + 0.5) / double(R));
      INFO("overlap " << i << " frame " << k << " of " << R);
      CHECK(weight[size_t(start + k)] == Approx(w_in + w_out).epsilon(1e-6));
      for (int b = 0; b < B; ++b) {
        const double expected = double(i + 10 * b) + w_in / (w_in + w_out);
        for (int c = 0; c < C; ++c) CHECK(value(b, start + k, c) == Approx(expected).epsilon(1e-6));
      }
      // Rising from the outgoing segment to the incoming one, symmetric about the middle.
      CHECK(value(0, start + k, 0) > previous);
      CHECK(value(0, start + k, 0) + value(0, start + R - k, 0) == Approx(2.0 * i + 1).epsilon(1e-6));
      previous = value(0, start + k, 0);
    }
    // The incoming segment's first frame (its window reached before its audio) barely counts.
    CHECK(value(0, start, 0) - double(i) < 1.0 / double(R));
    CHECK(double(i + 1) - value(0, start + R, 0) < 1.0 / double(R));
  }
}

TEST_CASE("a sine sweep rendered in segments has no seam at the boundaries", "[segments]") {
  const int rate = 8000;
  Audio sweep;
  sweep.sample_rate_hz = rate;
  const int64_t n = 6 * rate;
  sweep.channels.assign(1, std::vector<float>(n));
  double phase = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double f = 200.0 + 1800.0 * double(i) / n;  // 200 Hz -> 2 kHz
    phase += 2 * M_PI * f / rate;
    sweep.channels[0][i] = float(0.5 * std::sin(phase));
  }
  TransferConfig config = test::small_config(30, 40);
  config.init = InitKind::content;
  config.segment_seconds = 2.0;
  config.overlap_seconds = 0.25;
  auto backend = make_cpu_backend();
  const TransferResult result = transfer(*backend, sweep, sweep, config);
  REQUIRE(result.segments.size() >= 3);
  REQUIRE(result.output.n_samples() == n);
  const auto& y = result.output.channels[0];

  // Level in 16 ms windows: across each boundary region it stays within 3 dB of the level just
  // before and after it (a seam would dip or bump).
  auto rms = [&](int64_t from, int64_t count) {
    double sum = 0;
    for (int64_t i = from; i < from + count; ++i) sum += double(y[i]) * y[i];
    return std::sqrt(sum / count);
  };
  const int64_t window = rate * 16 / 1000;
  for (size_t s = 1; s < result.segments.size(); ++s) {
    const int64_t start = result.segments[s].first_sample;
    const int64_t end = result.segments[s - 1].first_sample + result.segments[s - 1].n_samples;
    const double before = rms(start - 4 * window, 4 * window), after = rms(end, 4 * window);
    for (int64_t w = start; w + window <= end; w += window) {
      const double level = rms(w, window);
      INFO("boundary " << s << " at " << w << ": " << level << " vs " << before << ", " << after);
      CHECK(20 * std::log10(level / std::min(before, after)) > -3.0);
      CHECK(20 * std::log10(level / std::max(before, after)) < 3.0);
    }
    // No click: the largest sample step in the overlap is no larger than elsewhere nearby.
    auto max_step = [&](int64_t from, int64_t to) {
      double m = 0;
      for (int64_t i = from + 1; i < to; ++i) m = std::max(m, double(std::fabs(y[i] - y[i - 1])));
      return m;
    };
    CHECK(max_step(start, end) <= 1.5 * std::max(max_step(start - 2 * (end - start), start),
                                                  max_step(end, end + 2 * (end - start))));
  }
}

TEST_CASE("a track too long for the memory is split into segments automatically", "[segments]") {
  auto cpu = make_cpu_backend();
  test::CountingBackend small_device(*cpu);
  TransferConfig config = test::small_config(3, 3);
  config.overlap_seconds = 0.25;
  Audio content, style;
  content.sample_rate_hz = style.sample_rate_hz = 8000;
  content.channels = {test::random_uniform(8000 * 20, test::fresh_seed(), -0.3f, 0.3f)};
  style.channels = {test::random_uniform(8000 * 2, test::fresh_seed(), -0.3f, 0.3f)};
  const size_t whole = plan_memory(config, content.n_samples(), 1, true).total_bytes();
  small_device.available_limit = whole / 3;
  const TransferResult result = transfer(small_device, content, style, config);
  INFO("whole track plan " << whole << " bytes, limit " << small_device.available_limit);
  CHECK(result.segments.size() >= 3);
  CHECK(result.memory.total_bytes() <= small_device.available_limit);
  CHECK(result.output.n_samples() == content.n_samples());
  // With room for all of it, one segment.
  small_device.available_limit = 0;
  CHECK(transfer(small_device, content, style, config).segments.size() == 1);
}
