#include <algorithm>
#include <cmath>

#include "host/plot/plot.h"

namespace audiostyle::plot {
namespace {

// matplotlib.colormaps['magma'](i / 32), i = 0..32, rounded to 8 bits.
constexpr uint8_t kMagma[33][3] = {
    {0, 0, 4},       {3, 3, 18},      {10, 8, 34},     {19, 13, 52},    {29, 17, 71},
    {41, 17, 90},    {54, 16, 107},   {68, 15, 118},   {81, 18, 124},   {93, 23, 127},
    {106, 28, 129},  {118, 33, 129},  {131, 38, 129},  {144, 42, 129},  {156, 46, 127},
    {170, 51, 125},  {183, 55, 121},  {196, 60, 117},  {208, 65, 111},  {220, 72, 105},
    {231, 82, 99},   {239, 93, 94},   {245, 107, 92},  {249, 121, 93},  {252, 137, 97},
    {253, 152, 105}, {254, 167, 114}, {254, 182, 124}, {254, 196, 136}, {254, 211, 149},
    {253, 226, 163}, {252, 240, 178}, {252, 253, 191}};

}  // namespace

std::array<uint8_t, 3> magma(double t) {
  if (!(t > 0)) t = 0;  // NaN too
  t = std::min(t, 1.0) * 32;
  const int i = std::min(int(t), 31);
  const double f = t - i;
  std::array<uint8_t, 3> rgb;
  for (int c = 0; c < 3; ++c)
    rgb[size_t(c)] = uint8_t(std::lround(kMagma[i][c] * (1 - f) + kMagma[i + 1][c] * f));
  return rgb;
}

}  // namespace audiostyle::plot
