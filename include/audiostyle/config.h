// Everything that defines a run. Defaults are the reference recipe (Ulyanov & Lebedev 2016) without
// its 430-frame cap.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "audiostyle/backend.h"

namespace audiostyle {

enum class OptimizerKind { lbfgs, adam };
enum class InitKind { random, content };
// auto: mono content stays mono, stereo stays stereo (more channels are downmixed to mono);
// stereo: a transfer optimises the mid M = (L+R)/2 and the side S = (L-R)/2 of the first two
// channels, each on its own against the one style Gram, and writes L = M + S, R = M - S with the
// side rescaled to the content's image (host/pipeline/stereo_image.h): the mid, i.e. the downmix,
// is optimised exactly as a mono run of it is. (Optimised as L and R, the downmix was the mean of
// two separately stylised channels and scored worse than a mono run.) mid_side: the same run, under
// its items' name. A stereo texture (no content) optimises two independent channels, L and R.
enum class ChannelMode { automatic, mono, stereo, mid_side };
// Griffin-Lim's initial phase: random (Philox), the content's own STFT phase (transfer only), or
// phase-gradient heuristic integration from the magnitude alone (Prusa, Balazs & Sondergaard 2017).
enum class PhaseInit { random, content, pghi };
// Griffin-Lim iteration: fast (Perraudin et al. 2013, `momentum`) or accelerated (Nenov et al. 2023).
enum class GriffinLimAlgorithm { fgla, agla };

// --- Method 2 and post-filters -------------------------------------------------------------------
// random_conv1d: method 1 (Ulyanov & Lebedev); vgg16: method 2 (Wang & Chu), ImageNet VGG16 on the
// log-magnitude spectrogram as an image (host/extractors/vgg16.h); vggish: method 2's AudioSet
// VGGish on its own log-mel front end (host/extractors/vggish.h).
enum class ExtractorKind { random_conv1d, vgg16, vggish };
// One extractor of a run and the weight on its terms (--extractor A+B --extractor-weights WA,WB):
// the extractors put their terms on the same spectrogram variable (host/extractors/composite.h).
struct ExtractorTerm {
  ExtractorKind kind = ExtractorKind::random_conv1d;
  float weight = 1;
};
// The image VGG16 sees: the linear bins, or a mel projection of them.
enum class VggInput { linear, mel };
// The bins method 1's random conv sees (--conv1d-band): all; those the run's pretrained network
// never sees (unseen: VGGish's below 125 Hz and above 7.5 kHz; host/extractors/band_view.h); or
// the bins from lo_hz to hi_hz.
enum class BandKind { full, unseen, hz };
struct BinBand {
  BandKind kind = BandKind::full;
  double lo_hz = 0, hi_hz = 0;
};
// The bins no extractor of the run sees (VGGish alone: below 125 Hz and above 7.5 kHz) get no
// gradient; after the optimisation they follow the content, equalised per bin to the style's
// long-term spectrum (follow; host/pipeline/unseen_fill.h), or stay as the optimisation left them,
// at the random start's near-silence (keep).
enum class UnseenBins { follow, keep };
// A layer of the extractor and the user's weight on its term.
struct LayerWeight {
  std::string name;
  float weight = 1;
};

struct TransferConfig {
  // Signal
  int sample_rate_hz = 22050;
  int n_fft = 2048;
  int hop = 512;
  int win_length = 0;  // Hann window taps, centred in n_fft (librosa's win_length); 0 = n_fft
  double offset_seconds = 0;  // crop of the content (and style) before the run
  double seconds = 0;         // 0 = whole input; for `texture`, the output length
  ChannelMode channels = ChannelMode::automatic;

