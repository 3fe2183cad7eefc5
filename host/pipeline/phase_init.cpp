#include "host/pipeline/phase_init.h"

#include "audiostyle/errors.h"
#include "host/pipeline/pghi.h"

namespace audiostyle {

InitialPhase::InitialPhase(Backend& backend, Stft& stft, const TransferConfig& config,
                           ChannelMode mode, const std::vector<std::vector<float>>* content_items)
    : backend_(backend), stft_(stft), config_(config), mode_(mode), content_items_(content_items) {
  if (config.phase_init == PhaseInit::content && !content_items)
    throw UsageError("--phase-init content needs a content (use random or pghi)");
}

const float* InitialPhase::get(int item, const float* magnitude, const float* previous_phasor) {
  const StftShape& shape = stft_.shape();
  const int64_t n = shape.n_frames() * shape.n_bins();
  switch (config_.phase_init) {
    case PhaseInit::random:
      // Two channels of one recording have close magnitudes: started from the same phase Griffin-Lim
      // lands on close phases and the pair stays coherent; from independent phases it rebuilds two
      // unrelated signals (correlation about 0, a downmix that cancels).
      if (mode_ == ChannelMode::stereo && previous_phasor) return previous_phasor;
      return nullptr;
    case PhaseInit::content: {
      if (phasor_.size() == 0) phasor_ = Buffer<float>(backend_, 2 * n);
      if (audio_.size() == 0) audio_ = Buffer<float>(backend_, shape.n_samples);
      audio_.upload(content_items_->at(size_t(item)));
      stft_.forward(audio_.get(), phasor_.get());
      // spec / |spec| in place: Griffin-Lim's update without momentum (previous = rebuilt).
      backend_.griffinlim_update(phasor_.get(), phasor_.get(), phasor_.get(), n, 0.0f);
      return phasor_.get();
    }
    case PhaseInit::pghi: {
      if (phasor_.size() == 0) phasor_ = Buffer<float>(backend_, 2 * n);
      std::vector<float> host(static_cast<size_t>(n));
      backend_.download(host.data(), magnitude, sizeof(float) * size_t(n));
      PghiOptions options;
      options.n_fft = shape.n_fft;
      options.hop = shape.hop;
      options.win_length = shape.window_length();
      options.seed = config_.seed;
      phasor_.upload(pghi_phasor(host, shape.n_frames(), options));
      return phasor_.get();
    }
  }
  return nullptr;
}

}  // namespace audiostyle
