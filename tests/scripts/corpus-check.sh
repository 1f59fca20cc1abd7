#!/bin/bash
# corpus-check.sh: run `altorc objtool` on real kernel objects exactly as kbuild runs objtool,
# and compare the ORC an unwinder would see with what the reference objtool produced.
#
#   corpus-check.sh [--subset|--full] [-j N] [DIR...]
#   corpus-check.sh --subset-folders      the capture folders --subset builds, one per line
#
#   --subset  net/key and drivers/md of 6.1 and 6.12, and of two configurations Debian does not
#             ship (6.12 built by clang 19 without retpolines and IBT: clang's switch jump
#             tables and code shapes; 6.1 without retpolines: gcc's switch jump tables), built
#             first with corpus-build.sh when missing; skipped (not failed) when the kernel
#             packages are absent and cannot be installed
#   --full    every captured object of the corpus, variant folders included (the default without DIR)
#   DIR...    folders searched for NAME.pre.o (a kernel folder, one subdir, anything; also
#             kernel-build.sh's whole-kernel captures, CACHE/kernel/6.1 ...)
#   -j N      objects checked at once (default: number of CPUs)
#
# For every NAME.pre.o: copy it, run `$ALTORC objtool $(cat NAME.args) COPY`, require the exit
# status the reference had (NAME.rc) and its warning lines (NAME.warn), in order, then compare
# COPY with NAME.post.o using
# `$ALTORC orc diff` (or, while that command does not work yet, ../shared/corpus/orc-compare).
# The corpus itself is never written: copies, messages and timings go to
# $BUILD/corpus-results/KERNEL/SLUG/NAME.{o,warn,cmp,time,status}.
# Prints one line per object with its CPU time and peak RSS, then 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
results=${BUILD:-$top/build}/corpus-results
SUBSET_DIRS=(net/key drivers/md)   # drivers/md: dm-crypt/raid5-ppl carry pushf;pop alternatives
# Each subset build: corpus-build.sh's variant flags (none: Debian's own config) and the kernel.
# The last two have their tree's own objtool as reference and need a kernel build folder: the
# clang one brings a clang-19 install (about 10 minutes on two cores the first time), the gcc
# one unpacks 6.1's whole source (about 2 minutes).
SUBSET_BUILDS=("6.1" "6.12" "--clang=19 --no-retpoline --no-ibt 6.12" "--no-retpoline 6.1")

usage() { echo "usage: corpus-check.sh [--subset|--full] [-j N] [DIR...] | --subset-folders" >&2; exit 2; }

