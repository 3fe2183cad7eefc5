"""librosa's mel filterbanks for tests/common/test_mel_filterbank.cpp (host/common/mel_filterbank.h).
Writes raw little-endian float32 [n_mels, n_fft // 2 + 1], one file per case listed in CASES:

  mel_slaney_8000_256_20.f32   librosa.filters.mel(sr=8000, n_fft=256, n_mels=20)
                               (the defaults: htk=False, norm='slaney', fmin 0, fmax sr / 2)
  mel_htk_22050_512_16.f32     librosa.filters.mel(sr=22050, n_fft=512, n_mels=16, fmin=100,
                               fmax=7000, htk=True, norm=None)

  pip install librosa   # only to regenerate; the build and the tests never need Python
  python3 tests/golden/make_mel_golden.py
"""
import os

import librosa
import numpy as np

CASES = [
    ("mel_slaney_8000_256_20.f32", dict(sr=8000, n_fft=256, n_mels=20)),
    ("mel_htk_22050_512_16.f32",
     dict(sr=22050, n_fft=512, n_mels=16, fmin=100.0, fmax=7000.0, htk=True, norm=None)),
]

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, kwargs in CASES:
        bank = librosa.filters.mel(**kwargs).astype("<f4")
        bank.tofile(os.path.join(here, name))
        print(name, bank.shape, "librosa", librosa.__version__)
