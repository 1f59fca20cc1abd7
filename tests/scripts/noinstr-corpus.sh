#!/bin/bash
# noinstr-corpus.sh [--all] [--alone] DIR...: --noinstr and --unret on real kernel objects, against the
# reference objtool.  DIR is a corpus folder (../corpus-cache/6.1, .../6.12/drivers_md, a
# whole-kernel capture ../corpus-cache/kernel/6.1-debug-entry ...); its kernel series (6.1
# or 6.12) is read from the folder's name.  For every NAME.pre.o with NAME.args below DIR
# (without --all: only objects with noinstr text, .noinstr.text/.entry.text/.cpuidle.text),
# both tools run on a copy with the captured arguments plus --noinstr --unret --link (those
# already there are not repeated; kbuild gives them only to vmlinux.o, the other objects are
# a wider test of the same code; with --alone the captured arguments are left out, as for a
# vmlinux.o whose objtool is not delayed: Debian's 6.1).  Their warnings and exit statuses must be equal, and with
# --orc their ORC (`altorc orc diff`).  Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
all=0 alone=0
while [[ ${1:-} == --* ]]; do
  case $1 in
    --all) all=1 ;;
    --alone) alone=1 ;;
    *) break ;;
  esac
  shift
done
(($#)) || { echo "usage: $0 [--all] [--alone] DIR..."; exit 2; }

work=$(mktemp -d /tmp/noinstr-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0

series_of() {
  case $1 in
    */6.12*|6.12*) echo 6.12 ;;
    */6.1*|6.1*) echo 6.1 ;;
  esac
}

one() {
  local pre=$1 kernel=$2 ref=$3 name args=() a rc rrc
  name=${pre%.pre.o}
  args=()
  ((alone)) || mapfile -t args < "$name.args"
  for a in --noinstr --unret --link; do
    [[ " ${args[*]} " == *" $a "* ]] || args+=("$a")
  done
  cp "$pre" "$work/cand/x.o"; cp "$pre" "$work/ref/x.o"
  (cd "$work/cand" && "$ALTORC" objtool --kernel="$kernel" "${args[@]}" x.o) > /dev/null 2> "$work/cerr"
  rc=$?
  (cd "$work/ref" && "$ref" "${args[@]}" x.o) > /dev/null 2> "$work/rerr"
  rrc=$?
  if ((rc != rrc)) || ! diff "$work/rerr" "$work/cerr" > "$work/diff"; then
    echo "FAIL $name: exit $rc, reference $rrc (< reference, > altorc)"; sed 's/^/    /' "$work/diff" | head -20
    failed=$((failed + 1)); return
  fi
  if [[ " ${args[*]} " == *" --orc "* ]] && ((rc == 0)) &&
     ! "$ALTORC" orc diff "$work/ref/x.o" "$work/cand/x.o" > "$work/diff" 2>&1; then
    echo "FAIL $name: ORC differs"; sed 's/^/    /' "$work/diff" | head -5
    failed=$((failed + 1)); return
  fi
  echo "ok   $name ($(wc -l < "$work/rerr") lines, exit $rc)"
  passed=$((passed + 1))
}

mkdir -p "$work/cand" "$work/ref"
for dir in "$@"; do
  kernel=$(series_of "$(cd "$dir" && pwd)")
  ref=$("$top/tests/scripts/corpus-build.sh" --objtool "$kernel" 2>/dev/null)
  if [[ -z $kernel || -z $ref ]]; then
    echo "FAIL $dir: no kernel series in its name, or no reference objtool for it"
    failed=$((failed + 1)); continue
  fi
  while IFS= read -r pre; do
    [[ -e ${pre%.pre.o}.args ]] || continue
    # (no grep -q: its early exit would fail readelf with SIGPIPE, and pipefail the test)
    if ((!all)) && ! readelf -SW "$pre" 2>/dev/null | grep -E ' \.(noinstr|entry|cpuidle)\.text ' > /dev/null; then
      continue
    fi
    one "$pre" "$kernel" "$ref"
  done < <(find "$dir" -name '*.pre.o' | sort)
done

echo "$passed passed, $failed failed"
((failed == 0))
