#!/bin/bash
# demo.sh: altorc on the bundled fixture tests/fixtures/demo_pushf.S, a 6.1-style object with a
# paravirt alternative (call *pv_ops+240(%rip), replaced by pushf; pop %rax) and a function
# with a frame pointer.  Each step prints a heading, the command and its output.  A command's
# failure is shown with its exit status but does not stop the demo; only a missing altorc or
# a fixture that does not assemble does.  ALTORC=/usr/bin/altorc runs an installed altorc
# (the Debian package's) on the fixture of this tree.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# The tree's build, else an installed altorc (the Debian package's /usr/bin/altorc).
if [[ -z ${ALTORC:-} ]]; then
  ALTORC=$top/altorc
  [[ -x $ALTORC ]] || ALTORC=$(command -v altorc || echo "$top/altorc")
fi
[[ -x $ALTORC ]] || { echo "demo: no altorc binary at $ALTORC (run make, or set ALTORC)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step=0
heading() {
  step=$((step + 1))
  printf '\n=== %d. %s\n' "$step" "$1"
}

# Show and run a command; report a non-zero exit without stopping.
show() {
  printf '$ %s\n' "$*"
  "$@" 2>&1
  local rc=$?
  ((rc == 0)) || printf '(exit status %d)\n' "$rc"
  return 0
}

heading "Which altorc"
show "$ALTORC" --version

heading "Assemble the fixture (tests/fixtures/demo_pushf.S)"
show gcc -c -o "$tmp/demo.o" "$top/tests/fixtures/demo_pushf.S"
[[ -f $tmp/demo.o ]] || { echo "demo: the fixture did not assemble" >&2; exit 1; }
show objdump -d --no-show-raw-insn "$tmp/demo.o"

heading "Alternative and paravirt sites"
show "$ALTORC" alternatives "$tmp/demo.o"

heading "Stack validation, on every branch of every alternative"
show "$ALTORC" check "$tmp/demo.o"

heading "Generate ORC as kbuild would run objtool (on a copy)"
cp "$tmp/demo.o" "$tmp/demo-altorc.o"
show "$ALTORC" objtool --orc "$tmp/demo-altorc.o"

heading "The ORC table altorc wrote"
show "$ALTORC" orc dump "$tmp/demo-altorc.o"

# The kernel's own objtool, when Debian's headers are installed, for comparison: at the
# pushf site it has entries at site+1 (sp+24) and site+2 (sp+16).
ref=$("$here/corpus-build.sh" --objtool 6.1 2>/dev/null)
if [[ -n $ref ]]; then
  heading "For comparison: the reference objtool of Linux 6.1"
  cp "$tmp/demo.o" "$tmp/demo-ref.o"
  show "$ref" --orc "$tmp/demo-ref.o"
  show "$ref" --dump=orc "$tmp/demo-ref.o"
  heading "altorc orc diff: reference against altorc"
  show "$ALTORC" orc diff "$tmp/demo-ref.o" "$tmp/demo-altorc.o"
fi
heading "Why: the stack on every branch at the pushf site, and the function's CFG"
show "$ALTORC" explain "$tmp/demo.o" demo_save_flags+0x5
show "$ALTORC" cfg "$tmp/demo.o" demo_save_flags
if command -v dot > /dev/null; then
  svg=${DEMO_SVG:-${TMPDIR:-/tmp}/altorc-demo-cfg.svg}
  "$ALTORC" cfg --dot "$tmp/demo.o" demo_save_flags | dot -Tsvg -o "$svg" &&
    echo "CFG drawn with graphviz: $svg"
fi
echo
echo "demo: done"
