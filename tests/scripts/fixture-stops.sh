#!/bin/bash
# fixture-stops.sh: where the reference objtool gives up on an object (a fatal warning while it
# reads the code: a jump or call to no instruction), kbuild must see what it sees from the
# reference: that one warning, exit status 0, and the object left byte for byte as it was.
#
# Each tests/fixtures/stop_*.S names its warning in its header ("expect: LOC: message").
# For each fixture and kernel (6.1, 6.12), on a copy of the assembled object:
#   - `altorc objtool --orc` (KERNELRELEASE set as kbuild does) prints exactly
#     "OBJ: warning: objtool: LOC: message", exits 0 and leaves the copy unchanged;
#   - the reference objtool of that kernel, when installed, does the same, which checks the
#     expectation itself against the reference.
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
work=$(mktemp -d /tmp/fixture-stops.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SRCARCH=x86   # the 6.12 reference wants it, as kbuild exports it
passed=0 failed=0
ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# run LABEL OBJ COMMAND...: the command on a copy of OBJ must warn as expected, exit 0, write nothing.
run() {
  local label=$1 obj=$2; shift 2
  local copy=$work/obj.o rc
  cp "$obj" "$copy"
  (cd "$work" && "$@" obj.o) > "$work/out" 2>&1
  rc=$?
  sed 's|^|obj.o: warning: objtool: |' "$work/expect" > "$work/want"
  if ((rc != 0)); then
    fail "$label: exit $rc, want 0"; sed 's/^/    /' "$work/out"
  elif ! diff "$work/want" "$work/out" > "$work/diff"; then
    fail "$label: messages differ (< expected, > printed)"; sed 's/^/    /' "$work/diff"
  elif ! cmp -s "$obj" "$copy"; then
    fail "$label: the object was changed"
  else
    ok "$label"
  fi
}

for src in "$top"/tests/fixtures/stop_*.S; do
  name=$(basename "$src" .S)
  obj=$work/$name.o
  if ! $CC -c -o "$obj" "$src" 2> "$work/as"; then
    fail "$name: does not assemble"; sed 's/^/    /' "$work/as"; continue
  fi
  sed -n 's/^ \* expect: //p' "$src" > "$work/expect"
  [[ -s $work/expect ]] || { fail "$name: no 'expect:' line"; continue; }
  for kernel in 6.1 6.12; do
    run "$name ($kernel): altorc objtool" "$obj" env KERNELRELEASE="$kernel" "$ALTORC" objtool --orc
    ref=$("$top/tests/scripts/corpus-build.sh" --objtool "$kernel" 2>/dev/null) || ref=''
    if [[ -n $ref ]]; then
      run "$name ($kernel): reference objtool" "$obj" "$ref" --orc
    else
      echo "skip $name ($kernel): reference objtool not installed"
    fi
  done
done
echo "$passed passed, $failed failed"
((failed == 0))
