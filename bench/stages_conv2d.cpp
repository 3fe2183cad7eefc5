// conv2d forward and input gradient at VGG16's conv1-conv3 shapes on a spectrogram-sized image
// (stages.h for the work counted): through the backend's own plan (cuDNN's measured choice on
// CUDA, the automatic variant on the CPU), and on the CPU also each numbered variant of
// host/cpu/conv2d.cpp by name, so the automatic choice can be read off the same run.
//
// The image is one item of the size's spectrogram, [1, H = T frames, W = C bins] (the reference:
// 431 x 1025, a 10 s clip), shrunk by VGG16's 2x2 pools before conv2 and conv3; the smoke size uses
// a 32 x 40 image so CI stays fast. The full-track size has no conv2d stages (method 2 runs a long
// input in segments of about the reference length).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "bench/stages.h"
#include "host/cpu/cpu_ops.h"

namespace audiostyle::bench {
namespace {

struct Layer {
  const char* name;
  int pools;  // 2x2 pools before it
  int in_channels, out_channels;
};

// One layer of each distinct shape class of VGG16's conv1-conv3 (conv2_2 and conv3_2/3 repeat
// conv1_2's and conv3_1's Cin x Cout pattern at their resolution, within a factor of 2 in Cin).
constexpr Layer kLayers[] = {
    {"conv1_1", 0, 3, 64},   {"conv1_2", 0, 64, 64},   {"conv2_1", 1, 64, 128},
    {"conv2_2", 1, 128, 128}, {"conv3_1", 2, 128, 256}, {"conv3_2", 2, 256, 256},
};

}  // namespace

void run_conv2d_stages(Backend& backend, const BenchSize& size, const StageOptions& o,
                       const std::function<bool(const std::string&)>& wanted,
                       const StageSink& sink) {
  if (size.name == "full") return;
  const bool smoke = size.name == "smoke";
  const int base_height = smoke ? 32 : int(size.n_frames()), base_width = smoke ? 40 : size.n_bins();
  const double f4 = sizeof(float);
  const bool cpu = backend.name() == "cpu";

  for (const Layer& layer : kLayers) {
    Conv2dShape s;
    s.n_batch = 1;
    s.height = base_height >> layer.pools;
    s.width = base_width >> layer.pools;
    s.in_channels = layer.in_channels;
    s.out_channels = layer.out_channels;
    const std::string prefix = std::string("conv2d_") + layer.name;
    // Each stage name: prefix + "_forward" / "_input_gradient", + "_v1" / "_v2" for the CPU
    // variants. Skip the layer's setup when none of its stages is wanted.
    bool any = false;
    for (const char* direction : {"_forward", "_input_gradient"})
      for (const char* variant : {"", "_v1", "_v2"})
        any |= wanted(prefix + direction + variant);
    if (!any) continue;

    const int64_t weight_count = int64_t(s.out_channels) * s.in_channels * 9;
    Buffer<float> x(backend, s.in_count()), y(backend, s.out_count()),
        grad_y(backend, s.out_count()), grad_x(backend, s.in_count()),
        weights(backend, weight_count), bias(backend, s.out_channels);
    // Zero-mean input and He-scaled weights: about half the outputs clipped, as in the network.
    backend.fill_normal(x.get(), x.size(), 60, 7, 1.0f);
    backend.fill_normal(weights.get(), weight_count, 61, 7,
                        float(std::sqrt(2.0 / (9.0 * s.in_channels))));
    backend.fill_normal(bias.get(), s.out_channels, 62, 7, 0.1f);
    backend.fill_normal(grad_y.get(), grad_y.size(), 63, 7, 1.0f);

    // 2 FLOP per multiply-add, all 9 taps counted (the padded border's zero taps included, as
    // PyTorch's and cuDNN's own FLOP counts do).
    const double flop = 2.0 * double(s.out_count()) * 9.0 * s.in_channels;
    const double forward_bytes = f4 * (s.in_count() + s.out_count() + weight_count + s.out_channels);
    const double backward_bytes = f4 * (2.0 * s.out_count() + s.in_count() + weight_count);

    // Times the plan's forward and input gradient; returns the results (also sent to the sink
    // when `report`).
    auto time_plan = [&](Conv2d& conv, const std::string& suffix, bool report) {
      std::vector<StageResult> results;
      conv.set_weights(weights.get(), bias.get());
      const nlohmann::json details = {
          {"algorithm", conv.algorithm()},
          {"precision", to_string(o.precision)},
          {"shape", {s.n_batch, s.height, s.width, s.in_channels, s.out_channels}},
          {"workspace_bytes", conv.workspace_bytes()}};
      const std::string forward = prefix + "_forward", backward = prefix + "_input_gradient";
      conv.forward(x.get(), y.get(), true);  // y for the ReLU mask of the backward
      if (wanted(forward + suffix) || wanted(forward)) {
        StageResult r{forward + suffix, "gemm", flop, forward_bytes};
        r.timing = time_backend(backend, [&] { conv.forward(x.get(), y.get(), true); }, o.warmup,
                                o.repeats);
        r.details = details;
        results.push_back(r);
      }
      if (wanted(backward + suffix) || wanted(backward)) {
        // The mask is applied to grad_y in place; idempotent, so repeats see the same input.
        StageResult r{backward + suffix, "gemm", flop, backward_bytes};
        r.timing = time_backend(
            backend, [&] { conv.backward_input(grad_y.get(), y.get(), grad_x.get(), true); },
            o.warmup, o.repeats);
        r.details = details;
        results.push_back(r);
      }
      if (report)
        for (const auto& r : results)
          if (wanted(r.name)) sink(r);
      return results;
    };
    if (!cpu) {
      auto conv = backend.make_conv2d(s, o.precision);
      time_plan(*conv, "", true);
      continue;
    }
    // CPU: both variants; the plain stage is the automatic variant's result from the same run
    // (not timed twice).
    auto v1 = cpu::make_conv2d(s, cpu::Conv2dVariant::im2col);
    const auto results_v1 = time_plan(*v1, "_v1", true);
    auto v2 = cpu::make_conv2d(s, cpu::Conv2dVariant::shifted);
    const auto results_v2 = time_plan(*v2, "_v2", true);
    const bool automatic_v1 = cpu::automatic_conv2d_variant(s) == cpu::Conv2dVariant::im2col;
    for (StageResult r : automatic_v1 ? results_v1 : results_v2) {
      r.name = r.name.substr(0, r.name.size() - 3);  // drop "_v1" / "_v2"
      r.details["automatic_variant"] = automatic_v1 ? "v1" : "v2";
      if (wanted(r.name)) sink(r);
    }
  }
}

}  // namespace audiostyle::bench
