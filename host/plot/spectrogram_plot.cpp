// Log-mel spectrograms side by side on one colour scale, with time and frequency axes.
#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/plot/canvas.h"

namespace audiostyle::plot {
namespace {

constexpr int kAreaWidth = 360, kAreaHeight = 260;
constexpr int kLeft = 62, kRight = 14, kTop = 30, kBottom = 44;
constexpr int kBarWidth = 14, kBarSpace = 70;  // colour bar and its labels

std::string hz_label(double hz) {
  return hz >= 1000 ? format_number(hz / 1000) + "k" : format_number(hz);
}

}  // namespace

double row_to_hz(const Rect& area, int y, double fmin_hz, double fmax_hz) {
  const double u = (area.height - y - 0.5) / area.height;
  const double lo = eval::hz_to_mel(fmin_hz), hi = eval::hz_to_mel(fmax_hz);
  return eval::mel_to_hz(lo + u * (hi - lo));
}

SpectrogramLayout write_spectrograms(const std::string& path, const SpectrogramFigure& figure,
                                     io::StagedFile* staged) {
  AS_CHECK(!figure.panels.empty(), "write_spectrograms: no panels");
  SpectrogramLayout layout;
  const int n = int(figure.panels.size());
  layout.width = n * (kLeft + kAreaWidth + kRight) + kBarSpace;
  layout.height = kTop + kAreaHeight + kBottom;
  layout.db_max = -1e300;
  for (const auto& p : figure.panels)
    for (const float v : p.mel_db.values) layout.db_max = std::max(layout.db_max, double(v));
  layout.db_min = layout.db_max - figure.db_range;

  Canvas canvas(layout.width, layout.height);
  const double mel_lo = eval::hz_to_mel(figure.fmin_hz), mel_hi = eval::hz_to_mel(figure.fmax_hz);
  for (int i = 0; i < n; ++i) {
    const SpectrogramPanel& panel = figure.panels[size_t(i)];
    const Rect area{i * (kLeft + kAreaWidth + kRight) + kLeft, kTop, kAreaWidth, kAreaHeight};
    layout.areas.push_back(area);
    const eval::Spectrogram& s = panel.mel_db;
    const int M = s.n_bands;
    AS_CHECK(M > 0 && s.n_frames > 0, "write_spectrograms: empty panel " + panel.title);

    // The image, pixel by pixel: columns average the frames they cover, rows take the band whose
    // centre (edge m + 1 of the mel filterbank) is nearest in mel.
    cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, area.width, area.height);
    const int stride = cairo_image_surface_get_stride(image);
    unsigned char* pixels = cairo_image_surface_get_data(image);
    std::vector<double> column(static_cast<size_t>(M));
    for (int x = 0; x < area.width; ++x) {
      int64_t t0 = int64_t(double(x) * s.n_frames / area.width);
      int64_t t1 = int64_t(double(x + 1) * s.n_frames / area.width);
      t0 = std::min(t0, s.n_frames - 1);
      t1 = std::max(t1, t0 + 1);
      std::fill(column.begin(), column.end(), 0.0);
      for (int64_t t = t0; t < t1; ++t)
        for (int m = 0; m < M; ++m) column[size_t(m)] += s.at(t, m);
      for (int y = 0; y < area.height; ++y) {
        const double u = (area.height - y - 0.5) / area.height;
        const int m = std::clamp(int(std::lround(u * (M + 1) - 1)), 0, M - 1);
        const double db = column[size_t(m)] / double(t1 - t0);
        const auto rgb = magma((db - layout.db_min) / figure.db_range);
        auto* px = reinterpret_cast<uint32_t*>(pixels + size_t(y) * stride) + x;
        *px = (uint32_t(rgb[0]) << 16) | (uint32_t(rgb[1]) << 8) | rgb[2];
      }
    }
    cairo_surface_mark_dirty(image);
    cairo_set_source_surface(canvas.cr(), image, area.x, area.y);
    cairo_paint(canvas.cr());
    cairo_surface_destroy(image);
    canvas.frame(area);

    // Axes.
    const double seconds = s.n_frames * panel.seconds_per_frame;
    const double step = nice_step(seconds, 6);
    for (double t = 0; t <= seconds + 1e-9; t += step)
      canvas.tick_x(area, area.x + t / seconds * area.width, format_number(t));
    canvas.text("time (s)", area.x + area.width / 2.0, area.y + area.height + 24, 11, 0.5, 0);
    for (const double hz : {0.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0}) {
      if (hz < figure.fmin_hz || hz > figure.fmax_hz) continue;
      const double u = (eval::hz_to_mel(hz) - mel_lo) / (mel_hi - mel_lo);
      canvas.tick_y(area, area.y + area.height * (1 - u), hz_label(hz));
    }
    canvas.text("Hz", area.x - 34, area.y - 6, 11, 0.5, 1);
    canvas.text(panel.title, area.x + area.width / 2.0, 8, 13, 0.5, 0, true);
  }

  // Colour bar, shared by the panels.
  const Rect bar{layout.width - kBarSpace + 6, kTop, kBarWidth, kAreaHeight};
  for (int y = 0; y < bar.height; ++y) {
    canvas.colour(magma(1.0 - (y + 0.5) / bar.height));
    cairo_rectangle(canvas.cr(), bar.x, bar.y + y, bar.width, 1);
    cairo_fill(canvas.cr());
  }
  canvas.frame(bar);
  const double db_step = nice_step(figure.db_range, 5);
  for (double db = std::ceil(layout.db_min / db_step) * db_step; db <= layout.db_max + 1e-9;
       db += db_step) {
    const double y = bar.y + bar.height * (layout.db_max - db) / figure.db_range;
    cairo_set_source_rgb(canvas.cr(), 0, 0, 0);
    cairo_move_to(canvas.cr(), bar.x + bar.width, std::round(y) + 0.5);
    cairo_line_to(canvas.cr(), bar.x + bar.width + 4, std::round(y) + 0.5);
    cairo_stroke(canvas.cr());
    canvas.text(format_number(db), bar.x + bar.width + 6, y, 10, 0, 0.5);
  }
  canvas.text("dB", bar.x + bar.width / 2.0, bar.y - 6, 11, 0.5, 1);
  canvas.write_png(path, staged);
  return layout;
}

}  // namespace audiostyle::plot
