// CPU conv2d (both numbered variants, OpenBLAS) against a direct double-precision loop, forward
// and input gradient, at shapes that exercise odd sizes, 1-pixel images, several row blocks and a
// VGG-like channel count; the backward also against finite differences of the double forward.
#include <catch2/catch.hpp>

#include <cmath>

#include "audiostyle/backend.h"
#include "host/cpu/cpu_ops.h"
#include "tests/cpu/finite_difference.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// y[b, h, w, o] = (relu?)(bias[o] + sum_{i, dy, dx} x[b, h+dy-1, w+dx-1, i] W[o, i, dy, dx]),
// x NHWC, W OIHW, zero padding; all in double.
std::vector<double> reference_forward(const std::vector<double>& x, const std::vector<float>& w,
                                      const std::vector<float>& bias, const Conv2dShape& s,
                                      bool relu) {
  const int H = s.height, W = s.width, Ci = s.in_channels, Co = s.out_channels;
  std::vector<double> y(size_t(s.out_count()));
  for (int b = 0; b < s.n_batch; ++b)
    for (int h = 0; h < H; ++h)
      for (int c = 0; c < W; ++c)
        for (int o = 0; o < Co; ++o) {
          double acc = bias[o];
          for (int i = 0; i < Ci; ++i)
            for (int dy = 0; dy < 3; ++dy)
              for (int dx = 0; dx < 3; ++dx) {
                const int hy = h + dy - 1, wx = c + dx - 1;
                if (hy < 0 || hy >= H || wx < 0 || wx >= W) continue;
                acc += x[((size_t(b) * H + hy) * W + wx) * Ci + i] *
                       double(w[((size_t(o) * Ci + i) * 3 + dy) * 3 + dx]);
              }
          y[((size_t(b) * H + h) * W + c) * Co + o] = relu && acc < 0 ? 0.0 : acc;
        }
  return y;
}

// grad_x = conv^T(grad_y * mask), mask = (y > 0) from the op's own output when `relu`.
std::vector<double> reference_backward(const std::vector<float>& grad_y,
                                       const std::vector<float>& y, const std::vector<float>& w,
                                       const Conv2dShape& s, bool relu) {
  const int H = s.height, W = s.width, Ci = s.in_channels, Co = s.out_channels;
  std::vector<double> grad_x(size_t(s.in_count()), 0.0);
  for (int b = 0; b < s.n_batch; ++b)
    for (int h = 0; h < H; ++h)
      for (int c = 0; c < W; ++c)
        for (int o = 0; o < Co; ++o) {
          const size_t out = ((size_t(b) * H + h) * W + c) * Co + o;
          if (relu && !(y[out] > 0)) continue;
          const double g = grad_y[out];
          for (int i = 0; i < Ci; ++i)
            for (int dy = 0; dy < 3; ++dy)
              for (int dx = 0; dx < 3; ++dx) {
                const int hy = h + dy - 1, wx = c + dx - 1;
                if (hy < 0 || hy >= H || wx < 0 || wx >= W) continue;
                grad_x[((size_t(b) * H + hy) * W + wx) * Ci + i] +=
                    g * w[((size_t(o) * Ci + i) * 3 + dy) * 3 + dx];
              }
        }
  return grad_x;
}

struct Inputs {
  std::vector<float> x, w, bias, grad_y;
};

// Zero-mean inputs and He-scaled weights, so about half the outputs are clipped by the ReLU.
Inputs random_inputs(const Conv2dShape& s, uint64_t seed) {
  const float w_stddev = float(std::sqrt(2.0 / (9.0 * s.in_channels)));
  return {test::random_normal(size_t(s.in_count()), seed),
          test::random_normal(size_t(s.out_channels) * s.in_channels * 9, seed + 1, w_stddev),
          test::random_normal(size_t(s.out_channels), seed + 2, 0.1f),
          test::random_normal(size_t(s.out_count()), seed + 3)};
}

const char* variant_name(cpu::Conv2dVariant v) {
  return v == cpu::Conv2dVariant::im2col ? "im2col" : "shifted";
}

}  // namespace

