#!/bin/bash
# fixture-kcfi.sh: clang's kernel CFI (tests/fixtures/kcfi_clang.s, clang-19 -fsanitize=kcfi
# output for kcfi.c; see tests/scripts/fixtures-regen.sh).  Every address-taken function has a
# __cfi_<name> preamble symbol (NOPs and the type hash in a mov) right before it, which runs into
# the function: neither reference warns that it falls through, each validates it as a function
# of its own (ORC sp+8 at its start), and 6.12's --cfi lists the preambles in .cfi_sites in
# address order (not symbol-table order, where the static functions come first).
# `altorc objtool --orc --kernel=6.1` (6.12: --kernel=6.12 --cfi) must exit 0 silently and write the
# expected entries (taken from the reference objtools' outputs); when a reference is installed
# its ORC dump and .cfi_sites must be altorc's, line for line.
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fx=$top/tests/fixtures
ref61=$("$top/tests/scripts/corpus-build.sh" --objtool 6.1 2>/dev/null)
ref612=$("$top/tests/scripts/corpus-build.sh" --objtool 6.12 2>/dev/null)
export SRCARCH=x86
work=$(mktemp -d /tmp/fixture-kcfi.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

[[ -x $ALTORC ]] || { echo "fixture-kcfi: no altorc binary at $ALTORC"; echo "0 passed, 1 failed"; exit 1; }
if ! $CC -c -o "$work/k.o" "$fx/kcfi_clang.s" 2> "$work/as.err"; then
  sed 's/^/    /' "$work/as.err"; echo "0 passed, 1 failed"; exit 1
fi

# .cfi_sites entries as section+offset, in order
cfi_sites() {
  readelf -rW "$1" | awk '/^Relocation section/ {t = ($3 == "'"'"'.rela.cfi_sites'"'"'")} t && $3 == "R_X86_64_PC32" {print $5 "+" $7}'
}

preambles_v1=".text+0: sp:sp+8 bp:(und) type:call end:0
.text+40: sp:sp+8 bp:(und) type:call end:0
.text+70: sp:sp+8 bp:(und) type:call end:0
.text+a0: sp:sp+8 bp:(und) type:call end:0"
preambles_v2=".text+0:type:call sp:sp+8 bp:(und) signal:0
.text+40:type:call sp:sp+8 bp:(und) signal:0
.text+70:type:call sp:sp+8 bp:(und) signal:0
.text+a0:type:call sp:sp+8 bp:(und) signal:0"

for k in 6.1 6.12; do
  args=(--orc) kopt=(--kernel=6.1) ref=$ref61 want=$preambles_v1
  [[ $k == 6.12 ]] && { args=(--orc --cfi); kopt=(--kernel=6.12); ref=$ref612; want=$preambles_v2; }
  cp "$work/k.o" "$work/c$k.o"
  "$ALTORC" objtool "${kopt[@]}" "${args[@]}" "$work/c$k.o" > "$work/c$k.warn" 2>&1
  rc=$?
  "$ALTORC" orc dump "$work/c$k.o" > "$work/c$k.dump" 2>&1
  check "kcfi ($k): altorc exits 0" test "$rc" = 0
  check "kcfi ($k): no warning (a preamble falls into its function)" test ! -s "$work/c$k.warn"
  check "kcfi ($k): each preamble validated from its start (sp+8)" \
    test "$(grep -E '^\.text\+(0|40|70|a0):' "$work/c$k.dump")" = "$want"
  check "kcfi ($k): 19 ORC entries" test "$(wc -l < "$work/c$k.dump")" = 19
  if [[ $k == 6.12 ]]; then
    check "kcfi (6.12): .cfi_sites lists the preambles in address order" \
      test "$(cfi_sites "$work/c$k.o" | tr '\n' ' ')" = ".text+0 .text+40 .text+70 .text+a0 "
  fi
  [[ -n $ref ]] || continue
  cp "$work/k.o" "$work/r$k.o"
  "$ref" "${args[@]}" "$work/r$k.o" > "$work/r$k.warn" 2>&1
  "$ALTORC" orc dump "$work/r$k.o" > "$work/r$k.dump" 2>&1
  check "kcfi ($k): the reference is silent too" test ! -s "$work/r$k.warn"
  check "kcfi ($k): ORC identical to the reference's" cmp -s "$work/r$k.dump" "$work/c$k.dump"
  check "kcfi ($k): .cfi_sites as the reference's" \
    test "$(cfi_sites "$work/r$k.o")" = "$(cfi_sites "$work/c$k.o")"
done

echo "$passed passed, $failed failed"
((failed == 0))
