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
  // mid_magnitude [T, C] (backend memory, optional): a magnitude for the mid, which keeps its phase
  // (see follow_content_image).
  BinImage match(float* first, float* second, ChannelMode mode, const BinImage& reference,
                 const float* mid_magnitude = nullptr);
  static constexpr double kMaxGain = 4.0;  // +12 dB: a near-mono output is not blown up to width

 private:
  void split(const float* first, const float* second, ChannelMode mode);  // -> mid_, side_ spectra
  Backend& backend_;
  Stft& stft_;
  Buffer<float> mid_, side_, gain_, phasor_;
  Buffer<double> energy_;
};

// Both steps for a run: the content items' image, then the output items matched to it.
// content_items: host [2][n_samples]; output: backend [2, n_samples], overwritten.
// magnitudes: the optimised magnitudes [2, T, C] of a stereo run (backend memory, optional, used
// as scratch). Their mean becomes the mid's magnitude: two channels rebuilt with slightly different
// phases partly cancel in the downmix (comb notches, blurred onsets); the mean magnitude under the
// sum's phase is the downmix the optimiser shaped, without the cancellation.
void follow_content_image(Backend& backend, Stft& stft,
                          const std::vector<std::vector<float>>& content_items, float* output,
                          ChannelMode mode, float* magnitudes = nullptr);

}  // namespace audiostyle
