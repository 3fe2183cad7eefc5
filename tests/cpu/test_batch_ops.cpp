// The CPU twins' batch semantics (stereo channels, segments, streamed style Grams): a batched call
// must be B independent unbatched calls, and accumulating a Gram over row chunks must equal the
// Gram of the stacked rows. These define what the CUDA batch tests compare against.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

// Item `item` of a row-major [B, item_count] array.
std::vector<float> item_of(const std::vector<float>& batched, int64_t item_count, int item) {
  const auto first = batched.begin() + item * item_count;
  return std::vector<float>(first, first + item_count);
}

// Bitwise equality of item `item` of `batched` with `single` (NaN poison never equals anything).
bool item_equals(const std::vector<float>& batched, int item, const std::vector<float>& single) {
  return std::memcmp(batched.data() + item * single.size(), single.data(),
                     single.size() * sizeof(float)) == 0;
}

// A [F, F] error matrix made symmetric, as Gram::backward requires.
void symmetrise(float* e, int cols) {
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < i; ++j) e[int64_t(i) * cols + j] = e[int64_t(j) * cols + i];
}

}  // namespace

TEST_CASE("batched conv1d is B independent convolutions, bit for bit", "[conv1d][batch]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 3;
  const ConvShape single{37, 33, 24, 5};  // T, C, F, K; T' = 33
  ConvShape batched = single;
  batched.n_batch = B;
  const int64_t x_item = single.n_frames * single.n_channels;
  const int64_t a_item = single.out_frames() * single.n_filters;

  const auto x = test::random_uniform(size_t(B * x_item), seed, 0.f, 3.f);
  const auto w = test::random_normal(size_t(single.n_filters) * single.kernel_width *
                                         single.n_channels,
                                     seed + 1, 0.1f);
  const auto grad_features = test::random_normal(size_t(B * a_item), seed + 2);

  auto conv_b = backend->make_conv1d(batched, Precision::fp32);
  conv_b->set_weights(w.data());
  std::vector<float> features = test::poisoned(size_t(B * a_item));
  conv_b->forward_relu(x.data(), features.data());
  std::vector<float> grad_b = grad_features;  // may be overwritten with the masked gradient
  std::vector<float> grad_x = test::poisoned(size_t(B * x_item));
  conv_b->backward_input(grad_b.data(), features.data(), grad_x.data());

  auto conv_1 = backend->make_conv1d(single, Precision::fp32);
  conv_1->set_weights(w.data());
  int clipped = 0;
  for (int b = 0; b < B; ++b) {
    INFO("item " << b);
    const auto x_b = item_of(x, x_item, b);
    std::vector<float> features_1 = test::poisoned(size_t(a_item));
    conv_1->forward_relu(x_b.data(), features_1.data());
    CHECK(item_equals(features, b, features_1));
    std::vector<float> grad_1 = item_of(grad_features, a_item, b);
    std::vector<float> grad_x_1 = test::poisoned(size_t(x_item));
    conv_1->backward_input(grad_1.data(), features_1.data(), grad_x_1.data());
    CHECK(item_equals(grad_x, b, grad_x_1));
    for (float a : features_1) clipped += a == 0.f;
  }
  // The mask must take part for the backward comparison to mean anything.
  INFO("clipped features " << clipped << " of " << B * a_item);
  CHECK(clipped > 0);
  CHECK(clipped < B * a_item);
}

TEST_CASE("batched Gram is B independent Grams, forward and backward", "[gram][batch]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 3, cols = 29;
  const int64_t rows = 41;
  const int64_t a_item = rows * cols, g_item = int64_t(cols) * cols;
  const float scale = 1.0f / float(rows);
  const auto features = test::random_uniform(size_t(B * a_item), seed, 0.f, 2.f);
  auto error = test::random_normal(size_t(B * g_item), seed + 1);
  for (int b = 0; b < B; ++b) symmetrise(error.data() + b * g_item, cols);
  const auto grad0 = test::random_normal(size_t(B * a_item), seed + 2, 0.01f);

  auto gram_b = backend->make_gram(rows, cols, Precision::fp32, B);
  REQUIRE(gram_b->batch() == B);
  std::vector<float> gram = test::poisoned(size_t(B * g_item));
  gram_b->forward(features.data(), scale, gram.data());
  std::vector<float> grad = grad0;
  gram_b->backward(features.data(), error.data(), scale, grad.data());

  auto gram_1 = backend->make_gram(rows, cols, Precision::fp32);
  for (int b = 0; b < B; ++b) {
    INFO("item " << b);
    const auto a_b = item_of(features, a_item, b);
    const auto e_b = item_of(error, g_item, b);
    std::vector<float> g_1 = test::poisoned(size_t(g_item));
    gram_1->forward(a_b.data(), scale, g_1.data());
    CHECK(item_equals(gram, b, g_1));
    std::vector<float> grad_1 = item_of(grad0, a_item, b);
    gram_1->backward(a_b.data(), e_b.data(), scale, grad_1.data());
    CHECK(item_equals(grad, b, grad_1));
  }
}

