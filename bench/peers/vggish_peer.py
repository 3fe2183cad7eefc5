#!/usr/bin/env python3
"""The PyTorch peer of `bench_vgg16 --net vggish`: one evaluation of the same VGGish objective
(the vggish recipe's VGGish part: content relu5 at 1000 x alpha 1e-2, style relu1 at 1.5), forward
and autograd backward to the input, fp32, on a 10 s clip's spectrogram at VGGish's geometry
(22.05 kHz, n_fft 1024, hop 220): x [T, C] = [1003, 513].

    vggish_peer.py [--device cpu|cuda] [--seconds 10] [--repeats 3] [--recipe] [--json OUT]

Front end as host/extractors/vggish.h: image = log(relu(expm1(x) @ Mel^T) + 0.01) with VGGish's
64-band HTK bank over 125-7500 Hz (torchvggish's mel_features.spectrogram_to_mel_matrix, rebuilt
here in numpy: torchvggish is not imported), padded with log(0.01) to E = ceil(T / 96) examples
[E, 1, 96, 64]; torchvggish's conv stack (64, M, 128, M, 256, 256, M, 512) up to relu5, built
with torch.nn. Normalisation as host/extractors/conv_stack.h: G = A^T A / M, style term
w sum((G - Gs)^2) / (4 N^2), content term alpha w sum((A - Ac)^2) / (N M), M all of the item's
positions (every example's): the vggish recipe's whole objective. --recipe also times the sum with
0.1 x method 1's random conv (4096 filters of 11 frames over the 513 bins, torch's own random
weights; --extractor vggish+random_conv1d, the recipe before 2026-12-05), as ours does.

The FLOP are counted as bench_vgg16 counts them (convolutions forward and input gradient, the mel
projection's GEMM forward and backward, the Gram), so the rates compare directly. torch uses all
the threads it is given (torch.get_num_threads()).
"""
import argparse
import json
import math
import time

import numpy as np
import torch

RATE, N_FFT, HOP = 22050, 1024, 220
FRAMES, BANDS, LOG_OFFSET = 96, 64, 0.01
# (in, out, pools before it) of the convs up to conv4_1 (relu5)
CONVS = [(1, 64, 0), (64, 128, 1), (128, 256, 2), (256, 256, 2), (256, 512, 3)]
ALPHA = 1e-2
CONTENT = {"relu5": 1000.0}
STYLE = {"relu1": 1.5}
FILTERS, WIDTH, CONV1D_WEIGHT = 4096, 11, 0.1  # the sum's random conv (TransferConfig defaults)


def vggish_bank(sample_rate_hz, n_fft, n_mels=BANDS, low_hz=125.0, high_hz=7500.0):
    """[n_mels, n_fft // 2 + 1]: mel_features.spectrogram_to_mel_matrix, transposed."""
    def hz_to_mel(f):
        return 1127.0 * np.log(1.0 + f / 700.0)
    n_bins = n_fft // 2 + 1
    bins_mel = hz_to_mel(np.linspace(0.0, sample_rate_hz / 2.0, n_bins))
    edges = np.linspace(hz_to_mel(low_hz), hz_to_mel(high_hz), n_mels + 2)
    bank = np.empty((n_bins, n_mels))
    for i in range(n_mels):
        lower, centre, upper = edges[i:i + 3]
        bank[:, i] = np.maximum(0.0, np.minimum((bins_mel - lower) / (centre - lower),
                                                (upper - bins_mel) / (upper - centre)))
    bank[0, :] = 0.0
    return bank.T


