// Griffin-Lim's initial phase per item (config.phase_init):
//   random   Philox's phase from the seed; for a stereo pair (L and R items: a stereo texture or
//            `reconstruct`; a stereo transfer runs as mid and side) the right channel starts from
//            the phase the left one ended on, so the two stay coherent;
//   content  the content item's own STFT phase (transfer only): the content's timing and its
//            inter-channel phase differences carry over;
//   pghi     phase-gradient heuristic integration from the item's magnitude (host/pipeline/pghi.h).
#pragma once
#include <vector>

#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

class InitialPhase {
 public:
  // content_items: [B][n_samples] host audio, or null (texture, reconstruct); needed for `content`.
  InitialPhase(Backend& backend, Stft& stft, const TransferConfig& config, ChannelMode mode,
               const std::vector<std::vector<float>>* content_items);
  // The initial phasors [T, C, 2] (backend memory) for item `item` of magnitude [T, C] (backend
  // memory), or null for Griffin-Lim's random phase. `previous_phasor`: the phase the item before
  // ended on (null for the first).
  const float* get(int item, const float* magnitude, const float* previous_phasor);

 private:
  Backend& backend_;
  Stft& stft_;
  const TransferConfig& config_;
  ChannelMode mode_;
  const std::vector<std::vector<float>>* content_items_;
  Buffer<float> phasor_, audio_;
};

}  // namespace audiostyle