TEST_CASE("Gram accumulated over two row chunks equals the Gram of the stacked rows",
          "[gram][batch]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 2, cols = 37;
  const int64_t chunk_rows = 50, rows = 2 * chunk_rows;
  const float scale = 1.0f / float(rows);
  // Whole: A [B, rows, cols]; chunk c of item b: rows [c*chunk_rows, (c+1)*chunk_rows) of item b,
  // gathered into A_c [B, chunk_rows, cols] as a streaming caller would.
  const auto features = test::random_uniform(size_t(B * rows * cols), seed, 0.f, 2.f);
  std::vector<float> chunks[2];
  for (int c = 0; c < 2; ++c)
    for (int b = 0; b < B; ++b) {
      const auto first = features.begin() + (b * rows + c * chunk_rows) * cols;
      chunks[c].insert(chunks[c].end(), first, first + chunk_rows * cols);
    }

  const int64_t g_count = int64_t(B) * cols * cols;
  auto whole_plan = backend->make_gram(rows, cols, Precision::fp32, B);
  std::vector<float> whole = test::poisoned(size_t(g_count));
  whole_plan->forward(features.data(), scale, whole.data());

  auto chunk_plan = backend->make_gram(chunk_rows, cols, Precision::fp32, B);
  std::vector<float> streamed = test::poisoned(size_t(g_count));
  chunk_plan->forward(chunks[0].data(), scale, streamed.data());  // overwrites the poison
  const std::vector<float> first_chunk_only = streamed;
  chunk_plan->forward(chunks[1].data(), scale, streamed.data(), /*accumulate=*/true);

  const double error = test::relative_error(streamed, whole);
  INFO("||streamed - whole|| / ||whole|| = " << error);
  CHECK(error <= 1e-5);
  // And the second chunk did add something (the accumulate flag is not ignored).
  CHECK(test::relative_error(first_chunk_only, whole) > 0.1);
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < cols; ++i)
      for (int j = 0; j < i; ++j)
        REQUIRE(streamed[(int64_t(b) * cols + i) * cols + j] ==
                streamed[(int64_t(b) * cols + j) * cols + i]);
}

TEST_CASE("batched style_loss broadcasts the target and sums the per-item losses",
          "[loss][batch]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int B = 3;
  const int64_t count = 31 * 31;
  const auto gram = test::random_normal(size_t(B * count), seed);
  const auto target = test::random_normal(size_t(count), seed + 1);

  std::vector<float> error = test::poisoned(size_t(B * count));
  double loss = -1;
  backend->style_loss(gram.data(), target.data(), count, B, error.data(), &loss);

  double per_item_sum = 0;
  for (int b = 0; b < B; ++b) {
    INFO("item " << b);
    const auto g_b = item_of(gram, count, b);
    std::vector<float> e_b = test::poisoned(size_t(count));
    double loss_b = -1;
    backend->style_loss(g_b.data(), target.data(), count, 1, e_b.data(), &loss_b);
    CHECK(item_equals(error, b, e_b));
    CHECK(loss_b > 0);
    per_item_sum += loss_b;
  }
  // One running double sum against three added together: equal up to double rounding.
  CHECK(loss == Approx(per_item_sum).epsilon(1e-12));

  // In place (error aliasing gram), as the style objective calls it.
  std::vector<float> in_place = gram;
  double loss_in_place = -1;
  backend->style_loss(in_place.data(), target.data(), count, B, in_place.data(), &loss_in_place);
  CHECK(in_place == error);
  CHECK(loss_in_place == loss);
}
