// Channel modes: shapes of the items and the round trip back to output channels.
#include <catch2/catch.hpp>

#include "host/pipeline/channels.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

Audio stereo(size_t n, uint64_t seed) {
  Audio a;
  a.sample_rate_hz = 8000;
  a.channels = {test::random_uniform(n, seed), test::random_uniform(n, seed + 1)};
  return a;
}

}  // namespace

TEST_CASE("channel modes resolve by the content's channel count", "[channels]") {
  CHECK(resolve_channel_mode(ChannelMode::automatic, 1) == ChannelMode::mono);
  CHECK(resolve_channel_mode(ChannelMode::automatic, 2) == ChannelMode::stereo);
  CHECK(resolve_channel_mode(ChannelMode::automatic, 6) == ChannelMode::mono);
  CHECK(resolve_channel_mode(ChannelMode::mid_side, 2) == ChannelMode::mid_side);
  CHECK(resolve_channel_mode(ChannelMode::mono, 2) == ChannelMode::mono);
}

TEST_CASE("stereo and mid-side items have the right shapes and round-trip", "[channels]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const Audio in = stereo(1001, seed);
  const auto mono = to_items(in, ChannelMode::mono);
  REQUIRE(mono.size() == 1);
  REQUIRE(mono[0].size() == 1001);
  CHECK(mono[0][17] == Approx(0.5f * (in.channels[0][17] + in.channels[1][17])));

  const auto lr = to_items(in, ChannelMode::stereo);
  REQUIRE(lr.size() == 2);
  CHECK(lr[0] == in.channels[0]);
  CHECK(lr[1] == in.channels[1]);
  CHECK(from_items(lr, ChannelMode::stereo) == in.channels);

  const auto ms = to_items(in, ChannelMode::mid_side);
  REQUIRE(ms.size() == 2);
  for (size_t i = 0; i < 1001; i += 97) {
    CHECK(ms[0][i] == Approx(0.5f * (in.channels[0][i] + in.channels[1][i])));
    CHECK(ms[1][i] == Approx(0.5f * (in.channels[0][i] - in.channels[1][i])));
  }
  const auto back = from_items(ms, ChannelMode::mid_side);
  REQUIRE(back.size() == 2);
  CHECK(test::relative_error(back[0], in.channels[0]) <= 1e-6);
  CHECK(test::relative_error(back[1], in.channels[1]) <= 1e-6);
}

TEST_CASE("a mono content asked for stereo is duplicated, and for mid-side its side is silent",
          "[channels]") {
  Audio in;
  in.sample_rate_hz = 8000;
  in.channels = {test::random_uniform(300, test::fresh_seed())};
  const auto lr = to_items(in, ChannelMode::stereo);
  REQUIRE(lr.size() == 2);
  CHECK(lr[0] == lr[1]);
  const auto ms = to_items(in, ChannelMode::mid_side);
  for (float s : ms[1]) CHECK(s == 0.0f);
}
