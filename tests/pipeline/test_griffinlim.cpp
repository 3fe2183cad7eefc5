// GriffinLim::run (host/pipeline/griffinlim.cpp), the pipeline's own loop on the backend, on a
// consistent magnitude (the STFT of a real signal): it converges as librosa.griffinlim does, and the
// momentum it is given is the one it uses (0.99 beats plain Griffin-Lim).
#include <catch2/catch.hpp>

#include <cmath>

#include "host/pipeline/griffinlim.h"
#include "tests/golden/harmonic_signal.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("GriffinLim::run converges like librosa and its momentum beats plain Griffin-Lim",
          "[griffinlim][pipeline]") {
  // Thresholds from librosa 0.11 on this signal (tests/golden/README.md, 100 iterations, n_fft
  // 2048, hop 512, 50 seeds): momentum 0.99 median -37.4 dB, worst -29.5 dB; momentum 0 median
  // -23.8 dB, worst -16.7 dB. As in tests/cpu/test_griffinlim.cpp, single runs vary by +-8 dB, so
  // the comparisons use the mean over three seeds (fast - plain: -13.9 dB median, -8.5 dB worst).
  const int sample_rate_hz = 22050;
  const StftShape shape{2048, 512, sample_rate_hz};
  auto backend = make_cpu_backend();
  auto stft = backend->make_stft(shape);
  const int64_t n_bins_total = shape.n_frames() * shape.n_bins();
  Buffer<float> audio(*backend, shape.n_samples), spec(*backend, 2 * n_bins_total),
      magnitude(*backend, n_bins_total), output(*backend, shape.n_samples);
  audio.upload(test::golden::harmonic_signal(shape.n_samples, sample_rate_hz));
  stft->forward(audio.get(), spec.get());
  const std::vector<float> host_spec = spec.download();
  std::vector<float> host_magnitude(static_cast<size_t>(n_bins_total));
  for (size_t i = 0; i < host_magnitude.size(); ++i)
    host_magnitude[i] = std::hypot(host_spec[2 * i], host_spec[2 * i + 1]);
  magnitude.upload(host_magnitude);

  GriffinLim griffinlim(*backend, *stft);
  // The run's own convergence figure, checked against one computed here from its output.
  auto convergence_db = [&](const std::vector<float>& y) {
    Buffer<float> yb(*backend, shape.n_samples), rebuilt(*backend, 2 * n_bins_total);
    yb.upload(y);
    stft->forward(yb.get(), rebuilt.get());
    const auto r = rebuilt.download();
    double num = 0, den = 0;
    for (size_t i = 0; i < host_magnitude.size(); ++i) {
      const double d = std::hypot(double(r[2 * i]), double(r[2 * i + 1])) - host_magnitude[i];
      num += d * d;
      den += double(host_magnitude[i]) * host_magnitude[i];
    }
    return 10 * std::log10(num / den);
  };
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  double fast_mean_db = 0, plain_mean_db = 0;
  for (uint64_t k = 0; k < 3; ++k) {
    double db[2];
    for (int m = 0; m < 2; ++m) {
      GriffinLimOptions options;
      options.iterations = 100;
      options.momentum = m == 0 ? 0.99f : 0.f;
      options.seed = seed + k;
      db[m] = griffinlim.run(magnitude.get(), output.get(), options);
      const double measured = convergence_db(output.download());
      INFO("momentum " << options.momentum << ": run says " << db[m] << " dB, measured "
                       << measured << " dB");
      CHECK(std::abs(db[m] - measured) < 0.01);
    }
    INFO("start " << k << ": momentum 0.99 " << db[0] << " dB, momentum 0 " << db[1] << " dB");
    CHECK(db[0] < -25.0);
    CHECK(db[1] < -12.0);
    fast_mean_db += db[0] / 3;
    plain_mean_db += db[1] / 3;
  }
  INFO("mean of 3: momentum 0.99 " << fast_mean_db << " dB, momentum 0 " << plain_mean_db << " dB");
  CHECK(fast_mean_db < -31.0);
  CHECK(plain_mean_db < -17.0);
  CHECK(fast_mean_db < plain_mean_db - 5.0);
}
