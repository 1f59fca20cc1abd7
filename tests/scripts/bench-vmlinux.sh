#!/bin/bash
# bench-vmlinux.sh: the whole kernel, altorc against the reference objtool side by side, on the
# vmlinux.o that ../shared/corpus/build-kernel captured (6.12: one object of about 840 MB,
# --link), in the same run.
#
#   bench-vmlinux.sh [-t N] [-r N] [CAPTURE_DIR]   default: $(corpus-build.sh --print-dir)/kernel/6.12
#
# CAPTURE_DIR holds vmlinux.pre.o and vmlinux.args.  The reference is the kernel tree's own
# objtool, the one the capture ran (CORPUS/kbuild-kernel/K/tools/objtool/objtool, else the
# Debian one of K), and KERNELRELEASE is that tree's include/config/kernel.release, as kbuild
# exports it.  Three runs, each on its own fresh copy, one after the other:
#   reference       the reference objtool with the captured arguments
#   altorc -t1      altorc objtool --threads=1
#   altorc -tN      altorc objtool --threads=N (default: the CPUs online, at most 8)
# Each: user+sys CPU seconds, wall seconds, peak RSS, exit status; then the ratios against the
# reference.  The two altorc outputs (object and stderr) are compared byte for byte, since the
# thread count must not change them.  Nothing here passes or fails on time; the exit status is
# 0 unless the benchmark cannot run, and a missing capture is a clear message, exit 0.
# -r N repeats the three runs N times (default 1): each round's ratios are taken against that
# round's reference, the table shows their medians, and a line per altorc run their range, since
# one run of an 840 MB object moves with whatever else the machine does.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
threads=$(nproc 2>/dev/null || echo 2)
((threads > 8)) && threads=8
rounds=1

while (($#)); do
  case $1 in
    -t) threads=${2:-}; shift ;;
    -t*) threads=${1#-t} ;;
    -r) rounds=${2:-}; shift ;;
    -r*) rounds=${1#-r} ;;
    -*) echo "usage: bench-vmlinux.sh [-t N] [-r N] [CAPTURE_DIR]" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
