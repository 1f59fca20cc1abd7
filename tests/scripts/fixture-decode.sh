#!/bin/bash
# fixture-decode.sh: instructions Zydis 4.0 rejects but kernel code contains
# (tests/fixtures/dec_*.S: the encodings of arch/x86/decode/unknown_insns.c,
# 32-bit-only opcodes, the Xen/KVM emulate prefixes) and bytes that are no
# instruction.  Each fixture names, in its header comment:
#   * args: FLAGS                  extra flags for both tools
#   * expect[-6.1|-6.12]: TEXT     an expected warning, "LOC: message" (as fixture-warnings.sh)
#   * error: SEC+0xOFF: can't decode instruction
#                                  both tools must stop there instead
# For each fixture and each kernel (6.1, 6.12), on copies of the assembled object:
#   - `altorc objtool --orc FLAGS` (6.12: --kernel=6.12 --orc-format=v2) must print exactly the
#     expected warnings, "FILE: warning: objtool: TEXT", and exit as the reference does;
#   - the reference objtool of that kernel (found by pattern; skipped when absent) must print
#     the same lines, so the expectations are the reference's;
#   - `altorc orc diff` must find the two ORC tables equal (and ../shared/corpus/orc-compare,
#     when present, must agree);
#   - with `error:`, altorc must exit 2 with "altorc: FILE: SEC+0xOFF: can't decode instruction"
#     and the reference must warn "can't decode instruction at SEC:0xOFF".
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
ORC_COMPARE=${ORC_COMPARE-$top/../shared/corpus/orc-compare}
fixtures=$top/tests/fixtures

if [[ ! -x $ALTORC ]]; then
  echo "fixture-decode: no altorc binary at $ALTORC"
  echo "0 passed, 1 failed"; exit 1
fi
[[ -n $ORC_COMPARE && -x $ORC_COMPARE ]] && /usr/bin/python3 -c 'import elftools' 2>/dev/null ||
  ORC_COMPARE=

# The reference objtool of a kernel series, as the corpus builder finds it (none: empty).
ref_for() { "$top/tests/scripts/corpus-build.sh" --objtool "$1" 2>/dev/null; }

work=$(mktemp -d /tmp/fixture-decode.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# check_error NAME KERNEL ERROR: both tools stop at the bytes ERROR names.
check_error() {
  local name=$1 kernel=$2 error=$3 ref=$4 rc
  local where=${error%%: *} msg=${error#*: }
  (cd "$work" && "$ALTORC" objtool --orc "${kflags[@]}" "${flags[@]}" cand.o) > "$work/out" 2>&1
  rc=$?
  if ((rc != 2)) || [[ $(cat "$work/out") != "altorc: cand.o: $error" ]]; then
    fail "$name ($kernel): altorc exited $rc, want 2 and 'altorc: cand.o: $error'"
    sed 's/^/    /' "$work/out"
  else
    ok "$name ($kernel): altorc stops at $where"
  fi
  [[ -n $ref ]] || return
  (cd "$work" && "$ref" --orc "${flags[@]}" ref.o) > "$work/refout" 2>&1
  if grep -qxF "ref.o: warning: objtool: $msg at ${where%+*}:${where#*+}" "$work/refout"; then
    ok "$name ($kernel): the reference stops there too"
  else
    fail "$name ($kernel): the reference does not stop at $where"; sed 's/^/    /' "$work/refout"
  fi
}

# check_run NAME KERNEL REF: warnings, exit status and ORC against the reference.
check_run() {
  local name=$1 kernel=$2 ref=$3 rc rrc
  sed -n -e 's/^ \* expect: //p' -e "s/^ \\* expect-$kernel: //p" "$src" > "$work/expect"
  (cd "$work" && "$ALTORC" objtool --orc "${kflags[@]}" "${flags[@]}" cand.o) > "$work/out" 2>&1
  rc=$?
  sed 's|^|cand.o: warning: objtool: |' "$work/expect" > "$work/want"
  if ((rc == 2)) || ! diff "$work/want" "$work/out" > "$work/diff"; then
    fail "$name ($kernel): altorc exited $rc, output differs (< expected, > altorc)"
    sed 's/^/    /' "$work/diff"; return
  fi
  ok "$name ($kernel): altorc warnings"
  [[ -n $ref ]] || return
  (cd "$work" && "$ref" --orc "${flags[@]}" ref.o) > "$work/refout" 2>&1
  rrc=$?
  grep -F ': warning: objtool: ' "$work/refout" > "$work/refwarn"
  sed 's|^|ref.o: warning: objtool: |' "$work/expect" > "$work/want"
  if ! diff "$work/want" "$work/refwarn" > "$work/diff"; then
    fail "$name ($kernel): the reference disagrees (< expected, > reference)"
    sed 's/^/    /' "$work/diff"; return
  fi
  if ((rc != rrc)); then
    fail "$name ($kernel): altorc exited $rc, the reference $rrc"; return
  fi
  ok "$name ($kernel): reference warnings, exit $rrc"
  if ! "$ALTORC" orc diff "$work/ref.o" "$work/cand.o" > "$work/diff" 2>&1; then
    fail "$name ($kernel): ORC differs from the reference's"; sed 's/^/    /' "$work/diff"; return
  fi
  if [[ -n $ORC_COMPARE ]] && ! "$ORC_COMPARE" "$work/ref.o" "$work/cand.o" > "$work/cmp" 2>&1; then
    fail "$name ($kernel): orc-compare disagrees with orc diff"; sed 's/^/    /' "$work/cmp"; return
  fi
  ok "$name ($kernel): ORC equal ($(tail -n 1 "$work/diff"))"
}

for src in "$fixtures"/dec_*.S; do
  name=$(basename "$src" .S)
  if ! $CC -c -o "$work/$name.o" "$src" 2> "$work/as"; then
    fail "$name: does not assemble"; sed 's/^/    /' "$work/as"; continue
  fi
  read -r -a flags <<< "$(sed -n 's/^ \* args: //p' "$src")"
  error=$(sed -n 's/^ \* error: //p' "$src")
  for kernel in 6.1 6.12; do
    kflags=(--kernel=6.1); [[ $kernel == 6.12 ]] && kflags=(--kernel=6.12 --orc-format=v2)
    ref=$(ref_for "$kernel")
    cp "$work/$name.o" "$work/cand.o"
    cp "$work/$name.o" "$work/ref.o"
    if [[ -n $error ]]; then
      check_error "$name" "$kernel" "$error" "$ref"
    else
      check_run "$name" "$kernel" "$ref"
    fi
  done
done

echo "$passed passed, $failed failed"
((failed == 0))
