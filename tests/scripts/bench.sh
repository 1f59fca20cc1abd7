#!/bin/bash
# bench.sh: CPU time and peak memory of altorc against the reference objtool, on the same
# objects in the same run.
#
#   bench.sh [-j N] [DIR...]
#
# DIR: folders searched for NAME.pre.o (default: the 6.1 and 6.12 folders of the corpus cache,
# see corpus-build.sh --print-dir, and the variant folders named in BENCH_VARIANTS, default
# 6.12-clang19-noretpoline-noibt, when present).  The kernel of an object is the name of the
# folder above its subdir folder and picks the reference objtool and KERNELRELEASE: for 6.1
# and 6.12 Debian's objtool (corpus-build.sh --objtool) and the folder name; for a variant
# folder (built by build-corpus --clang/--no-retpoline/...) its kernel tree's own objtool,
# CORPUS/kbuild/VARIANT/tools/objtool/objtool, and that tree's include/config/kernel.release,
# as kbuild exports it (a variant without them is reported and left out).  For every object, a fresh
# copy goes to each tool with the arguments kbuild used (NAME.args); user+sys CPU seconds are
# summed and the largest max-RSS is kept, per kernel and overall, then the ratios
# altorc/reference are printed.  Nothing here passes or fails on time: the exit status is 0
# unless the benchmark itself cannot run.  -j N runs N objects at once (CPU time is summed
# per process, so it stays comparable; default 1).  -r N runs each object N times (default 1),
# the tools taking turns, so that a machine's drift falls on all of them alike; each run starts
# one tool further on, so with N a multiple of the number of tools (2, 3 with ALTORC_BASE, one
# more with BENCH_FLOOR) every tool runs in every position equally often.
# ALTORC_BASE=BIN (e.g. a build of an earlier commit) adds a third tool, run in turn with the
# other two on each object, and a row "KERNEL/base" for it: a change's effect measured in one
# run, object by object, rather than across two runs.
# BENCH_FLOOR=1 adds a row "KERNEL/floor": a helper that links altorc's libraries (so that
# starting it costs what starting altorc does) and only rewrites the object the way altorc must
# (a copy beside it, fsync, rename over the original), with no analysis.  It is the part of
# altorc's ratio that no faster analysis can remove; the reference edits the file in place.
# BENCH_FLOOR_LIBS: the libraries to link (default: the ones the altorc binary names in its
# DT_NEEDED entries, read with readelf; -lelf -lZydis -ldwarf -lpthread without readelf).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}

