// The style and content losses on the GPU against the CPU twins: element-wise outputs and the
// double-accumulated scalar.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: style_loss matches the CPU, also with error aliasing gram", "[loss]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  // batch 3: three items' Grams against one broadcast target, one loss over all of them.
  for (int batch : {1, 3}) {
    for (int64_t count : {int64_t(96 * 96), int64_t(4096) * 4096}) {
      const auto gram = test::random_normal(size_t(batch * count), seed);
      const auto target = test::random_normal(size_t(count), seed + 1);
      for (bool aliased : {false, true}) {
        INFO("batch " << batch << " count " << count << " aliased " << aliased);
        std::vector<float> error[2];
        double loss[2];
        Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
        for (int b = 0; b < 2; ++b) {
          auto gram_b = test::buffer_from(*backends[b], gram);
          auto target_b = test::buffer_from(*backends[b], target);
          auto error_b = test::poisoned_buffer<float>(*backends[b], aliased ? 0 : batch * count);
          auto loss_b = test::poisoned_buffer<double>(*backends[b], 1);
          float* error_ptr = aliased ? gram_b.get() : error_b.get();
          backends[b]->style_loss(gram_b.get(), target_b.get(), count, batch, error_ptr,
                                  loss_b.get());
          error[b] = aliased ? gram_b.download() : error_b.download();
          loss[b] = loss_b.download()[0];
        }
        const double error_error = test::relative_error(error[1], error[0]);
        INFO("error relative error " << error_error << ", loss cpu " << loss[0] << " gpu "
                                     << loss[1]);
        CHECK(error_error <= test::kFp32Tolerance);
        CHECK(test::relative_scalar_error(loss[1], loss[0]) <= test::kReductionTolerance);
        // Each item's error has about count * 2 of squared mass (two unit normals differenced).
        CHECK(loss[0] > double(batch) * double(count));
      }
    }
  }
}

TEST_CASE("gpu: content_loss matches the CPU", "[loss]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t count = 420 * 4096 + 5;
  const auto features = test::random_uniform(size_t(count), seed, 0.f, 4.f);
  const auto target = test::random_uniform(size_t(count), seed + 1, 0.f, 4.f);
  const float alpha = 0.0137f;
  std::vector<float> grad[2];
  double loss[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto features_b = test::buffer_from(*backends[b], features);
    auto target_b = test::buffer_from(*backends[b], target);
    auto grad_b = test::poisoned_buffer<float>(*backends[b], count);
    auto loss_b = test::poisoned_buffer<double>(*backends[b], 1);
    backends[b]->content_loss(features_b.get(), target_b.get(), count, alpha, grad_b.get(),
                              loss_b.get());
    grad[b] = grad_b.download();
    loss[b] = loss_b.download()[0];
  }
  const double grad_error = test::relative_error(grad[1], grad[0]);
  INFO("grad relative error " << grad_error << ", loss cpu " << loss[0] << " gpu " << loss[1]);
  CHECK(grad_error <= test::kFp32Tolerance);
  CHECK(test::relative_scalar_error(loss[1], loss[0]) <= test::kReductionTolerance);
}
