// Method 2's second network (Wang & Chu): VGGish (Hershey et al. 2017, trained on AudioSet log-mel
// examples), as torchvggish lays it out, on the optimised spectrogram at the full band.
//
// The front end is VGGish's own (its mel_features code), taken from the variable, never from audio
// resampled to 16 kHz: the STFT geometry is VGGish's in seconds at the working rate (a 25 ms
// periodic Hann window zero-padded to the next power of two, a 10 ms hop: vggish_stft), and
//   image = log(relu(expm1(x) @ Mel^T) + 0.01)   [B, T, 64]
// with VGGish's 64-band HTK bank over 125-7500 Hz (mel_filterbank.h vggish_mel_bank_spec), so the
// network sees what it was trained on at any rate while the optimised track keeps its whole band.
// The offset is exact without a new op: the mel view's log1p on the bank scaled by 1/0.01, plus
// log(0.01) added where the examples are framed.
//
// Examples: VGGish cuts the log-mel into non-overlapping 0.96 s examples (96 frames) and runs them
// as a batch; so do we. Frame t of item b is row t % 96 of example b * E + t / 96, E = ceil(T / 96).
// VGGish drops a short last example; we keep it, padded with the log-mel of silence (log 0.01), so
// the track's last second is optimised too. Each example sees only itself (zero padding at its
// edges), so a style streamed in chunks of whole examples gives the whole track's Grams exactly.
//
// Layers (torchvggish's features): conv1 relu1 pool1 conv2 relu2 pool2 conv3_1 relu3 conv3_2
// relu4 pool3 conv4_1 relu5 conv4_2 relu6 pool4; relu1 .. relu6 are its six ReLUs. Defaults (Wang
// & Chu): content relu5, style relu1. The image [frames, bands] is VGGish's own orientation (its
// input is [N, 1, 96, 64]): no kernel is transposed. Weight file: scripts/convert_weights.py
// vggish (torchvggish's vggish-10086976.pth; the fully connected layers are not used); tensors
// conv1.weight [64, 1, 3, 3] ... conv4_2.bias. Philox weights from stream 40 (conv_stack.h).
#pragma once
#include <memory>

#include "audiostyle/config.h"
#include "host/common/mel_filterbank.h"
#include "host/extractors/conv_stack.h"

namespace audiostyle {

inline constexpr int kVggishFrames = 96;  // frames per example
inline constexpr int kVggishBands = 64;
inline constexpr float kVggishLogOffset = 0.01f;

const NetSpec& vggish_net();

// VGGish's STFT at a working rate: window round(0.025 rate), hop round(0.010 rate) (rounding half
// to even, as Python's round), n_fft the next power of two >= the window.
struct StftGeometry {
  int n_fft = 0, hop = 0, win_length = 0;
};
StftGeometry vggish_stft(int sample_rate_hz);

// The whole extractor (mel view, examples, conv stack) on x [B, T, n_fft/2 + 1].
std::unique_ptr<FeatureExtractor> make_vggish(Backend& backend, const StackWeights& weights,
                                              const StackLayers& layers, int sample_rate_hz,
                                              int n_fft, Precision precision);

// The examples front alone (for the footprint and tests): image [B, T, 64] -> [B * E, 96, 64].
std::shared_ptr<const StackFrontFactory> vggish_front(Backend* backend);

}  // namespace audiostyle