// fp32 GEMMs over k = 9*Cin <= 576 terms: the rounding of a sum grows like sqrt(k) * 2^-24
// (about 1.5e-6 at k = 576) in the norm-wise relative error; 1e-5 leaves margin and still fails
// any indexing mistake (which gives errors of order 1).
TEST_CASE("conv2d forward and input gradient match a double reference, both variants",
          "[conv2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  struct Case {
    Conv2dShape shape;
    size_t budget;  // scratch budget: small ones force several row blocks, the last one short
  };
  const Case cases[] = {
      {{2, 5, 7, 3, 4}, 0},
      {{1, 1, 1, 2, 3}, 0},        // 1x1 image: every tap but the centre is padding
      {{1, 9, 6, 16, 8}, 1500},    // a few rows per block
      {{3, 7, 1, 5, 6}, 1},        // one row per block, width 1
      {{1, 13, 11, 64, 32}, 20000} // VGG-like channel count, uneven blocks
  };
  for (const Case& c : cases) {
    const Conv2dShape& s = c.shape;
    INFO("B " << s.n_batch << " H " << s.height << " W " << s.width << " Cin " << s.in_channels
              << " Cout " << s.out_channels << " budget " << c.budget);
    const Inputs in = random_inputs(s, seed);
    for (cpu::Conv2dVariant variant : {cpu::Conv2dVariant::im2col, cpu::Conv2dVariant::shifted}) {
      auto conv = cpu::make_conv2d(s, variant, c.budget);
      INFO(variant_name(variant) << ": " << conv->algorithm());
      conv->set_weights(in.w.data(), in.bias.data());
      for (bool relu : {false, true}) {
        INFO("relu " << relu);
        std::vector<float> y = test::poisoned(size_t(s.out_count()));
        conv->forward(in.x.data(), y.data(), relu);
        const auto y_ref = reference_forward(test::as_double(in.x), in.w, in.bias, s, relu);
        CHECK(test::relative_error(y.data(), y_ref.data(), y.size()) <= 1e-5);

        std::vector<float> grad_y = in.grad_y;
        const auto grad_ref = reference_backward(grad_y, y, in.w, s, relu);
        std::vector<float> grad_x = test::poisoned(size_t(s.in_count()));
        conv->backward_input(grad_y.data(), y.data(), grad_x.data(), relu);
        CHECK(test::relative_error(grad_x.data(), grad_ref.data(), grad_x.size()) <= 1e-5);
      }
    }
  }
}

// The backward pass is the gradient of L(x) = sum g * relu(conv(x)) by central differences of the
// double forward (h = 1e-6: the truncation error h^2 * f''' is far below the 1e-5 tolerance; a kink
// within h of a sample point is improbable for random inputs).
TEST_CASE("conv2d input gradient matches finite differences of the forward", "[conv2d]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const Conv2dShape s{2, 4, 5, 3, 4};
  const Inputs in = random_inputs(s, seed);
  for (cpu::Conv2dVariant variant : {cpu::Conv2dVariant::im2col, cpu::Conv2dVariant::shifted}) {
    INFO(variant_name(variant));
    auto conv = cpu::make_conv2d(s, variant);
    conv->set_weights(in.w.data(), in.bias.data());
    std::vector<float> y = test::poisoned(size_t(s.out_count()));
    conv->forward(in.x.data(), y.data(), true);
    std::vector<float> grad_y = in.grad_y;
    std::vector<float> grad_x = test::poisoned(size_t(s.in_count()));
    conv->backward_input(grad_y.data(), y.data(), grad_x.data(), true);

    const auto g = test::as_double(in.grad_y);
    const auto loss = [&](const std::vector<double>& x) {
      return test::weighted_sum(g, reference_forward(x, in.w, in.bias, s, true));
    };
    const auto fd = test::central_differences(loss, test::as_double(in.x));
    CHECK(test::relative_error(grad_x.data(), fd.data(), fd.size()) <= 1e-5);
  }
}

TEST_CASE("conv2d through the backend: the automatic variant, bias only where weights are zero",
          "[conv2d]") {
  auto backend = make_cpu_backend();
  const Conv2dShape s{1, 3, 4, 20, 5};
  std::vector<float> w(size_t(s.out_channels) * s.in_channels * 9, 0.f), bias{1, -2, 3, -4, 0.5f};
  std::vector<float> x = test::random_normal(size_t(s.in_count()), test::fresh_seed());
  auto conv = backend->make_conv2d(s, Precision::fp32);
  CHECK(conv->algorithm().find("variant 1") != std::string::npos);  // the measured choice
  conv->set_weights(w.data(), bias.data());
  std::vector<float> y = test::poisoned(size_t(s.out_count()));
  conv->forward(x.data(), y.data(), true);
  for (int64_t p = 0; p < s.out_count() / s.out_channels; ++p)
    for (int o = 0; o < s.out_channels; ++o)
      CHECK(y[p * s.out_channels + o] == std::max(bias[o], 0.f));
}
