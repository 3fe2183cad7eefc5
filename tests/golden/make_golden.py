#!/usr/bin/env python3
"""Golden STFT/ISTFT data from librosa for tests/cpu/test_stft.cpp and tests/cpu/test_spectral.cpp.

Writes, for each case listed in stft_cases.txt (one line: name kind n_fft hop n_samples, and a
sixth field win_length where the Hann window is shorter than n_fft, librosa's win_length):
  <name>.signal.f32  [n_samples]   float32 input signal                      (kind "signal" only)
  <name>.stft.f32    [T, C, 2]     librosa.stft(signal) (complex64), frames outer, bins contiguous;
                                   for kind "spectrogram" a random complex spectrogram instead,
                                   which no signal has (as in Griffin-Lim), with non-zero imaginary
                                   parts at DC and Nyquist that the inverse real FFT must ignore
  <name>.istft.f32   [n_samples]   librosa.istft(stft, length=n_samples)
  <name>.log1p.f32   [T, C]        np.log1p(np.abs(stft))
all raw little-endian float32, T = 1 + n_samples // hop, C = n_fft // 2 + 1.

With --griffinlim it instead prints the spectral convergence librosa.griffinlim reaches on the
harmonic test signal of tests/cpu/test_griffinlim.cpp (the thresholds there come from this).

Usage: python3 tests/golden/make_golden.py [--griffinlim]   (needs librosa; pip install librosa)
"""
import pathlib
import sys
import warnings

import librosa
import numpy as np
import scipy
import scipy.signal

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE_RATE_HZ = 22050


def noise(n_samples):
    return (0.1 * np.random.default_rng(20240601).standard_normal(n_samples)).astype(np.float32)


def chirp(n_samples):
    t = np.arange(n_samples) / SAMPLE_RATE_HZ
    y = 0.5 * scipy.signal.chirp(t, f0=50.0, t1=t[-1], f1=0.45 * SAMPLE_RATE_HZ,
                                 method="logarithmic")
    return y.astype(np.float32)


def short(n_samples):
    # Shorter than n_fft: every frame reaches into the zero padding on both sides.
    t = np.arange(n_samples) / SAMPLE_RATE_HZ
    rng = np.random.default_rng(7)
    return (0.3 * np.sin(2 * np.pi * 1000.0 * t) + 0.05 * rng.standard_normal(n_samples)).astype(
        np.float32)


# (name, signal, n_fft, hop, n_samples[, win_length]). Lengths that are not multiples of hop
# exercise the last partial frame; the "short" ones are shorter than n_fft. With win_length the
# periodic Hann has win_length taps, centred in n_fft by librosa.util.pad_center (VGGish's front end:
# 25 ms in 512 at 16 kHz, 551 in 1024 at 22.05 kHz); an odd n_fft - win_length puts the extra zero
# on the right.
CASES = [
    ("noise_2048", noise, 2048, 512, 4096),
    ("chirp_2048", chirp, 2048, 512, 4001),
    ("short_2048", short, 2048, 512, 1500),
    ("noise_512", noise, 512, 128, 2048),
    ("chirp_512", chirp, 512, 128, 2001),
    ("short_512", short, 512, 128, 300),
    ("chirp_512_win400", chirp, 512, 160, 4001, 400),
    ("chirp_1024_win551", chirp, 1024, 220, 5001, 551),
    ("short_1024_win551", short, 1024, 220, 700, 551),
]
# (name, n_fft, hop, n_samples) of random complex spectrograms: inverse only.
SPECTROGRAM_CASES = [
    ("random_spec_512", 512, 128, 2001),
    ("random_spec_2048", 2048, 512, 3000),
]


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def write_spectrogram(name, spec, n_samples):
    """spec [C, T] complex64 -> <name>.stft.f32 [T, C, 2] and <name>.log1p.f32 [T, C]."""
    frames_first = spec.T
    write_f32(HERE / f"{name}.stft.f32", np.stack([frames_first.real, frames_first.imag], -1))
    write_f32(HERE / f"{name}.log1p.f32", np.log1p(np.abs(frames_first)))


