#!/bin/bash
# noinstr-corpus.sh [--all] [--alone] [--linked] DIR...: --noinstr and --unret on real
# kernel objects, against the reference objtool.  DIR is a corpus folder (../corpus-cache/6.1,
# .../6.12/drivers_md, a whole-kernel capture ../corpus-cache/kernel/6.1-debug-entry ...); its
# kernel series (6.1 or 6.12) is read from the folder's name.  For every NAME.pre.o with
# NAME.args below DIR (without --all: only objects with noinstr text, .noinstr.text,
# .entry.text or .cpuidle.text), both tools run on a copy with the captured arguments plus
# --noinstr --unret --link (those already there are not repeated; kbuild gives them only to
# vmlinux.o, the other objects are a wider test of the same code).
#   --alone   leave the captured arguments out, as for a vmlinux.o whose objtool is not
#             delayed (Debian's 6.1)
#   --linked  also link each DIR's objects into one with ld -r (init_module, cleanup_module
#             and __this_module made local first, so that several modules link; they must
#             link) and check it with the first object's arguments: calls between the
#             objects then resolve, as in vmlinux.o
# Their warnings and exit statuses must be equal, and with --orc their ORC (`altorc orc
# diff`).  Where the reference crashes (6.1's and 6.12's do on a single object that uses
# pv_ops without defining it: Xen's enlighten_pv.o), the object is skipped; so is one that
# calls through an undefined pv_ops where the two disagree (the reference then reads past its
# table without crashing: 6.1's process_64.o and context_tracking.o).
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
all=0 alone=0 linked=0
while [[ ${1:-} == --* ]]; do
  case $1 in
    --all) all=1 ;;
    --alone) alone=1 ;;
    --linked) linked=1 ;;
    *) break ;;
  esac
  shift
done
(($#)) || { echo "usage: $0 [--all] [--alone] [--linked] DIR..."; exit 2; }

work=$(mktemp -d /tmp/noinstr-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0 skipped=0

series_of() {
  case $1 in
    */6.12*|6.12*) echo 6.12 ;;
    */6.1*|6.1*) echo 6.1 ;;
  esac
}

# An object that calls through pv_ops without defining it: the reference sizes its table of
# pv_ops targets by the symbol's size, 0 here, and still looks up every pv_ops[N] call in
# noinstr code: it crashes or reads heap garbage, and is only compared where it agrees.
pv_ops_undefined() {
  readelf -sW "$1" 2>/dev/null | awk '$8 == "pv_ops" && $7 == "UND" { f = 1 } END { exit !f }'
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
  if ((rrc > 128 && rrc < 160)); then   # a signal, not the 255 of a failed run
    echo "skip $name: the reference crashed (signal $((rrc - 128))); altorc exited $rc"
    skipped=$((skipped + 1)); return
  fi
  if ((rc != rrc)) || ! diff "$work/rerr" "$work/cerr" > "$work/diff"; then
    if pv_ops_undefined "$pre"; then
      echo "skip $name: pv_ops is undefined here, so the reference reads past its empty pv_ops table (valgrind: invalid read); altorc exited $rc"
      skipped=$((skipped + 1)); return
    fi
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

# link_dir DIR: DIR's objects as one (the first one's arguments beside it); prints its stem.
link_dir() {
  local dir=$1 pre i=0 stem=$work/linked/$(basename "$dir") first=""
  mkdir -p "$work/linked/parts"
  rm -f "$work/linked/parts/"*.o
  while IFS= read -r pre; do
    [[ -e ${pre%.pre.o}.args ]] || continue
    [[ -n $first ]] || first=${pre%.pre.o}
    i=$((i + 1))
    objcopy --localize-symbol=init_module --localize-symbol=cleanup_module \
      --localize-symbol=__this_module "$pre" "$work/linked/parts/$i.o" || return 1
  done < <(find "$dir" -name '*.pre.o' | sort)
  [[ -n $first ]] && ld -r -o "$stem.pre.o" "$work/linked/parts/"*.o 2> /dev/null || return 1
  cp "$first.args" "$stem.args"
  echo "$stem"
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
  if ((linked)); then
    if ! stem=$(link_dir "$dir"); then
      echo "FAIL $dir: its objects do not link"; failed=$((failed + 1)); continue
    fi
    one "$stem.pre.o" "$kernel" "$ref"
  fi
done

if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
