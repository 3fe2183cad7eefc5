// The cuDNN conv2d against the CPU (OpenBLAS) twin, forward with and without the ReLU and the
// input gradient, per precision, at small odd shapes and at VGG16's first layers on a 10 s
// spectrogram (H = 431 frames, W = 1025 bins: conv1_1 3 -> 64, conv1_2 64 -> 64, and conv2_1
// 64 -> 128 after the first pool). The backward pass gets the CPU's output on both backends, so
// the ReLU mask is identical and the comparison isolates the transposed convolution.
//
// Tolerances (||gpu - cpu|| / ||cpu||, test_twins.h): fp32 1e-5: both sum k = 9*Cin <= 576 float
// products in different orders, each ~sqrt(k) * 2^-24 ~ 1.5e-6 in norm; Winograd or FFT
// algorithms add their own transform rounding of the same order, and a mistake in layout or
// padding gives errors of order 1. tf32 2e-3: a 10-bit mantissa per operand, 2^-11 ~ 5e-4 per
// product, averaged down over k terms, with margin. bf16 runs the tf32 path (kernels/conv2d.cu),
// so it is held to the tf32 tolerance.
#include <catch2/catch.hpp>
#include <cmath>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

struct Inputs {
  std::vector<float> x, w, bias, grad_y;
};

// Zero-mean inputs (as an ImageNet-normalised image and the activations after it), He-scaled
// weights so about half the outputs are clipped, a small bias, a unit-normal upstream gradient.
Inputs random_inputs(const Conv2dShape& s, uint64_t seed) {
  const float w_stddev = float(std::sqrt(2.0 / (9.0 * s.in_channels)));
  return {test::random_normal(size_t(s.in_count()), seed),
          test::random_normal(size_t(s.out_channels) * s.in_channels * 9, seed + 1, w_stddev),
          test::random_normal(size_t(s.out_channels), seed + 2, 0.1f),
          test::random_normal(size_t(s.out_count()), seed + 3)};
}

double tolerance(Precision precision) {
  return precision == Precision::fp32 ? test::kFp32Tolerance : test::kTf32Tolerance;
}

void compare_conv2d(const Conv2dShape& s, uint64_t seed) {
  INFO("B " << s.n_batch << " H " << s.height << " W " << s.width << " Cin " << s.in_channels
            << " Cout " << s.out_channels << ", seed " << seed);
  test::Twins twins;
  const Inputs in = random_inputs(s, seed);

  // CPU reference: y with and without ReLU, and the gradient through the ReLU.
  std::vector<float> cpu_y, cpu_y_relu, cpu_grad_x;
  {
    Backend& cpu = *twins.cpu;
    auto conv = cpu.make_conv2d(s, Precision::fp32);
    auto w = test::buffer_from(cpu, in.w), bias = test::buffer_from(cpu, in.bias);
    auto x = test::buffer_from(cpu, in.x);
    conv->set_weights(w.get(), bias.get());
    auto y = test::poisoned_buffer<float>(cpu, s.out_count());
    conv->forward(x.get(), y.get(), false);
    cpu_y = y.download();
    conv->forward(x.get(), y.get(), true);
    cpu_y_relu = y.download();
    auto grad_y = test::buffer_from(cpu, in.grad_y);
    auto grad_x = test::poisoned_buffer<float>(cpu, s.in_count());
    conv->backward_input(grad_y.get(), y.get(), grad_x.get(), true);
    cpu_grad_x = grad_x.download();
  }

  Backend& gpu = *twins.gpu;
  auto w = test::buffer_from(gpu, in.w), bias = test::buffer_from(gpu, in.bias);
  auto x = test::buffer_from(gpu, in.x);
  auto cpu_y_relu_b = test::buffer_from(gpu, cpu_y_relu);
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    auto conv = gpu.make_conv2d(s, precision);
    INFO(test::name_of(precision) << ": " << conv->algorithm());
    CHECK(conv->algorithm().find("cudnn") != std::string::npos);
    conv->set_weights(w.get(), bias.get());
    auto y = test::poisoned_buffer<float>(gpu, s.out_count());
    conv->forward(x.get(), y.get(), false);
    const double linear_error = test::relative_error(y.download(), cpu_y);
    auto y_relu = test::poisoned_buffer<float>(gpu, s.out_count());
    conv->forward(x.get(), y_relu.get(), true);
    const double relu_error = test::relative_error(y_relu.download(), cpu_y_relu);
    auto grad_y = test::buffer_from(gpu, in.grad_y);
    auto grad_x = test::poisoned_buffer<float>(gpu, s.in_count());
    conv->backward_input(grad_y.get(), cpu_y_relu_b.get(), grad_x.get(), true);
    const double backward_error = test::relative_error(grad_x.download(), cpu_grad_x);
    INFO("forward " << linear_error << " forward+relu " << relu_error << " backward "
                    << backward_error << " tolerance " << tolerance(precision));
    CHECK(linear_error <= tolerance(precision));
    CHECK(relu_error <= tolerance(precision));
    CHECK(backward_error <= tolerance(precision));
  }
}

}  // namespace

