// Fast Griffin-Lim phase update (Perraudin, Balazs & Sondergaard 2013, as librosa.griffinlim),
// twin of host/cpu/griffinlim.cpp and, like it, computed in double per element and rounded once:
//   angles = rebuilt - momentum / (1 + momentum) * previous
//   angles /= |angles| + 1e-16        (a zero bin stays zero instead of NaN)
//   previous = rebuilt
// All [count, 2]. Each thread reads its element's inputs before writing, so `angles` may alias
// `rebuilt` (no __restrict__ on them for that reason).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void griffinlim_update_kernel(const float* rebuilt, float* previous, float* angles,
                                         int64_t count, double weight) {
  for (int64_t i = first_index(); i < count; i += grid_stride()) {
    const double rebuilt_re = rebuilt[2 * i], rebuilt_im = rebuilt[2 * i + 1];
    // __dmul_rn/__dsub_rn: no fma contraction, the same roundings as the CPU twin.
    const double re = __dsub_rn(rebuilt_re, __dmul_rn(weight, double(previous[2 * i])));
    const double im = __dsub_rn(rebuilt_im, __dmul_rn(weight, double(previous[2 * i + 1])));
    const double norm = hypot(re, im) + 1e-16;
    previous[2 * i] = float(rebuilt_re);
    previous[2 * i + 1] = float(rebuilt_im);
    angles[2 * i] = float(re / norm);
    angles[2 * i + 1] = float(im / norm);
  }
}

}  // namespace

void griffinlim_update(const Context& context, const float* rebuilt, float* previous, float* angles,
                       int64_t count, float momentum) {
  if (count <= 0) return;
  const double weight = double(momentum) / (1.0 + double(momentum));
  griffinlim_update_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      rebuilt, previous, angles, count, weight);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
