// The extractors the pipeline can run, chosen by TransferConfig::extractor: one place that knows
// them all, so the engine stays one pipeline over interchangeable extractors.
#pragma once
#include <memory>
#include <string>

#include "audiostyle/config.h"
#include "audiostyle/pipeline.h"
#include "host/pipeline/features.h"

namespace audiostyle {

// The extractor for a run (vgg16: weights loaded from config.weights_path). Throws UsageError when
// vgg16 has no weights file (saying where to get one), InputError for a bad file.
std::unique_ptr<FeatureExtractor> make_extractor(Backend& backend, const TransferConfig& config,
                                                 bool with_content);
// A key that changes whenever make_extractor would build a different extractor.
std::string extractor_key(const TransferConfig& config, bool with_content);
// The shortest input, in frames, the configured extractor accepts (without building it).
int extractor_min_frames(const TransferConfig& config, bool with_content);
// The extractor's part of a segment's memory plan: weights first, style Grams second (the items a
// cached extractor already holds), then per-segment buffers.
void add_extractor_memory(MemoryPlan& plan, const TransferConfig& config, int64_t n_frames,
                          int batch, bool with_content);

// Frames per chunk of the style when its Grams are made (an image CNN holds every layer's
// activations of a chunk, so vgg16 uses shorter chunks than the 1D conv).
int64_t style_chunk_frames(const TransferConfig& config);

// One line per extractor: its name and what it needs (for `audiostyle info`).
std::string describe_extractors();

// Where to get the vgg16 weights and how to convert them (one sentence).
extern const char* const kVgg16WeightsHelp;

}  // namespace audiostyle
