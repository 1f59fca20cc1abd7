#!/bin/bash
# output-identity.sh: does a change of altorc leave every command's output alone?
#
#   output-identity.sh OLD NEW DIR...
#
# OLD and NEW are two altorc binaries (for a refactoring: one built before it, one after);
# each DIR is a corpus folder of NAME.pre.o / NAME.post.o / NAME.args (corpus-build.sh's
# layout, searched recursively).  For every object, both binaries run:
#   alternatives, alternatives --json          on NAME.pre.o
#   check, check --format=json|sarif           on NAME.pre.o, with the kernel's rules
#   cfg, cfg --dot, explain, explain --json    for the object's first function
#   orc dump                                   on NAME.post.o
#   objtool ARGS                               on a copy of NAME.pre.o: stderr, exit
#                                              status and every byte of the file written
# and their stdout, stderr and exit status must be byte-identical.  One line per object
# that differs, then 'N passed, M failed'.  -j N runs N objects at once.
set -uo pipefail

jobs=1
if [[ ${1:-} == -j ]]; then jobs=$2; shift 2; fi
if (($# < 3)); then
  echo "usage: output-identity.sh [-j N] OLD NEW DIR..." >&2
  exit 2
fi
old=$(readlink -f "$1") new=$(readlink -f "$2"); shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_all BIN PRE OUTDIR: every command's stdout, stderr and status into OUTDIR.
run_all() {
  local bin=$1 pre=$2 out=$3 post=${2%.pre.o}.post.o args=${2%.pre.o}.args
  local kernel func n=0
  mkdir -p "$out"
  kernel=--kernel=6.1
  [[ $pre == */6.12*/* ]] && kernel=--kernel=6.12
  func=$(nm --defined-only "$pre" 2>/dev/null | awk '$2 ~ /^[tT]$/ {print $3; exit}')
  one() { n=$((n + 1)); "$@" >"$out/$n.out" 2>"$out/$n.err"; echo $? >"$out/$n.rc"; }
  one "$bin" alternatives "$pre"
  one "$bin" alternatives --json "$pre"
  one "$bin" check "$kernel" "$pre"
  one "$bin" check "$kernel" --format=json "$pre"
  one "$bin" check "$kernel" --format=sarif "$pre"
  if [[ -n $func ]]; then
    one "$bin" cfg "$kernel" "$pre" "$func"
    one "$bin" cfg --dot "$kernel" "$pre" "$func"
    one "$bin" explain "$kernel" "$pre" "$func+0x0"
    one "$bin" explain --json "$kernel" "$pre" "$func+0x0"
  fi
  [[ -f $post ]] && one "$bin" orc dump "$post"
  if [[ -f $args ]]; then
    local copy="$out/obj.o" a=()
    cp "$pre" "$copy"
    mapfile -t a <"$args"
    # kbuild's environment: the kernel's Makefile exports KERNELRELEASE to objtool
    KERNELRELEASE=${kernel#--kernel=} one "$bin" objtool "${a[@]}" "$copy"
    sha256sum <"$copy" >"$out/obj.sha"
    rm -f "$copy"
  fi
  # Paths of the temporary copies differ between the two runs, and so does the commit the JSON
  # and SARIF reports name (two builds of different commits, by design); nothing else may.
  sed -i -e "s|$out/||g" -e 's/"commit": "[^"]*"/"commit": "COMMIT"/' "$out"/*.err "$out"/*.out \
    2>/dev/null
}

compare_one() {
  local pre=$1 key
  key=$(echo "$pre" | md5sum | cut -c1-12)
  run_all "$old" "$pre" "$work/$key/old"
  run_all "$new" "$pre" "$work/$key/new"
  if diff -r -q "$work/$key/old" "$work/$key/new" >"$work/$key.diff" 2>&1; then
    echo "ok $pre"
  else
    echo "DIFFERS $pre: $(tr '\n' ' ' <"$work/$key.diff" | head -c 300)"
  fi
  rm -rf "${work:?}/$key"
}
export -f run_all compare_one
export old new work

find "$@" -name '*.pre.o' | sort | xargs -P "$jobs" -I{} bash -c 'compare_one "$1"' _ {} >"$work/log"
grep -v '^ok ' "$work/log"
passed=$(grep -c '^ok ' "$work/log")
failed=$(grep -vc '^ok ' "$work/log")
echo "$passed passed, $failed failed"
((failed == 0))
