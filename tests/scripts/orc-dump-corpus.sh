#!/bin/bash
# orc-dump-corpus.sh: `altorc orc dump` and `altorc orc diff` against the reference objtool on
# every NAME.post.o of the corpus.
#
#   orc-dump-corpus.sh [--dump|--diff|--all] [-j N] [DIR...]
#
#   --dump  (default) for every NAME.post.o: the matching kernel's reference
#           `objtool --dump=orc` and `altorc orc dump` must print the same bytes and agree on
#           success or failure
#   --diff  `altorc orc diff POST.o POST.o` must exit 0 ("0 of N points differ");
#           `altorc orc diff POST.o PRE.o` must exit 1 when POST.o has ORC (0 when it has none);
#           when ../shared/corpus/orc-compare and python3-pyelftools are there, its
#           'N of M points differ' for POST.o vs PRE.o must equal ours
#   --all   both
#   DIR...  folders searched for *.post.o (default: the whole corpus)
#   -j N    objects at once (default: number of CPUs)
#
# The corpus is $CORPUS_DIR, default ../corpus-cache beside the repository; the kernel of an
# object is the first folder below it (6.1, 6.12, or a variant such as 6.12-clang19-noretpoline-noibt).
# corpus-build.sh --objtool names its reference: Debian's headers package's objtool, or the
# variant's build folder's own (6.12 wants SRCARCH=x86).
# Objects of a kernel without a reference binary are skipped.  Nothing in the corpus is written.
# Prints one line per object and check, then 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CORPUS_DIR=${CORPUS_DIR:-$(cd "$top/.." && pwd)/corpus-cache}
ORC_COMPARE=${ORC_COMPARE:-$(cd "$top/.." && pwd)/shared/corpus/orc-compare}

usage() { echo "usage: orc-dump-corpus.sh [--dump|--diff|--all] [-j N] [DIR...]" >&2; exit 2; }

mode=dump jobs=$(nproc) dirs=()
while (($#)); do
  case $1 in
    --dump) mode=dump ;;
    --diff) mode=diff ;;
    --all) mode=all ;;
    -j) jobs=${2:-}; shift ;;
    -j*) jobs=${1#-j} ;;
    -*) usage ;;
    *) dirs+=("$1") ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage
[[ -x $ALTORC ]] || { echo "orc-dump-corpus: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }

if [[ ! -d $CORPUS_DIR ]]; then
  echo "SKIP: no corpus at $CORPUS_DIR (build one with ../shared/corpus/build-corpus or set CORPUS_DIR)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
CORPUS_DIR=$(cd "$CORPUS_DIR" && pwd)
((${#dirs[@]})) || dirs=("$CORPUS_DIR")

# orc-compare needs the Debian pyelftools, which pyenv's or a venv's python may lack.
compare_py=
for py in /usr/bin/python3 python3; do
  if [[ -x $ORC_COMPARE ]] && "$py" -c 'import elftools' 2>/dev/null; then compare_py=$py; break; fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The reference objtool of a kernel series, newest ABI first; empty when none is installed.
reference_for() {
  CORPUS_DIR=$CORPUS_DIR "$here/corpus-build.sh" --objtool "$1" 2>/dev/null
}

# check_one POST: prints "ok ..." / "FAIL ..." / "SKIP ..." lines for one object.
check_one() {
  local post=$1 rel kernel ref stem tmp rc_ref rc_ours
  rel=${post#"$CORPUS_DIR"/}
  kernel=${rel%%/*}
  stem=${post%.post.o}
  tmp=$work/$(echo "$rel" | tr / _)
  ref=$(reference_for "$kernel")
  if [[ $MODE != diff ]]; then
    if [[ -z $ref ]]; then
      echo "SKIP dump $rel: no reference objtool for kernel '$kernel'"
    else
      SRCARCH=x86 "$ref" --dump=orc "$post" >"$tmp.ref" 2>"$tmp.ref.err"; rc_ref=$?
      "$ALTORC" orc dump "$post" >"$tmp.ours" 2>"$tmp.ours.err"; rc_ours=$?
      if ! cmp -s "$tmp.ref" "$tmp.ours"; then
        echo "FAIL dump $rel: output differs from the reference; first difference:"
        diff "$tmp.ref" "$tmp.ours" | head -n 4 | sed 's/^/    /'
      elif (((rc_ref == 0) != (rc_ours == 0))); then
        echo "FAIL dump $rel: reference exited $rc_ref, altorc $rc_ours"
        sed 's/^/    /' "$tmp.ours.err" | head -n 3
      else
        echo "ok   dump $rel: $(wc -l <"$tmp.ref") lines"
      fi
    fi
  fi
  [[ $MODE == dump ]] && return 0
  local out has_orc=0 want ours theirs
  readelf -SW "$post" 2>/dev/null | grep -q ' \.orc_unwind ' && has_orc=1
  out=$("$ALTORC" orc diff "$post" "$post" 2>&1); rc_ours=$?
  if ((rc_ours == 0)) && [[ ${out##*$'\n'} =~ ^0\ of\ [0-9]+\ points\ differ$ ]]; then
    echo "ok   diff-self $rel: ${out##*$'\n'}"
  else
    echo "FAIL diff-self $rel: exit $rc_ours: ${out##*$'\n'}"
  fi
  if [[ ! -f $stem.pre.o ]]; then
    echo "SKIP diff-pre $rel: no $(basename "$stem").pre.o"
    return 0
  fi
  want=$has_orc
  "$ALTORC" orc diff "$post" "$stem.pre.o" >"$tmp.diff" 2>&1; rc_ours=$?
  ours=$(tail -n 1 "$tmp.diff")
  if ((rc_ours != want)); then
    echo "FAIL diff-pre $rel: exit $rc_ours, wanted $want (POST has ORC: $has_orc): $ours"
    return 0
  fi
  if [[ -n $COMPARE_PY ]]; then
    theirs=$("$COMPARE_PY" "$ORC_COMPARE" "$post" "$stem.pre.o" 2>&1 | tail -n 1)
    if [[ $theirs != "$ours" ]]; then
      echo "FAIL diff-pre $rel: altorc says '$ours', orc-compare says '$theirs'"
      return 0
    fi
  fi
  echo "ok   diff-pre $rel: $ours"
}

# One result file per object, so parallel jobs never interleave their lines.
run_one() { check_one "$1" >"$work/$(echo "${1#"$CORPUS_DIR"/}" | tr / _).result"; }

export -f check_one reference_for run_one
export ALTORC CORPUS_DIR ORC_COMPARE work here
export MODE=$mode COMPARE_PY=$compare_py

[[ $mode == dump || -n $compare_py ]] ||
  echo "note: orc-compare or python3-pyelftools missing: diff-pre checks exit status only"

find "${dirs[@]}" -name '*.post.o' -type f -print0 | sort -z |
  xargs -0 -r -n 1 -P "$jobs" bash -c 'run_one "$1"' _
find "$work" -name '*.result' -print0 | sort -z | xargs -0 -r cat >"$work/log"
cat "$work/log"

passed=$(grep -c '^ok ' "$work/log")
failed=$(grep -c '^FAIL ' "$work/log")
skipped=$(grep -c '^SKIP ' "$work/log")
if ((passed + failed + skipped == 0)); then
  echo "SKIP: no *.post.o under ${dirs[*]}"
  skipped=1
fi
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
