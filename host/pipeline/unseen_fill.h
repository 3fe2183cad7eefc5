// The bins no extractor sees (extractors.h unseen_bins: VGGish alone leaves those below 125 Hz
// and above 7.5 kHz) have no gradient, so the optimisation leaves them at the random start, near
// silence. --unseen-bins follow (the default) fills them after the optimisation, before the
// post-filters and the phase, with the content equalised to the style's spectral balance:
//
//   |Y[b, t, f]| = |Sc[b, t, f]| * g[f],   g[f]^2 = (Es[f] / Es_seen) * (Ey / Ec[f]),
//
// Es, Ec each bin's energy over the whole style (its downmix) and the whole content (item 0: mono
// or mid; one gain for every item keeps the stereo image); Es_seen the style's energy over the
// bins the extractors see, Ey the optimised output's there (item 0). (The frame counts cancel.)
// So the band keeps the content's notes and onsets, and its level against the rest of the output
// is the style's: however loud the optimisation made the seen band (the output's loudness is
// matched later), the share of energy above 7.5 kHz follows the style's. g is capped at
// +kMaxUnseenGainDb: where the content holds (almost) nothing, its noise floor is not raised.
//
// Why not method 1's Gram there: a Gram of a log1p spectrogram barely weighs these quiet bins (a
// style loss scales as the fourth power of the magnitudes); measured in the README.
#pragma once
#include <vector>

#include "audiostyle/backend.h"
#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"

namespace audiostyle {

constexpr double kMaxUnseenGainDb = 30;

// The bins a run fills: extractors.h unseen_bins under --unseen-bins follow when there is a
// content to follow; none otherwise (keep, a texture).
std::vector<int> bins_to_fill(const TransferConfig& config, bool with_content);

// g [bins.size()] for `bins`, from the per-bin energies (style_energy, content_energy [C]) and the
// output's energy over the other bins.
std::vector<float> unseen_gains(const std::vector<double>& style_energy,
                                const std::vector<double>& content_energy,
                                double output_seen_energy, const std::vector<int>& bins);

// Fills `bins` of magnitude [B, T, C] (B = content_items.size(), T and C of `transform`, the whole
// track's STFT) from the content items at the style's level; returns what it did.
UnseenFillRecord fill_unseen_bins(Backend& backend, Stft& transform,
                                  const std::vector<std::vector<float>>& content_items,
                                  const std::vector<double>& style_energy,
                                  const std::vector<int>& bins, float* magnitude);

}  // namespace audiostyle