def make_net():
    layers, names = [], {}
    for cin, cout, pools in CONVS:
        if pools > len([m for m in layers if isinstance(m, torch.nn.MaxPool2d)]):
            layers.append(torch.nn.MaxPool2d(2, 2))
        layers += [torch.nn.Conv2d(cin, cout, 3, padding=1), torch.nn.ReLU()]
        names[len(layers) - 1] = f"relu{len(names) + 1}"
    return torch.nn.Sequential(*layers), names


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--recipe", action="store_true",
                   help="also time the sum with 0.1 x method 1's random conv")
    p.add_argument("--json")
    a = p.parse_args()
    dev = torch.device(a.device)
    T, C = 1 + int(a.seconds * RATE) // HOP, N_FFT // 2 + 1
    E = -(-T // FRAMES)
    bank = torch.from_numpy(vggish_bank(RATE, N_FFT).astype(np.float32)).to(dev)  # [64, C]
    net, names = make_net()
    net = net.to(dev).eval()
    for q in net.parameters():
        q.requires_grad_(False)
    silence = torch.full((E * FRAMES - T, BANDS), math.log(LOG_OFFSET), device=dev)

    def layers(x):
        mel = torch.relu(torch.expm1(x) @ bank.t())
        img = torch.cat([torch.log(mel + LOG_OFFSET), silence])  # [E * 96, 64]
        h = img.reshape(E, 1, FRAMES, BANDS)
        out = {}
        for i, m in enumerate(net):
            h = m(h)
            if names.get(i) in CONTENT or names.get(i) in STYLE:
                out[names[i]] = h.transpose(0, 1).reshape(h.shape[1], -1)  # [N, M]
        return out

    def gram(f):
        return f @ f.t() / f.shape[1]

    # The sum's second part: method 1's random conv over time (bins as channels, VALID, no
    # bias, ReLU) at weight 0.1, G = A^T A / T, content alpha sum((A - Ac)^2)
    # (bench/peers/recipe.py).
    conv1d = torch.randn(FILTERS, C, WIDTH, device=dev) * math.sqrt(2) * math.sqrt(
        2 / ((C + FILTERS) * WIDTH))

    def conv1d_features(x):
        return torch.relu(torch.nn.functional.conv1d(x.t()[None], conv1d))[0]  # [F, T']

    def gram(f):
        return f @ f.t() / f.shape[1]

    with torch.no_grad():
        x_target = torch.rand(T, C, device=dev) * 2
        target = layers(x_target)
        style_grams = {k: gram(target[k]) for k in STYLE}
        conv1d_target = conv1d_features(x_target)
        conv1d_gram = conv1d_target @ conv1d_target.t() / T
    x = (torch.rand(T, C, device=dev) * 2).requires_grad_(True)

    def evaluate(recipe):
        acts = layers(x)
        loss = 0
        for k, w in CONTENT.items():
            loss = loss + ALPHA * w * ((acts[k] - target[k]) ** 2).mean()
        for k, w in STYLE.items():
            n = acts[k].shape[0]
            loss = loss + w * ((gram(acts[k]) - style_grams[k]) ** 2).sum() / (4 * n * n)
        if recipe:
            f1d = conv1d_features(x)
            loss = loss + CONV1D_WEIGHT * (ALPHA * ((f1d - conv1d_target) ** 2).sum() +
                                           ((f1d @ f1d.t() / T - conv1d_gram) ** 2).sum())
        x.grad = None
        loss.backward()
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def timed(recipe):
        times = []
        for r in range(a.repeats + 1):
            start = time.perf_counter()
            evaluate(recipe)
            t = (time.perf_counter() - start) * 1000
            if r:
                times.append(t)
        return sorted(times)

    flop = 2 * 2.0 * T * C * BANDS
    for cin, cout, pools in CONVS:
        flop += 2 * 2.0 * 9 * cin * cout * E * (FRAMES >> pools) * (BANDS >> pools)
    m, n = E * FRAMES * BANDS, 64  # relu1
    flop += m * n * (n + 1) + 2 * m * n * n
    rows = T - WIDTH + 1
    recipe_flop = flop + 2 * 2.0 * rows * FILTERS * WIDTH * C + rows * FILTERS * (FILTERS + 1.0) + \
        2.0 * rows * FILTERS * FILTERS
    print(f"torch {torch.__version__} vggish objective evaluation, {a.seconds:.0f} s clip "
          f"({T} x {C}, {E} examples of {FRAMES} x {BANDS}), {a.device}, "
          f"{torch.get_num_threads()} threads")
    result = {"stage": "vggish_objective", "peer": "torch " + torch.__version__,
              "device": a.device, "threads": torch.get_num_threads(), "frames": T, "bins": C}
    for recipe in (False, True) if a.recipe else (False,):
        times = timed(recipe)
        median = times[len(times) // 2]
        work = recipe_flop if recipe else flop
        print("the whole recipe (VGGish + 0.1 x random conv1d, 4096 filters)" if recipe
              else "VGGish alone (content relu5, style relu1)")
        print(f"  {work / 1e9:.3f} GFLOP counted, median {median:.1f} ms of {len(times)} "
              f"(min {times[0]:.1f}, max {times[-1]:.1f}): {work / median / 1e6:.1f} GFLOP/s")
        part = {"flop": work, "median_ms": median, "times_ms": times,
                "gflops": work / median / 1e6}
        if recipe:
            result["recipe"] = dict(part, stage="vggish_recipe_objective")
        else:
            result.update(part)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)

if __name__ == "__main__":
    main()
