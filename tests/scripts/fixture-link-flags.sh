#!/bin/bash
# fixture-link-flags.sh: the flags the reference objtool takes only with --link, checked the
# way it checks them once the object is open (6.1 and 6.12 alike):
#   - an object linked from several files (more than one STT_FILE symbol, here
#     tests/fixtures/link_one.S + link_two.S through ld -r) gets --link forced: the message
#     "error: objtool: Linked object detected, forcing --link", then a normal run, exit 0;
#   - otherwise --noinstr, --ibt and --unret each need --link: the first one missing it gives
#     "error: objtool: FLAG requires --link", exit 1, and the object stays as it was;
#   - with --link the same flags are accepted.
# Each case runs `altorc objtool` (6.12: --kernel=6.12 --orc-format=v2) and, when installed
# (found by pattern), the reference objtool of each kernel: the same stderr, the same exit
# status, the object unchanged where refused, equal ORC (`altorc orc diff`) and the same
# section names where written.  Without a reference only altorc's side is checked against
# the texts above.  Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fixtures=$top/tests/fixtures

if [[ ! -x $ALTORC ]]; then
  echo "fixture-link-flags: no altorc binary at $ALTORC"
  echo "0 passed, 1 failed"; exit 1
fi

# The reference objtool of a kernel series, as the corpus builder finds it (none: empty).
ref_for() { "$top/tests/scripts/corpus-build.sh" --objtool "$1" 2>/dev/null; }

work=$(mktemp -d /tmp/fixture-link-flags.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

if ! $CC -c -o "$work/one.o" "$fixtures/link_one.S" || ! $CC -c -o "$work/two.o" "$fixtures/link_two.S" ||
   ! ld -r -o "$work/linked.o" "$work/one.o" "$work/two.o"; then
  echo "0 passed, 1 failed"; exit 1
fi

sections() { readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\).*/\1/p'; }

# run_case KERNEL OBJ WANT_RC WANT_STDERR FLAGS...
run_case() {
  local kernel=$1 obj=$2 want_rc=$3 want_err=$4; shift 4
  local what="$kernel $(basename "$obj" .o) $*" ref rc rrc kflags=(--kernel=6.1)
  [[ $kernel == 6.12 ]] && kflags=(--kernel=6.12 --orc-format=v2)
  cp "$obj" "$work/cand.o"
  "$ALTORC" objtool "${kflags[@]}" "$@" "$work/cand.o" > "$work/out" 2> "$work/err"
  rc=$?
  if ((rc != want_rc)) || [[ $(cat "$work/err") != "$want_err" ]] || [[ -s $work/out ]]; then
    fail "$what: altorc exited $rc, want $want_rc and stderr '$want_err'"; sed 's/^/    /' "$work/err"
    return
  fi
  if ((want_rc)) && ! cmp -s "$obj" "$work/cand.o"; then
    fail "$what: altorc changed the object it refused"; return
  fi
  ok "$what: altorc exit $rc${want_err:+, '$want_err'}"
  ref=$(ref_for "$kernel")
  [[ -n $ref ]] || return
  cp "$obj" "$work/ref.o"
  "$ref" "$@" "$work/ref.o" > "$work/rout" 2> "$work/rerr"
  rrc=$?
  if ((rrc != rc)) || ! diff "$work/err" "$work/rerr" > "$work/diff"; then
    fail "$what: the reference exited $rrc (< altorc, > reference)"; sed 's/^/    /' "$work/diff"; return
  fi
  if ((want_rc)); then
    cmp -s "$obj" "$work/ref.o" && ok "$what: the reference refuses alike" ||
      fail "$what: the reference changed the object"
    return
  fi
  if ! "$ALTORC" orc diff "$work/ref.o" "$work/cand.o" > "$work/diff" 2>&1; then
    fail "$what: ORC differs"; sed 's/^/    /' "$work/diff"; return
  fi
  if ! diff <(sections "$work/ref.o") <(sections "$work/cand.o") > "$work/diff"; then
    fail "$what: other sections (< reference, > altorc)"; sed 's/^/    /' "$work/diff"; return
  fi
  ok "$what: the reference agrees (exit $rrc, ORC and section names equal)"
}

for kernel in 6.1 6.12; do
  run_case "$kernel" "$work/one.o" 1 "error: objtool: --ibt requires --link" --orc --ibt
  run_case "$kernel" "$work/one.o" 1 "error: objtool: --noinstr requires --link" --orc --unret --ibt --noinstr
  run_case "$kernel" "$work/one.o" 1 "error: objtool: --unret requires --link" --orc --sls --unret
  run_case "$kernel" "$work/one.o" 0 "" --orc --ibt --sls --link
  run_case "$kernel" "$work/one.o" 0 "" --orc --sls
  run_case "$kernel" "$work/linked.o" 0 "error: objtool: Linked object detected, forcing --link" \
    --orc --ibt --sls
done

echo "$passed passed, $failed failed"
((failed == 0))
