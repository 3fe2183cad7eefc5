#!/usr/bin/env bash
# Installs the Debian packages a fresh machine lacks; does nothing when all are present.
# The CUDA toolkit (nvcc on PATH, cuFFT, cuBLAS) and cuDNN 9 (cudnn.h, libcudnn.so.9 beside it or
# under CUDNN_ROOT) are expected from NVIDIA's installers; without nvcc the
# build has the CPU backend only.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libsndfile1-dev libsoxr-dev libfftw3-dev libopenblas-dev
  catch2 libcli11-dev nlohmann-json3-dev libpng-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
