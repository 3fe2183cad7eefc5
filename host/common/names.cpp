// Names of the enums, as the CLI and the report spell them.
#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

const char* to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}
const char* to_string(OptimizerKind k) { return k == OptimizerKind::lbfgs ? "lbfgs" : "adam"; }
const char* to_string(InitKind k) { return k == InitKind::random ? "random" : "content"; }
const char* to_string(ChannelMode m) {
  switch (m) {
    case ChannelMode::automatic: return "auto";
    case ChannelMode::mono: return "mono";
    case ChannelMode::stereo: return "stereo";
    case ChannelMode::mid_side: return "mid-side";
  }
  return "?";
}
const char* to_string(PhaseInit p) {
  switch (p) {
    case PhaseInit::random: return "random";
    case PhaseInit::content: return "content";
    case PhaseInit::pghi: return "pghi";
  }
  return "?";
}
const char* to_string(GriffinLimAlgorithm a) {
  return a == GriffinLimAlgorithm::fgla ? "fgla" : "agla";
}

}  // namespace audiostyle
