#!/usr/bin/env python3
"""Golden data for VGGish (method 2 of Wang & Chu, Hershey et al.'s audio VGG), from torchvggish.

  pip install torch numpy && pip install --no-deps torchvggish   # only to regenerate
  python3 tests/golden/make_vggish_golden.py

torchvggish is read, never run at build or test time. Its package __init__ imports resampy and
soundfile, which only resampling (never at 16 kHz) and WAV reading need: they are stubbed here.

1. VGGish's mel filterbank (tests/common/test_mel_filterbank.cpp, host/common/mel_filterbank.h
   MelShape::vggish), mel_features.spectrogram_to_mel_matrix transposed to ours, raw little-endian
   float32 [64, n_fft // 2 + 1]:
     mel_vggish_16000_512_64.f32    sr 16000, n_fft 512 (C 257), 64 bands, 125 to 7500 Hz
     mel_vggish_22050_1024_64.f32   sr 22050, n_fft 1024 (C 513), 64 bands, 125 to 7500 Hz

2. VGGish's front end on a known signal (for the C++ front-end test), raw little-endian float32:
     vggish_frontend.signal.f32    [56000]       3.5 s at 16 kHz (signal() below)
     vggish_frontend.log_mel.f32   [348, 64]     mel_features.log_mel_spectrogram with
                                                 vggish_params' values (window 400, hop 160,
                                                 n_fft 512, log(mel + 0.01)); frames not centred
     vggish_frontend.examples.f32  [3, 96, 64]   vggish_input.waveform_to_examples(signal, 16000)
   Shapes also in vggish_frontend.json. Alignment with our centred STFT: tests/golden/README.md.

3. vggish_philox_golden.safetensors: the extractor as host/extractors (the lead's vggish) defines
   it, in float64 torch, with torchvggish's make_layers and Philox weights (seed SEED, conv j's
   weight stream 40 + 2j and bias stream 41 + 2j, drawn by tests/golden/philox.py bit-identical to
   the C++). Input x [B, T, C] log1p magnitudes (C = 257); magnitude = expm1(x); mel =
   relu(magnitude @ bank^T) with the MelShape::vggish bank (sr 16000, n_fft 512, rounded to float32
   as the C++ holds it); image = log(mel + 0.01); E = ceil(T / 96) examples per item, the image
   padded to E * 96 frames with log(0.01); network input [B * E, 1, 96, 64] (item b's examples
   consecutive). Activations per item [E * h * w, channels] (example, frame row, band column,
   channels last). G = A^T A / M (M = E h w), style term w * sum((G - Gs)^2) / (4 N^2), content term
   alpha * w * sum((A - Ac)^2) / (N M), each summed over the items; targets: Ac from x_content
   (per item), Gs from x_style (one item). All F32 (computed in float64):
     x, x_content          [2, 100, 257]  uniform [0, 2), default_rng(29)
     x_style               [1, 130, 257]
     image                 [2, 192, 64]   x's padded log-mel image (the network's input)
     act.relu5             [2, 192, 512]  x's deepest activation in full (E 2, h 12, w 8)
     gram.relu1            [2, 64, 64]    x's Grams at the style layers (per item)
     gram.relu2            [2, 128, 128]
     gram.relu3            [2, 256, 256]
     style_gram.relu1/2/3  [N, N]         the style targets Gs
     loss_content.relu5, loss_content.relu2, loss_style.relu1/2/3   [1] each weighted term
     loss_content, loss_style, loss_total                            [1]
     grad_x                [2, 100, 257]  d loss_total / d x by autograd
   Metadata: seed, alpha, content, style ("name:weight,..."), torch version. The shallower
   activations (relu1 [2, 12288, 64] is 6 MB alone) are not stored to keep the file under 3 MB; the
   Grams cover relu1..relu3 and act.relu5 the row layout (h 12 != w 8, examples in order).

4. vggish_converted_tiny.safetensors + vggish_converted_golden.safetensors: a random-init
   torchvggish VGG state dict (torch.manual_seed(0)), cut to conv1 and conv2, run through
   scripts/convert_weights.py vggish; the golden holds the input x [1, 60, 257] (uniform [0, 2),
   default_rng(31)) and torchvggish's features on it through the front end of 3 (E = 1), in our
   layout: act.relu2 [1, 1536, 128] (h 48, w 32) and act.pool2 [1, 384, 128] (h 24, w 16).
   The script also checks that the converter refuses a VGG16 state dict as vggish and the VGGish
   one as vgg16 (non-zero exit).
"""
import importlib
import json
import math
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import philox  # noqa: E402
from convert_weights import write_safetensors  # noqa: E402