def make_stft_golden():
    # The short clips are meant to be shorter than n_fft; librosa warns about exactly that.
    warnings.filterwarnings("ignore", message="n_fft=.* is too large for input signal")
    lines = ["# name kind n_fft hop n_samples [win_length]  (see make_golden.py)"]
    for name, make_signal, n_fft, hop, n_samples, *win in CASES:
        win_length = win[0] if win else None  # librosa's default: n_fft
        y = make_signal(n_samples)
        # librosa >= 0.10 defaults: window="hann" (periodic), center=True, pad_mode="constant".
        spec = librosa.stft(y, n_fft=n_fft, hop_length=hop, win_length=win_length, window="hann",
                            center=True, pad_mode="constant")  # [C, T] complex64
        assert spec.dtype == np.complex64 and spec.shape == (n_fft // 2 + 1, 1 + n_samples // hop)
        back = librosa.istft(spec, hop_length=hop, n_fft=n_fft, win_length=win_length,
                             window="hann", center=True, length=n_samples)
        assert back.dtype == np.float32
        write_f32(HERE / f"{name}.signal.f32", y)
        write_spectrogram(name, spec, n_samples)
        write_f32(HERE / f"{name}.istft.f32", back)
        err = np.linalg.norm(back - y) / np.linalg.norm(y)
        print(f"{name}: T={spec.shape[1]} C={spec.shape[0]} istft round trip rel err {err:.2e}")
        lines.append(f"{name} signal {n_fft} {hop} {n_samples}" +
                     (f" {win_length}" if win_length else ""))
    for name, n_fft, hop, n_samples in SPECTROGRAM_CASES:
        rng = np.random.default_rng(12345 + n_fft)
        shape = (n_fft // 2 + 1, 1 + n_samples // hop)
        spec = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
        back = librosa.istft(spec, hop_length=hop, n_fft=n_fft, window="hann", center=True,
                             length=n_samples)
        write_spectrogram(name, spec, n_samples)
        write_f32(HERE / f"{name}.istft.f32", back)
        print(f"{name}: T={shape[1]} C={shape[0]} random spectrogram")
        lines.append(f"{name} spectrogram {n_fft} {hop} {n_samples}")
    (HERE / "stft_cases.txt").write_text("\n".join(lines) + "\n")


def harmonic_signal(n_samples):
    """The Griffin-Lim test signal (tests/cpu/test_griffinlim.cpp builds the same one): 220 Hz with
    8 harmonics of amplitude 0.5/h, 5 Hz vibrato of +-1%, under a Hann fade in/out, in double then
    rounded to float32."""
    t = np.arange(n_samples, dtype=np.float64) / SAMPLE_RATE_HZ
    f0_hz, depth, rate_hz = 220.0, 0.01, 5.0
    vibrato = depth * (1 - np.cos(2 * np.pi * rate_hz * t)) / (2 * np.pi * rate_hz)
    phase = 2 * np.pi * f0_hz * (t + vibrato)
    y = sum((0.5 / h) * np.sin(h * phase) for h in range(1, 9))
    fade = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_samples) / n_samples)
    return (fade * y).astype(np.float32)


def spectral_convergence_db(y, magnitude, n_fft, hop):
    rebuilt = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop))
    return 10 * np.log10(np.sum((rebuilt - magnitude) ** 2) / np.sum(magnitude ** 2))


def measure_griffinlim():
    n_fft, hop, n_samples, n_iter = 2048, 512, SAMPLE_RATE_HZ, 100
    magnitude = np.abs(librosa.stft(harmonic_signal(n_samples), n_fft=n_fft, hop_length=hop))
    for momentum in (0.99, 0.0):
        results = []
        for seed in range(50):
            y = librosa.griffinlim(magnitude, n_iter=n_iter, hop_length=hop, n_fft=n_fft,
                                   momentum=momentum, length=n_samples, random_state=seed)
            results.append(spectral_convergence_db(y, magnitude, n_fft, hop))
        print(f"griffinlim n_iter={n_iter} momentum={momentum}: spectral convergence over 50 seeds "
              f"min {min(results):.2f} dB, median {np.median(results):.2f} dB, "
              f"max {max(results):.2f} dB")


def main():
    print(f"librosa {librosa.__version__}, numpy {np.__version__}, scipy {scipy.__version__}")
    if "--griffinlim" in sys.argv[1:]:
        measure_griffinlim()
    else:
        make_stft_golden()


if __name__ == "__main__":
    main()
