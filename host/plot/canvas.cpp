#include "host/plot/canvas.h"

#include <cmath>
#include <cstdio>

#include "audiostyle/errors.h"

namespace audiostyle::plot {

Canvas::Canvas(int width, int height)
    : surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)),
      cr_(cairo_create(surface_)) {
  if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS)
    throw Error(std::string("cairo: cannot make a ") + std::to_string(width) + "x" +
                std::to_string(height) + " image: " + cairo_status_to_string(cairo_status(cr_)));
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_paint(cr_);
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::text(const std::string& s, double x, double y, double size, double align_x,
                  double align_y, bool bold) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, s.c_str(), &extents);
  cairo_font_extents_t font;
  cairo_font_extents(cr_, &font);
  // Vertical alignment by the font's ascent and descent, so labels line up whatever their glyphs.
  const double height = font.ascent + font.descent;
  cairo_move_to(cr_, x - extents.x_advance * align_x, y - height * align_y + font.ascent);
  cairo_show_text(cr_, s.c_str());
}

void Canvas::colour(const std::array<uint8_t, 3>& rgb) {
  cairo_set_source_rgb(cr_, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
}

void Canvas::frame(const Rect& area) {
  cairo_set_source_rgb(cr_, 0, 0, 0);
  cairo_set_line_width(cr_, 1);
  cairo_rectangle(cr_, area.x - 0.5, area.y - 0.5, area.width + 1, area.height + 1);
  cairo_stroke(cr_);
}

void Canvas::tick_x(const Rect& area, double x, const std::string& label) {
  cairo_set_source_rgb(cr_, 0, 0, 0);
  cairo_set_line_width(cr_, 1);
  const double px = std::round(x) + 0.5;
  cairo_move_to(cr_, px, area.y + area.height);
  cairo_line_to(cr_, px, area.y + area.height + 5);
  cairo_stroke(cr_);
  text(label, px, area.y + area.height + 7, 11, 0.5, 0);
}

void Canvas::tick_y(const Rect& area, double y, const std::string& label) {
  cairo_set_source_rgb(cr_, 0, 0, 0);
  cairo_set_line_width(cr_, 1);
  const double py = std::round(y) + 0.5;
  cairo_move_to(cr_, area.x - 5, py);
  cairo_line_to(cr_, area.x, py);
  cairo_stroke(cr_);
  text(label, area.x - 7, py, 11, 1, 0.5);
}

void Canvas::write_png(const std::string& path, io::StagedFile* staged) {
  cairo_surface_flush(surface_);
  std::string bytes;
  const cairo_status_t status = cairo_surface_write_to_png_stream(
      surface_,
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &bytes);
  if (status != CAIRO_STATUS_SUCCESS)
    throw InputError("cannot write the plot " + path + ": " + cairo_status_to_string(status));
  io::StagedFile file = io::stage_text(path, bytes);
  if (staged)
    *staged = std::move(file);
  else
    file.commit();
}

double nice_step(double span, int max_ticks) {
  if (!(span > 0)) return 1;
  const double raw = span / std::max(max_ticks, 1);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw) return m * decade;
  return 10 * decade;
}

std::string format_number(double value) {
  if (std::fabs(value) < 1e-12) value = 0;
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace audiostyle::plot
