"""The reference recipe (Ulyanov & Lebedev 2016) in PyTorch, shared by the peers: librosa-convention
STFT (periodic Hann, center=True with zero padding), log1p magnitude, one conv layer over time
with the frequency bins as channels, F random filters of width K (std sqrt(2) * sqrt(2 / ((C + F) K))),
ReLU, Gram G = A A^T / T (T = input frames), loss alpha * sum((A - Ac)^2) + sum((G - Gs)^2).

Only numpy, the standard library and torch are imported at module level (the GPU machine has no
librosa or soundfile)."""
import math
import time
import wave

import numpy as np


def load_wav(path):
    """16-bit PCM WAV -> (rate, float32 [channels, samples])."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is read here")
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return rate, (pcm.reshape(-1, channels).T / 32768.0).astype(np.float32)


def weight_std(C, F, K):
    return math.sqrt(2.0) * math.sqrt(2.0 / ((C + F) * K))


def hann(torch, n_fft, device):
    return torch.hann_window(n_fft, periodic=True, device=device)


def log_spectrogram(torch, audio, n_fft, hop, device):
    """audio [B, S] -> x [B, C, T] = log1p |STFT|, librosa conventions."""
    spec = torch.stft(audio, n_fft, hop_length=hop, window=hann(torch, n_fft, device), center=True,
                      pad_mode="constant", return_complex=True)
    return torch.log1p(spec.abs())


class Problem:
    """Weights, content features and the style Gram for one (content, style) pair."""

    def __init__(self, torch, content, style, n_fft, hop, filters, kernel, alpha, device, seed=0):
        F = torch.nn.functional
        self.torch, self.F, self.alpha = torch, F, alpha
        self.n_fft, self.hop, self.device = n_fft, hop, device
        generator = torch.Generator(device="cpu").manual_seed(seed)
        C = n_fft // 2 + 1
        self.weights = (torch.randn(filters, C, kernel, generator=generator) *
                        weight_std(C, filters, kernel)).to(device)
        with torch.no_grad():
            xc = log_spectrogram(torch, content, n_fft, hop, device)     # [B, C, T]
            xs = log_spectrogram(torch, style, n_fft, hop, device)       # [1, C, Ts]
            self.content_features = self.features(xc) if alpha > 0 else None
            self.style_gram = self.gram(self.features(xs), xs.shape[-1])[0]  # [F, F]
        self.shape = tuple(xc.shape)
        self.init = torch.randn(self.shape, generator=generator) * 1e-3

    def features(self, x):
        return self.F.relu(self.F.conv1d(x, self.weights))  # [B, F, T']

    @staticmethod
    def gram(a, n_frames):
        return a @ a.transpose(1, 2) / n_frames  # [B, F, F]

    def objective(self, x):
        """Returns (total, content, style) as tensors."""
        a = self.features(x)
        style = ((self.gram(a, x.shape[-1]) - self.style_gram) ** 2).sum()
        if self.content_features is None:
            return style, style * 0, style
        content = self.alpha * ((a - self.content_features) ** 2).sum()
        return content + style, content, style


def synchronize(torch, device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def median_time_s(torch, device, body, warmup, repeats):
    for _ in range(warmup):
        body()
    synchronize(torch, device)
    times = []
    for _ in range(repeats):
        if str(device).startswith("cuda"):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            body()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop) * 1e-3)
        else:
            started = time.perf_counter()
            body()
            times.append(time.perf_counter() - started)
    return float(np.median(times)), times


def set_precision(torch, precision):
    """fp32 or tf32 for matmul and cuDNN conv, to match audiostyle's --precision."""
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    return dict(matmul_allow_tf32=tf32, cudnn_allow_tf32=tf32,
                cudnn_benchmark=bool(torch.backends.cudnn.benchmark))


def environment(torch, device):
    import os
    env = dict(torch=torch.__version__, threads=torch.get_num_threads(), device=str(device),
               load_average=os.getloadavg())
    try:
        import torchaudio
        env["torchaudio"] = torchaudio.__version__
    except ImportError:
        env["torchaudio"] = None
    if str(device).startswith("cuda"):
        env["device_name"] = torch.cuda.get_device_name(0)
        env["cuda"] = torch.version.cuda
        env["cudnn"] = torch.backends.cudnn.version()
    return env