# The folder names only (tests/run-all.sh runs more stages on the same subset): nothing built.
if [[ ${1:-} == --subset-folders ]]; then
  (($# == 1)) || usage
  for b in "${SUBSET_BUILDS[@]}"; do
    # shellcheck disable=SC2086  # the build's flags are words
    "$here/corpus-build.sh" --folder $b || exit 2
  done
  exit 0
fi

mode=full jobs=$(nproc) dirs=()
while (($#)); do
  case $1 in
    --subset) mode=subset ;;
    --full) mode=full ;;
    -j) jobs=${2:-}; shift ;;
    -j*) jobs=${1#-j} ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) dirs+=("$1") ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage
[[ -x $ALTORC ]] || { echo "corpus-check: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }

corpus=$("$here/corpus-build.sh" --print-dir)
skipped=0 build_failures=0

# --subset: make sure each kernel's subset exists; a kernel that cannot be had is skipped.
if [[ $mode == subset && ${#dirs[@]} -eq 0 ]]; then
  for b in "${SUBSET_BUILDS[@]}"; do
    # shellcheck disable=SC2086  # the build's flags are words
    "$here/corpus-build.sh" -o "$corpus" $b "${SUBSET_DIRS[@]}" >&2
    rc=$?
    # shellcheck disable=SC2086
    k=$("$here/corpus-build.sh" --folder $b)
    if ((rc == 3)); then
      echo "SKIP $k ${SUBSET_DIRS[*]}: the kernel packages or build tools are not installed and not installable here"
      skipped=$((skipped + 1)); continue
    elif ((rc != 0)); then
      echo "FAIL $k ${SUBSET_DIRS[*]}: corpus-build.sh exited $rc"
      build_failures=$((build_failures + 1))
      continue
    fi
    for s in "${SUBSET_DIRS[@]}"; do dirs+=("$corpus/$k/${s//\//_}"); done
  done
elif ((${#dirs[@]} == 0)); then
  # every kernel folder: 6.1, 6.12 and the variants (6.12-noretpoline-noibt ...)
  for k in "$corpus"/6.*; do [[ -d $k ]] && dirs+=("$k"); done
fi

mapfile -d '' objects < <(find "${dirs[@]}" -name '*.pre.o' -print0 2>/dev/null | sort -z)
if ((${#objects[@]} == 0 && skipped + build_failures == 0)); then
  echo "corpus-check: no NAME.pre.o under ${dirs[*]:-$corpus}" >&2
  exit 2
fi

# Which ORC comparison to use: our own `orc diff` once it says two equal files are equal,
# else the team's reference script, else none (every object then fails: nothing is assumed).
compare=none
if ((${#objects[@]})); then
  probe=${objects[0]%.pre.o}.post.o
  if "$ALTORC" orc diff "$probe" "$probe" >/dev/null 2>&1; then
    compare=altorc
  elif [[ -x $top/../shared/corpus/orc-compare ]] && /usr/bin/python3 -c 'import elftools' 2>/dev/null; then
    compare=$(cd "$top/../shared/corpus" && pwd)/orc-compare
    echo "corpus-check: '$(basename "$ALTORC") orc diff' does not work yet; comparing with $compare" >&2
  else
    echo "corpus-check: no ORC comparison available ('altorc orc diff' fails, no ../shared/corpus/orc-compare)" >&2
  fi
fi
export ALTORC compare results
export SRCARCH=x86   # kbuild exports it; the 6.12 objtool needs it

# shellcheck source=capture-lib.sh
source "$here/capture-lib.sh"
kernel_of() { capture_kernel "$1"; }

# KERNEL/SLUG/NAME (or KERNEL/NAME): where an object's results go, and its name in the output.
label_of() {
  local dir k
  dir=$(dirname "$1"); k=$(kernel_of "$1")
  if [[ $(basename "$dir") == "$k" ]]; then echo "$k/$(basename "${1%.pre.o}")"
  else echo "$k/$(basename "$dir")/$(basename "${1%.pre.o}")"
  fi
}
export -f capture_kernel kernel_of label_of

# The warning lines of objtool's output without the object's path, which differs between the
# reference's run and ours: 'warning: objtool: func+0x12: message'.
warning_texts() { sed -n 's/^.*: \(warning: objtool: \)/\1/p'; }
export -f warning_texts

# Check one object; writes .status (pass|fail) and prints one line.
check_one() {
  local pre=$1 stem kernel label out refrc=0 rc cpu rss why=''
  stem=${pre%.pre.o}
  kernel=$(kernel_of "$pre")
  label=$(label_of "$pre")
  out=$results/$label
  mkdir -p "$(dirname "$out")"
  rm -f "$out".*
  cp -- "$pre" "$out.o"
  local args=()
  [[ -f $stem.args ]] && mapfile -t args < "$stem.args"
  [[ -f $stem.rc ]] && refrc=$(<"$stem.rc")
  # kbuild's environment: the kernel's Makefile exports KERNELRELEASE to objtool
  KERNELRELEASE=$kernel /usr/bin/time -f '%U %S %M' -o "$out.time" \
    "$ALTORC" objtool "${args[@]}" "$out.o" > "$out.warn" 2>&1
  rc=$?
  read -r cpu rss < <(awk 'END { printf "%.2f %d\n", $1 + $2, $3 }' "$out.time" 2>/dev/null)
  if ((rc != refrc)); then
    why="objtool exit $rc (reference $refrc): $(grep -m1 . "$out.warn")"
  elif [[ -f $stem.warn ]] && ! diff <(warning_texts < "$stem.warn") <(warning_texts < "$out.warn") > "$out.wdiff"; then
    why="warnings differ from the reference's (< reference, > altorc): $(grep -m1 '^[<>]' "$out.wdiff")"
  elif [[ $compare == none ]]; then
    why="no ORC comparison available"
  elif [[ $compare == altorc ]]; then
    "$ALTORC" orc diff "$stem.post.o" "$out.o" > "$out.cmp" 2>&1 || why="ORC differs: $(grep . "$out.cmp" | tail -n 1)"
  else
    "$compare" "$stem.post.o" "$out.o" > "$out.cmp" 2>&1 || why="ORC differs: $(grep . "$out.cmp" | tail -n 1)"
  fi
  local res=pass
  [[ -z $why ]] || res=fail
  printf '%s\t%s\t%s\n' "$res" "${cpu:-?}" "${rss:-?}" > "$out.status"
  if [[ $res == pass ]]; then
    printf 'PASS %s  cpu %ss  rss %s KiB\n' "$label" "${cpu:-?}" "${rss:-?}"
  else
    printf 'FAIL %s  cpu %ss  rss %s KiB: %s\n' "$label" "${cpu:-?}" "${rss:-?}" "$why"
  fi
}
export -f check_one

if ((${#objects[@]})); then
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  printf '%s\0' "${objects[@]}" | xargs -0 -r -n 1 -P "$jobs" bash -c 'check_one "$1"' _
fi

# Totals from the status files of exactly the objects of this run.
passed=0 failed=$build_failures cpu_total=0 rss_peak=0
for pre in "${objects[@]}"; do
  st=$results/$(label_of "$pre").status
  if [[ -f $st ]] && read -r res cpu rss < "$st"; then
    [[ $res == pass ]] && passed=$((passed + 1)) || failed=$((failed + 1))
    [[ $cpu == '?' ]] || cpu_total=$(awk -v a="$cpu_total" -v b="$cpu" 'BEGIN { print a + b }')
    [[ $rss == '?' ]] || ((rss <= rss_peak)) || rss_peak=$rss
  else
    failed=$((failed + 1))
  fi
done
echo "corpus: ${#objects[@]} objects, altorc CPU ${cpu_total}s in total, peak RSS $((rss_peak / 1024)) MiB (results: $results)"
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
