// The flags of method 2 and the post-filters (--extractor, --weights, --content-layers,
// --style-layers, --vgg-input, --mel-bins, --lowpass, --mid-boost...), kept apart from the method-1
// flags of options.cpp: registered by add_run_flags, resolved by finalize.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "audiostyle/config.h"

namespace audiostyle::cli {

struct ExtractorFlags {
  std::string extractor = "random_conv1d";  // "A" or "A+B+..."
  std::string extractor_weights;           // "WA,WB,...": one per extractor; empty: all 1
  std::string content_layers, style_layers;  // "NAME[:WEIGHT],..." or "all"
  std::string vgg_input = "linear";
  std::string conv1d_band = "full";  // full, unseen or LO-HI (Hz)
  std::string unseen_bins = "follow";
};

void add_extractor_flags(CLI::App& app, ExtractorFlags& flags, TransferConfig& config,
                         bool texture);
// Parses the strings into config; throws UsageError (vgg16 without --weights: where to get them).
void finalize_extractor(const ExtractorFlags& flags, TransferConfig& config, bool texture);
// "conv1_1,conv2_1:0.5" -> layers (weight 1 unless given); throws UsageError.
std::vector<LayerWeight> parse_layer_list(const std::string& text, const std::string& flag);
// The extractor and post-filter settings, for the JSON report.
void add_extractor_report(nlohmann::json& config_json, const TransferConfig& config);

}  // namespace audiostyle::cli
