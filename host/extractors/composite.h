// Several extractors on one spectrogram variable (--extractor vggish+random_conv1d): the pipeline
// sees one extractor whose outputs are every part's, named PART/LAYER, each part's weight on its
// layers' content and style weights. One objective, one gradient: the parts' input gradients add.
//
// The parts share the variable's STFT geometry (the one a part requires, e.g. VGGish's 25 ms /
// 10 ms; a part that requires none, as method 1's 1D conv, runs on it as it is). The style Grams
// are streamed part by part (parts()), each with its own chunk overlap and alignment, so a
// composite's style Grams are each part's own.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "host/pipeline/features.h"

namespace audiostyle {

struct ExtractorPart {
  std::string name;  // the prefix of its outputs' names
  float weight = 1;
  std::unique_ptr<FeatureExtractor> extractor;
};

// The parts run on x [B, T, n_bins].
std::unique_ptr<FeatureExtractor> make_composite(Backend& backend, std::vector<ExtractorPart> parts,
                                                 int n_bins);

}  // namespace audiostyle
