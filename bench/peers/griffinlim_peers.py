#!/usr/bin/env python3
"""Griffin-Lim peers: librosa.griffinlim (CPU, numpy) and torchaudio's GriffinLim (CPU, and the
GPU when asked), the fast variant with the same momentum, on the magnitude of the benchmark
content's STFT (librosa conventions). Per-iteration time is the slope between the fastest runs of `base` and
`base + iterations` iterations, as bench_stages reports audiostyle's (per_iteration_min_ms), so
fixed costs drop out; the slope of the medians is kept beside it.

    griffinlim_peers.py --size reference|full --iterations 20 --devices cpu[,cuda] --json OUT

librosa is imported lazily: where it is missing (the GPU machine) its rows say so.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipe  # noqa: E402

SIZES = {  # as bench/sizes.cpp: per channel; B channels are run one after the other
    "smoke": dict(rate=22050, seconds=1, n_fft=256, hop=64, batch=2),
    "reference": dict(rate=22050, seconds=10, n_fft=2048, hop=512, batch=1),
    "full": dict(rate=44100, seconds=180, n_fft=4096, hop=1024, batch=2),
}


def magnitude_of_noise(size, seed=0):
    """|STFT| of deterministic noise [C, T] per channel: the same shape as the benchmark stage."""
    rng = np.random.default_rng(seed)
    n = int(size["rate"] * size["seconds"] + 0.5)
    n_fft, hop = size["n_fft"], size["hop"]
    audio = (0.1 * rng.standard_normal(n)).astype(np.float32)
    padded = np.pad(audio, n_fft // 2)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    frames = 1 + n // hop
    index = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    return np.abs(np.fft.rfft(padded[index] * window, axis=1)).T.astype(np.float32), n


def slope(run, base, extra, repeats):
    """Time per iteration from runs of base and base + extra iterations: (slope of the fastest
    runs, slope of the medians, fastest short run, fastest long run). The fastest runs are the
    estimate reported: on a shared CPU, torch's thread pool makes single runs vary by 10x, and the
    least disturbed run is the one that measures the code."""
    def timed(iterations):
        run(iterations)  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run(iterations)
            times.append(time.perf_counter() - started)
        return min(times), float(np.median(times))
    (short_min, short_median), (long_min, long_median) = timed(base), timed(base + extra)
    return (long_min - short_min) / extra, (long_median - short_median) / extra, short_min, long_min


def librosa_row(magnitude, n_samples, size, args):
    try:
        import librosa
    except ImportError:
        return dict(peer="librosa", device="cpu", skipped="librosa is not installed")

    def run(iterations):
        for _ in range(size["batch"]):
            librosa.griffinlim(magnitude, n_iter=iterations, hop_length=size["hop"], n_fft=size["n_fft"],
                               window="hann", center=True, pad_mode="constant", momentum=args.momentum,
                               init="random", random_state=0, length=n_samples, dtype=np.float32)

    per_iteration, per_iteration_median, short, long = slope(run, args.base, args.cpu_iterations or args.iterations,
                                                             args.repeats)
    return dict(peer="librosa", device="cpu", version=librosa.__version__, per_iteration_ms=per_iteration * 1e3,
                per_iteration_median_ms=per_iteration_median * 1e3, short_run_min_s=short, long_run_min_s=long,
                slope_iterations=args.cpu_iterations or args.iterations, repeats=args.repeats)


def torchaudio_row(magnitude, n_samples, size, args, device):
    try:
        import torch
        import torchaudio
    except ImportError as error:
        return dict(peer="torchaudio", device=device, skipped=f"not installed: {error}")
    spec = torch.from_numpy(magnitude).to(device)

    def run(iterations):
        griffin_lim = torchaudio.transforms.GriffinLim(
            n_fft=size["n_fft"], n_iter=iterations, hop_length=size["hop"], power=1.0,
            momentum=args.momentum, length=n_samples, rand_init=True).to(device)
        with torch.no_grad():
            for _ in range(size["batch"]):
                griffin_lim(spec)
        recipe.synchronize(torch, device)

    iterations = args.iterations if device.startswith("cuda") else (args.cpu_iterations or args.iterations)
    per_iteration, per_iteration_median, short, long = slope(run, args.base, iterations, args.repeats)
    row = dict(peer="torchaudio", device=device, version=torchaudio.__version__,
               torch_threads=torch.get_num_threads(), per_iteration_ms=per_iteration * 1e3,
               per_iteration_median_ms=per_iteration_median * 1e3, short_run_min_s=short, long_run_min_s=long,
               slope_iterations=iterations, repeats=args.repeats)
    if device.startswith("cuda"):
        row["device_name"] = torch.cuda.get_device_name(0)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="reference", choices=sorted(SIZES))
    parser.add_argument("--iterations", type=int, default=20, help="iterations the slope spans")
    parser.add_argument("--cpu-iterations", type=int, default=0,
                        help="for the CPU rows (default: --iterations); fewer keeps the full size affordable")
    parser.add_argument("--base", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--devices", default="cpu", help="torchaudio devices, e.g. cpu,cuda")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    size = SIZES[args.size]
    magnitude, n_samples = magnitude_of_noise(size)
    rows = [librosa_row(magnitude, n_samples, size, args)]
    for device in [d for d in args.devices.split(",") if d]:
        rows.append(torchaudio_row(magnitude, n_samples, size, args, device))
    for r in rows:
        what = f"{r['per_iteration_ms']:.3f} ms / iteration" if "per_iteration_ms" in r else r["skipped"]
        print(f"griffin-lim {args.size} {r['peer']} ({r['device']}): {what}")
    with open(args.json, "w") as f:
        json.dump(dict(peer="griffinlim", size=args.size, load_average=os.getloadavg(), shape=dict(C=magnitude.shape[0], T=magnitude.shape[1],
                                                                      B=size["batch"], n_fft=size["n_fft"]),
                       momentum=args.momentum, rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
