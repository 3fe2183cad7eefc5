"""A reference of method 1's full objective, written in PyTorch from the paper's code (Ulyanov &
Lebedev's neural-style-audio-tf), for tests/pipeline/test_loss_reference.cpp. Writes loss_small.*:

  loss_small.json           sizes, seed, alpha and the reference's content, style and total loss
  loss_small.content.f32    content audio [n_content]        (inputs, float32)
  loss_small.style.f32      style audio [n_style]
  loss_small.x.f32          the point x [T, C] at which the loss is taken
  loss_small.style_gram.f32 Gs [F, F]                          (outputs, float64 rounded to float32)
  loss_small.grad.f32       dL/dx [T, C]

The conventions are the paper's, restated here and not taken from our code: x = log1p|STFT| with
librosa's STFT (periodic Hann, center=True, zero padding), frames as rows; one conv layer, F filters
of width K over time, VALID, no bias, ReLU; weights N(0, std^2) with
std = sqrt(2) * sqrt(2 / ((C + F) * K)); G = A^T A / T with T the *input* frame count (the
reference's N_SAMPLES); L = alpha * 2 * l2_loss(A - Ac) + 2 * l2_loss(G - Gs), l2_loss(v) =
sum(v^2) / 2. The weights' unit normals come from philox_ref.py (our documented Philox mapping,
transcribed independently), element (f, k, c) at index (f * K + k) * C + c. Everything in float64.

  pip install torch numpy   # only to regenerate; the build and the tests never need Python
  python3 tests/golden/make_loss_golden.py
"""
import json
import os

import numpy as np
import torch

import philox_ref

N_FFT, HOP, F, K = 128, 32, 48, 11
C = N_FFT // 2 + 1
SEED, ALPHA = 20240601, 10.0  # alpha: the two terms weigh alike, so an error in either shows
N_CONTENT, N_STYLE = 1600, 2400  # T = 51 and Ts = 76 frames
STREAM_WEIGHTS = 1


def signal(rng, n_samples):
    """A few random partials plus noise: a spectrogram with structure, not just noise."""
    t = np.arange(n_samples)
    y = 0.05 * rng.standard_normal(n_samples)
    for _ in range(5):
        y += rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * rng.uniform(0.01, 0.45) * t +
                                              rng.uniform(0, 2 * np.pi))
    return y.astype(np.float32)


def log_spectrogram(audio):
    """[T, C] log1p|STFT|, librosa's conventions."""
    spec = torch.stft(torch.from_numpy(audio.astype(np.float64)), N_FFT, HOP,
                      window=torch.hann_window(N_FFT, periodic=True, dtype=torch.float64),
                      center=True, pad_mode="constant", return_complex=True)
    return torch.log1p(spec.abs()).T  # [C, T] -> [T, C]


def features(x, weights):
    """x [T, C], weights [F, K, C] -> relu(conv) [T - K + 1, F]."""
    out = torch.nn.functional.conv1d(x.T.unsqueeze(0), weights.permute(0, 2, 1))  # [1, F, T']
    return torch.relu(out[0]).T


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(SEED)
    content_audio, style_audio = signal(rng, N_CONTENT), signal(rng, N_STYLE)

    std = np.sqrt(2) * np.sqrt(2.0 / ((C + F) * K))
    unit = philox_ref.normal(np.arange(F * K * C, dtype=np.uint64), SEED, STREAM_WEIGHTS)
    weights = torch.from_numpy(unit.reshape(F, K, C) * std)

    x_content, x_style = log_spectrogram(content_audio), log_spectrogram(style_audio)
    n_frames, n_style_frames = x_content.shape[0], x_style.shape[0]
    a_content = features(x_content, weights)
    a_style = features(x_style, weights)
    style_gram = a_style.T @ a_style / n_style_frames

    # The point: near the content's magnitudes but not at them, so both terms are non-trivial.
    x_point = (x_content.numpy() * rng.uniform(0.5, 1.5, x_content.shape)).astype(np.float32)
    x = torch.from_numpy(x_point.astype(np.float64)).requires_grad_(True)
    a = features(x, weights)
    gram = a.T @ a / n_frames
    content_loss = ALPHA * torch.sum((a - a_content) ** 2)
    style_loss = torch.sum((gram - style_gram) ** 2)
    total = content_loss + style_loss
    total.backward()

    def save(name, array):
        np.asarray(array, dtype="<f4").tofile(os.path.join(here, f"loss_small.{name}.f32"))

    save("content", content_audio)
    save("style", style_audio)
    save("x", x_point)
    save("style_gram", style_gram.numpy())
    save("grad", x.grad.numpy())
    meta = {
        "n_fft": N_FFT, "hop": HOP, "filters": F, "kernel_width": K, "seed": SEED, "alpha": ALPHA,
        "n_content": N_CONTENT, "n_style": N_STYLE, "frames": n_frames,
        "style_frames": n_style_frames, "weight_std": std,
        "content_loss": content_loss.item(), "style_loss": style_loss.item(),
        "total_loss": total.item(), "torch": torch.__version__, "numpy": np.__version__,
    }
    with open(os.path.join(here, "loss_small.json"), "w") as out:
        json.dump(meta, out, indent=1)
        out.write("\n")
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
