#!/usr/bin/env python3
"""Phase reconstruction on a real clip: spectral convergence and time of each audiostyle variant
(`audiostyle reconstruct`: --phase-init random|pghi x --gl-algorithm fgla|agla) beside
torchaudio's fast Griffin-Lim (momentum 0.99, random init) on the same magnitude, in one run.

    python3 bench/peers/phase_bench.py [--clip data/content_piano.flac] [--iterations 500]
        [--cli build/bin/audiostyle] [--device cpu] [--json OUT.json]

Spectral convergence is 10 log10(sum (|STFT(y)| - S)^2 / sum S^2) in dB with S = |STFT(clip)|
(n_fft 2048, hop 512, periodic Hann, center=True: librosa's conventions, the same for every row);
audiostyle's figure is the one its report gives (griffin_lim.spectral_convergence_db), torchaudio's
is computed here with torch.stft. Times are wall-clock seconds of the whole reconstruction (for
audiostyle: the report's analyse + griffin_lim stages, so PGHI's host step counts).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_mono(path, rate):
    raw = subprocess.run(["sox", "-V1", path, "-t", "f32", "-c", "1", "-r", str(rate), "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).copy()


def torchaudio_row(audio, n_fft, hop, iterations):
    import torch
    import torchaudio

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    window = torch.hann_window(n_fft)
    x = torch.from_numpy(audio)
    magnitude = torch.stft(x, n_fft, hop, window=window, center=True, return_complex=True).abs()
    gl = torchaudio.transforms.GriffinLim(n_fft=n_fft, hop_length=hop, power=1.0, n_iter=iterations,
                                          momentum=0.99, rand_init=True, length=len(audio))
    start = time.perf_counter()
    y = gl(magnitude)
    seconds = time.perf_counter() - start
    rebuilt = torch.stft(y, n_fft, hop, window=window, center=True, return_complex=True).abs()
    db = 10 * torch.log10(((rebuilt - magnitude) ** 2).sum() / (magnitude ** 2).sum()).item()
    return {"variant": "torchaudio GriffinLim (fast, momentum 0.99, random)", "db": db,
            "seconds": seconds, "torch": torch.__version__, "torchaudio": torchaudio.__version__}


def audiostyle_row(cli, clip, init, algorithm, iterations, device, folder):
    report = os.path.join(folder, f"{init}-{algorithm}.json")
    out = os.path.join(folder, f"{init}-{algorithm}.wav")
    subprocess.run([cli, "reconstruct", clip, "-o", out, "--phase-init", init, "--gl-algorithm",
                    algorithm, "--gl-iterations", str(iterations), "--device", device, "-q",
                    "--report", report], check=True)
    with open(report) as f:
        r = json.load(f)
    t = r["timings_ms"]
    return {"variant": f"audiostyle {algorithm}, phase-init {init}",
            "db": r["griffin_lim"]["spectral_convergence_db"],
            "seconds": (t.get("analyse", 0) + t["griffin_lim"]) / 1000, "device": r["device"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", default=os.path.join(ROOT, "data/content_piano.flac"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--cli", default=os.path.join(ROOT, "build/bin/audiostyle"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json")
    args = parser.parse_args()
    rate, n_fft, hop = 22050, 2048, 512
    with tempfile.TemporaryDirectory() as folder:
        clip = os.path.join(folder, "clip.wav")
        subprocess.run(["sox", "-V1", args.clip, "-c", "1", "-r", str(rate), "-e", "floating-point",
                        clip, "trim", "0", str(args.seconds)], check=True)
        rows = [audiostyle_row(args.cli, clip, init, algorithm, args.iterations, args.device, folder)
                for init in ("random", "pghi") for algorithm in ("fgla", "agla")]
        rows.append(torchaudio_row(read_mono(clip, rate), n_fft, hop, args.iterations))
    load = os.getloadavg()[0]
    print(f"{os.path.basename(args.clip)}, {args.seconds:g} s at {rate} Hz, {args.iterations} "
          f"iterations, load average {load:.1f}")
    print(f"{'variant':58s} {'SC dB':>8s} {'time s':>8s}")
    for row in rows:
        print(f"{row['variant']:58s} {row['db']:8.2f} {row['seconds']:8.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"clip": args.clip, "seconds": args.seconds, "iterations": args.iterations,
                       "load_average": load, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
