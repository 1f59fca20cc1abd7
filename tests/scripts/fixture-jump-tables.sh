#!/bin/bash
# fixture-jump-tables.sh: switch jump tables as both reference objtools follow them.
# Fixtures: tests/fixtures/jt_*.s (gcc-12 and clang-19 output for jt_*.c, kbuild's flags; see
# tests/scripts/fixtures-regen.sh) and jt_alt.S (a table jump that is an alternative site, assembled
# as is for the 6.1 layout and with -DALT_V2 for 6.12's).  For each fixture and kernel listed in
# tests/fixtures/jt_expect.txt (expectations taken from the reference objtools' outputs):
#   - `altorc objtool --orc --kernel=6.1|6.12 X.o` exits 0, prints exactly the expected warning
#     lines, and writes the expected ORC entries at the case targets and the expected number of
#     entries (none when the reference gives up on a table and leaves the object as it was);
#   - when that kernel's reference objtool is installed it is run too: its warnings must be the
#     expected ones and its ORC (`altorc orc dump`) identical to altorc's, line for line.
# Then `altorc cfg` (an edge per case), `altorc explain` (the table named for an address in a
# case block), `altorc objtool --stats` (the counts) and `altorc check` (the reference's warning
# for a table it cannot follow).
# Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fx=$top/tests/fixtures
expect=$fx/jt_expect.txt
ref61=$("$top/tests/scripts/corpus-build.sh" --objtool 6.1 2>/dev/null)
ref612=$("$top/tests/scripts/corpus-build.sh" --objtool 6.12 2>/dev/null)
export SRCARCH=x86
work=$(mktemp -d /tmp/fixture-jump-tables.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has()  { grep -qF -- "$2" "$1"; }

[[ -x $ALTORC ]] || { echo "fixture-jump-tables: no altorc binary at $ALTORC"; echo "0 passed, 1 failed"; exit 1; }
[[ -n $ref61 ]] || echo "fixture-jump-tables: reference objtool 6.1 not installed: fixed expectations only"
[[ -n $ref612 ]] || echo "fixture-jump-tables: reference objtool 6.12 not installed: fixed expectations only"

build() {  # build NAME: $work/NAME.o
  case $1 in
    jt_alt_v1) $CC -c -o "$work/$1.o" "$fx/jt_alt.S" ;;
    jt_alt_v2) $CC -DALT_V2 -c -o "$work/$1.o" "$fx/jt_alt.S" ;;
    *) $CC -c -o "$work/$1.o" "$fx/$1.s" ;;
  esac
}

warnings() { grep -F 'warning: objtool: ' "$1" | sed 's/^.*warning: objtool: //'; }
wanted()   { sed -n "s/^$1 $2 $3: //p" "$expect"; }

# one NAME KERNEL: altorc against the fixed expectations, then the reference against both.
one() {
  local name=$1 k=$2 o=$work/$1-$2 kopt=(--kernel=6.1) ref=$ref61 rc
  [[ $k == 6.12 ]] && { kopt=(--kernel=6.12); ref=$ref612; }
  cp "$work/$name.o" "$o.cand.o"
  (cd "$work" && "$ALTORC" objtool --orc "${kopt[@]}" "$(basename "$o.cand.o")") > "$o.cand.warn" 2>&1
  rc=$?
  "$ALTORC" orc dump "$o.cand.o" > "$o.cand.dump" 2>/dev/null || : > "$o.cand.dump"
  check "$name ($k): altorc exits 0" test "$rc" = 0
  check "$name ($k): altorc's warnings are the reference's" \
    diff <(wanted "$name" "$k" warn) <(warnings "$o.cand.warn")
  local missing=0 line
  while IFS= read -r line; do
    grep -qxF -- "$line" "$o.cand.dump" || { echo "    missing: $line"; missing=$((missing + 1)); }
  done < <(wanted "$name" "$k" orc)
  check "$name ($k): ORC at the case targets ($(wanted "$name" "$k" orc | wc -l) entries)" test "$missing" = 0
  check "$name ($k): $(wanted "$name" "$k" entries) ORC entries" \
    test "$(wc -l < "$o.cand.dump")" = "$(wanted "$name" "$k" entries)"
  [[ -n $ref ]] || return 0
  cp "$work/$name.o" "$o.ref.o"
  (cd "$work" && "$ref" --orc "$(basename "$o.ref.o")") > "$o.ref.warn" 2>&1
  "$ALTORC" orc dump "$o.ref.o" > "$o.ref.dump" 2>/dev/null || : > "$o.ref.dump"
  check "$name ($k): the reference's warnings are the expected ones" \
    diff <(wanted "$name" "$k" warn) <(warnings "$o.ref.warn")
  check "$name ($k): ORC identical to the reference's" cmp -s "$o.ref.dump" "$o.cand.dump"
}