[[ $threads =~ ^[1-9][0-9]*$ ]] || { echo "bench-vmlinux: -t needs a positive number" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench-vmlinux: -r needs a positive number" >&2; exit 2; }
corpus=$("$here/corpus-build.sh" --print-dir)
cap=${1:-$corpus/kernel/6.12}
kernel=$(basename "$cap")
pre=$cap/vmlinux.pre.o

if [[ ! -f $pre || ! -f $cap/vmlinux.args ]]; then
  echo "bench-vmlinux: skipped: no captured vmlinux.o at $cap (vmlinux.pre.o + vmlinux.args;"
  echo "  ../shared/corpus/build-kernel 6.12 makes it, in about an hour on two cores)"
  exit 0
fi
[[ -x $ALTORC ]] || { echo "bench-vmlinux: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }
kb=$corpus/kbuild-kernel/$kernel
ref=$kb/tools/objtool/objtool
[[ -x $ref ]] || ref=$("$here/corpus-build.sh" --objtool "${kernel%%-*}" 2>/dev/null) || ref=
[[ -n $ref && -x $ref ]] || { echo "bench-vmlinux: no reference objtool for $kernel" >&2; exit 2; }
release=$kernel
[[ -f $kb/include/config/kernel.release ]] && release=$(cat "$kb/include/config/kernel.release")
mapfile -t args < "$cap/vmlinux.args"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-bench-vmlinux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The measuring helper shared with bench.sh (measure.c beside this script): fork, exec, wait4,
# and the wall clock; prints "CPU-seconds wall-seconds max-RSS-KiB status".
gcc -O2 -o "$tmp/measure" "$here/measure.c" || { echo "bench-vmlinux: cannot build the measuring helper" >&2; exit 2; }

echo "vmlinux.o: $(du -m "$pre" | cut -f1) MiB, $kernel (KERNELRELEASE=$release), reference $ref"
# run ROUND NAME CMD...: a fresh copy, measured; "ROUND NAME cpu wall rss rc" into $tmp/rows
run() {
  local round=$1 name=$2; shift 2
  cp -- "$pre" "$tmp/$name.o"
  # no writeback left over from this copy or the run before to compete with the one measured
  sync
  read -r cpu wall rss rc < <(KERNELRELEASE=$release SRCARCH=x86 \
    "$tmp/measure" -e "$tmp/$name.err" "$@" "${args[@]}" "$tmp/$name.o")
  echo "$name ${cpu:-0} ${wall:-0} ${rss:-0} ${rc:-127}"
  echo "$round $name ${cpu:-0} ${wall:-0} ${rss:-0} ${rc:-127}" >> "$tmp/rows"
}
# The warnings name each run's own copy: they are compared with that path taken out.
same=yes
for ((round = 1; round <= rounds; round++)); do
  run "$round" reference "$ref"
  run "$round" altorc-t1 "$ALTORC" objtool --threads=1
  rm -f "$tmp/reference.o"   # three copies of 840 MB would not fit everywhere
  run "$round" "altorc-t$threads" "$ALTORC" objtool --threads="$threads"
  cmp -s "$tmp/altorc-t1.o" "$tmp/altorc-t$threads.o" &&
    cmp -s <(sed "s|$tmp/altorc-t1\.o|OBJ|g" "$tmp/altorc-t1.err") \
           <(sed "s|$tmp/altorc-t$threads\.o|OBJ|g" "$tmp/altorc-t$threads.err") || same=no
  rm -f "$tmp"/altorc-t*.o
done
echo
awk -v same="$same" -v t="$threads" -v rounds="$rounds" '
function r(a, b) { return b > 0 ? a / b : -1 }
function fmt(v) { return v < 0 ? "-" : sprintf("%.2f", v) }
# the median of the values v[k, 1..rounds] (rounds is small: an insertion sort)
function median(v, k,    i, j, x, a) {
  for (i = 1; i <= rounds; i++) {
    x = v[k, i]
    for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
    a[j + 1] = x
  }
  return rounds % 2 ? a[(rounds + 1) / 2] : (a[rounds / 2] + a[rounds / 2 + 1]) / 2
}
function range(v, k,    i, lo, hi) {
  lo = hi = v[k, 1]
  for (i = 2; i <= rounds; i++) { if (v[k, i] < lo) lo = v[k, i]; if (v[k, i] > hi) hi = v[k, i] }
  return fmt(lo) " to " fmt(hi)
}
{ cpu[$2, $1] = $3; wall[$2, $1] = $4; rss[$2, $1] = $5; if ($6 != 0) bad[$2] = $6
  if (!($2 in seen)) { seen[$2]; order[++n] = $2 } }
END {
  for (i = 1; i <= n; i++)
    for (j = 1; j <= rounds; j++) {
      k = order[i]
      rc_[k, j] = r(cpu[k, j], cpu["reference", j])
      rw_[k, j] = r(wall[k, j], wall["reference", j])
      rm_[k, j] = r(rss[k, j], rss["reference", j])
    }
  printf "%-12s %9s %9s %9s %6s %9s %9s %9s\n", "run", "CPU s", "wall s", "MiB", "exit",
    "CPU/ref", "wall/ref", "MiB/ref"
  for (i = 1; i <= n; i++) {
    k = order[i]
    printf "%-12s %9.2f %9.2f %9.1f %6d %9s %9s %9s\n", k, median(cpu, k), median(wall, k),
      median(rss, k) / 1024, bad[k] + 0, fmt(median(rc_, k)), fmt(median(rw_, k)), fmt(median(rm_, k))
  }
  if (rounds > 1) {
    printf "medians of %d rounds; each ratio against its own round'"'"'s reference; exit: a non-zero status in any round\n", rounds
    for (i = 2; i <= n; i++)
      printf "%s over the rounds: CPU/ref %s, wall/ref %s, MiB/ref %s\n", order[i],
        range(rc_, order[i]), range(rw_, order[i]), range(rm_, order[i])
  }
  printf "altorc with 1 and %d threads: output and stderr identical: %s\n", t, same
  print "CPU: user+sys of the process (all threads); wall: from fork to exit; MiB: peak RSS"
}' "$tmp/rows"
exit 0
