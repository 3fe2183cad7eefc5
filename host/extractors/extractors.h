// The extractors the pipeline can run, chosen by TransferConfig::extractor: one place that knows
// them all, so the engine stays one pipeline over interchangeable extractors.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"
#include "host/pipeline/features.h"

namespace audiostyle {

// The extractor for a run (vgg16, vggish: weights loaded from config.weights_path; several
// extractors: a composite, composite.h). Throws UsageError when a pretrained network has no
// weights file (saying where to get one) or VGGish meets another STFT geometry, InputError for a
// bad file.
std::unique_ptr<FeatureExtractor> make_extractor(Backend& backend, const TransferConfig& config,
                                                 bool with_content);
// A key that changes whenever make_extractor would build a different extractor.
std::string extractor_key(const TransferConfig& config, bool with_content);
// The shortest input, in frames, the configured extractor accepts (without building it).
int extractor_min_frames(const TransferConfig& config, bool with_content);
// The narrowest image (bins or mel bands) its pretrained network accepts (1 without one).
int extractor_min_width(const TransferConfig& config, bool with_content);
// VGGish requires its own STFT geometry (vggish.h): sets n_fft, hop and win_length for the rate
// when the run uses it; check_vggish_geometry throws UsageError when they differ.
void apply_extractor_geometry(TransferConfig& config);
// The bins method 1's random conv sees under config.conv1d_band (all of them for full), in
// increasing order; throws UsageError when the band has none or `unseen` has no network to follow.
std::vector<int> conv1d_bins(const TransferConfig& config);
// The bins no extractor of the run sees, in increasing order: those the pretrained network's mel
// bank gives no weight (VGGish: below 125 Hz and above 7.5 kHz) that the random conv, when the run
// has one, does not cover. Empty without a mel front end or with a full-band random conv.
std::vector<int> unseen_bins(const TransferConfig& config);
void check_vggish_geometry(const TransferConfig& config);
// The extractor's part of a segment's memory plan: weights first, style Grams second (the items a
// cached extractor already holds), then per-segment buffers.
void add_extractor_memory(MemoryPlan& plan, const TransferConfig& config, int64_t n_frames,
                          int batch, bool with_content);

// Frames per chunk of the style when its Grams are made (an image CNN holds every layer's
// activations of a chunk, so vgg16 uses shorter chunks than the 1D conv).
int64_t style_chunk_frames(const TransferConfig& config);

// One line per extractor: its name and what it needs (for `audiostyle info`).
std::string describe_extractors();

// Where to get the vgg16 (vggish) weights and how to convert them (one sentence).
extern const char* const kVgg16WeightsHelp;
extern const char* const kVggishWeightsHelp;

}  // namespace audiostyle
