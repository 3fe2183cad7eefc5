// The mel projection of --vgg-input mel (host/extractors/mel_view.h: the conv1d GEMM with one tap
// and the log1p/expm1 maps) on the GPU against the CPU.
#include <catch2/catch.hpp>

#include "host/common/mel_filterbank.h"
#include "host/extractors/mel_view.h"
#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: the mel projection's forward and backward equal the CPU's", "[mel]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int sample_rate_hz = 22050, n_fft = 2048, n_mels = 128, C = n_fft / 2 + 1;
  const int64_t rows = 2 * 431;  // two items of a 10 s clip
  const auto bank = mel_filterbank(MelBankSpec{sample_rate_hz, n_fft, n_mels});
  const auto x = test::random_uniform(size_t(rows * C), seed, 0.f, 3.f);
  const auto grad_image = test::random_normal(size_t(rows * n_mels), seed + 1);
  std::vector<float> image[2], grad_x[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    Backend& backend = *backends[b];
    auto bank_b = test::buffer_from(backend, bank);
    MelProjection projection(backend, bank_b.get(), C, n_mels, rows);
    auto x_b = test::buffer_from(backend, x);
    auto magnitude = test::poisoned_buffer<float>(backend, rows * C);
    auto mel = test::poisoned_buffer<float>(backend, rows * n_mels);
    auto image_b = test::poisoned_buffer<float>(backend, rows * n_mels);
    projection.forward(x_b.get(), magnitude.get(), mel.get(), image_b.get());
    image[b] = image_b.download();
    auto grad_b = test::buffer_from(backend, grad_image);
    auto grad_x_b = test::poisoned_buffer<float>(backend, rows * C);
    projection.backward(grad_b.get(), magnitude.get(), mel.get(), grad_x_b.get());
    grad_x[b] = grad_x_b.download();
  }
  // fp32 GEMMs of k = C (forward) and k = n_mels (backward) non-negative products.
  const double forward_limit = test::gemm_tolerance(Precision::fp32, C);
  const double backward_limit = test::gemm_tolerance(Precision::fp32, n_mels);
  const double forward_error = test::relative_error(image[1], image[0]);
  const double backward_error = test::relative_error(grad_x[1], grad_x[0]);
  test::print_margin("mel projection forward", forward_error, forward_limit);
  test::print_margin("mel projection backward", backward_error, backward_limit);
  CHECK(forward_error <= forward_limit);
  CHECK(backward_error <= backward_limit);
}