def _stub(name):
    module = types.ModuleType(name)

    def unavailable(*args, **kwargs):
        raise RuntimeError(f"{name} is stubbed in make_vggish_golden.py")
    module.resample = module.read = unavailable
    return module


for _name in ("resampy", "soundfile"):
    if importlib.util.find_spec(_name) is None:
        sys.modules[_name] = _stub(_name)
from torchvggish import mel_features, vggish_input, vggish_params  # noqa: E402
from torchvggish import torchvggish as tv  # noqa: E402

SEED = 20261202
# (our name, torchvggish features index)
NODES = [("conv1", 0), ("relu1", 1), ("pool1", 2), ("conv2", 3), ("relu2", 4), ("pool2", 5),
         ("conv3_1", 6), ("relu3", 7), ("conv3_2", 8), ("relu4", 9), ("pool3", 10),
         ("conv4_1", 11), ("relu5", 12), ("conv4_2", 13), ("relu6", 14), ("pool4", 15)]
INDEX = dict(NODES)
CONVS = [("conv1", 1, 64), ("conv2", 64, 128), ("conv3_1", 128, 256), ("conv3_2", 256, 256),
         ("conv4_1", 256, 512), ("conv4_2", 512, 512)]
FRAMES, BANDS, LOG_OFFSET = vggish_params.NUM_FRAMES, vggish_params.NUM_BANDS, 0.01
B, T, SR, N_FFT = 2, 100, 16000, 512
C = N_FFT // 2 + 1
CONTENT = {"relu5": 1.0, "relu2": 0.5}
STYLE = {"relu1": 1.0, "relu2": 2.0, "relu3": 0.5}
ALPHA = 0.3
f32 = lambda t: t.detach().float().contiguous()  # noqa: E731


def vggish_bank(sample_rate_hz, n_fft):
    """[64, n_fft // 2 + 1] float64: torchvggish's own matrix, transposed to ours."""
    return mel_features.spectrogram_to_mel_matrix(
        num_mel_bins=vggish_params.NUM_MEL_BINS, num_spectrogram_bins=n_fft // 2 + 1,
        audio_sample_rate=sample_rate_hz, lower_edge_hertz=vggish_params.MEL_MIN_HZ,
        upper_edge_hertz=vggish_params.MEL_MAX_HZ).T


def write_banks():
    for sr, n_fft in ((16000, 512), (22050, 1024)):
        bank = vggish_bank(sr, n_fft).astype("<f4")
        bank.tofile(os.path.join(HERE, f"mel_vggish_{sr}_{n_fft}_64.f32"))


def signal():
    """[56000] float32, 3.5 s at 16 kHz: 0.5 * exponential chirp 100 Hz -> 7 kHz (phase
    2 pi f0 (e^(k t) - 1) / k, k = ln(70) / 3.5 s) + 0.2 sin(2 pi 440 t) + 0.1 sin(2 pi 2500 t)."""
    n = np.arange(int(3.5 * SR), dtype=np.float64)
    t = n / SR
    duration, f0, f1 = 3.5, 100.0, 7000.0
    k = math.log(f1 / f0) / duration
    chirp = np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)
    y = 0.5 * chirp + 0.2 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 2500 * t)
    return y.astype(np.float32)


