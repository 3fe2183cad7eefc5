#!/usr/bin/env bash
# A relocatable bundle for a GPU machine without the Debian packages: the tool, the test and bench
# executables, and the non-system shared libraries they load (libsndfile and its codecs, soxr,
# FFTW, OpenBLAS and its Fortran runtime, CUDA's runtime libcudart), with RPATH $ORIGIN/../lib.
# libstdc++ goes apart, into lib-stdcxx/ (not on the RPATH): scripts/gpu_check.sh puts it on
# LD_LIBRARY_PATH only when the target's own libstdc++ lacks a GLIBCXX version the binaries need.
# (Loaded first, this Debian 12 copy needs glibc 2.36, and on an older image nothing would start.)
#
#   scripts/bundle.sh [OUT_DIR]     (default .bundle; CUDAARCHS defaults to 90)
# Fails when the tree plus the bundle exceeds the device tool's 64 MiB.
# On the GPU machine:  bash scripts/gpu_check.sh   (it sets LD_LIBRARY_PATH and checks ldd first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/.bundle}")
build=${AUDIOSTYLE_BUNDLE_BUILD_DIR:-$root/build-bundle}
export CUDAARCHS=${CUDAARCHS:-90}
bash "$root/scripts/setup.sh"
# DT_RPATH (not RUNPATH) so that the bundled libraries' own dependencies resolve from lib/ too.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAUDIOSTYLE_CUDA=ON \
  -DCMAKE_BUILD_RPATH='$ORIGIN/../lib' -DCMAKE_EXE_LINKER_FLAGS='-Wl,--disable-new-dtags' >/dev/null
cmake --build "$build" -j "$(nproc)"

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/lib-stdcxx"
cp "$build"/bin/* "$out/bin/"
cp "$build"/tests/audiostyle_gpu_tests "$out/bin/"
# The CPU tests stay behind: the device's time is for what only it can check.

# glibc, the CUDA driver and cuBLAS/cuFFT (large, same major version there, found by gpu_check.sh)
# belong to the target machine; libcudart (under 1 MB) travels.
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libcuda\.|libcublas|libcufft|libcudnn|libnvJitLink|libnvrtc)'
for exe in "$out"/bin/*; do
  ldd "$exe" | awk '/=> \//{print $1, $3}'
done | sort -u | while read -r name path; do
  if [[ $name =~ ^(libstdc\+\+|libgcc_s)\. ]]; then
    cp -L "$path" "$out/lib-stdcxx/$name"
  elif [[ ! $name =~ $skip ]]; then
    cp -L "$path" "$out/lib/$name"
  fi
done
[[ -e $out/lib/libcudart.so.13 ]] || { echo "bundle: libcudart.so.13 was not bundled" >&2; exit 1; }
git -C "$root" rev-parse --short HEAD >"$out/COMMIT" 2>/dev/null || true

# What the device tool sends: tracked and untracked-not-ignored files, plus the carried bundle.
tree_bytes=$(cd "$root" && git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null |
             tail -n 1 | cut -f1)
bundle_bytes=$(du -sb "$out" | cut -f1)
total_mib=$(((tree_bytes + bundle_bytes) / 1048576))
echo "bundle: $out ($((bundle_bytes / 1048576)) MiB; tree $((tree_bytes / 1048576)) MiB; together $total_mib MiB of 64)"
echo "bundle: lib: $(ls "$out/lib" | tr '\n' ' ')"
echo "bundle: lib-stdcxx: $(ls "$out/lib-stdcxx" | tr '\n' ' ')"
if ((tree_bytes + bundle_bytes >= 64 * 1048576)); then
  echo "bundle: tree + bundle is $total_mib MiB, over the device tool's 64 MiB" >&2
  exit 1
fi
