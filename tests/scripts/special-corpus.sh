#!/bin/bash
# special-corpus.sh: `altorc alternatives --json` against the raw relocation counts of every
# NAME.pre.o in the corpus.
#
#   special-corpus.sh [-j N] [DIR...]
#
# For each object the number of "alternative" records must equal the number of
# .rela.altinstructions relocations that sit at the start of an entry (the original-code
# pointer; entries are 12 bytes for 6.1, 14 for 6.3+, by the kernel folder), and the number
# of "paravirt" records the number of .rela.parainstructions relocations.  The counts come
# from readelf, not from altorc.  altorc must also exit 0.
#
# The corpus is $CORPUS_DIR, default ../corpus-cache beside the repository; the kernel of an
# object is the first folder below it (6.1, 6.12, or a variant such as 6.1-noretpoline).
# Nothing in the corpus is written.
# Prints one line per failing object, then 'N passed, M failed'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CORPUS_DIR=${CORPUS_DIR:-$(cd "$top/.." && pwd)/corpus-cache}

usage() { echo "usage: special-corpus.sh [-j N] [DIR...]" >&2; exit 2; }

jobs=$(nproc) dirs=()
while (($#)); do
  case $1 in
    -j) jobs=${2:-}; shift ;;
    -j*) jobs=${1#-j} ;;
    -*) usage ;;
    *) dirs+=("$1") ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage

if [[ ! -d $CORPUS_DIR ]]; then
  echo "SKIP: no corpus at $CORPUS_DIR (build one with ../shared/corpus/build-corpus or set CORPUS_DIR)"
  echo "0 passed, 0 failed"
  exit 0
fi
[[ -x $ALTORC ]] || { echo "special-corpus: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }
for tool in readelf python3; do
  command -v $tool >/dev/null || { echo "special-corpus: $tool is needed" >&2; exit 2; }
done
CORPUS_DIR=$(cd "$CORPUS_DIR" && pwd)
((${#dirs[@]})) || dirs=("$CORPUS_DIR")

# check_one OBJ: prints "PASS OBJ" or "FAIL OBJ: why".
check_one() {
  local obj=$1 rel kernel stride want_alt want_pv json got
  rel=${obj#"$CORPUS_DIR"/}
  kernel=${rel%%/*}
  # a variant folder (6.1-noretpoline, 6.12-clang19-kcfi) has its series' entry size
  case ${kernel%%-*} in 6.1|6.0|5.*) stride=12 ;; *) stride=14 ;; esac
  # Relocations of the two tables, counted from readelf's listing.
  read -r want_alt want_pv < <(readelf -rW "$obj" 2>/dev/null | python3 -c '
import re, sys
stride, sec, alt, pv = int(sys.argv[1]), None, 0, 0
for line in sys.stdin:
    m = re.match(r"Relocation section .(\S+). at offset", line)
    if m:
        sec = m.group(1)
        continue
    f = line.split()
    if not f or not re.fullmatch(r"[0-9a-f]+", f[0]):
        continue
    if sec == ".rela.altinstructions" and int(f[0], 16) % stride == 0:
        alt += 1
    elif sec == ".rela.parainstructions":
        pv += 1
print(alt, pv)' "$stride")
  if ! json=$("$ALTORC" alternatives --json "$obj" 2>&1); then
    echo "FAIL $rel: altorc exited non-zero: $(printf '%s' "$json" | tail -1)"
    return
  fi
  got=$(printf '%s' "$json" | python3 -c '
import json, sys
sites = json.load(sys.stdin)
print(sum(s["kind"] == "alternative" for s in sites), sum(s["kind"] == "paravirt" for s in sites))') || {
    echo "FAIL $rel: output is not valid JSON"; return; }
  if [[ $got != "$want_alt $want_pv" ]]; then
    echo "FAIL $rel: altorc reports $got (alternatives paravirt), relocations say $want_alt $want_pv"
  else
    echo "PASS $rel $got"
  fi
}
export -f check_one
export ALTORC CORPUS_DIR

results=$(find "${dirs[@]}" -name '*.pre.o' -print0 | sort -z |
  xargs -0 -r -n 1 -P "$jobs" bash -c 'check_one "$1"' _)
passed=$(grep -c '^PASS' <<<"$results")
failed=$(grep -c '^FAIL' <<<"$results")
grep '^FAIL' <<<"$results"
sites=$(awk '/^PASS/ { a += $3; p += $4 } END { print a + 0 " alternatives, " p + 0 " paravirt sites" }' <<<"$results")
echo "checked $sites in passing objects"
echo "$passed passed, $failed failed"
((failed == 0))
