// Loss curves per segment: total, content and style against the iteration, log scale.
#include <algorithm>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/plot/canvas.h"

namespace audiostyle::plot {
namespace {

constexpr int kAreaWidth = 520, kAreaHeight = 240;
constexpr int kLeft = 70, kRight = 20, kTop = 30, kBottom = 46;

}  // namespace

LossLayout write_loss_curves(const std::string& path, const std::vector<LossSeries>& segments,
                             io::StagedFile* staged) {
  AS_CHECK(!segments.empty(), "write_loss_curves: no segments");
  LossLayout layout;
  const int n = int(segments.size());
  layout.width = kLeft + kAreaWidth + kRight;
  layout.height = n * (kTop + kAreaHeight + kBottom);
  Canvas canvas(layout.width, layout.height);
  cairo_t* cr = canvas.cr();

  for (int i = 0; i < n; ++i) {
    const LossSeries& series = segments[size_t(i)];
    const Rect area{kLeft, i * (kTop + kAreaHeight + kBottom) + kTop, kAreaWidth, kAreaHeight};
    layout.areas.push_back(area);
    double lo = 1e300, hi = -1e300;
    size_t iterations = 0;
    for (const auto* curve : {&series.total, &series.content, &series.style}) {
      iterations = std::max(iterations, curve->size());
      for (const double v : *curve)
        if (v > 0 && std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    }
    // Whole decades around the data (one decade at least).
    double bottom = lo <= hi ? std::floor(std::log10(lo)) : 0;
    double top = lo <= hi ? std::ceil(std::log10(hi)) : 1;
    if (top <= bottom) top = bottom + 1;
    layout.log10_range.push_back({bottom, top});
    const double x_min = series.first_iteration;
    const double x_max = x_min + double(std::max<size_t>(iterations, 2)) - 1;
    auto to_x = [&](double iteration) {
      return area.x + (iteration - x_min) / (x_max - x_min) * area.width;
    };
    auto to_y = [&](double v) {
      return area.y + area.height * (top - std::log10(v)) / (top - bottom);
    };

    // Decade grid and labels 10^k.
    for (int k = int(bottom); k <= int(top); ++k) {
      const double y = to_y(std::pow(10.0, k));
      cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
      cairo_move_to(cr, area.x, std::round(y) + 0.5);
      cairo_line_to(cr, area.x + area.width, std::round(y) + 0.5);
      cairo_stroke(cr);
      canvas.tick_y(area, y, "");
      cairo_set_source_rgb(cr, 0, 0, 0);
      const std::string exponent = std::to_string(k);
      canvas.text("10", area.x - 8 - 6.5 * exponent.size(), y, 11, 1, 0.4);
      canvas.text(exponent, area.x - 8, y - 5, 8, 1, 0.5);
    }
    // The first iteration, then the multiples of the step after it.
    const double step = std::max(1.0, nice_step(x_max - x_min, 8));
    for (double it = x_min; it <= x_max + 1e-9;
         it = it == x_min ? (std::floor(x_min / step) + 1) * step : it + step)
      canvas.tick_x(area, to_x(it), format_number(it));
    canvas.text("iteration", area.x + area.width / 2.0, area.y + area.height + 24, 11, 0.5, 0);
    canvas.text(series.title + ": loss (log scale)", area.x + area.width / 2.0, area.y - 22, 13,
                0.5, 0, true);

    // Curves, clipped to the area; points <= 0 break the line.
    cairo_save(cr);
    cairo_rectangle(cr, area.x, area.y, area.width, area.height);
    cairo_clip(cr);
    const std::pair<const std::vector<double>*, std::array<uint8_t, 3>> curves[] = {
        {&series.content, kContentColour}, {&series.style, kStyleColour},
        {&series.total, kTotalColour}};
    for (const auto& [curve, rgb] : curves) {
      canvas.colour(rgb);
      cairo_set_line_width(cr, 2);
      bool drawing = false;
      for (size_t k = 0; k < curve->size(); ++k) {
        const double v = (*curve)[k];
        if (!(v > 0) || !std::isfinite(v)) {
          drawing = false;
          continue;
        }
        const double x = to_x(x_min + double(k)), y = to_y(v);
        if (drawing) cairo_line_to(cr, x, y);
        else cairo_move_to(cr, x, y);
        drawing = true;
      }
      if (curve->size() == 1) cairo_rel_line_to(cr, 1, 0);  // a single point still shows
      cairo_stroke(cr);
    }
    cairo_restore(cr);
    canvas.frame(area);

    // Legend, top right inside the area.
    const char* names[] = {"total", "content", "style"};
    const std::array<uint8_t, 3> colours[] = {kTotalColour, kContentColour, kStyleColour};
    for (int j = 0; j < 3; ++j) {
      const double y = area.y + 14 + 16 * j, x = area.x + area.width - 96;
      canvas.colour(colours[j]);
      cairo_set_line_width(cr, 2);
      cairo_move_to(cr, x, y);
      cairo_line_to(cr, x + 22, y);
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      canvas.text(names[j], x + 28, y, 11, 0, 0.5);
    }
  }
  canvas.write_png(path, staged);
  return layout;
}

}  // namespace audiostyle::plot
