// The cuBLAS calls of the conv1d and Gram plans (kernels/gemm_plan.h: the exact parameters
// kernels/conv1d.cu and gram.cu pass to cuBLAS), executed on the host by a column-major reference
// GEMM with cuBLAS's semantics and bounds-checked addressing, against the CPU twins. A wrong
// offset, leading dimension, transpose, batch stride or beta fails here, on any machine; only
// cuBLAS itself is left for the GPU tests.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "audiostyle/backend.h"
#include "kernels/gemm_plan.h"
#include "tests/support.h"

using namespace audiostyle;
using cuda::GemmCall;
using cuda::GemmOp;

namespace {

// Element (row, col) of op(X_i), where X_i starts at `base` (offset + item stride, already added);
// every address is checked against the array's size.
double read_operand(const std::vector<float>& x, const cuda::GemmOperand& operand, int64_t base,
                    int64_t row, int64_t col) {
  const int64_t index =
      operand.op == GemmOp::N ? base + row + col * operand.ld : base + col + row * operand.ld;
  REQUIRE(index >= 0);
  REQUIRE(index < int64_t(x.size()));
  return x[size_t(index)];
}

// cuBLAS's C_i = alpha op_a(A_i) op_b(B_i) + beta C_i for every item (gemm_plan.h), in double;
// with beta = 0, C is not read (it starts as NaN in these tests).
void reference_gemm(const GemmCall& call, float alpha, const std::vector<float>& a,
                    const std::vector<float>& b, std::vector<float>& c) {
  REQUIRE(call.m > 0);
  REQUIRE(call.n > 0);
  REQUIRE(call.k > 0);
  // cuBLAS's own argument rules: the leading dimension covers the stored rows of each operand.
  CHECK(call.a.ld >= (call.a.op == GemmOp::N ? call.m : call.k));
  CHECK(call.b.ld >= (call.b.op == GemmOp::N ? call.k : call.n));
  CHECK(call.ldc >= call.m);
  for (int item = 0; item < call.batch; ++item) {
    const int64_t a_base = call.a.offset + item * call.a.stride;
    const int64_t b_base = call.b.offset + item * call.b.stride;
    const int64_t c_base = call.c_offset + item * call.stride_c;
    for (int64_t col = 0; col < call.n; ++col)
      for (int64_t row = 0; row < call.m; ++row) {
        double sum = 0;
        for (int64_t l = 0; l < call.k; ++l)
          sum += read_operand(a, call.a, a_base, row, l) * read_operand(b, call.b, b_base, l, col);
        const int64_t index = c_base + row + col * call.ldc;
        REQUIRE(index >= 0);
        REQUIRE(index < int64_t(c.size()));
        const double old = call.beta == 0.f ? 0.0 : double(c[size_t(index)]);
        c[size_t(index)] = float(double(alpha) * sum + double(call.beta) * old);
      }
  }
}

// in [rows, cols] -> [rows, padded] with zero pad columns (kernels/convert.cu's pad_columns)
std::vector<float> pad(const std::vector<float>& in, int64_t rows, int cols, int padded) {
  std::vector<float> out(size_t(rows * padded), 0.f);
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) out[size_t(r * padded + c)] = in[size_t(r * cols + c)];
  return out;
}

std::vector<float> unpad(const std::vector<float>& in, int64_t rows, int padded, int cols) {
  std::vector<float> out(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) out[size_t(r * cols + c)] = in[size_t(r * padded + c)];
  return out;
}

template <class T>
Buffer<T> upload(Backend& backend, const std::vector<T>& host) {
  Buffer<T> buffer(backend, int64_t(host.size()));
  buffer.upload(host);
  return buffer;
}

// The reference sums in double, OpenBLAS in float: they differ by float rounding of sums of at
// most K * Cp terms (sqrt(k) * 2^-24 ~ 1e-6 here), far under 1e-5; a wrong index is O(1).
constexpr double kTolerance = 1e-5;

void check_conv_plan(const ConvShape& shape, uint64_t seed) {
  INFO("B " << shape.n_batch << " T " << shape.n_frames << " C " << shape.n_channels << " F "
            << shape.n_filters << " K " << shape.kernel_width << ", seed " << seed);
  const int Cp = cuda::padded_columns(shape.n_channels);
  REQUIRE(Cp % cuda::kPadElements == 0);
  REQUIRE(Cp >= shape.n_channels);
  REQUIRE(Cp < shape.n_channels + cuda::kPadElements);
  const int64_t B = shape.n_batch, T = shape.n_frames, out_frames = shape.out_frames();
  const int64_t F = shape.n_filters, K = shape.kernel_width, C = shape.n_channels;
  const auto x = test::random_uniform(size_t(B * T * C), seed, -1.f, 3.f);
  const auto w = test::random_normal(size_t(F * K * C), seed + 1, 0.3f);
  const auto grad = test::random_normal(size_t(B * out_frames * F), seed + 2);

  // CPU twin.
  auto cpu = make_cpu_backend();
  auto conv = cpu->make_conv1d(shape, Precision::fp32);
  auto w_b = upload(*cpu, w), x_b = upload(*cpu, x), grad_b = upload(*cpu, grad);
  Buffer<float> features_b(*cpu, B * out_frames * F), grad_x_b(*cpu, B * T * C);
  conv->set_weights(w_b.get());
  conv->forward_relu(x_b.get(), features_b.get());
  const auto cpu_features = features_b.download();
  conv->backward_input(grad_b.get(), features_b.get(), grad_x_b.get());
  const auto cpu_grad_x = grad_x_b.download();
  const auto masked_grad = grad_b.download();  // the CPU masks dA in place, as the GPU does

  // The device's calls, on the host: Wp [F, K, Cp] is the row-major [F*K, C] padded, xp likewise.
  const auto wp = pad(w, F * K, int(C), Cp), xp = pad(x, B * T, int(C), Cp);
  std::vector<float> features(size_t(B * out_frames * F), std::numeric_limits<float>::quiet_NaN());
  for (int64_t k = 0; k < K; ++k)
    reference_gemm(cuda::conv1d_forward_tap(shape, k), 1.f, wp, xp, features);
  for (auto& a : features) a = a < 0.f ? 0.f : a;
  CHECK(test::relative_error(features, cpu_features) <= kTolerance);

  std::vector<float> grad_xp(size_t(B * T * Cp), 0.f);  // zeroed, as cudaMemsetAsync does
  for (int64_t k = 0; k < K; ++k)
    reference_gemm(cuda::conv1d_backward_tap(shape, k), 1.f, wp, masked_grad, grad_xp);
  CHECK(test::relative_error(unpad(grad_xp, B * T, Cp, int(C)), cpu_grad_x) <= kTolerance);
  // The pad columns of dXp get W's zero pad columns only: they stay zero.
  for (int64_t r = 0; r < B * T; ++r)
    for (int c = int(C); c < Cp; ++c) REQUIRE(grad_xp[size_t(r * Cp + c)] == 0.f);
}