for name in $(awk '!/^#/ {print $1}' "$expect" | uniq); do
  if ! build "$name" 2> "$work/as.err"; then
    bad "$name: does not assemble"; sed 's/^/    /' "$work/as.err"; continue
  fi
  for k in $(awk -v n="$name" '$1 == n && $3 == "entries:" {print $2}' "$expect"); do
    one "$name" "$k"
  done
done

# --- altorc cfg / explain / check (hand-checked against objdump and readelf) ---------------
g=$work/cfg.out
"$ALTORC" cfg "$work/jt_switch_gcc.o" jt_ten > "$g" 2>&1
check "cfg: jt_ten's jump has an edge to each of its 10 cases" \
  test "$(grep -c 'case: .rodata+0x0 entry' "$g")" = 10
check "cfg: entry 5 leads to the block at .text+0x4e" \
  test "$(awk '/^block / {b = $2; s = $3} /case: .rodata\+0x0 entry 5\)/ {print $3}' "$g")" = \
       "$(awk '$3 == ".text+0x4e" {print $2}' "$g")"
check "cfg: the table jump is no sibling call" \
  test "$(grep -A1 'jmp    \*0x0(,%rdi,8)' "$g" | grep -c 'sibling call')" = 0
"$ALTORC" cfg --dot "$work/jt_switch_gcc.o" jt_ten > "$g.dot" 2>&1
check "cfg --dot: case edges labelled" has "$g.dot" 'label="case 9"'

e=$work/explain.out
"$ALTORC" explain "$work/jt_switch_gcc.o" jt_ten+0x53 > "$e" 2>&1
check "explain: an address in a case names table and entry" \
  has "$e" "switch case     .rodata+0x0 entry 5 (the jump at jt_ten+0xb; case starts at jt_ten+0x4e)"
"$ALTORC" explain "$work/jt_cold_gcc.o" jt_cold.cold+0x1d > "$e" 2>&1
check "explain: a case of a table jump in a .cold part" \
  has "$e" "switch case     .rodata+0x0 entry 6 (the jump at jt_cold.cold+0x10; case starts at jt_cold.cold+0x18)"
"$ALTORC" explain --json "$work/jt_switch_gcc.o" jt_ten+0x53 > "$e" 2>&1
check "explain --json: switch_cases" test "$(/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["switch_cases"]; print(len(c), c[0]["table"], c[0]["entry"], c[0]["jump"], c[0]["case"])' "$e" 2>&1)" = \
  "1 .rodata 5 jt_ten+0xb jt_ten+0x4e"
"$ALTORC" explain "$work/jt_switch_gcc.o" jt_ten+0x3 > "$e" 2>&1
check "explain: no case before the jump" bash -c "! grep -q 'switch case' '$e'"

# jt_switch.c by hand: jt_ten (10 cases), jt_two (7 + 7), jt_cold (7); jt_goto's array is named
# data outside the C jump-table section, so no table
cp "$work/jt_switch_gcc.o" "$work/stats.o"
check "objtool --stats: tables and entries as counted in the source" \
  test "$("$ALTORC" objtool --orc --kernel=6.1 --stats "$work/stats.o" 2> /dev/null)" = \
  "$work/stats.o: jump tables: 4 found, 31 entries followed, 31 case targets validated"

c=$work/check.out
(cd "$work" && "$ALTORC" check --kernel=6.1 jt_pic_gcc.o) > "$c" 2>&1
rc=$?
check "check: a table it cannot follow is the reference's warning (exit 1)" test "$rc" = 1
check "check: ... its text" has "$c" "jt_pic_gcc.o: warning: altorc: jt_pic+0x15: can't find switch jump table"

echo "$passed passed, $failed failed"
((failed == 0))
