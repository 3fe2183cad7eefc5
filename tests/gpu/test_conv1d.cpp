// The cuBLAS conv1d against the CPU (OpenBLAS) twin, forward and input gradient, for each
// precision, at a small shape and at the reference shape (T = 430, C = 1025, F = 4096, K = 11),
// unbatched and batched (B items, x [B, T, C] -> A [B, T', F]); and a batched GPU conv against
// the same GPU conv run on each item alone.
// The backward pass is given the CPU's features on both backends, so the ReLU mask is identical and
// the comparison isolates the GEMMs (bf16 features would flip the mask of near-zero elements).
#include <catch2/catch.hpp>
#include <cmath>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

struct ConvInputs {
  std::vector<float> x, w, grad_features;
};

// Which x: zero-mean for the error measure (the limits of test::gemm_tolerance assume sign-mixed
// sums and an all-positive x would make rounding look smaller than it is), or all-positive like
// the pipeline's log1p magnitudes, for the ReLU path as it runs (the weights keep the products
// sign-mixed, so the same limits hold).
enum class Input { zero_mean, positive };

// Fresh inputs for every item of `shape`: x per `input`, He-scaled zero-mean weights (about half
// the features clipped by the ReLU), a unit-normal upstream gradient.
ConvInputs random_inputs(const ConvShape& shape, uint64_t seed, Input input) {
  const int64_t x_count = shape.n_batch * shape.n_frames * shape.n_channels;
  const int64_t w_count = int64_t(shape.n_filters) * shape.kernel_width * shape.n_channels;
  const int64_t a_count = shape.n_batch * shape.out_frames() * shape.n_filters;
  const float w_stddev = float(std::sqrt(2.0 / double(shape.kernel_width * shape.n_channels)));
  return {input == Input::positive ? test::random_uniform(size_t(x_count), seed, 0.f, 3.f)
                                   : test::random_normal(size_t(x_count), seed),
          test::random_normal(size_t(w_count), seed + 1, w_stddev),
          test::random_normal(size_t(a_count), seed + 2)};
}

void compare_conv1d_with(const ConvShape& shape, uint64_t seed, Input input) {
  INFO("B " << shape.n_batch << " T " << shape.n_frames << " C " << shape.n_channels << " F "
            << shape.n_filters << " K " << shape.kernel_width << ", seed " << seed << ", x "
            << (input == Input::positive ? "positive" : "zero-mean"));
  test::Twins twins;
  const int64_t x_count = shape.n_batch * shape.n_frames * shape.n_channels;
  const int64_t a_count = shape.n_batch * shape.out_frames() * shape.n_filters;
  // Terms per output: forward K*C (the K taps accumulate through beta), backward K*F.
  const int64_t forward_terms = int64_t(shape.kernel_width) * shape.n_channels;
  const int64_t backward_terms = int64_t(shape.kernel_width) * shape.n_filters;
  const auto [x, w, grad_features] = random_inputs(shape, seed, input);

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
    const double forward_limit = test::gemm_tolerance(precision, forward_terms);
    const double backward_limit = test::gemm_tolerance(precision, backward_terms);
    const std::string what = "conv1d B" + std::to_string(shape.n_batch) + " T" +
                             std::to_string(shape.n_frames) + " C" +
                             std::to_string(shape.n_channels) + " F" +
                             std::to_string(shape.n_filters) + " " + test::name_of(precision) +
                             (input == Input::positive ? " positive" : " zero-mean");
    test::print_margin(what + " forward", forward_error, forward_limit);
    test::print_margin(what + " backward", backward_error, backward_limit);
    INFO("forward " << forward_error << " (limit " << forward_limit << ") backward "
                    << backward_error << " (limit " << backward_limit << ")");
    CHECK(forward_error <= forward_limit);
    CHECK(backward_error <= backward_limit);
  }
}

void compare_conv1d(const ConvShape& shape, uint64_t seed) {
  compare_conv1d_with(shape, seed, Input::zero_mean);
  compare_conv1d_with(shape, seed + 7, Input::positive);
}