  // Features
  int n_filters = 4096;
  int kernel_width = 11;
  uint64_t seed = 0;
  // Distinct kinds, at most one pretrained network (vgg16 or vggish: the one --weights and the
  // layer lists are for).
  std::vector<ExtractorTerm> extractors = {{ExtractorKind::random_conv1d, 1.0f}};
  BinBand conv1d_band;
  UnseenBins unseen_bins = UnseenBins::follow;
  std::string weights_path;  // vgg16, vggish: safetensors from scripts/convert_weights.py
  // The pretrained network's layers; empty: its defaults (vgg16: content conv3_1, style conv1_1
  // conv1_2 conv2_1 conv2_2; vggish: content relu5, style relu1).
  std::vector<LayerWeight> content_layers, style_layers;
  VggInput vgg_input = VggInput::linear;
  int mel_bins = 128;

  // Loss
  float alpha = 1e-2f;  // content weight; 0 = texture synthesis

  // Optimiser
  OptimizerKind optimizer = OptimizerKind::lbfgs;
  int iterations = 300;
  float learning_rate = 1e-2f;  // Adam only
  int lbfgs_history = 10;
  double ftol = 2.220446049250313e-09;  // scipy L-BFGS-B: factr 1e7 * machine epsilon
  double gtol = 1e-5;                   // scipy L-BFGS-B: max |g_i| <= gtol stops
  int max_evaluations = 15000;          // scipy's maxfun
  InitKind init = InitKind::random;
  float init_scale = 1e-3f;  // reference: randn * 1e-3

  // Reconstruction
  int gl_iterations = 500;
  float momentum = 0.99f;
  PhaseInit phase_init = PhaseInit::random;
  GriffinLimAlgorithm gl_algorithm = GriffinLimAlgorithm::fgla;
  // Waveform refinement (--refine-waveform): L-BFGS iterations on the samples after Griffin-Lim,
  // the same objective taken through log1p|STFT(y)| (host/pipeline/waveform_objective.h); 0 = off.
  int refine_iterations = 0;
  // Post-filters on the optimised magnitude before phase reconstruction (Wang & Chu): 0 = off.
  double lowpass_hz = 0;          // 4th-order Butterworth magnitude response, -3 dB at lowpass_hz
  double mid_boost_db = 0;        // a peaking band, Gaussian in log frequency (in dB)
  double mid_boost_hz = 1500;     // its centre
  double mid_boost_octaves = 2;   // its full width at half the boost (in dB)

  // Execution
  Precision precision = Precision::tf32;  // GEMM precision on CUDA; the CPU is always fp32
  double segment_seconds = 0;     // 0: one segment unless the plan does not fit the memory
  double overlap_seconds = 1.0;   // crossfade between segments
  int64_t style_chunk_frames = 4096;  // the style Gram is accumulated over chunks this long
};

// n_fft and hop that keep the time-frequency resolution of 2048/512 at 22050 Hz at another rate:
// n_fft = the even 7-smooth size nearest 2048 * rate / 22050 (FFT-friendly), hop = n_fft / 4.
void scale_stft_to_rate(int sample_rate_hz, int& n_fft, int& hop);
// A win_length the user gave must fit the n_fft the run ends with: when the rate scaling chose that
// n_fft (n_fft_scaled) and the window is longer, a UsageError says so (never clipped); otherwise
// win_length must lie in [0, n_fft] (0 = n_fft).
void check_win_length(const TransferConfig& c, bool n_fft_scaled);

const char* to_string(OptimizerKind k);
const char* to_string(InitKind k);
const char* to_string(ChannelMode m);
const char* to_string(PhaseInit p);
const char* to_string(GriffinLimAlgorithm a);
const char* to_string(ExtractorKind k);
// "vggish+random_conv1d"
std::string extractors_name(const TransferConfig& config);
bool uses_extractor(const TransferConfig& config, ExtractorKind kind);
// The run's pretrained network (vgg16 or vggish), random_conv1d when it has none.
ExtractorKind pretrained_extractor(const TransferConfig& config);
const char* to_string(VggInput v);
// "full", "unseen", "8000-11025"
std::string to_string(const BinBand& b);
const char* to_string(UnseenBins u);

}  // namespace audiostyle
