// Phase reconstruction alone: drop the phase of an input's STFT and rebuild audio from its magnitude
// (`audiostyle reconstruct`). The magnitude is consistent (it is a real signal's), so the spectral
// convergence measures the phase retrieval itself, which a stylised magnitude cannot.
#pragma once
#include <string>
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/backend.h"
#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"

namespace audiostyle {

struct ReconstructResult {
  Audio output;              // at config.sample_rate_hz, the input's channels (by config.channels)
  std::string channel_mode;  // what ran
  std::string backend, device;
  int64_t n_frames = 0;
  double spectral_convergence_db = 0;   // mean over items
  std::vector<double> item_convergence_db;
  double output_gain = 1;  // applied to keep the peak under 0 dBFS
  std::vector<StageTiming> timings_ms;
};

// input at config.sample_rate_hz. Uses config's n_fft, hop, channels, seed and Griffin-Lim options;
// phase_init content is refused (it would be the input's own phase).
ReconstructResult reconstruct(Backend& backend, const Audio& input, const TransferConfig& config,
                              const ProgressFn& progress = {});

}  // namespace audiostyle
