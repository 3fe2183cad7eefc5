// Fast Griffin-Lim phase update (Perraudin, Balazs & Sondergaard 2013, as librosa.griffinlim),
// twin of host/cpu/griffinlim.cpp: both run kernels/griffinlim_math.h, in double per element and
// rounded once:
//   angles = rebuilt - momentum / (1 + momentum) * previous
//   angles /= |angles| + 1e-16        (a zero bin stays zero instead of NaN)
//   previous = rebuilt
// All [count, 2]. Each thread reads its element's inputs before writing, so `angles` may alias
// `rebuilt` (no __restrict__ on them for that reason).
#include "kernels/cuda_check.h"
#include "kernels/cuda_ops.h"
#include "kernels/griffinlim_math.h"
#include "kernels/launch.cuh"

namespace audiostyle::cuda {
namespace {

__global__ void griffinlim_update_kernel(const float* rebuilt, float* previous, float* angles,
                                         int64_t count, double weight) {
  for (int64_t i = first_index(); i < count; i += grid_stride())
    math::griffinlim_update_bin(rebuilt, previous, angles, i, weight);
}

}  // namespace

void griffinlim_update(const Context& context, const float* rebuilt, float* previous, float* angles,
                       int64_t count, float momentum) {
  if (count <= 0) return;
  const double weight = math::griffinlim_weight(momentum);
  griffinlim_update_kernel<<<elementwise_blocks(count), kBlockThreads, 0, context.stream>>>(
      rebuilt, previous, angles, count, weight);
  CUDA_CHECK_LAUNCH();
}

}  // namespace audiostyle::cuda
