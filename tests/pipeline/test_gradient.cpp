// The analytic gradient of the full loss against central finite differences of the same loss in
// double (relative error 1e-3 over every coordinate).
#include <catch2/catch.hpp>

#include "tests/gradient_check.h"

using namespace audiostyle;

TEST_CASE("the full loss gradient matches central finite differences", "[gradient]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  for (float alpha : {1e-2f, 1.0f})
    for (bool with_content : {true, false}) {
      const auto check = test::check_gradient(*backend, seed, alpha, with_content, Precision::fp32);
      INFO("alpha " << alpha << " content " << with_content << " f " << check.f_pipeline
                    << " value error " << check.value_error << " gradient error "
                    << check.gradient_error);
      CHECK(check.f_reference > 0);
      CHECK(check.value_error <= 1e-5);
      CHECK(check.gradient_error <= 1e-3);
    }
}

TEST_CASE("the batched (stereo) loss gradient matches finite differences", "[gradient]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  for (int batch : {2, 3}) {
    const auto check = test::check_gradient(*backend, seed, 1e-2f, true, Precision::fp32, batch);
    INFO("batch " << batch << " value error " << check.value_error << " gradient error "
                  << check.gradient_error);
    CHECK(check.value_error <= 1e-5);
    CHECK(check.gradient_error <= 1e-3);
  }
}
