// The cuBLAS Gram matrix and its backward pass against the CPU (OpenBLAS SGEMM) twin, for each
// precision, at a small shape and at the reference shape (rows = T' = 420, cols = F = 4096);
// unbatched, and batched (B = 2) with the Gram accumulated over two row chunks as a long input is
// streamed.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

// Features: zero-mean for the error measure (test::gemm_tolerance's limits assume sign-mixed sums;
// all-positive features make every Gram entry a long positive sum whose rounding looks smaller
// than it is, and would hide a systematic error), or all-positive like the ReLU output the
// pipeline feeds, whose errors the same limits bound.
enum class Features { zero_mean, positive };

std::vector<float> random_features(size_t count, uint64_t seed, Features kind) {
  return kind == Features::positive ? test::random_uniform(count, seed, 0.f, 2.f)
                                    : test::random_normal(count, seed);
}

void compare_gram_with(int64_t rows, int cols, uint64_t seed, Features kind) {
  INFO("rows " << rows << " cols " << cols << ", seed " << seed << ", features "
               << (kind == Features::positive ? "positive" : "zero-mean"));
  test::Twins twins;
  const int64_t a_count = rows * cols, g_count = int64_t(cols) * cols;
  const auto features = random_features(size_t(a_count), seed, kind);
  // E symmetric, as the interface states (G - Gs up to rounding; both twins are exact for any E).
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
    // Terms per output: forward R (rows), backward F (cols).
    const double forward_limit = test::gemm_tolerance(precision, rows);
    const double backward_limit = test::gemm_tolerance(precision, cols);
    const std::string what = "gram R" + std::to_string(rows) + " F" + std::to_string(cols) +
                             " " + test::name_of(precision) +
                             (kind == Features::positive ? " positive" : " zero-mean");
    test::print_margin(what + " forward", forward_error, forward_limit);
    test::print_margin(what + " backward", backward_error, backward_limit);
    INFO("forward " << forward_error << " (limit " << forward_limit << ") backward "
                    << backward_error << " (limit " << backward_limit << ")");
    CHECK(forward_error <= forward_limit);
    CHECK(backward_error <= backward_limit);
  }
}

void compare_gram(int64_t rows, int cols, uint64_t seed) {
  compare_gram_with(rows, cols, seed, Features::zero_mean);
  compare_gram_with(rows, cols, seed + 7, Features::positive);
}

// B = 2 items, each streamed as two chunks of `chunk_rows` rows: G_b = scale A_b0^T A_b0, then
// G_b += scale A_b1^T A_b1 (accumulate); then dA_b += scale A_b1 E_b. Same calls on both backends.
void compare_gram_batched_accumulated(int64_t chunk_rows, int cols, uint64_t seed) {
  constexpr int kBatch = 2;
  INFO("B " << kBatch << " chunk rows " << chunk_rows << " cols " << cols << ", seed " << seed);
  test::Twins twins;
  const int64_t a_count = kBatch * chunk_rows * cols, g_count = int64_t(kBatch) * cols * cols;
  const std::vector<float> chunks[2] = {
      random_features(size_t(a_count), seed, Features::zero_mean),
      random_features(size_t(a_count), seed + 1, Features::zero_mean)};
  auto error = test::random_normal(size_t(g_count), seed + 2);
  for (int b = 0; b < kBatch; ++b) {
    float* e = error.data() + int64_t(b) * cols * cols;
    for (int i = 0; i < cols; ++i)
      for (int j = 0; j < i; ++j) e[int64_t(i) * cols + j] = e[int64_t(j) * cols + i];
  }
  const auto grad0 = test::random_normal(size_t(a_count), seed + 3, 0.01f);
  const float scale = 1.f / float(2 * chunk_rows);

  struct Result {
    std::vector<float> first_chunk, gram, grad;
  };
  const auto run = [&](Backend& backend, Precision precision) {
    auto plan = backend.make_gram(chunk_rows, cols, precision, kBatch);
    REQUIRE(plan->batch() == kBatch);
    auto chunk0 = test::buffer_from(backend, chunks[0]);
    auto chunk1 = test::buffer_from(backend, chunks[1]);
    auto error_b = test::buffer_from(backend, error);
    auto gram_b = test::poisoned_buffer<float>(backend, g_count);  // the first chunk overwrites
    auto grad_b = test::buffer_from(backend, grad0);
    Result result;
    plan->forward(chunk0.get(), scale, gram_b.get());
    result.first_chunk = gram_b.download();
    plan->forward(chunk1.get(), scale, gram_b.get(), /*accumulate=*/true);
    result.gram = gram_b.download();
    plan->backward(chunk1.get(), error_b.get(), scale, grad_b.get());
    result.grad = grad_b.download();
    return result;
  };

  const Result cpu = run(*twins.cpu, Precision::fp32);
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    INFO(test::name_of(precision));
    const Result gpu = run(*twins.gpu, precision);
    const double first_error = test::relative_error(gpu.first_chunk, cpu.first_chunk);
    const double forward_error = test::relative_error(gpu.gram, cpu.gram);
    const double backward_error = test::relative_error(gpu.grad, cpu.grad);
    // Terms per output: R per chunk (2R accumulated), F in the backward.
    const double first_limit = test::gemm_tolerance(precision, chunk_rows);
    const double forward_limit = test::gemm_tolerance(precision, 2 * chunk_rows);
    const double backward_limit = test::gemm_tolerance(precision, cols);
    const std::string what = "gram batched B2 R" + std::to_string(chunk_rows) + "x2 F" +
                             std::to_string(cols) + " " + test::name_of(precision);
    test::print_margin(what + " first chunk", first_error, first_limit);
    test::print_margin(what + " accumulated", forward_error, forward_limit);
    test::print_margin(what + " backward", backward_error, backward_limit);
    INFO("first chunk " << first_error << " (limit " << first_limit << ") accumulated "
                        << forward_error << " (limit " << forward_limit << ") backward "
                        << backward_error << " (limit " << backward_limit << ")");
    CHECK(first_error <= first_limit);
    CHECK(forward_error <= forward_limit);
    CHECK(backward_error <= backward_limit);
    // The accumulation must have added the second chunk (independent zero-mean chunks: the sum
    // differs from the first chunk's Gram by the second's, about its size).
    CHECK(test::relative_error(gpu.gram, cpu.first_chunk) > 0.5);
  }
}

}  // namespace

TEST_CASE("gpu: Gram forward and backward match the CPU at a small shape", "[gram]") {
  compare_gram(60, 96, test::fresh_seed());
  compare_gram(7, 13, test::fresh_seed());  // cols not a multiple of 8
}

TEST_CASE("gpu: Gram forward and backward match the CPU at the reference shape",
          "[gram][large]") {
  compare_gram(420, 4096, test::fresh_seed());
}

TEST_CASE("gpu: batched Gram accumulated over two chunks matches the CPU", "[gram][batch]") {
  compare_gram_batched_accumulated(30, 96, test::fresh_seed());
  compare_gram_batched_accumulated(7, 13, test::fresh_seed());  // cols not a multiple of 8
}

TEST_CASE("gpu: batched Gram accumulated over two chunks matches the CPU at the reference shape",
          "[gram][batch][large]") {
  compare_gram_batched_accumulated(210, 4096, test::fresh_seed());  // reference T' in two halves
}
