#include "host/pipeline/channels.h"

#include "audiostyle/errors.h"

namespace audiostyle {

ChannelMode resolve_channel_mode(ChannelMode requested, int content_channels) {
  if (requested != ChannelMode::automatic) return requested;
  return content_channels == 2 ? ChannelMode::stereo : ChannelMode::mono;
}

std::vector<std::vector<float>> to_items(const Audio& content, ChannelMode mode) {
  AS_CHECK(content.n_channels() >= 1, "to_items: no channels");
  const size_t n = size_t(content.n_samples());
  const auto& first = content.channels[0];
  const auto& second = content.n_channels() >= 2 ? content.channels[1] : content.channels[0];
  switch (mode) {
    case ChannelMode::stereo:
      return {first, second};
    case ChannelMode::mid_side: {
      std::vector<float> mid(n), side(n);
      for (size_t i = 0; i < n; ++i) {
        mid[i] = 0.5f * (first[i] + second[i]);
        side[i] = 0.5f * (first[i] - second[i]);
      }
      return {mid, side};
    }
    default:
      return {downmix(content).channels[0]};
  }
}

std::vector<std::vector<float>> from_items(std::vector<std::vector<float>> items, ChannelMode mode) {
  if (mode != ChannelMode::mid_side) return items;
  AS_CHECK(items.size() == 2, "from_items: mid-side needs two items");
  auto& mid = items[0];
  auto& side = items[1];
  for (size_t i = 0; i < mid.size(); ++i) {
    const float m = mid[i], s = side[i];
    mid[i] = m + s;   // L
    side[i] = m - s;  // R
  }
  return items;
}

}  // namespace audiostyle
