// A band of the optimised spectrogram in front of an extractor (--conv1d-band): method 1's random
// conv on the bins a pretrained network never sees (VGGish: below 125 Hz and above 7.5 kHz), or
// on a band in Hz.
//
// The variable stays x [B, T, C]; the inner extractor sees x[:, :, bins] [B, T, n] (a gather), and
// its input gradient goes back by the adjoint (a scatter into zeros): the other bins get no
// gradient from this extractor. Its cost scales with n, not C.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "host/pipeline/features.h"

namespace audiostyle {

// `inner` runs on [B, T, bins.size()]; bins are distinct, each in [0, n_bins). `what` names the
// band for describe() (e.g. "the bins vggish does not see").
std::unique_ptr<FeatureExtractor> make_band_view(Backend& backend, std::vector<int> bins,
                                                 int n_bins, std::string what,
                                                 std::unique_ptr<FeatureExtractor> inner);

// Floats a plan of n_frames x batch adds: the band [B*T, n] and its gradient.
inline int64_t band_view_floats(int64_t n_frames, int n_band, int batch) {
  return 2 * int64_t(batch) * n_frames * n_band;
}

}  // namespace audiostyle
