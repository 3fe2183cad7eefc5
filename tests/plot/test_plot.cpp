// The pictures (host/plot): their size, and that the pixels follow the data. PNGs are read back
// with cairo.
#include <cairo.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "audiostyle/errors.h"
#include "host/eval/measures.h"
#include "host/plot/plot.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct Png {
  int width = 0, height = 0, stride = 0;
  std::vector<unsigned char> pixels;
  std::array<int, 3> rgb(int x, int y) const {
    uint32_t v;
    std::memcpy(&v, pixels.data() + size_t(y) * stride + size_t(x) * 4, 4);
    return {int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)};
  }
  double luminance(int x, int y) const {
    const auto c = rgb(x, y);
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
};

Png read_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  Png png;
  png.width = cairo_image_surface_get_width(s);
  png.height = cairo_image_surface_get_height(s);
  png.stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  png.pixels.assign(data, data + size_t(png.stride) * png.height);
  cairo_surface_destroy(s);
  return png;
}

eval::Spectrogram sine_mel_db(double hz, int rate = 22050) {
  auto cpu = make_cpu_backend();
  std::vector<float> audio(size_t(rate) * 2);
  for (size_t i = 0; i < audio.size(); ++i) audio[i] = 0.5f * float(std::sin(2 * M_PI * hz * i / rate));
  const auto bank = eval::mel_filterbank(rate, 2048, 128, 0, rate / 2.0);
  return eval::power_to_db(
      eval::mel_spectrogram(eval::power_spectrogram(*cpu, audio, 2048, 512), bank, 128), 0);
}

}  // namespace

TEST_CASE("plot: magma runs from near black to pale yellow, brighter all the way", "[plot]") {
  const auto lo = plot::magma(0), hi = plot::magma(1);
  CHECK(lo[0] + lo[1] + lo[2] < 10);
  CHECK(hi[0] > 240);
  CHECK(hi[1] > 240);
  double previous = -1;
  for (int i = 0; i <= 100; ++i) {
    const auto c = plot::magma(i / 100.0);
    const double y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    CHECK(y >= previous - 0.5);  // perceptually monotone (8-bit rounding aside)
    previous = y;
  }
  CHECK(plot::magma(std::nan("")) == lo);
}

TEST_CASE("plot: a sine's row is the brightest of its spectrogram, at its frequency", "[plot]") {
  test::TempDir dir;
  plot::SpectrogramFigure figure;
  figure.fmax_hz = 11025;
  for (const double hz : {440.0, 3000.0})
    figure.panels.push_back({std::to_string(int(hz)) + " Hz", sine_mel_db(hz), 512.0 / 22050});
  const std::string path = dir.file("s.png");
  const plot::SpectrogramLayout layout = plot::write_spectrograms(path, figure);
  const Png png = read_png(path);
  CHECK(png.width == layout.width);
  CHECK(png.height == layout.height);
  REQUIRE(layout.areas.size() == 2);
  const double expected[] = {440.0, 3000.0};
  for (size_t p = 0; p < 2; ++p) {
    const plot::Rect& a = layout.areas[p];
    CHECK(a.x + a.width <= png.width);
    CHECK(a.y + a.height <= png.height);
    int best_row = 0;
    double best = -1;
    for (int y = 0; y < a.height; ++y) {
      double sum = 0;
      for (int x = a.width / 4; x < 3 * a.width / 4; ++x) sum += png.luminance(a.x + x, a.y + y);
      if (sum > best) {
        best = sum;
        best_row = y;
      }
    }
    const double hz = plot::row_to_hz(a, best_row, 0, 11025);
    INFO("panel " << p << ": brightest row " << best_row << " shows " << hz << " Hz");
    // Within one mel band (11025 Hz spans ~40 mel over 128 bands; a band is ~0.33 mel).
    CHECK(std::fabs(eval::hz_to_mel(hz) - eval::hz_to_mel(expected[p])) < 0.5);
    // Far from the sine the picture is dark: the brightest row is much brighter than the top.
    double top = 0;
    for (int x = a.width / 4; x < 3 * a.width / 4; ++x) top += png.luminance(a.x + x, a.y + 2);
    CHECK(best > 3 * top);
  }
  // Outside the plot areas: the white background.
  CHECK(png.rgb(2, png.height - 2) == std::array<int, 3>{255, 255, 255});
}

TEST_CASE("plot: a falling loss curve falls in the picture, one panel per segment", "[plot]") {
  test::TempDir dir;
  std::vector<plot::LossSeries> segments(2);
  for (int s = 0; s < 2; ++s) {
    segments[size_t(s)].title = "segment " + std::to_string(s + 1);
    for (int i = 0; i < 50; ++i) {
      const double style = 1e5 * std::pow(0.85, i);
      segments[size_t(s)].style.push_back(style);
      segments[size_t(s)].content.push_back(20.0);
      segments[size_t(s)].total.push_back(style + 20.0);
    }
  }
  const std::string path = dir.file("l.png");
  const plot::LossLayout layout = plot::write_loss_curves(path, segments);
  const Png png = read_png(path);
  CHECK(png.width == layout.width);
  CHECK(png.height == layout.height);
  REQUIRE(layout.areas.size() == 2);
  CHECK(layout.log10_range[0] == std::array<double, 2>{1, 6});  // 20 .. 1e5 + 20
  // The row in a column where the curve's colour is: the total (near black, drawn over the style
  // it equals at first) high at the left, low at the right; the content (blue, constant) at the
  // same height at both ends.
  auto row_of = [&](const plot::Rect& a, int x, const std::array<uint8_t, 3>& colour) {
    for (int y = a.y; y < a.y + a.height; ++y) {
      const auto c = png.rgb(x, y);
      if (std::abs(c[0] - colour[0]) < 30 && std::abs(c[1] - colour[1]) < 30 &&
          std::abs(c[2] - colour[2]) < 30)
        return y;
    }
    return -1;
  };
  for (const plot::Rect& a : layout.areas) {
    const int left = a.x + 20, right = a.x + a.width - 130;  // clear of the legend
    const int total_left = row_of(a, left, plot::kTotalColour);
    const int total_right = row_of(a, right, plot::kTotalColour);
    REQUIRE(total_left >= 0);
    REQUIRE(total_right >= 0);
    CHECK(total_left < total_right - a.height / 3);
    // Where the two part, the style (orange) is below the total.
    const int style_right = row_of(a, right, plot::kStyleColour);
    REQUIRE(style_right >= 0);
    CHECK(style_right > total_right);
    const int content_left = row_of(a, left, plot::kContentColour);
    const int content_right = row_of(a, right, plot::kContentColour);
    CHECK(std::abs(content_left - content_right) <= 2);
    // 20 on a log axis from 10 to 1e6: log10(2) / 5 of the way up.
    const double expected = a.y + a.height * (1 - std::log10(2.0) / 5);
    CHECK(std::fabs(content_left - expected) <= 3);
  }
}

TEST_CASE("plot: an unwritable path is a clear input error", "[plot]") {
  plot::SpectrogramFigure figure;
  figure.fmax_hz = 11025;
  figure.panels.push_back({"x", sine_mel_db(440), 512.0 / 22050});
  CHECK_THROWS_AS(plot::write_spectrograms("/nonexistent-folder/s.png", figure), InputError);
}
