#!/usr/bin/env python3
"""Golden data for the vgg16 extractor (tests/extractors/test_vgg16_parity.cpp), from torchvision.

  python3 tests/golden/make_vgg16_golden.py    (needs torch and torchvision; CI uses the output)

vgg16_philox_golden.safetensors: torchvision's vgg16().features up to conv3_1 with the Philox
weights of host/extractors/vgg16.h (seed SEED, drawn here by tests/golden/philox.py, bit-identical
to the C++), in float64, on small random spectrograms x [B, T, C] (odd sizes, so the floor of the
2x2 pools is exercised): layer activations, the style Grams, the objective's terms and its input
gradient by autograd. The image fed to torchvision is the paper's orientation (frequency vertical):
torch [B, 3, C, T]; the activations are stored in ours, [B, T_l, C_l, channels].

vgg16_converted_tiny.safetensors + vgg16_converted_golden.safetensors: a random-init torchvision
vgg16 state dict (torch.manual_seed(0)), cut to its first block, run through
scripts/convert_weights.py, and the activations torchvision gives on it.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import philox  # noqa: E402
from convert_weights import write_safetensors  # noqa: E402

SEED = 20261202
CONVS = [("conv1_1", 3, 64), ("conv1_2", 64, 64), ("conv2_1", 64, 128), ("conv2_2", 128, 128),
         ("conv3_1", 128, 256)]
TORCH_INDEX = {"conv1_1": 0, "relu1_1": 1, "conv1_2": 2, "relu1_2": 3, "pool1": 4, "conv2_1": 5,
               "relu2_1": 6, "conv2_2": 7, "relu2_2": 8, "pool2": 9, "conv3_1": 10}
MEAN = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float32).double()
STD = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float32).double()
B, T, C = 2, 13, 19
CONTENT = {"conv3_1": 1.0, "relu1_2": 0.5}
STYLE = {"conv1_1": 1.0, "conv1_2": 2.0, "conv2_1": 1.0, "conv2_2": 0.5}
ALPHA = 0.3
STORED = ["conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "relu2_2", "conv3_1"]


def philox_weights():
    return {name: (torch.from_numpy(w), torch.from_numpy(b))
            for name, (w, b) in philox.stack_weights(CONVS, SEED, 16).items()}


def features(weights, deepest):
    net = torchvision.models.vgg16(weights=None).features[: deepest + 1]
    for name, (w, b) in weights.items():
        if TORCH_INDEX[name] <= deepest:
            net[TORCH_INDEX[name]].weight.data.copy_(w)
            net[TORCH_INDEX[name]].bias.data.copy_(b)
    for m in net:
        if isinstance(m, torch.nn.ReLU):
            m.inplace = False
    return net.double().eval()


def image(x):
    """x [B, T, C] log-magnitudes -> torch image [B, 3, C, T]: per item unit RMS, ImageNet RGB."""
    n = x.shape[1] * x.shape[2]
    norm = torch.sqrt((x * x).sum(dim=(1, 2), keepdim=True))
    y = x / norm * np.sqrt(float(n))
    rgb = (y[..., None] - MEAN) / STD  # [B, T, C, 3]
    return rgb.permute(0, 3, 2, 1)


def run(net, x):
    """Every node's output, in our layout [B, T_l, C_l, channels]."""
    out = {}
    h = image(x)
    for i, m in enumerate(net):
        h = m(h)
        out[i] = h
    names = {v: k for k, v in TORCH_INDEX.items()}
    return {names[i]: t.permute(0, 3, 2, 1) for i, t in out.items()}


def gram(a):
    """a [B, T, C, N] -> [B, N, N] / M"""
    b, t, c, n = a.shape
    flat = a.reshape(b, t * c, n)
    return flat.transpose(1, 2) @ flat / (t * c)


def main():
    rng = np.random.default_rng(13)
    x_content = torch.from_numpy(rng.uniform(0, 2, (B, T, C)).astype(np.float32)).double()
    x_style = torch.from_numpy(rng.uniform(0, 2, (1, T + 4, C)).astype(np.float32)).double()
    x = torch.from_numpy(rng.uniform(0, 2, (B, T, C)).astype(np.float32)).double()

    weights = philox_weights()
    net = features(weights, TORCH_INDEX["conv3_1"])
    with torch.no_grad():
        content = run(net, x_content)
        style = run(net, x_style)
        style_grams = {k: gram(style[k])[0] for k in STYLE}
    x.requires_grad_(True)
    acts = run(net, x)
    content_terms, style_terms = {}, {}
    for name, w in CONTENT.items():
        a = acts[name]
        n, m = a.shape[3], a.shape[1] * a.shape[2]
        content_terms[name] = ALPHA * w * ((a - content[name]) ** 2).sum() / (n * m)
    for name, w in STYLE.items():
        a = acts[name]
        n = a.shape[3]
        style_terms[name] = w * ((gram(a) - style_grams[name]) ** 2).sum() / (4.0 * n * n)
    total = sum(content_terms.values()) + sum(style_terms.values())
    total.backward()

    f32 = lambda t: t.detach().float().contiguous()  # noqa: E731
    tensors = {"x_content": f32(x_content), "x_style": f32(x_style), "x": f32(x),
               "grad_x": f32(x.grad),
               "loss_total": f32(total.reshape(1)),
               "loss_content": f32(sum(content_terms.values()).reshape(1)),
               "loss_style": f32(sum(style_terms.values()).reshape(1))}
    for name in STORED:
        tensors["act." + name] = f32(acts[name])
    for name, g in style_grams.items():
        tensors["style_gram." + name] = f32(g)
    for name, v in list(content_terms.items()) + list(style_terms.items()):
        kind = "content" if name in content_terms and v is content_terms.get(name) else "style"
        tensors[f"loss_{kind}.{name}"] = f32(v.reshape(1))
    meta = {"seed": str(SEED), "alpha": str(ALPHA),
            "content": ",".join(f"{k}:{v}" for k, v in CONTENT.items()),
            "style": ",".join(f"{k}:{v}" for k, v in STYLE.items()),
            "torch": torch.__version__, "torchvision": torchvision.__version__}
    write_safetensors(os.path.join(HERE, "vgg16_philox_golden.safetensors"), tensors, meta)

    # The converter on a random-init torchvision state dict, cut to block 1 (small enough to commit).
    torch.manual_seed(0)
    full = torchvision.models.vgg16(weights=None).state_dict()
    cut = {k: v for k, v in full.items() if k.split(".")[1] in ("0", "2")}
    converted = os.path.join(HERE, "vgg16_converted_tiny.safetensors")
    with tempfile.TemporaryDirectory() as tmp:
        pth = os.path.join(tmp, "vgg16_block1.pth")
        torch.save(cut, pth)
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "convert_weights.py"), "vgg16",
                        pth, converted], check=True)
    block1 = {"conv1_1": (cut["features.0.weight"], cut["features.0.bias"]),
              "conv1_2": (cut["features.2.weight"], cut["features.2.bias"])}
    net = features(block1, TORCH_INDEX["pool1"])
    with torch.no_grad():
        acts = run(net, x_content)
    write_safetensors(os.path.join(HERE, "vgg16_converted_golden.safetensors"),
                      {"x": f32(x_content), "act.relu1_2": f32(acts["relu1_2"]),
                       "act.pool1": f32(acts["pool1"])},
                      {"torch": torch.__version__, "torchvision": torchvision.__version__})
    print("wrote", HERE + "/vgg16_{philox_golden,converted_tiny,converted_golden}.safetensors")


if __name__ == "__main__":
    main()