jobs=1 reps=1 dirs=()
while (($#)); do
  case $1 in
    -j) jobs=${2:-}; shift ;;
    -j*) jobs=${1#-j} ;;
    -r) reps=${2:-}; shift ;;
    -r*) reps=${1#-r} ;;
    -*) echo "usage: bench.sh [-j N] [-r N] [DIR...]" >&2; exit 2 ;;
    *) dirs+=("$1") ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "bench: -j needs a positive number" >&2; exit 2; }
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench: -r needs a positive number" >&2; exit 2; }
[[ -x $ALTORC ]] || { echo "bench: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }
ALTORC_BASE=${ALTORC_BASE:-}
[[ -z $ALTORC_BASE || -x $ALTORC_BASE ]] ||
  { echo "bench: no binary at ALTORC_BASE=$ALTORC_BASE" >&2; exit 2; }
if ((${#dirs[@]} == 0)); then
  corpus=$("$here/corpus-build.sh" --print-dir)
  for k in 6.1 6.12 ${BENCH_VARIANTS-6.12-clang19-noretpoline-noibt}; do
    [[ -d $corpus/$k ]] && dirs+=("$corpus/$k")
  done
  ((${#dirs[@]})) || { echo "bench: no corpus under $corpus (build one with corpus-build.sh)" >&2; exit 2; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
declare -A reference=()
for k in 6.1 6.12; do
  reference[$k]=$("$here/corpus-build.sh" --objtool "$k" 2>/dev/null) || true
done
# The measuring helper (measure.c beside this script): fork, exec, wait4; "CPU wall RSS status".
gcc -O2 -o "$tmp/measure" "$here/measure.c" || { echo "bench: cannot build the measuring helper" >&2; exit 2; }
BENCH_FLOOR=${BENCH_FLOOR:-0}
if [[ $BENCH_FLOOR == 1 ]]; then
  # The floor: what elf/copy.c and elf/write.c do to the file system, and nothing else.
  cat > "$tmp/floor.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	const char *path = argv[argc - 1];
	char tmp[4096];
	struct stat st;
	loff_t in = 0, out = 0;
	int src = open(path, O_RDONLY), dst;

	if (argc < 2 || src < 0 || fstat(src, &st))
		return 2;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	dst = mkstemp(tmp);
	if (dst < 0 || fchmod(dst, st.st_mode & 07777))
		return 2;
	while (in < st.st_size)
		if (copy_file_range(src, &in, dst, &out, (size_t)(st.st_size - in), 0) <= 0)
			return 2;
	if (fsync(dst) || rename(tmp, path) || close(dst) || close(src))
		return 2;
	return 0;
}
C
  # The libraries altorc itself loads (its DT_NEEDED entries, by file name, libc aside), so
  # that the floor follows whatever the Makefile linked; BENCH_FLOOR_LIBS overrides.
  floor_libs=$(readelf -d "$ALTORC" 2>/dev/null |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]$/-l:\1/p' | grep -v '^-l:libc\.so' | tr '\n' ' ')
  # shellcheck disable=SC2086  # the libraries are words
  gcc -O2 -o "$tmp/floor" "$tmp/floor.c" -Wl,--no-as-needed \
    ${BENCH_FLOOR_LIBS:-${floor_libs:--lelf -lZydis -ldwarf -lpthread}} ||
    { echo "bench: cannot build the floor helper (BENCH_FLOOR_LIBS?)" >&2; exit 2; }
fi
export ALTORC ALTORC_BASE BENCH_FLOOR reps tmp SRCARCH=x86
export REF_6_1=${reference[6.1]} REF_6_12=${reference[6.12]}

# One object, both tools; prints "kernel tool cpu rss rc name" lines.
bench_one() {
  local pre=$1 stem kernel ref slot name release kb args=()
  stem=${pre%.pre.o}
  kernel=$(basename "$(dirname "$(dirname "$pre")")")
  release=$kernel
  # a variant folder's reference is its own tree's objtool (CORPUS/kbuild/VARIANT)
  kb=$(dirname "$(dirname "$(dirname "$pre")")")/kbuild/$kernel
  case $kernel in
    6.1) ref=$REF_6_1 ;;
    6.12) ref=$REF_6_12 ;;
    *) ref=$kb/tools/objtool/objtool
       [[ -x $ref && -f $kb/include/config/kernel.release ]] || ref=''
       [[ -n $ref ]] && release=$(cat "$kb/include/config/kernel.release") ;;
  esac
  name=$kernel/$(basename "$(dirname "$pre")")/$(basename "$stem")
  [[ -n $ref ]] || { echo "bench: no reference objtool for '$kernel' ($name)" >&2; return 0; }
  [[ -f $stem.args ]] && mapfile -t args < "$stem.args"
  slot=$(mktemp -d "$tmp/obj.XXXXXX")
  local tool cmd cpu rss rc r tools=(reference altorc)
  [[ -n $ALTORC_BASE ]] && tools+=(base)
  [[ $BENCH_FLOOR == 1 ]] && tools+=(floor)
  local n=${#tools[@]} k order=()
  for ((r = 0; r < reps; r++)); do
    # Each run starts one tool later: a process that follows the reference (and the 2 GB it has
    # just freed, for a vmlinux.o) runs differently from one that does, by 3 to 5% in CPU on
    # the 6.12 modules (the same binary in two slots, stop 15), so every tool takes every slot.
    k=$((r % n)) order=("${tools[@]:k}" "${tools[@]:0:k}")
    for tool in "${order[@]}"; do
      case $tool in
        reference) cmd=("$ref") ;;
        altorc) cmd=("$ALTORC" objtool) ;;
        base) cmd=("$ALTORC_BASE" objtool) ;;
        floor) cmd=("$tmp/floor") ;;
      esac
      cp -- "$pre" "$slot/o.o"
      # all get kbuild's environment (KERNELRELEASE, exported by the kernel's Makefile)
      read -r cpu _ rss rc < <(KERNELRELEASE=$release "$tmp/measure" "${cmd[@]}" "${args[@]}" "$slot/o.o")
      echo "$kernel $tool ${cpu:-0} ${rss:-0} ${rc:-127} $name"
    done
  done
  rm -rf "$slot"
}
export -f bench_one

# shellcheck disable=SC2016  # $1 is expanded by the inner bash
find "${dirs[@]}" -name '*.pre.o' -print0 | sort -z |
  xargs -0 -r -n 1 -P "$jobs" bash -c 'bench_one "$1"' _ > "$tmp/runs"

[[ -s $tmp/runs ]] || { echo "bench: no NAME.pre.o under ${dirs[*]}" >&2; exit 2; }

awk '
# an object counts once in bad[] however many of its -r runs exited non-zero
function add(k, t, cpu, rss, rc, name) {
  n[k, t]++; c[k, t] += cpu; if (rss > m[k, t]) m[k, t] = rss
  if (rc != 0 && !((k, t, name) in failed)) { failed[k, t, name]; bad[k, t]++ }
}
function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
function line(label, k, t) {
  printf "%-10s %7d %11.3f %11.3f %7s %10.1f %10.1f %7s %9d\n", label, n[k, "reference"] / reps,
    c[k, "reference"], c[k, t], ratio(c[k, t], c[k, "reference"]),
    m[k, "reference"] / 1024, m[k, t] / 1024, ratio(m[k, t], m[k, "reference"]), bad[k, t]
}
function row(k) {
  line(k, k, "altorc")
  if (n[k, "base"]) line(k "/base", k, "base")
  if (n[k, "floor"]) line(k "/floor", k, "floor")
}
{ add($1, $2, $3, $4, $5, $6); add("all", $2, $3, $4, $5, $6); if (!($1 in seen)) { seen[$1]; order[++nk] = $1 } }
END {
  printf "%-10s %7s %11s %11s %7s %10s %10s %7s %9s\n", "kernel", "objects", "ref CPU s",
    "altorc CPU s", "ratio", "ref MiB", "altorc MiB", "ratio", "altorc!=0"
  for (i = 1; i <= nk; i++) row(order[i])
  if (nk > 1) row("all")
  print "CPU: user+sys summed over objects (and over the -r runs of each); MiB: largest max-RSS of one object; altorc!=0: objects where altorc exited non-zero in any run (its figures then measure a failure, not the work); KERNEL/base: the same for ALTORC_BASE; KERNEL/floor: the rewrite alone (BENCH_FLOOR=1)"
}' reps="$reps" "$tmp/runs"
