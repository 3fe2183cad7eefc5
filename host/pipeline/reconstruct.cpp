#include "host/pipeline/reconstruct.h"

#include <chrono>
#include <cmath>

#include "audiostyle/errors.h"
#include "host/pipeline/channels.h"
#include "host/pipeline/griffinlim.h"
#include "host/pipeline/phase_init.h"
#include "host/pipeline/stereo_image.h"

namespace audiostyle {

ReconstructResult reconstruct(Backend& backend, const Audio& input, const TransferConfig& config,
                              const ProgressFn& progress) {
  if (config.phase_init == PhaseInit::content)
    throw UsageError("reconstruct: --phase-init content would be the input's own phase (use "
                     "random or pghi)");
  if (input.sample_rate_hz != config.sample_rate_hz)
    throw UsageError("reconstruct: the input must be at the working rate");
  if (config.n_fft < 16 || config.n_fft % 2) throw UsageError("n_fft must be an even number >= 16");
  if (config.hop < 1 || config.hop > config.n_fft) throw UsageError("hop must be in [1, n_fft]");
  if (config.win_length < 0 || config.win_length > config.n_fft)
    throw UsageError("win_length must be in [0, n_fft] (0 = n_fft)");
  using Clock = std::chrono::steady_clock;
  ReconstructResult result;
  result.backend = backend.name();
  result.device = backend.device_name();
  const ChannelMode mode = resolve_channel_mode(config.channels, input.n_channels());
  result.channel_mode = to_string(mode);
  const std::vector<std::vector<float>> items = to_items(input, mode);
  const int batch = int(items.size());
  const int64_t n_samples = input.n_samples();
  auto start = Clock::now();
  auto mark = [&](const std::string& stage) {
    backend.synchronize();
    const auto now = Clock::now();
    result.timings_ms.push_back({stage, std::chrono::duration<double, std::milli>(now - start).count()});
    start = now;
  };

  auto stft = backend.make_stft({config.n_fft, config.hop, n_samples, config.win_length});
  const int64_t T = stft->shape().n_frames();
  const int C = stft->shape().n_bins();
  result.n_frames = T;
  // magnitude [B, T, C] = |STFT(item)|; the phase is dropped here.
  Buffer<float> magnitude(backend, int64_t(batch) * T * C), audio(backend, batch * n_samples);
  {
    Buffer<float> spectrum(backend, 2 * T * C);
    for (int b = 0; b < batch; ++b) {
      backend.upload(audio.get() + b * n_samples, items[size_t(b)].data(),
                     sizeof(float) * size_t(n_samples));
      stft->forward(audio.get() + b * n_samples, spectrum.get());
      // |z| as expm1(log1p|z|): the two maps the backends already have (float round trip, ~1 ulp).
      backend.log1p_magnitude(spectrum.get(), T * C, magnitude.get() + b * T * C);
      backend.expm1_clamped(magnitude.get() + b * T * C, T * C, magnitude.get() + b * T * C);
    }
  }
  mark("analyse");

  GriffinLim griffinlim(backend, *stft);
  GriffinLimOptions options = griffinlim_options(config);
  InitialPhase initial_phase(backend, *stft, config, mode, nullptr);
  double sum = 0;
  for (int b = 0; b < batch; ++b) {
    options.initial_phasor =
        initial_phase.get(b, magnitude.get() + b * T * C, b > 0 ? griffinlim.phasor() : nullptr);
    const double db = griffinlim.run(
        magnitude.get() + b * T * C, audio.get() + b * n_samples, options, [&](int done, int total) {
          if (progress)
            progress({Stage::reconstruct, done, total, 0, 1, b, batch,
                      double(b * total + done) / (batch * total), nullptr});
        });
    result.item_convergence_db.push_back(db);
    sum += db;
  }
  result.spectral_convergence_db = sum / batch;
  mark("griffin_lim");
  if (batch == 2) {
    follow_content_image(backend, *stft, items, audio.get(), mode);
    mark("stereo_image");
  }

  std::vector<std::vector<float>> out(static_cast<size_t>(batch),
                                      std::vector<float>(static_cast<size_t>(n_samples)));
  for (int b = 0; b < batch; ++b)
    backend.download(out[size_t(b)].data(), audio.get() + b * n_samples,
                     sizeof(float) * size_t(n_samples));
  mark("download");
  result.output.sample_rate_hz = config.sample_rate_hz;
  result.output.channels = from_items(std::move(out), mode);
  for (const auto& ch : result.output.channels)
    for (float v : ch)
      if (!std::isfinite(v)) throw Error("the reconstruction produced non-finite samples");
  constexpr float kMaxPeak = 0.989f;  // -0.1 dBFS, as transfer
  const float peak_abs = peak(result.output);
  if (peak_abs > kMaxPeak) {
    result.output_gain = kMaxPeak / peak_abs;
    for (auto& ch : result.output.channels)
      for (float& v : ch) v *= float(result.output_gain);
  }
  return result;
}

}  // namespace audiostyle
