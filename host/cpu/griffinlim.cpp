// CPU twin of kernels/griffinlim.cu: the fast Griffin-Lim phase update (Perraudin, Balazs &
// Sondergaard 2013), written as librosa.griffinlim writes it, through the kernel's own arithmetic
// (kernels/griffinlim_math.h):
//   angles = rebuilt - momentum / (1 + momentum) * previous
//   angles /= |angles| + 1e-16        (the 1e-16 keeps a zero bin at zero instead of NaN)
//   previous = rebuilt
#include "host/cpu/cpu_ops.h"
#include "kernels/griffinlim_math.h"

namespace audiostyle::cpu {

// rebuilt, previous, angles: [count, 2]. Each element reads all its inputs before writing, so
// `angles` may alias `rebuilt`.
void griffinlim_update(const float* rebuilt, float* previous, float* angles, int64_t count,
                       float momentum) {
  const double weight = math::griffinlim_weight(momentum);
  for (int64_t i = 0; i < count; ++i)
    math::griffinlim_update_bin(rebuilt, previous, angles, i, weight);
}

}  // namespace audiostyle::cpu
