#!/usr/bin/env bash
# A relocatable bundle for a GPU machine without the Debian packages: the tool, the test and bench
# executables, and the non-system, non-CUDA shared libraries they load (libsndfile and its codecs,
# soxr, FFTW, OpenBLAS and its Fortran runtime, libstdc++), with RPATH $ORIGIN/../lib.
#
#   scripts/bundle.sh [OUT_DIR]     (default .bundle; CUDAARCHS defaults to 90)
# On the GPU machine:  LD_LIBRARY_PATH=$PWD/.bundle/lib .bundle/bin/audiostyle info
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
mkdir -p "$out/bin" "$out/lib"
cp "$build"/bin/* "$out/bin/"
cp "$build"/tests/audiostyle_tests "$build"/tests/audiostyle_gpu_tests "$out/bin/"

# glibc and the CUDA driver belong to the target machine; the CUDA toolkit's libraries are found
# there through LD_LIBRARY_PATH or the system (same major version, 13).
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libcuda\.|libcudart|libcublas|libcufft|libcudnn|libnvJitLink|libnvrtc)'
for exe in "$out"/bin/*; do
  ldd "$exe" | awk '/=> \//{print $1, $3}'
done | sort -u | while read -r name path; do
  if [[ ! $name =~ $skip ]]; then cp -L "$path" "$out/lib/$name"; fi
done
git -C "$root" rev-parse --short HEAD >"$out/COMMIT" 2>/dev/null || true
echo "bundle: $out ($(du -sh "$out" | cut -f1)); libraries: $(ls "$out/lib" | tr '\n' ' ')"
