// The fast Griffin-Lim phase update for one bin (Perraudin, Balazs & Sondergaard 2013, as
// librosa.griffinlim writes it), shared by kernels/griffinlim.cu and host/cpu/griffinlim.cpp
// (kernels/rounded_math.h says why), in double per element and rounded once:
//   angles = rebuilt - weight * previous,   weight = momentum / (1 + momentum)
//   angles /= |angles| + 1e-16        (the 1e-16 keeps a zero bin at zero instead of NaN)
//   previous = rebuilt
#pragma once
#include <stdint.h>

#include "kernels/rounded_math.h"

namespace audiostyle::math {

// weight = momentum / (1 + momentum), once per call (host side of both backends).
inline double griffinlim_weight(float momentum) {
  return double(momentum) / (1.0 + double(momentum));
}

// rebuilt, previous, angles: [count, 2]; updates bin i. All of bin i's inputs are read before any
// write, so `angles` may alias `rebuilt`.
AS_MATH void griffinlim_update_bin(const float* rebuilt, float* previous, float* angles, int64_t i,
                                   double weight) {
  const double rebuilt_re = rebuilt[2 * i], rebuilt_im = rebuilt[2 * i + 1];
  const double re = sub_rn(rebuilt_re, mul_rn(weight, double(previous[2 * i])));
  const double im = sub_rn(rebuilt_im, mul_rn(weight, double(previous[2 * i + 1])));
  const double norm = add_rn(::hypot(re, im), 1e-16);
  previous[2 * i] = float(rebuilt_re);
  previous[2 * i + 1] = float(rebuilt_im);
  angles[2 * i] = float(div_rn(re, norm));
  angles[2 * i + 1] = float(div_rn(im, norm));
}

}  // namespace audiostyle::math
