// CPU twin of kernels/griffinlim.cu: the fast Griffin-Lim phase update (Perraudin, Balazs &
// Sondergaard 2013), written as librosa.griffinlim writes it:
//   angles = rebuilt - momentum / (1 + momentum) * previous
//   angles /= |angles| + 1e-16        (the 1e-16 keeps a zero bin at zero instead of NaN)
//   previous = rebuilt
#include <cmath>

#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// rebuilt, previous, angles: [count, 2]. Each element reads all its inputs before writing, so
// `angles` may alias `rebuilt`.
void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                       float momentum) {
  const double weight = double(momentum) / (1.0 + double(momentum));
  for (int64_t i = 0; i < count; ++i) {
    const double rebuilt_re = rebuilt[2 * i], rebuilt_im = rebuilt[2 * i + 1];
    const double re = rebuilt_re - weight * double(previous[2 * i]);
    const double im = rebuilt_im - weight * double(previous[2 * i + 1]);
    const double norm = std::hypot(re, im) + 1e-16;
    previous[2 * i] = float(rebuilt_re);
    previous[2 * i + 1] = float(rebuilt_im);
    angles[2 * i] = float(re / norm);
    angles[2 * i + 1] = float(im / norm);
  }
}

}  // namespace audiostyle::cpu
