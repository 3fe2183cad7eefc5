// The cuBLAS conv1d against the CPU (OpenBLAS) twin, forward and input gradient, for each
// precision, at a small shape and at the reference shape (T = 430, C = 1025, F = 4096, K = 11).
// The backward pass is given the CPU's features on both backends, so the ReLU mask is identical and
// the comparison isolates the GEMMs (bf16 features would flip the mask of near-zero elements).
#include <catch2/catch.hpp>
#include <cmath>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

void compare_conv1d(const ConvShape& shape, uint64_t seed) {
  INFO("T " << shape.n_frames << " C " << shape.n_channels << " F " << shape.n_filters << " K "
            << shape.kernel_width << ", seed " << seed);
  test::Twins twins;
  const int64_t x_count = shape.n_frames * shape.n_channels;
  const int64_t w_count = int64_t(shape.n_filters) * shape.kernel_width * shape.n_channels;
  const int64_t a_count = shape.out_frames() * shape.n_filters;
  const auto x = test::random_uniform(size_t(x_count), seed, 0.f, 3.f);  // log1p magnitudes
  const float w_stddev = float(std::sqrt(2.0 / double(shape.kernel_width * shape.n_channels)));
  const auto w = test::random_normal(size_t(w_count), seed + 1, w_stddev);
  const auto grad_features = test::random_normal(size_t(a_count), seed + 2);

  // CPU reference.
  std::vector<float> cpu_features, cpu_grad_x;
  {
    auto conv = twins.cpu->make_conv1d(shape, Precision::fp32);
    auto w_b = test::buffer_from(*twins.cpu, w), x_b = test::buffer_from(*twins.cpu, x);
    auto features_b = test::poisoned_buffer<float>(*twins.cpu, a_count);
    auto grad_b = test::buffer_from(*twins.cpu, grad_features);
    auto grad_x_b = test::poisoned_buffer<float>(*twins.cpu, x_count);
    conv->set_weights(w_b.get());
    conv->forward_relu(x_b.get(), features_b.get());
    conv->backward_input(grad_b.get(), features_b.get(), grad_x_b.get());
    cpu_features = features_b.download();
    cpu_grad_x = grad_x_b.download();
  }

  Backend& gpu = *twins.gpu;
  auto w_b = test::buffer_from(gpu, w), x_b = test::buffer_from(gpu, x);
  auto cpu_features_b = test::buffer_from(gpu, cpu_features);
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    auto conv = gpu.make_conv1d(shape, precision);
    INFO(test::name_of(precision) << ": " << conv->algorithm());
    conv->set_weights(w_b.get());
    auto features_b = test::poisoned_buffer<float>(gpu, a_count);
    conv->forward_relu(x_b.get(), features_b.get());
    auto grad_b = test::buffer_from(gpu, grad_features);
    auto grad_x_b = test::poisoned_buffer<float>(gpu, x_count);
    conv->backward_input(grad_b.get(), cpu_features_b.get(), grad_x_b.get());
    const double forward_error = test::relative_error(features_b.download(), cpu_features);
    const double backward_error = test::relative_error(grad_x_b.download(), cpu_grad_x);
    INFO("forward " << forward_error << " backward " << backward_error << " tolerance "
                    << test::tolerance_for(precision));
    CHECK(forward_error <= test::tolerance_for(precision));
    CHECK(backward_error <= test::tolerance_for(precision));
  }
}

}  // namespace

TEST_CASE("gpu: conv1d matches the CPU at a small shape", "[conv1d]") {
  compare_conv1d(ConvShape{64, 129, 96, 5}, test::fresh_seed());
  compare_conv1d(ConvShape{11, 17, 8, 11}, test::fresh_seed());  // T' = 1, C not a multiple of 8
}

TEST_CASE("gpu: conv1d matches the CPU at the reference shape", "[conv1d]") {
  compare_conv1d(ConvShape{430, 1025, 4096, 11}, test::fresh_seed());
}
