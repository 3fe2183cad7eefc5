// The output's stereo image follows the content's. The style Gram knows nothing of space, and each
// channel is optimised and rebuilt on its own, so without this a stereo run comes out as two
// unrelated renderings (correlation ~0, side as loud as mid). Here the side of the output is
// rescaled, bin by bin, so that each frequency bin's side/mid energy ratio is the content's; the mid
// (the downmix) is left as it is; a common factor on top makes the whole track's side/mid energy
// the content's as well. With mid and side uncorrelated, as they are in most recordings,
// the inter-channel correlation (1 - r) / (1 + r) follows too; a mono content gives a mono output.
#pragma once
#include <vector>

#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

// Energy per frequency bin [C] of the mid M = (L+R)/2 and the side S = (L-R)/2.
struct BinImage {
  std::vector<double> mid, side;
  double side_to_mid() const;  // over all bins
};

class StereoImage {
 public:
  // The Stft plan fixes the shape (the whole output); buffers are allocated here, once.
  StereoImage(Backend& backend, Stft& stft);
  // first, second: audio [n_samples] in backend memory: L and R (stereo) or M and S (mid-side).
  BinImage measure(const float* first, const float* second, ChannelMode mode);
  // Rescales the side of (first, second) in place so that each bin's side/mid ratio is
  // `reference`'s (gains capped at kMaxGain); returns the output's image before the change.
  BinImage match(float* first, float* second, ChannelMode mode, const BinImage& reference);
  static constexpr double kMaxGain = 4.0;  // +12 dB: a near-mono output is not blown up to width

 private:
  void split(const float* first, const float* second, ChannelMode mode);  // -> mid_, side_ spectra
  Backend& backend_;
  Stft& stft_;
  Buffer<float> mid_, side_, gain_;
  Buffer<double> energy_;
};

// Both steps for a run: the content items' image, then the output items matched to it.
// content_items: host [2][n_samples]; output: backend [2, n_samples], overwritten. A transfer's
// items are a mid and a side (a stereo transfer runs as mid-side, engine.cpp), so its mid, the
// downmix, is left as optimised and rebuilt; `reconstruct --channels stereo` passes L and R.
void follow_content_image(Backend& backend, Stft& stft,
                          const std::vector<std::vector<float>>& content_items, float* output,
                          ChannelMode mode);

}  // namespace audiostyle
