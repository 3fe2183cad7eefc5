// Output level: integrated loudness (ITU-R BS.1770-4 with EBU R128 gating, via libebur128) and a
// look-ahead peak limiter, so an output can match its source's loudness without clipping.
#pragma once
#include <cstdint>

#include "audiostyle/audio.h"

namespace audiostyle::io {

// Loudness in LUFS; -infinity when every block is below the -70 LUFS absolute gate (near
// silence). One channel is measured as dual mono (a mono file played on two speakers), so mono and
// stereo versions of one signal read alike.
double integrated_loudness(const Audio& audio);

// Scales every sample by gain, then limits: the gain curve is the sliding minimum of the gain each
// sample needs to stay under `ceiling`, smoothed by a moving average over the same window (2W+1
// samples, W = `lookahead_samples`). Each output gain is a mean of minima over windows that all
// hold the sample, so it never exceeds the gain that sample needs: no overshoot, no clicks.
// Returns the number of samples whose gain was reduced.
int64_t apply_gain_limited(Audio& audio, double gain, float ceiling, int lookahead_samples);

}  // namespace audiostyle::io
