#!/usr/bin/env python3
"""The PyTorch peer: the same algorithm as audiostyle, written the way a PyTorch user would
(conv1d over frequency-as-channels, Gram by matmul, autograd, torch.optim.LBFGS with the strong
Wolfe line search and history 10, torchaudio's GriffinLim with the same momentum and iterations).

    torch_peer.py transfer --content C.wav --style S.wav [--channels 1|2] --iterations 300
                  --gl-iterations 500 --device cpu|cuda --json OUT
    torch_peer.py stages --size reference|full --device cpu|cuda --json OUT

`transfer` times the whole job in-process (after a small warm-up that loads the CUDA libraries;
shape-specific setup such as cuDNN's algorithm choice is counted, as audiostyle's plans are) and
writes the final objective so it can be compared with audiostyle's report. `stages` times one
objective evaluation (forward and backward) and the conv forward at a benchmark size.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import recipe  # noqa: E402
import work  # noqa: E402

SIZES = {  # as bench/sizes.cpp
    "smoke": dict(rate=22050, seconds=1, n_fft=256, hop=64, filters=64, kernel=5, batch=2),
    "reference": dict(rate=22050, seconds=10, n_fft=2048, hop=512, filters=4096, kernel=11, batch=1),
    "full": dict(rate=44100, seconds=180, n_fft=4096, hop=1024, filters=4096, kernel=11, batch=2),
}


def warm_up(torch, device):
    x = torch.randn(1, 64, 32, device=device)
    w = torch.randn(16, 64, 3, device=device)
    torch.nn.functional.conv1d(x, w).sum().item()
    torch.stft(torch.randn(4096, device=device), 256, hop_length=64,
               window=torch.hann_window(256, device=device), return_complex=True).abs().sum().item()


def transfer(args):
    import torch
    import torchaudio
    device = torch.device(args.device)
    precision = recipe.set_precision(torch, args.precision)
    warm_up(torch, device)
    rate, content = recipe.load_wav(args.content)
    style_rate, style = recipe.load_wav(args.style)
    if rate != style_rate:
        raise SystemExit("content and style rates differ: resample them first")
    if args.channels == 1 and content.shape[0] > 1:
        content = content.mean(axis=0, keepdims=True)
    style = style.mean(axis=0, keepdims=True)  # audiostyle downmixes the style to mono
    n_fft = args.n_fft or (2048 if rate == 22050 else 4096 if rate == 44100 else None)
    if n_fft is None:
        raise SystemExit("give --n-fft for this rate")
    hop = args.hop or n_fft // 4
    n_samples = content.shape[1]

    timings = {}
    recipe.synchronize(torch, device)
    started = time.perf_counter()
    problem = recipe.Problem(torch, torch.from_numpy(content).to(device), torch.from_numpy(style).to(device),
                             n_fft, hop, args.filters, args.kernel_width, args.alpha, device, seed=args.seed)
    recipe.synchronize(torch, device)
    timings["analyse"] = (time.perf_counter() - started) * 1e3

    t0 = time.perf_counter()
    x = problem.init.to(device).requires_grad_(True)
    # tolerance_change=0: PyTorch's test is absolute (|f_k - f_k+1| < tol), and its first step
    # t = 1 / sum|g| is so short here that the float32 loss does not change, which stops the run
    # after one iteration with the default. audiostyle stops on scipy's relative ftol, which the
    # first iteration does not trip; with 0 both run the iterations asked for (or stop on gtol).
    optimizer = torch.optim.LBFGS([x], lr=1, max_iter=args.iterations, max_eval=15000,
                                  tolerance_grad=1e-5, tolerance_change=0.0,
                                  history_size=10, line_search_fn="strong_wolfe")
    evaluations = [0]

    def closure():
        optimizer.zero_grad()
        total, _, _ = problem.objective(x)
        total.backward()
        evaluations[0] += 1
        return total

    if args.iterations > 0:
        optimizer.step(closure)
    with torch.no_grad():
        total, content_loss, style_loss = (v.item() for v in problem.objective(x))
    recipe.synchronize(torch, device)
    timings["optimise"] = (time.perf_counter() - t0) * 1e3
    state = optimizer.state[optimizer.param_groups[0]["params"][0]]
    iterations = int(state.get("n_iter", 0))

    t0 = time.perf_counter()
    with torch.no_grad():
        magnitude = torch.expm1(x.detach()).clamp_(min=0)  # [B, C, T]
        griffin_lim = torchaudio.transforms.GriffinLim(
            n_fft=n_fft, n_iter=args.gl_iterations, hop_length=hop, power=1.0,
            momentum=args.momentum, length=n_samples, rand_init=True).to(device)
        audio = griffin_lim(magnitude)
        peak = audio.abs().max().item()
    recipe.synchronize(torch, device)
    timings["reconstruct"] = (time.perf_counter() - t0) * 1e3
    timings["total"] = (time.perf_counter() - started) * 1e3

    out = dict(peer="pytorch", command="transfer", environment=recipe.environment(torch, device),
               precision=args.precision, precision_flags=precision, content=args.content, style=args.style,
               shape=dict(B=problem.shape[0], C=problem.shape[1], T=problem.shape[2], F=args.filters,
                          K=args.kernel_width), n_fft=n_fft, hop=hop,
               iterations=iterations, evaluations=evaluations[0], gl_iterations=args.gl_iterations,
               final=dict(total=total, content=content_loss, style=style_loss), output_peak=peak,
               timings_ms=timings)
    if str(device).startswith("cuda"):
        out["peak_device_bytes"] = torch.cuda.max_memory_allocated()
    print(f"pytorch transfer: {timings['total'] / 1e3:.2f} s ({iterations} iterations, "
          f"{evaluations[0]} evaluations), final objective {total:.6g}")
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)


def stages(args):
    import torch
    device = torch.device(args.device)
    precision = recipe.set_precision(torch, args.precision)
    s = SIZES[args.size]
    C, F, K, B = s["n_fft"] // 2 + 1, s["filters"], s["kernel"], s["batch"]
    T = 1 + int(s["rate"] * s["seconds"] + 0.5) // s["hop"]
    generator = torch.Generator(device="cpu").manual_seed(0)
    weights = (torch.randn(F, C, K, generator=generator) * recipe.weight_std(C, F, K)).to(device)
    x = torch.log1p(torch.randn(B, C, T, generator=generator).abs()).to(device).requires_grad_(True)
    with torch.no_grad():
        content = torch.relu(torch.nn.functional.conv1d(
            torch.log1p(torch.randn(B, C, T, generator=generator).abs()).to(device), weights))
        a = torch.relu(torch.nn.functional.conv1d(
            torch.log1p(torch.randn(1, C, T, generator=generator).abs()).to(device), weights))
        style_gram = (a @ a.transpose(1, 2) / T)[0]

    def evaluate():
        x.grad = None
        a = torch.relu(torch.nn.functional.conv1d(x, weights))
        loss = 1e-2 * ((a - content) ** 2).sum() + ((a @ a.transpose(1, 2) / T - style_gram) ** 2).sum()
        loss.backward()

    def conv_forward():
        with torch.no_grad():
            torch.relu(torch.nn.functional.conv1d(x, weights))

    warmup, repeats = args.warmup, args.repeats
    results = []
    rows = T - K + 1
    for name, body, flop in (
            ("conv_forward", conv_forward, 2.0 * B * rows * F * K * C),
            ("objective", evaluate, work.objective_flop(T, C, F, K, B))):
        median_s, times = recipe.median_time_s(torch, device, body, warmup, repeats)
        results.append(dict(name=name, flop=flop, median_ms=median_s * 1e3, times_ms=[t * 1e3 for t in times],
                            tflops=flop / median_s * 1e-12))
        print(f"pytorch {args.size} {name}: {median_s * 1e3:.3f} ms, {flop / median_s * 1e-12:.4f} TFLOP/s")
    out = dict(peer="pytorch", command="stages", size=args.size, shape=dict(B=B, C=C, T=T, F=F, K=K),
               environment=recipe.environment(torch, device), precision=args.precision,
               precision_flags=precision, stages=results)
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("transfer")
    t.add_argument("--content", required=True)
    t.add_argument("--style", required=True)
    t.add_argument("--channels", type=int, default=1, choices=(1, 2))
    t.add_argument("--n-fft", type=int, default=0, help="default: 2048 at 22050 Hz, 4096 at 44.1 kHz")
    t.add_argument("--hop", type=int, default=0, help="default: n_fft / 4")
    t.add_argument("--filters", type=int, default=4096)
    t.add_argument("--kernel-width", type=int, default=11)
    t.add_argument("--alpha", type=float, default=1e-2)
    t.add_argument("--iterations", type=int, default=300)
    t.add_argument("--gl-iterations", type=int, default=500)
    t.add_argument("--momentum", type=float, default=0.99)
    t.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("stages")
    s.add_argument("--size", default="reference", choices=sorted(SIZES))
    s.add_argument("--warmup", type=int, default=2)
    s.add_argument("--repeats", type=int, default=10)
    for p in (t, s):
        p.add_argument("--device", default="cpu")
        p.add_argument("--precision", default="tf32", choices=("fp32", "tf32"))
        p.add_argument("--json", required=True)
    args = parser.parse_args()
    np.random.seed(0)
    transfer(args) if args.command == "transfer" else stages(args)


if __name__ == "__main__":
    main()
