#!/bin/bash
# bench-all.sh: every benchmark of altorc against the reference objtool, then all ratios in one
# table (what `make bench` prints).
#
#   1. bench.sh          each corpus object on its own, as kbuild runs objtool (6.1, 6.12, a
#                        variant folder such as 6.12-clang19-noretpoline-noibt, all)
#   2. scale-bench.sh    the 6.1 corpus linked into one vmlinux.o-shaped object: 1/4, 1/2, whole
#   3. bench-vmlinux.sh  the captured 6.12 vmlinux.o, with 1 and several threads (skipped,
#                        with a message, until ../shared/corpus/build-kernel has made it)
#
# Both measure the two tools in the same run on copies of the same input; their full outputs
# are shown first.  Ratios are altorc / reference (below 1.0: altorc uses less).  Nothing here
# passes or fails on time; a benchmark that cannot run (no corpus, no reference) is reported
# as missing from the table.  Environment: ALTORC, passed on to both.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== per-object benchmark (bench.sh)"
"$here/bench.sh" -j2 | tee "$tmp/objects.out"
echo
echo "== linked-object benchmark (scale-bench.sh)"
"$here/scale-bench.sh" | tee "$tmp/scale.out"

echo
echo "== whole kernel (bench-vmlinux.sh)"
"$here/bench-vmlinux.sh" | tee "$tmp/vmlinux.out"

echo
echo "== all ratios (altorc / reference)"
printf '%-28s %10s %10s %7s   %10s %10s %7s\n' benchmark 'ref CPU s' 'alt CPU s' ratio 'ref MiB' 'alt MiB' ratio
# bench.sh rows: kernel objects refCPU altCPU ratio refMiB altMiB ratio nonzero
awk '$1 ~ /^(6\.[0-9]+(-[a-z0-9-]+)?|all)$/ && NF == 9 && $2 ~ /^[0-9]+$/ {
  printf "%-28s %10.3f %10.3f %7.2f   %10.1f %10.1f %7.2f\n", "objects " $1 " (" $2 " files)", $3, $4, $5, $6, $7, $8
}' "$tmp/objects.out"
# scale-bench.sh rows: size objs MiB | refCPU altCPU ratio | refRSS altRSS ratio (RSS in MB)
awk '$1 ~ /^1\/[124]$/ && $4 == "|" {
  printf "%-28s %10.2f %10.2f %7.2f   %10.1f %10.1f %7.2f\n", "linked " $1 " (" $3 " MiB input)", $5, $6, $7, $9, $10, $11
}' "$tmp/scale.out"
grep -h '^growth' "$tmp/scale.out" || true
# bench-vmlinux.sh rows: run CPU wall MiB exit CPU/ref wall/ref MiB/ref
awk '$1 ~ /^altorc-t[0-9]+$/ && NF == 8 {
  printf "%-28s %10s %10.2f %7s   %10s %10.1f %7s   wall %s\n", "vmlinux.o " $1, "", $2, $6, "", $4, $8, $7
}' "$tmp/vmlinux.out"
rows=$(awk '($1 ~ /^(6\.[0-9]+(-[a-z0-9-]+)?|all)$/ && NF == 9) || ($1 ~ /^1\/[124]$/ && $4 == "|") || ($1 ~ /^altorc-t/ && NF == 8)' "$tmp/objects.out" "$tmp/scale.out" "$tmp/vmlinux.out" | wc -l)
((rows > 0)) || echo "(no benchmark could run: see the messages above)"
exit 0
