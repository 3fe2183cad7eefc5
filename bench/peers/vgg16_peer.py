#!/usr/bin/env python3
"""The PyTorch peer of bench_vgg16: one evaluation of the same vgg16 objective (torchvision's
vgg16().features up to conv3_1, the paper's layers: content conv3_1, style conv1_1 conv1_2 conv2_1
conv2_2; the image L2-normalised to unit RMS, ImageNet RGB, frequency vertical), forward and
autograd backward to the input, fp32, on a 10 s clip's spectrogram [T, C] = [431, 1025].

    vgg16_peer.py [--device cpu|cuda] [--seconds 10] [--repeats 3] [--json OUT]

The FLOP are counted as bench_vgg16 counts them (convolutions forward and input gradient, Grams),
so the rates compare directly. torch uses all the threads it is given (torch.get_num_threads()).
"""
import argparse
import json
import time

import torch
import torchvision

CONVS = [(3, 64, 0), (64, 64, 0), (64, 128, 1), (128, 128, 1), (128, 256, 2)]
CONTENT = {10: 1.0}
STYLE = {0: 1.0, 2: 1.0, 5: 1.0, 7: 1.0}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json")
    a = p.parse_args()
    dev = torch.device(a.device)
    T, C = 1 + int(a.seconds * 22050) // 512, 1025
    net = torchvision.models.vgg16(weights=None).features[:11].to(dev).eval()
    for m in net:
        if isinstance(m, torch.nn.ReLU):
            m.inplace = False
    for q in net.parameters():
        q.requires_grad_(False)
    mean = torch.tensor([0.485, 0.456, 0.406], device=dev).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], device=dev).view(1, 3, 1, 1)

    def layers(x):
        y = x / x.norm() * (T * C) ** 0.5
        h = ((y.t()[None, None] - mean) / std)  # [1, 3, C, T]
        out = {}
        for i, m in enumerate(net):
            h = m(h)
            if i in CONTENT or i in STYLE:
                out[i] = h
        return out

    def gram(a):
        f = a.reshape(a.shape[1], -1)
        return f @ f.t() / f.shape[1]

    with torch.no_grad():
        target = layers(torch.rand(T, C, device=dev) * 2)
        style_grams = {i: gram(target[i]) for i in STYLE}
    x = (torch.rand(T, C, device=dev) * 2).requires_grad_(True)

    def evaluate():
        acts = layers(x)
        loss = 0
        for i, w in CONTENT.items():
            loss = loss + w * ((acts[i] - target[i]) ** 2).mean()
        for i, w in STYLE.items():
            n = acts[i].shape[1]
            loss = loss + w * ((gram(acts[i]) - style_grams[i]) ** 2).sum() / (4 * n * n)
        x.grad = None
        loss.backward()
        if dev.type == "cuda":
            torch.cuda.synchronize()

    flop = 0.0
    for cin, cout, pools in CONVS:
        flop += 2 * 2.0 * 9 * cin * cout * (T >> pools) * (C >> pools)
    for i in STYLE:
        n = {0: 64, 2: 64, 5: 128, 7: 128}[i]
        pools = 0 if i < 4 else 1
        m = (T >> pools) * (C >> pools)
        flop += m * n * (n + 1) + 2 * m * n * n
    times = []
    for r in range(a.repeats + 1):
        start = time.perf_counter()
        evaluate()
        t = (time.perf_counter() - start) * 1000
        if r:
            times.append(t)
    times.sort()
    median = times[len(times) // 2]
    print(f"torch {torch.__version__} vgg16 objective evaluation, {a.seconds:.0f} s clip ({T} x {C}), "
          f"{a.device}, {torch.get_num_threads()} threads")
    print(f"  {flop / 1e9:.3f} GFLOP counted, median {median:.1f} ms of {len(times)} "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}): {flop / median / 1e6:.1f} GFLOP/s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"stage": "vgg16_objective", "peer": "torch " + torch.__version__,
                       "device": a.device, "threads": torch.get_num_threads(), "frames": T,
                       "bins": C, "flop": flop, "median_ms": median, "times_ms": times,
                       "gflops": flop / median / 1e6}, f, indent=2)


if __name__ == "__main__":
    main()
