// Griffin-Lim's initial phases (host/pipeline/phase_init.cpp, pghi.cpp) and its accelerated
// iteration on a known signal: a harmonic tone with vibrato whose magnitude is consistent, so the
// spectral convergence measures the phase retrieval alone.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "audiostyle/errors.h"
#include "host/pipeline/griffinlim.h"
#include "host/pipeline/phase_init.h"
#include "host/pipeline/pghi.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

struct Fixture {
  std::unique_ptr<Backend> backend = make_cpu_backend();
  StftShape shape{256, 64, 2 * 8000};
  std::unique_ptr<Stft> stft = backend->make_stft(shape);
  int64_t count = shape.n_frames() * shape.n_bins();
  std::vector<float> audio = tone();
  Buffer<float> magnitude{*backend, count}, out{*backend, shape.n_samples};

  explicit Fixture(StftShape stft_shape = StftShape{256, 64, 2 * 8000}) : shape(stft_shape) {
    Buffer<float> in(*backend, shape.n_samples), spec(*backend, 2 * count);
    in.upload(audio);
    stft->forward(in.get(), spec.get());
    backend->log1p_magnitude(spec.get(), count, magnitude.get());
    backend->expm1_clamped(magnitude.get(), count, magnitude.get());
  }
  std::vector<float> tone() const {
    std::vector<float> y(size_t(shape.n_samples));
    for (size_t i = 0; i < y.size(); ++i) {
      const double t = double(i) / 8000;
      const double phase = 2 * std::numbers::pi * (220 * t + 0.5 * std::sin(2 * std::numbers::pi * 3 * t));
      for (int h = 1; h <= 6; ++h) y[i] += float(0.4 / h * std::sin(h * phase));
    }
    return y;
  }
  // phasor: a host [T, C, 2] initial phase that replaces init's (null: init's own).
  double run(PhaseInit init, int iterations, GriffinLimAlgorithm algorithm = GriffinLimAlgorithm::fgla,
             const std::vector<float>* phasor = nullptr) {
    TransferConfig config;
    config.phase_init = init;
    config.gl_iterations = iterations;
    config.gl_algorithm = algorithm;
    config.seed = 3;
    const std::vector<std::vector<float>> items = {audio};
    InitialPhase initial(*backend, *stft, config, ChannelMode::mono, &items);
    GriffinLim griffinlim(*backend, *stft);
    GriffinLimOptions options = griffinlim_options(config);
    options.initial_phasor = initial.get(0, magnitude.get(), nullptr);
    Buffer<float> given;
    if (phasor) {
      given = Buffer<float>(*backend, int64_t(phasor->size()));
      given.upload(*phasor);
      options.initial_phasor = given.get();
    }
    return griffinlim.run(magnitude.get(), out.get(), options);
  }
};

}  // namespace

TEST_CASE("phase init content: the content's own phase rebuilds it exactly", "[phase_init]") {
  Fixture f;
  const double db = f.run(PhaseInit::content, 0);
  INFO("content phase, 0 iterations: " << db << " dB");
  CHECK(db < -60.0);
  CHECK(test::relative_error(f.out.download(), f.audio) < 1e-4);
}

TEST_CASE("phase init pghi: from the magnitude alone, far closer than a random phase",
          "[phase_init][pghi]") {
  Fixture f;
  const double random_db = f.run(PhaseInit::random, 0);
  const double pghi_db = f.run(PhaseInit::pghi, 0);
  INFO("0 iterations: random " << random_db << " dB, pghi " << pghi_db << " dB");
  CHECK(random_db > -8.0);
  CHECK(pghi_db < -15.0);
  // And it stays ahead once Griffin-Lim has run from it.
  const double random_30 = f.run(PhaseInit::random, 30);
  const double pghi_30 = f.run(PhaseInit::pghi, 30);
  INFO("30 iterations: random " << random_30 << " dB, pghi " << pghi_30 << " dB");
  CHECK(pghi_30 < random_30 - 3.0);
}

TEST_CASE("phase init pghi: a window shorter than n_fft sets the Gaussian by its own length",
          "[phase_init][pghi]") {
  // 160 Hann taps in a 512-point FFT (win_length): PGHI's lambda = 0.25645 L^2 must take L = 160,
  // the window's length; taken from n_fft it is ~10x too wide and the phase estimate degrades.
  Fixture f(StftShape{512, 40, 2 * 8000, 160});
  const double pghi_db = f.run(PhaseInit::pghi, 0);
  PghiOptions wrong;
  wrong.n_fft = f.shape.n_fft;
  wrong.hop = f.shape.hop;
  wrong.win_length = f.shape.n_fft;  // the n_fft-as-window assumption
  wrong.seed = 3;
  const std::vector<float> wrong_phasor =
      pghi_phasor(f.magnitude.download(), f.shape.n_frames(), wrong);
  const double wrong_db = f.run(PhaseInit::random, 0, GriffinLimAlgorithm::fgla, &wrong_phasor);
  INFO("0 iterations: pghi with the window's length " << pghi_db << " dB, with n_fft " << wrong_db
                                                       << " dB");
  CHECK(pghi_db < -15.0);
  CHECK(pghi_db < wrong_db - 5.0);
}

TEST_CASE("agla converges further than fgla in the same iterations", "[griffinlim][agla]") {
  Fixture f;
  const double fgla = f.run(PhaseInit::random, 100, GriffinLimAlgorithm::fgla);
  const double agla = f.run(PhaseInit::random, 100, GriffinLimAlgorithm::agla);
  INFO("100 iterations from a random phase: fgla " << fgla << " dB, agla " << agla << " dB");
  CHECK(std::isfinite(agla));
  CHECK(agla < fgla);
}

TEST_CASE("phase init random: a stereo pair's second item starts from the first's phase",
          "[phase_init]") {
  Fixture f;
  TransferConfig config;
  const float* previous = f.magnitude.get();  // any backend pointer stands for the last phase
  InitialPhase stereo(*f.backend, *f.stft, config, ChannelMode::stereo, nullptr);
  CHECK(stereo.get(0, f.magnitude.get(), nullptr) == nullptr);
  CHECK(stereo.get(1, f.magnitude.get(), previous) == previous);
  // Mid and side are different signals: each starts from the random phase.
  InitialPhase mid_side(*f.backend, *f.stft, config, ChannelMode::mid_side, nullptr);
  CHECK(mid_side.get(1, f.magnitude.get(), previous) == nullptr);
  // The content's phase needs a content.
  config.phase_init = PhaseInit::content;
  CHECK_THROWS_AS(InitialPhase(*f.backend, *f.stft, config, ChannelMode::mono, nullptr),
                  UsageError);
}
