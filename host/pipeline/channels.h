// Content channels to optimisation items and back: mono, stereo (L, R) or mid-side (M, S).
#pragma once
#include <vector>

#include "audiostyle/audio.h"
#include "audiostyle/config.h"

namespace audiostyle {

// The mode that runs for this content: automatic becomes mono or stereo by its channel count
// (more than two channels are downmixed to mono).
ChannelMode resolve_channel_mode(ChannelMode requested, int content_channels);

// Items to optimise, [B][n_samples]: mono -> {mean}; stereo -> {L, R}; mid-side -> {(L+R)/2, (L-R)/2}.
// A mono input asked for stereo or mid-side is duplicated (S = 0 for mid-side).
std::vector<std::vector<float>> to_items(const Audio& content, ChannelMode mode);

// Output channels from items: mid-side back to L = M + S, R = M - S; others as they are.
std::vector<std::vector<float>> from_items(std::vector<std::vector<float>> items, ChannelMode mode);

}  // namespace audiostyle