def centred_stft_magnitude(y, n_fft, hop, window):
    """librosa.stft(center=True, pad_mode='constant') magnitudes with a window of len <= n_fft
    centred in the frame (librosa's win_length): frame t covers y[t hop - n_fft/2, + n_fft)."""
    padded = np.concatenate([np.zeros(n_fft // 2), y.astype(np.float64), np.zeros(n_fft // 2)])
    full = np.zeros(n_fft)
    offset = (n_fft - len(window)) // 2
    full[offset:offset + len(window)] = window
    n_frames = 1 + len(y) // hop
    frames = np.stack([padded[t * hop:t * hop + n_fft] for t in range(n_frames)])
    return np.abs(np.fft.rfft(frames * full, n_fft))


def write_frontend():
    y = signal()
    log_mel = mel_features.log_mel_spectrogram(
        y, audio_sample_rate=SR, log_offset=vggish_params.LOG_OFFSET,
        window_length_secs=vggish_params.STFT_WINDOW_LENGTH_SECONDS,
        hop_length_secs=vggish_params.STFT_HOP_LENGTH_SECONDS,
        num_mel_bins=vggish_params.NUM_MEL_BINS, lower_edge_hertz=vggish_params.MEL_MIN_HZ,
        upper_edge_hertz=vggish_params.MEL_MAX_HZ)
    examples = vggish_input.waveform_to_examples(y, SR, return_tensor=True)[:, 0]  # [E, 96, 64]
    n_examples = examples.shape[0]
    assert np.allclose(examples.detach().numpy(),
                       log_mel[:n_examples * FRAMES].reshape(n_examples, FRAMES, BANDS), atol=1e-5)
    y.astype("<f4").tofile(os.path.join(HERE, "vggish_frontend.signal.f32"))
    log_mel.astype("<f4").tofile(os.path.join(HERE, "vggish_frontend.log_mel.f32"))
    examples.detach().numpy().astype("<f4").tofile(
        os.path.join(HERE, "vggish_frontend.examples.f32"))
    with open(os.path.join(HERE, "vggish_frontend.json"), "w") as f:
        json.dump({"sample_rate_hz": SR, "signal": [len(y)], "log_mel": list(log_mel.shape),
                   "examples": list(examples.shape), "window_samples": 400, "hop_samples": 160,
                   "n_fft": 512, "log_offset": vggish_params.LOG_OFFSET,
                   "mel": "mel_vggish_16000_512_64.f32"}, f, indent=1)
        f.write("\n")

    # The README's alignment claim, checked: our centred STFT (frame t centred at t * 160) of the
    # signal after 120 zeros, with VGGish's 400-sample periodic Hann centred in the 512-sample
    # frame, gives VGGish's frame t as our frame t + 2. With our STFT's own 512-sample Hann the
    # frames are aligned but the spectra differ.
    hann400 = mel_features.periodic_hann(400)
    bank = vggish_bank(SR, N_FFT).T  # [C, 64]
    shifted = np.concatenate([np.zeros(120, np.float32), y])
    ours = np.log(centred_stft_magnitude(shifted, N_FFT, 160, hann400) @ bank + 0.01)
    n = log_mel.shape[0]
    err = np.abs(ours[2:2 + n] - log_mel).max()
    assert err < 1e-9, err
    ours512 = np.log(centred_stft_magnitude(shifted, N_FFT, 160, mel_features.periodic_hann(512))
                     @ bank + 0.01)
    err512 = np.abs(ours512[2:2 + n] - log_mel).max()
    print(f"front end: {n} frames, {n_examples} examples; our frame t+2 after 120 zeros vs "
          f"VGGish's frame t: max |diff| {err:.2e} (400-sample window), "
          f"{err512:.2f} (512-sample window)")


def philox_weights():
    return {name: (torch.from_numpy(w), torch.from_numpy(b))
            for name, (w, b) in philox.stack_weights(CONVS, SEED, 40).items()}


def features(weights, deepest):
    net = tv.make_layers()[: INDEX[deepest] + 1]
    for name, (w, b) in weights.items():
        if INDEX[name] <= INDEX[deepest]:
            net[INDEX[name]].weight.data.copy_(w)
            net[INDEX[name]].bias.data.copy_(b)
    for m in net:
        if isinstance(m, torch.nn.ReLU):
            m.inplace = False
    return net.double().eval()


BANK = torch.from_numpy(vggish_bank(SR, N_FFT).astype(np.float32)).double()  # [64, C]


def image(x):
    """x [B, T, C] log1p magnitudes -> [B, E * 96, 64] log-mel image, padded with log(0.01)."""
    mel = torch.relu(torch.expm1(x) @ BANK.T)
    img = torch.log(mel + LOG_OFFSET)
    n_examples = -(-x.shape[1] // FRAMES)
    pad = n_examples * FRAMES - x.shape[1]
    silence = torch.full((x.shape[0], pad, BANDS), math.log(LOG_OFFSET), dtype=img.dtype)
    return torch.cat([img, silence], dim=1)


def run(net, x):
    """{name: [B, E * h * w, channels]} for every node of net."""
    img = image(x)
    b = x.shape[0]
    h = img.reshape(-1, 1, FRAMES, BANDS)  # [B * E, 1, 96, 64], item b's examples consecutive
    out = {}
    names = {i: name for name, i in NODES}
    for i, m in enumerate(net):
        h = m(h)
        _, ch, rows, cols = h.shape
        out[names[i]] = h.reshape(b, -1, ch, rows, cols).permute(0, 1, 3, 4, 2).reshape(b, -1, ch)
    return img, out


def gram(a):
    """a [B, M, N] -> [B, N, N] / M"""
    return a.transpose(1, 2) @ a / a.shape[1]


def write_philox_golden():
    rng = np.random.default_rng(29)
    x_content = torch.from_numpy(rng.uniform(0, 2, (B, T, C)).astype(np.float32)).double()
    x_style = torch.from_numpy(rng.uniform(0, 2, (1, 130, C)).astype(np.float32)).double()
    x = torch.from_numpy(rng.uniform(0, 2, (B, T, C)).astype(np.float32)).double()

    net = features(philox_weights(), "relu5")
    with torch.no_grad():
        _, content = run(net, x_content)
        _, style = run(net, x_style)
        style_grams = {k: gram(style[k])[0] for k in STYLE}
    x.requires_grad_(True)
    img, acts = run(net, x)
    content_terms, style_terms = {}, {}
    for name, w in CONTENT.items():
        a = acts[name]
        n, m = a.shape[2], a.shape[1]
        content_terms[name] = ALPHA * w * ((a - content[name]) ** 2).sum() / (n * m)
    for name, w in STYLE.items():
        a = acts[name]
        n = a.shape[2]
        style_terms[name] = w * ((gram(a) - style_grams[name]) ** 2).sum() / (4.0 * n * n)
    total = sum(content_terms.values()) + sum(style_terms.values())
    total.backward()

    tensors = {"x_content": f32(x_content), "x_style": f32(x_style), "x": f32(x),
               "image": f32(img), "act.relu5": f32(acts["relu5"]), "grad_x": f32(x.grad),
               "loss_total": f32(total.reshape(1)),
               "loss_content": f32(sum(content_terms.values()).reshape(1)),
               "loss_style": f32(sum(style_terms.values()).reshape(1))}
    for name in STYLE:
        tensors["gram." + name] = f32(gram(acts[name]))
    for name, g in style_grams.items():
        tensors["style_gram." + name] = f32(g)
    for name, v in content_terms.items():
        tensors["loss_content." + name] = f32(v.reshape(1))
    for name, v in style_terms.items():
        tensors["loss_style." + name] = f32(v.reshape(1))
    meta = {"seed": str(SEED), "alpha": str(ALPHA),
            "content": ",".join(f"{k}:{v}" for k, v in CONTENT.items()),
            "style": ",".join(f"{k}:{v}" for k, v in STYLE.items()),
            "sample_rate_hz": str(SR), "n_fft": str(N_FFT), "torch": torch.__version__}
    path = os.path.join(HERE, "vggish_philox_golden.safetensors")
    write_safetensors(path, tensors, meta)
    print(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes, loss_total {total.item():.6g} "
          f"(content {sum(content_terms.values()).item():.6g}, "
          f"style {sum(style_terms.values()).item():.6g})")


def write_converted(x):
    torch.manual_seed(0)
    full = tv.VGG(tv.make_layers(), postprocess=False).state_dict()
    cut = {k: v for k, v in full.items() if k.split(".")[0] == "features" and
           k.split(".")[1] in ("0", "3")}
    converted = os.path.join(HERE, "vggish_converted_tiny.safetensors")
    script = os.path.join(ROOT, "scripts", "convert_weights.py")
    with tempfile.TemporaryDirectory() as tmp:
        pth = os.path.join(tmp, "vggish_block12.pth")
        torch.save(cut, pth)
        subprocess.run([sys.executable, script, "vggish", pth, converted], check=True)
        # The converter refuses the wrong network either way.
        wrong = subprocess.run([sys.executable, script, "vgg16", pth, os.path.join(tmp, "x")],
                               capture_output=True, text=True)
        assert wrong.returncode != 0 and "not a torchvision VGG16" in wrong.stderr, wrong.stderr
        vgg16 = {"features.0.weight": torch.zeros(64, 3, 3, 3), "features.0.bias": torch.zeros(64)}
        torch.save(vgg16, os.path.join(tmp, "vgg16.pth"))
        wrong = subprocess.run([sys.executable, script, "vggish", os.path.join(tmp, "vgg16.pth"),
                                os.path.join(tmp, "x")], capture_output=True, text=True)
        assert wrong.returncode != 0 and "not a torchvggish VGGish" in wrong.stderr, wrong.stderr
    weights = {"conv1": (cut["features.0.weight"], cut["features.0.bias"]),
               "conv2": (cut["features.3.weight"], cut["features.3.bias"])}
    net = features(weights, "pool2")
    with torch.no_grad():
        _, acts = run(net, x)
    write_safetensors(os.path.join(HERE, "vggish_converted_golden.safetensors"),
                      {"x": f32(x), "act.relu2": f32(acts["relu2"]),
                       "act.pool2": f32(acts["pool2"])},
                      {"torch": torch.__version__, "sample_rate_hz": str(SR), "n_fft": str(N_FFT)})


def main():
    write_banks()
    write_frontend()
    write_philox_golden()
    x = torch.from_numpy(np.random.default_rng(31).uniform(0, 2, (1, 60, C)).astype(np.float32))
    write_converted(x.double())
    print("wrote", HERE + "/{mel_vggish_*.f32, vggish_frontend.*, vggish_philox_golden, "
          "vggish_converted_{tiny,golden}.safetensors}")


if __name__ == "__main__":
    main()
