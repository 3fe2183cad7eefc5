#!/usr/bin/env bash
# Mutation check: applies each mutant of tests/mutants.txt (one plausible bug in the CPU code) to a
# scratch copy of the tree, rebuilds the CPU tests and runs them; every mutant must make some test
# fail. Exits 1 naming each mutant that survives (or whose text no longer matches, or that does not
# build). Usage: scripts/mutants.sh [NAME_REGEX]   (only the mutants whose name matches;
# $AUDIOSTYLE_MUTANTS_LIST names another list)
#
# One CPU-only build (AUDIOSTYLE_CUDA=OFF, AUDIOSTYLE_BENCH=OFF) in $AUDIOSTYLE_MUTANTS_DIR
# (default build-mutants/ in the tree, ignored by git) is reused: each mutant recompiles the file it
# touches (and the one the previous mutant touched, restored), so a mutant costs a few compiles, a
# link and its tests. Each mutant first runs the tests its line names (ctest -R) with
# --stop-on-failure; only if they all pass does the whole CPU suite run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${AUDIOSTYLE_MUTANTS_DIR:-$root/build-mutants}
list=${AUDIOSTYLE_MUTANTS_LIST:-$root/tests/mutants.txt}
only=${1:-}
jobs=$(nproc)

bash "$root/scripts/setup.sh"
src=$work/src build=$work/build
mkdir -p "$src" "$build"
# The tree as it is (tracked and untracked, not ignored files) into the scratch copy; a file is
# copied only when it differs, so unchanged files keep their timestamps and the build stays
# incremental across runs (and a mutant left by an interrupted run is undone).
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
  while IFS= read -r -d '' path; do
    [[ -f $root/$path ]] || continue
    if ! cmp -s "$root/$path" "$src/$path"; then
      mkdir -p "$(dirname "$src/$path")"
      cp "$root/$path" "$src/$path"
    fi
  done
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAUDIOSTYLE_CUDA=OFF \
    -DAUDIOSTYLE_BENCH=OFF -DAUDIOSTYLE_TESTS=ON >/dev/null
fi

build_tests() { cmake --build "$build" -j "$jobs" --target audiostyle_tests audiostyle >"$work/build.log" 2>&1; }
# Runs the CPU tests (ctest -L cpu) with extra arguments; 0 when all pass.
run_tests() { (cd "$build" && ctest -L cpu -j "$jobs" --stop-on-failure "$@" >"$work/test.log" 2>&1 </dev/null); }
first_failure() { grep -m1 -E '\*\*\*Failed|\*\*\*Exception|\*\*\*Timeout' "$work/test.log" |
  sed -E 's/^.*Test +#[0-9]+: //; s/ \.+.*$//' || true; }

start=$(date +%s)
echo "mutants: building the unmutated tree in $build"
build_tests || { tail -40 "$work/build.log"; echo "mutants: the unmutated tree does not build"; exit 1; }
if ! run_tests; then
  tail -40 "$work/test.log"
  echo "mutants: the unmutated tree fails its CPU tests; fix that first"
  exit 1
fi
echo "mutants: unmutated tree passes ($(($(date +%s) - start)) s)"

survivors=() broken=() killed=0 total=0
# The list on its own descriptor: a test that reads standard input (the CLI's '-') must not eat it
# (it did: 14 of the list's mutants ran, the rest were never read).
while IFS=$'\t' read -r -u 3 name file tests find replace || [[ -n ${name:-} ]]; do
  [[ -z ${name:-} || $name == \#* ]] && continue
  [[ -n $only && ! $name =~ $only ]] && continue
  total=$((total + 1))
  t0=$(date +%s)
  original=$src/$file
  if [[ ! -f $original ]]; then
    broken+=("$name (no file $file)")
    echo "mutant $name: BROKEN: no file $file"
    continue
  fi
  content=$(<"$original")
  stripped=${content//"$find"/}
  occurrences=$(((${#content} - ${#stripped}) / ${#find}))
  if ((occurrences != 1)); then
    broken+=("$name (text found $occurrences times in $file)")
    echo "mutant $name: BROKEN: its text occurs $occurrences times in $file"
    continue
  fi
  cp "$original" "$work/original"
  printf '%s\n' "${content/"$find"/"$replace"}" >"$original"
  verdict=
  if ! build_tests; then
    verdict="BROKEN (does not build; see $work/build.log)"
    broken+=("$name (does not build)")
  elif ! run_tests -R "$tests"; then
    verdict="killed by $(first_failure)"
  elif ! run_tests; then
    verdict="killed by $(first_failure) (outside its named tests)"
  else
    verdict="SURVIVED"
    survivors+=("$name")
  fi
  [[ $verdict == killed* ]] && killed=$((killed + 1))
  # Restore with a fresh timestamp, so the next build recompiles the unmutated file.
  cp "$work/original" "$original"
  touch "$original"
  echo "mutant $name: $verdict ($(($(date +%s) - t0)) s)"
done 3<"$list"

build_tests || true  # leave the build matching the unmutated tree
echo "mutants: $killed of $total killed in $(($(date +%s) - start)) s"
listed=$(grep -cvE '^(#|$)' "$list" || true)
if [[ -z $only ]] && ((total != listed)); then
  echo "mutants: only $total of the $listed listed mutants ran"
  exit 1
fi
for name in "${broken[@]}"; do echo "mutants: broken: $name"; done
for name in "${survivors[@]}"; do echo "mutants: survived: $name"; done
((${#survivors[@]} == 0 && ${#broken[@]} == 0))
