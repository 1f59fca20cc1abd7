#!/bin/bash
# fixture-warnings.sh: one hand-written assembly fixture per warning kind
# (tests/fixtures/warn_*.S).  Each fixture names, in its header comment:
#   * args: FLAGS        extra flags for both tools (e.g. --uaccess, --stackval)
#   * expect: TEXT       one line per expected warning, "LOC: message" as objtool prints it
#   * expect-6.1: TEXT / expect-6.12: TEXT   the same, for one kernel only (texts that differ)
# A fixture without 'expect' lines must be clean.  Each fixture is assembled once per kernel,
# with -DKERNEL_612 for 6.12 (for what differs in the kernels' annotation formats, such as the
# unwind hint type numbers).
#
# For each fixture and each kernel's rules (6.1, 6.12):
#   - `altorc check [--kernel=6.12] FLAGS x.o` must print exactly
#     "x.o: warning: altorc: TEXT" for the expected lines, in order, and exit 1 (0 when clean);
#   - when the reference objtool of that kernel is installed (found by pattern), it is run with
#     `--orc FLAGS` on a copy and must print the same lines with "objtool" as the tool name, so
#     the expectations themselves are checked against the reference.  Without it, only our
#     text is checked.
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fixtures=$top/tests/fixtures

if [[ ! -x $ALTORC ]]; then
  echo "fixture-warnings: no altorc binary at $ALTORC"
  echo "0 passed, 1 failed"; exit 1
fi

# The reference objtool of a kernel series, as the corpus builder finds it (none: empty).
ref_for() { "$top/tests/scripts/corpus-build.sh" --objtool "$1" 2>/dev/null; }

work=$(mktemp -d /tmp/fixture-warnings.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

for src in "$fixtures"/warn_*.S; do
  name=$(basename "$src" .S)
  read -r -a flags <<< "$(sed -n 's/^ \* args: //p' "$src")"

  for kernel in 6.1 6.12; do
    obj=$work/$name-$kernel.o
    defs=(); [[ $kernel == 6.12 ]] && defs=(-DKERNEL_612)
    if ! $CC -c "${defs[@]}" -o "$obj" "$src" 2> "$work/$name.as"; then
      fail "$name ($kernel): does not assemble"; sed 's/^/    /' "$work/$name.as"; continue
    fi
    # Common lines and this kernel's own ("expect-6.1:"), in file order.
    sed -n -e 's/^ \* expect: //p' -e "s/^ \\* expect-$kernel: //p" "$src" > "$work/$name.expect"
    want_rc=1; [[ -s $work/$name.expect ]] || want_rc=0
    kflag=(); [[ $kernel == 6.12 ]] && kflag=(--kernel=6.12)
    cand=$work/$name-$kernel-cand.o
    cp "$obj" "$cand"
    (cd "$work" && "$ALTORC" check "${kflag[@]}" "${flags[@]}" "$(basename "$cand")") \
      > "$work/out" 2>&1
    rc=$?
    sed "s|^|$(basename "$cand"): warning: altorc: |" "$work/$name.expect" > "$work/want"
    if ((rc != want_rc)); then
      fail "$name ($kernel): altorc check exited $rc, want $want_rc"; sed 's/^/    /' "$work/out"
    elif ! diff "$work/want" "$work/out" > "$work/diff"; then
      fail "$name ($kernel): altorc text differs (< expected, > altorc)"; sed 's/^/    /' "$work/diff"
    else
      ok "$name ($kernel): altorc${flags[*]:+ ${flags[*]}}"
    fi

    ref=$(ref_for "$kernel")
    [[ -n $ref ]] || continue
    refo=$work/$name-$kernel-ref.o
    cp "$obj" "$refo"
    (cd "$work" && "$ref" --orc "${flags[@]}" "$(basename "$refo")") > "$work/refout" 2>&1
    grep -F ': warning: objtool: ' "$work/refout" > "$work/refwarn"
    sed "s|^|$(basename "$refo"): warning: objtool: |" "$work/$name.expect" > "$work/want"
    if ! diff "$work/want" "$work/refwarn" > "$work/diff"; then
      fail "$name ($kernel): the reference objtool disagrees (< expected, > reference)"
      sed 's/^/    /' "$work/diff"
    else
      ok "$name ($kernel): reference $(basename "$(dirname "$(dirname "$(dirname "$ref")")")")"
    fi
  done
done

echo "$passed passed, $failed failed"
((failed == 0))
