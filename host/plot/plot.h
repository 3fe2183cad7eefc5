// Pictures of a run (--plots DIR): log-mel spectrograms side by side and loss curves, drawn with
// cairo (axes, ticks and text by cairo and fontconfig; cairo writes the PNG). Each function
// returns where it drew, so a test can check that the pixels follow the data.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host/eval/measures.h"
#include "host/io/staged_file.h"

namespace audiostyle::plot {

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;  // pixels, y down
};

// magma (matplotlib's perceptually uniform map), t in [0, 1] -> 8-bit RGB; 33 entries from
// matplotlib 3, interpolated linearly.
std::array<uint8_t, 3> magma(double t);

struct SpectrogramPanel {
  std::string title;
  eval::Spectrogram mel_db;  // [T, n_mels] in dB, bands mel-spaced from fmin to fmax
  double seconds_per_frame = 0;
};
struct SpectrogramFigure {
  double fmin_hz = 0, fmax_hz = 0;
  double db_range = 80;  // colours span [max - db_range, max] over all panels (one shared scale)
  std::vector<SpectrogramPanel> panels;
};
struct SpectrogramLayout {
  int width = 0, height = 0;
  std::vector<Rect> areas;  // one plot area per panel
  double db_min = 0, db_max = 0;
};
// The frequency axis is linear in mel: pixel row y of `area` (0 at the top) shows mel
// mel(fmin) + u (mel(fmax) - mel(fmin)) with u = (area.height - y - 0.5) / area.height, and pixel
// column x frames [x T / width, (x + 1) T / width) averaged (or the nearest frame when T < width).
double row_to_hz(const Rect& area, int y, double fmin_hz, double fmax_hz);
// Throws InputError when the file cannot be written. The PNG goes to a temporary beside `path`:
// with `staged`, it is left there for the caller to commit with the job's other outputs; without,
// it is renamed into place at once. Either way an existing file is replaced whole, never truncated.
SpectrogramLayout write_spectrograms(const std::string& path, const SpectrogramFigure& figure,
                                     io::StagedFile* staged = nullptr);

struct LossSeries {
  std::string title;               // e.g. "segment 1"
  std::vector<double> total, content, style;  // per iteration, from first_iteration on
  int first_iteration = 0;                     // 0: the starting point, before any step
};
struct LossLayout {
  int width = 0, height = 0;
  std::vector<Rect> areas;
  std::vector<std::array<double, 2>> log10_range;  // y axis of each area: [bottom, top] decades
};
// Colours of the three curves (RGB), for the legend and the tests.
constexpr std::array<uint8_t, 3> kTotalColour{20, 20, 20}, kContentColour{31, 119, 180},
    kStyleColour{255, 127, 14};
// One panel per segment, log-scale losses against the iteration; values <= 0 are not drawn.
// `staged` as for write_spectrograms.
LossLayout write_loss_curves(const std::string& path, const std::vector<LossSeries>& segments,
                             io::StagedFile* staged = nullptr);

}  // namespace audiostyle::plot
