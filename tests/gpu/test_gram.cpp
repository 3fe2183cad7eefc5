// The cuBLAS Gram matrix and its backward pass against the CPU (SSYRK/SSYMM) twin, for each
// precision, at a small shape and at the reference shape (rows = T' = 420, cols = F = 4096).
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

void compare_gram(int64_t rows, int cols, uint64_t seed) {
  INFO("rows " << rows << " cols " << cols << ", seed " << seed);
  test::Twins twins;
  const int64_t a_count = rows * cols, g_count = int64_t(cols) * cols;
  const auto features = test::random_uniform(size_t(a_count), seed, 0.f, 2.f);  // ReLU output
  // E symmetric, as the interface requires (the CPU's SSYMM reads one triangle).
  auto error = test::random_normal(size_t(g_count), seed + 1);
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < i; ++j) error[size_t(i) * cols + j] = error[size_t(j) * cols + i];
  const auto grad0 = test::random_normal(size_t(a_count), seed + 2, 0.01f);
  const float scale = 1.f / float(rows);

  std::vector<float> gram[2], grad[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  {
    auto plan = twins.cpu->make_gram(rows, cols, Precision::fp32);
    auto features_b = test::buffer_from(*twins.cpu, features);
    auto error_b = test::buffer_from(*twins.cpu, error);
    auto gram_b = test::poisoned_buffer<float>(*twins.cpu, g_count);
    auto grad_b = test::buffer_from(*twins.cpu, grad0);
    plan->forward(features_b.get(), scale, gram_b.get());
    plan->backward(features_b.get(), error_b.get(), scale, grad_b.get());
    gram[0] = gram_b.download(), grad[0] = grad_b.download();
  }
  Backend& gpu = *backends[1];
  auto features_b = test::buffer_from(gpu, features);
  auto error_b = test::buffer_from(gpu, error);
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    INFO(test::name_of(precision));
    auto plan = gpu.make_gram(rows, cols, precision);
    auto gram_b = test::poisoned_buffer<float>(gpu, g_count);
    auto grad_b = test::buffer_from(gpu, grad0);
    plan->forward(features_b.get(), scale, gram_b.get());
    plan->backward(features_b.get(), error_b.get(), scale, grad_b.get());
    const double forward_error = test::relative_error(gram_b.download(), gram[0]);
    const double backward_error = test::relative_error(grad_b.download(), grad[0]);
    INFO("forward " << forward_error << " backward " << backward_error << " tolerance "
                    << test::tolerance_for(precision));
    CHECK(forward_error <= test::tolerance_for(precision));
    CHECK(backward_error <= test::tolerance_for(precision));
  }
}

}  // namespace

TEST_CASE("gpu: Gram forward and backward match the CPU at a small shape", "[gram]") {
  compare_gram(60, 96, test::fresh_seed());
  compare_gram(7, 13, test::fresh_seed());  // cols not a multiple of 8
}

TEST_CASE("gpu: Gram forward and backward match the CPU at the reference shape", "[gram]") {
  compare_gram(420, 4096, test::fresh_seed());
}
