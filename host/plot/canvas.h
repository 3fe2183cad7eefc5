// A cairo image surface with the few drawing helpers the plots share (text, ticks, frames).
#pragma once
#include <cairo.h>

#include <string>

#include "host/io/staged_file.h"

#include "host/plot/plot.h"

namespace audiostyle::plot {

class Canvas {
 public:
  Canvas(int width, int height);  // white background
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  cairo_t* cr() { return cr_; }
  cairo_surface_t* surface() { return surface_; }
  // Text anchored at (x, y): align_x 0 left, 0.5 centre, 1 right; align_y likewise (0 top).
  void text(const std::string& s, double x, double y, double size, double align_x,
            double align_y, bool bold = false);
  void colour(const std::array<uint8_t, 3>& rgb);
  void frame(const Rect& area);  // the plot area's border
  void tick_x(const Rect& area, double x, const std::string& label);
  void tick_y(const Rect& area, double y, const std::string& label);
  // Encodes the PNG and stages it beside `path` (io::stage_text): into *staged for the caller to
  // commit, or committed at once when staged is null. Throws InputError naming the path when
  // cairo cannot encode it, Error when the file cannot be written.
  void write_png(const std::string& path, io::StagedFile* staged = nullptr);

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

// A tick step from 1, 2, 5 x 10^k giving at most `max_ticks` ticks over `span`.
double nice_step(double span, int max_ticks);
std::string format_number(double value);  // "%g", without "-0"

}  // namespace audiostyle::plot
