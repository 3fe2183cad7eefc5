// The vggish extractor against torchvggish (tests/golden/make_vggish_golden.py), on any backend:
// the padded log-mel image, the deepest activation, style Grams, the objective's terms and its
// input gradient with Philox weights; and the converter's file of a random-init state dict. The
// golden is float64 PyTorch rounded to float32; 1e-4 relative as vgg16's (vgg16_parity.h). Shared
// by the CPU test and its GPU twin.
#pragma once
#include "host/extractors/vggish.h"
#include "tests/extractors/vgg16_parity.h"

namespace audiostyle::test {

inline ParityErrors vggish_philox_parity(Backend& backend, Precision precision) {
  auto make = [&](const std::vector<LayerWeight>& content, const std::vector<LayerWeight>& style,
                  uint64_t seed, int) {
    const StackLayers layers = resolve_stack_layers(vggish_net(), content, style, true);
    return make_vggish(backend, philox_stack_weights(vggish_net(), seed, layers.conv_count()),
                       layers, 16000, 512, precision);
  };
  return philox_parity(
      backend, precision, "vggish_philox_golden.safetensors", make,
      [&](const Vgg16Golden& golden, const Buffer<float>& x, ParityErrors& errors) {
        // The image the convs see: the examples front's buffer, first in the activations.
        const auto& shape = golden.shape("x");
        const int B = int(shape[0]), T = int(shape[1]);
        auto extractor = make({}, {{"relu1", 1}}, 1, 0);
        auto plan = extractor->plan(T, B);
        Buffer<float> act(backend, plan->activation_count());
        plan->forward(x.get(), act.get());
        const auto image = golden["image"];
        errors.activations["image"] =
            relative_error(download(backend, act.get(), int64_t(image.size())), image);
      });
}

inline std::map<std::string, double> vggish_converted_parity(Backend& backend,
                                                             Precision precision) {
  const Vgg16Golden golden("vggish_converted_golden.safetensors");
  const auto& shape = golden.shape("x");
  const int B = int(shape[0]), T = int(shape[1]);
  const StackLayers layers =
      resolve_stack_layers(vggish_net(), {}, {{"relu2", 1}, {"pool2", 1}}, false);
  const StackWeights weights =
      load_stack_weights(vggish_net(), source_path("tests/golden/vggish_converted_tiny.safetensors"),
                         layers.conv_count());
  auto extractor = make_vggish(backend, weights, layers, 16000, 512, precision);
  auto plan = extractor->plan(T, B);
  Buffer<float> x(backend, int64_t(golden["x"].size())), act(backend, plan->activation_count());
  x.upload(golden["x"]);
  plan->forward(x.get(), act.get());
  std::map<std::string, double> errors;
  for (const auto& out : plan->outputs())
    errors[out.name] = relative_error(
        download(backend, act.get() + out.offset, B * out.shape.count()), golden["act." + out.name]);
  return errors;
}

}  // namespace audiostyle::test