// ld = F (fp32/tf32: the caller's arrays) or Fp (bf16: padded copies of A and E).
void check_gram_plan(int64_t rows, int cols, int batch, bool padded, uint64_t seed) {
  INFO("rows " << rows << " cols " << cols << " batch " << batch << " padded " << padded
               << ", seed " << seed);
  const int ld = padded ? cuda::padded_columns(cols) : cols;
  const int64_t a_count = batch * rows * cols, g_count = int64_t(batch) * cols * cols;
  const auto chunk0 = test::random_normal(size_t(a_count), seed);
  const auto chunk1 = test::random_normal(size_t(a_count), seed + 1);
  auto error = test::random_normal(size_t(g_count), seed + 2);
  for (int b = 0; b < batch; ++b)  // symmetric, as the interface promises
    for (int i = 0; i < cols; ++i)
      for (int j = 0; j < i; ++j)
        error[size_t((int64_t(b) * cols + i) * cols + j)] =
            error[size_t((int64_t(b) * cols + j) * cols + i)];
  const auto grad0 = test::random_normal(size_t(a_count), seed + 3, 0.1f);
  const float scale = 0.25f;

  auto cpu = make_cpu_backend();
  auto plan = cpu->make_gram(rows, cols, Precision::fp32, batch);
  auto c0 = upload(*cpu, chunk0), c1 = upload(*cpu, chunk1), e_b = upload(*cpu, error);
  auto grad_b = upload(*cpu, grad0);
  Buffer<float> gram_b(*cpu, g_count);
  plan->forward(c0.get(), scale, gram_b.get());
  const auto cpu_first = gram_b.download();
  plan->forward(c1.get(), scale, gram_b.get(), /*accumulate=*/true);
  const auto cpu_gram = gram_b.download();
  plan->backward(c1.get(), e_b.get(), scale, grad_b.get());
  const auto cpu_grad = grad_b.download();

  const auto a0 = padded ? pad(chunk0, batch * rows, cols, ld) : chunk0;
  const auto a1 = padded ? pad(chunk1, batch * rows, cols, ld) : chunk1;
  const auto e = padded ? pad(error, int64_t(batch) * cols, cols, ld) : error;
  std::vector<float> gram(size_t(g_count), std::numeric_limits<float>::quiet_NaN());
  reference_gemm(cuda::gram_forward_call(rows, cols, ld, batch, false), scale, a0, a0, gram);
  CHECK(test::relative_error(gram, cpu_first) <= kTolerance);
  reference_gemm(cuda::gram_forward_call(rows, cols, ld, batch, true), scale, a1, a1, gram);
  CHECK(test::relative_error(gram, cpu_gram) <= kTolerance);
  std::vector<float> grad = grad0;
  reference_gemm(cuda::gram_backward_call(rows, cols, ld, ld, batch), scale, e, a1, grad);
  CHECK(test::relative_error(grad, cpu_grad) <= kTolerance);
}

}  // namespace

TEST_CASE("padded_columns rounds up to the 16-byte multiple", "[kernels][gemm_plan]") {
  CHECK(cuda::padded_columns(1) == 8);
  CHECK(cuda::padded_columns(8) == 8);
  CHECK(cuda::padded_columns(9) == 16);
  CHECK(cuda::padded_columns(1025) == 1032);  // the reference C = n_fft / 2 + 1
  CHECK(cuda::padded_columns(4096) == 4096);
}

TEST_CASE("conv1d's cuBLAS calls compute the CPU twin's conv, batched and not",
          "[kernels][gemm_plan]") {
  check_conv_plan(ConvShape{9, 5, 3, 3, 1}, test::fresh_seed());
  check_conv_plan(ConvShape{9, 5, 3, 3, 2}, test::fresh_seed());  // stride-0 weights
  check_conv_plan(ConvShape{11, 17, 8, 11, 3}, test::fresh_seed());  // T' = 1, C % 8 != 0
  check_conv_plan(ConvShape{20, 16, 7, 4, 2}, test::fresh_seed());  // C already padded
}

TEST_CASE("the Gram's cuBLAS calls compute the CPU twin's Gram, batched and accumulated",
          "[kernels][gemm_plan]") {
  for (bool padded : {false, true}) {
    check_gram_plan(6, 5, 1, padded, test::fresh_seed());
    check_gram_plan(7, 13, 2, padded, test::fresh_seed());
    check_gram_plan(3, 16, 3, padded, test::fresh_seed());
  }
}