TEST_CASE("gpu: conv2d matches the CPU at small shapes", "[conv2d]") {
  compare_conv2d({2, 5, 7, 3, 4}, test::fresh_seed());
  compare_conv2d({1, 1, 1, 2, 3}, test::fresh_seed());    // 1x1 image: all but the centre tap pad
  compare_conv2d({3, 13, 11, 64, 32}, test::fresh_seed());
  compare_conv2d({1, 9, 6, 5, 130}, test::fresh_seed());  // channel counts not multiples of 8
}

TEST_CASE("gpu: conv2d matches the CPU at VGG16's first layers on a 10 s spectrogram",
          "[conv2d][large]") {
  compare_conv2d({1, 431, 1025, 3, 64}, test::fresh_seed());   // conv1_1
  compare_conv2d({1, 431, 1025, 64, 64}, test::fresh_seed());  // conv1_2
  compare_conv2d({2, 215, 512, 64, 128}, test::fresh_seed());  // conv2_1, two items
}

// The plan is reused across calls (as the optimiser does): a second forward and backward on new
// inputs give the same results as a fresh plan, and repeated calls are bit-identical
// (deterministic algorithms only).
TEST_CASE("gpu: a conv2d plan is reusable and deterministic", "[conv2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto gpu = make_cuda_backend();
  const Conv2dShape s{2, 24, 40, 16, 32};
  const Inputs first = random_inputs(s, seed), second = random_inputs(s, seed + 10);
  auto w = test::buffer_from(*gpu, first.w), bias = test::buffer_from(*gpu, first.bias);
  auto conv = gpu->make_conv2d(s, Precision::fp32);
  INFO(conv->algorithm());
  conv->set_weights(w.get(), bias.get());
  std::vector<float> outputs[2], gradients[2];
  for (int run = 0; run < 2; ++run) {
    for (const Inputs* in : {&first, &second}) {
      auto x = test::buffer_from(*gpu, in->x);
      auto y = test::poisoned_buffer<float>(*gpu, s.out_count());
      conv->forward(x.get(), y.get(), true);
      auto grad_y = test::buffer_from(*gpu, in->grad_y);
      auto grad_x = test::poisoned_buffer<float>(*gpu, s.in_count());
      conv->backward_input(grad_y.get(), y.get(), grad_x.get(), true);
      if (in == &second) {
        outputs[run] = y.download();
        gradients[run] = grad_x.download();
      }
    }
  }
  CHECK(outputs[0] == outputs[1]);
  CHECK(gradients[0] == gradients[1]);
  auto fresh = gpu->make_conv2d(s, Precision::fp32);
  fresh->set_weights(w.get(), bias.get());
  auto x = test::buffer_from(*gpu, second.x);
  auto y = test::poisoned_buffer<float>(*gpu, s.out_count());
  fresh->forward(x.get(), y.get(), true);
  CHECK(test::relative_error(y.download(), outputs[0]) <= test::kFp32Tolerance);
}
