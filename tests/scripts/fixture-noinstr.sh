#!/bin/bash
# fixture-noinstr.sh: the --noinstr and --unret validations kbuild runs on vmlinux.o with
# CONFIG_DEBUG_ENTRY (CONFIG_NOINSTR_VALIDATION), one hand-written assembly fixture per kind of
# warning and per silent case (tests/fixtures/noinstr_*.S, unret_*.S).  Each names, in its
# header comment:
#   * args: FLAGS        the objtool flags of one run (several lines: several runs, each with
#                        the same expectations); kbuild's vmlinux.o runs have --link
#   * expect: TEXT       one line per expected warning, "LOC: message" as objtool prints it
#   * expect-6.1: TEXT / expect-6.12: TEXT   the same, for one kernel only
#   * status-6.1: N / status-6.12: N         the exit status when it is not 0
# A fixture without 'expect' lines must be clean.  Each fixture is assembled once per kernel,
# with -DKERNEL_612 for 6.12 (the unwind hint numbers and annotations differ).
#
# For each fixture, run and kernel: `altorc objtool --kernel=K FLAGS x.o` must print exactly
# "x.o: warning: objtool: TEXT" for the expected lines, in order, and exit with the expected
# status; then, when the reference objtool of that kernel is installed (found as the corpus
# builder finds it), it runs with the same flags on a copy and must print the same lines and
# exit alike, so the expectations themselves are the reference's; with --orc and exit 0 the
# two objects must have equal ORC (`altorc orc diff`) and the same section names.
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fixtures=$top/tests/fixtures

if [[ ! -x $ALTORC ]]; then
  echo "fixture-noinstr: no altorc binary at $ALTORC"
  echo "0 passed, 1 failed"; exit 1
fi

# The reference objtool of a kernel series, as the corpus builder finds it (none: empty).
ref_for() { "$top/tests/scripts/corpus-build.sh" --objtool "$1" 2>/dev/null; }

work=$(mktemp -d /tmp/fixture-noinstr.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86
passed=0 failed=0

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

sections() { readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\).*/\1/p'; }

# check_ref NAME KERNEL OBJ WANT_RC FLAGS...: the reference on a copy, against altorc's run
# (its stderr in $work/err, its object in $work/x.o).
check_ref() {
  local what=$1 kernel=$2 obj=$3 want_rc=$4; shift 4
  local ref rrc
  ref=$(ref_for "$kernel")
  [[ -n $ref ]] || return
  cp "$obj" "$work/ref/x.o"
  (cd "$work/ref" && "$ref" "$@" x.o) > "$work/rout" 2> "$work/rerr"
  rrc=$?
  if ((rrc != want_rc)) || ! diff "$work/want" "$work/rerr" > "$work/diff"; then
    fail "$what: the reference exited $rrc, want $want_rc (< expected, > reference)"
    sed 's/^/    /' "$work/diff"; return
  fi
  if [[ " $* " == *" --orc "* ]] && ((rrc == 0)); then
    if ! "$ALTORC" orc diff "$work/ref/x.o" "$work/cand/x.o" > "$work/diff" 2>&1; then
      fail "$what: ORC differs"; sed 's/^/    /' "$work/diff"; return
    fi
    if ! diff <(sections "$work/ref/x.o") <(sections "$work/cand/x.o") > "$work/diff"; then
      fail "$what: other sections (< reference, > altorc)"; sed 's/^/    /' "$work/diff"; return
    fi
  fi
  ok "$what: the reference agrees (exit $rrc)"
}

mkdir -p "$work/cand" "$work/ref"
for src in "$fixtures"/noinstr_*.S "$fixtures"/unret_*.S; do
  [[ -e $src ]] || continue
  name=$(basename "$src" .S)
  mapfile -t runs < <(sed -n 's/^ \* args: //p' "$src")
  ((${#runs[@]})) || { fail "$name: no 'args:' line"; continue; }

  for kernel in 6.1 6.12; do
    obj=$work/$name-$kernel.o
    defs=(); [[ $kernel == 6.12 ]] && defs=(-DKERNEL_612)
    if ! $CC -c "${defs[@]}" -o "$obj" "$src" 2> "$work/$name.as"; then
      fail "$name ($kernel): does not assemble"; sed 's/^/    /' "$work/$name.as"; continue
    fi
    sed -n -e 's/^ \* expect: //p' -e "s/^ \\* expect-$kernel: //p" "$src" |
      sed 's/^/x.o: warning: objtool: /' > "$work/want"
    want_rc=$(sed -n "s/^ \\* status-$kernel: //p" "$src"); want_rc=${want_rc:-0}
    for args in "${runs[@]}"; do
      read -r -a flags <<< "$args"
      what="$name ($kernel) ${flags[*]}"
      cp "$obj" "$work/cand/x.o"
      (cd "$work/cand" && "$ALTORC" objtool --kernel="$kernel" "${flags[@]}" x.o) \
        > "$work/out" 2> "$work/err"
      rc=$?
      if ((rc != want_rc)) || ! diff "$work/want" "$work/err" > "$work/diff"; then
        fail "$what: altorc exited $rc, want $want_rc (< expected, > altorc)"
        sed 's/^/    /' "$work/diff"; continue
      fi
      ok "$what: altorc"
      check_ref "$what" "$kernel" "$obj" "$want_rc" "${flags[@]}"
    done
  done
done

echo "$passed passed, $failed failed"
((failed == 0))