// Item b of one batched fp32 conv against the unbatched fp32 conv of item b alone, both on the GPU:
// the batch must not mix items (a window crossing an item boundary, a wrong stride) nor change the
// arithmetic beyond cuBLAS's choice of kernel. Both backward passes get the batched features.
void compare_batched_with_single(const ConvShape& batched, uint64_t seed) {
  INFO("B " << batched.n_batch << " T " << batched.n_frames << " C " << batched.n_channels << " F "
            << batched.n_filters << " K " << batched.kernel_width << ", seed " << seed);
  // Not bit-identical: B = 1 issues cublasGemmEx and B > 1 cublasGemmStridedBatchedEx, and cuBLAS
  // may choose another kernel (tile, split-K) for each, so the fp32 sums of K*C (forward) or K*F
  // (backward) terms are added in another order: the fp32 limit of test::gemm_tolerance (two fp32
  // sums in different orders), 1.1e-5 and 2.2e-5 at the reference shape. A mixed-up item or a
  // wrong stride is an O(1) error.
  const double forward_limit =
      test::gemm_tolerance(Precision::fp32, int64_t(batched.kernel_width) * batched.n_channels);
  const double backward_limit =
      test::gemm_tolerance(Precision::fp32, int64_t(batched.kernel_width) * batched.n_filters);
  auto gpu = test::make_gpu_backend();
  ConvShape single = batched;
  single.n_batch = 1;
  const int64_t x_item = single.n_frames * single.n_channels;
  const int64_t a_item = single.out_frames() * single.n_filters;
  const auto [x, w, grad_features] = random_inputs(batched, seed, Input::zero_mean);

  auto w_b = test::buffer_from(*gpu, w), x_b = test::buffer_from(*gpu, x);
  auto conv_batched = gpu->make_conv1d(batched, Precision::fp32);
  INFO(conv_batched->algorithm());
  conv_batched->set_weights(w_b.get());
  auto features_b = test::poisoned_buffer<float>(*gpu, batched.n_batch * a_item);
  conv_batched->forward_relu(x_b.get(), features_b.get());
  auto grad_b = test::buffer_from(*gpu, grad_features);
  auto grad_x_b = test::poisoned_buffer<float>(*gpu, batched.n_batch * x_item);
  conv_batched->backward_input(grad_b.get(), features_b.get(), grad_x_b.get());
  const auto features = features_b.download(), grad_x = grad_x_b.download();

  auto conv_single = gpu->make_conv1d(single, Precision::fp32);
  conv_single->set_weights(w_b.get());
  for (int b = 0; b < batched.n_batch; ++b) {
    INFO("item " << b);
    const auto slice = [](const std::vector<float>& v, int64_t count, int item) {
      return std::vector<float>(v.begin() + item * count, v.begin() + (item + 1) * count);
    };
    auto x_1 = test::buffer_from(*gpu, slice(x, x_item, b));
    auto features_1 = test::poisoned_buffer<float>(*gpu, a_item);
    conv_single->forward_relu(x_1.get(), features_1.get());
    auto batched_features_1 = test::buffer_from(*gpu, slice(features, a_item, b));
    auto grad_1 = test::buffer_from(*gpu, slice(grad_features, a_item, b));
    auto grad_x_1 = test::poisoned_buffer<float>(*gpu, x_item);
    conv_single->backward_input(grad_1.get(), batched_features_1.get(), grad_x_1.get());
    const double forward_error =
        test::relative_error(slice(features, a_item, b), features_1.download());
    const double backward_error =
        test::relative_error(slice(grad_x, x_item, b), grad_x_1.download());
    const std::string what = "conv1d batched-vs-single B" + std::to_string(batched.n_batch) +
                             " T" + std::to_string(batched.n_frames) + " item " +
                             std::to_string(b);
    test::print_margin(what + " forward", forward_error, forward_limit);
    test::print_margin(what + " backward", backward_error, backward_limit);
    INFO("forward " << forward_error << " (limit " << forward_limit << ") backward "
                    << backward_error << " (limit " << backward_limit << ")");
    CHECK(forward_error <= forward_limit);
    CHECK(backward_error <= backward_limit);
  }
}

ConvShape batched(ConvShape shape, int n_batch) {
  shape.n_batch = n_batch;
  return shape;
}

}  // namespace

TEST_CASE("gpu: conv1d matches the CPU at a small shape", "[conv1d]") {
  compare_conv1d(ConvShape{64, 129, 96, 5}, test::fresh_seed());
  compare_conv1d(ConvShape{11, 17, 8, 11}, test::fresh_seed());  // T' = 1, C not a multiple of 8
}

TEST_CASE("gpu: conv1d matches the CPU at the reference shape", "[conv1d][large]") {
  compare_conv1d(ConvShape{430, 1025, 4096, 11}, test::fresh_seed());
}

TEST_CASE("gpu: batched conv1d matches the CPU at a small shape", "[conv1d][batch]") {
  for (int n_batch : {2, 3}) {
    compare_conv1d(batched(ConvShape{64, 129, 96, 5}, n_batch), test::fresh_seed());
    compare_conv1d(batched(ConvShape{11, 17, 8, 11}, n_batch), test::fresh_seed());  // T' = 1
  }
}

TEST_CASE("gpu: batched conv1d matches the CPU at the reference shape",
          "[conv1d][batch][large]") {
  compare_conv1d(batched(ConvShape{430, 1025, 4096, 11}, 2), test::fresh_seed());
}

TEST_CASE("gpu: each item of a batched conv1d equals the unbatched conv1d of that item",
          "[conv1d][batch]") {
  compare_batched_with_single(batched(ConvShape{64, 129, 96, 5}, 3), test::fresh_seed());
}

TEST_CASE("gpu: each item of a batched conv1d equals the unbatched one at the reference shape",
          "[conv1d][batch][large]") {
  compare_batched_with_single(batched(ConvShape{430, 1025, 4096, 11}, 2), test::fresh_seed());
}
