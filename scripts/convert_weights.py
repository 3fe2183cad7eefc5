#!/usr/bin/env python3
"""Converts a network's PyTorch state dict into the safetensors file audiostyle reads.

  python3 scripts/convert_weights.py vgg16 vgg16-397923af.pth vgg16.safetensors
  python3 scripts/convert_weights.py vggish vggish-10086976.pth vggish.safetensors

vgg16: torchvision's VGG16 (the ImageNet weights are vgg16-397923af.pth from
https://download.pytorch.org/models/, or any state dict of that layout). Its 13 conv layers
features.{0,2,5,7,10,12,14,17,19,21,24,26,28}.{weight,bias} become conv1_1 ... conv5_3 .weight
[Cout, Cin, 3, 3] and .bias [Cout], little-endian F32 (host/extractors/vgg16.h); the classifier is
not used (no fully connected layers: any spectrogram size). A state dict holding only the first
layers converts to a file holding only those.

vggish: torchvggish's VGGish (vggish-10086976.pth from
https://github.com/harritaylor/torchvggish/releases, or any state dict of that layout). Its 6 conv
layers features.{0,3,6,8,11,13}.{weight,bias} become conv1, conv2, conv3_1, conv3_2, conv4_1,
conv4_2 .weight [Cout, Cin, 3, 3] (conv1's Cin = 1: one log-mel channel) and .bias [Cout], F32; the
fully connected embeddings.* and the PCA postprocessor's parameters are not used. As for vgg16, a
state dict holding only the first layers converts to a file holding only those.

Needs PyTorch alone: the safetensors format (an 8-byte little-endian header length, a JSON header,
the raw tensors) is written here directly.
"""
import json
import os
import struct
import sys

VGG16_CONVS = [("conv1_1", 0, 3, 64), ("conv1_2", 2, 64, 64), ("conv2_1", 5, 64, 128),
               ("conv2_2", 7, 128, 128), ("conv3_1", 10, 128, 256), ("conv3_2", 12, 256, 256),
               ("conv3_3", 14, 256, 256), ("conv4_1", 17, 256, 512), ("conv4_2", 19, 512, 512),
               ("conv4_3", 21, 512, 512), ("conv5_1", 24, 512, 512), ("conv5_2", 26, 512, 512),
               ("conv5_3", 28, 512, 512)]
# torchvggish.make_layers: cfg [64, M, 128, M, 256, 256, M, 512, 512, M], one input channel.
VGGISH_CONVS = [("conv1", 0, 1, 64), ("conv2", 3, 64, 128), ("conv3_1", 6, 128, 256),
                ("conv3_2", 8, 256, 256), ("conv4_1", 11, 256, 512), ("conv4_2", 13, 512, 512)]
# network: (conv layers (name, features index, Cin, Cout), what its state dict is called)
NETWORKS = {"vgg16": (VGG16_CONVS, "torchvision VGG16"),
            "vggish": (VGGISH_CONVS, "torchvggish VGGish")}


def tensor_bytes(t):
    import torch
    t = t.detach().to(torch.float32).contiguous().cpu()
    if sys.byteorder != "little":
        raise SystemExit("convert_weights: a little-endian machine is needed")
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if hasattr(t, "numpy") else bytes(
        t.reshape(-1).view(torch.uint8).tolist())


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: float tensor}, written F32 in the given order."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, t in tensors.items():
        blob = tensor_bytes(t)
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def convert(state, network):
    """The conv layers of a state dict as {convX.weight, convX.bias}, shapes checked."""
    convs, what = NETWORKS[network]
    if "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    out, missing = {}, None
    for name, index, cin, cout in convs:
        w, b = state.get(f"features.{index}.weight"), state.get(f"features.{index}.bias")
        if w is None and b is None:
            missing = missing or name
            continue
        if missing:
            raise SystemExit(f"convert_weights: {name} is present but {missing} before it is not")
        if w is None or b is None:
            raise SystemExit(f"convert_weights: features.{index} ({name}) lacks its weight or bias")
        if tuple(w.shape) != (cout, cin, 3, 3) or tuple(b.shape) != (cout,):
            raise SystemExit(f"convert_weights: features.{index} ({name}) is {tuple(w.shape)} + "
                             f"{tuple(b.shape)}, expected ({cout}, {cin}, 3, 3) + ({cout},): "
                             f"not a {what} state dict")
        out[name + ".weight"] = w
        out[name + ".bias"] = b
    if not out:
        raise SystemExit(f"convert_weights: no features.0.weight: not a {what} state dict")
    return out


def main(argv):
    if len(argv) != 4 or argv[1] not in NETWORKS:
        raise SystemExit("usage: convert_weights.py {" + "|".join(NETWORKS) +
                         "} IN.pth OUT.safetensors")
    import torch
    network = argv[1]
    state = torch.load(argv[2], map_location="cpu", weights_only=True)
    tensors = convert(state, network)
    write_safetensors(argv[3], tensors, {"format": f"audiostyle {network}",
                                         "source": os.path.basename(argv[2])})
    convs = NETWORKS[network][0]
    layers = len(tensors) // 2
    print(f"wrote {argv[3]}: {layers} conv layers ({convs[0][0]} ... {convs[layers - 1][0]})")


if __name__ == "__main__":
    main(sys.argv)
