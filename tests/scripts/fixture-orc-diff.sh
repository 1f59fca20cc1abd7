#!/bin/bash
# fixture-orc-diff.sh: `altorc orc diff` must find a difference planted on purpose, at the place
# it was planted, and nothing when there is none.
#
# The demo fixture gets its ORC from `altorc objtool --orc`; a copy then has the sp_offset of one
# chosen .orc_unwind entry changed by hand (the bytes are located with readelf, not with altorc).
# Expected, worked out from the ORC lookup rule (the entry with the greatest ip <= offset):
#   - the object against itself: exit 0, "0 of N points differ";
#   - against the patched copy: exit 1, exactly one point differs, at that entry's address;
#   - against the unprocessed object (no ORC at all): exit 1, every point differs.
# Last line: 'N passed, M failed'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-orcdiff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

gcc -c -I"$top/tests/fixtures" -o "$tmp/pre.o" "$top/tests/fixtures/demo_pushf.S" || { echo "0 passed, 1 failed"; exit 1; }
cp "$tmp/pre.o" "$tmp/a.o"
"$ALTORC" objtool --orc "$tmp/a.o" 2> "$tmp/objtool.err" || { cat "$tmp/objtool.err"; echo "0 passed, 1 failed"; exit 1; }
cp "$tmp/a.o" "$tmp/b.o"

# File offset and size of .orc_unwind, from readelf's section headers (hex fields).
read -r unwind size < <(readelf -SW "$tmp/b.o" | sed 's/^ *\[ *[0-9]*\] *//' |
  awk '$1 == ".orc_unwind" { print $4, $5 }')
[[ -n ${unwind:-} ]] || { echo "FAIL cannot locate .orc_unwind"; echo "0 passed, 1 failed"; exit 1; }
unwind=$((16#$unwind)) nr=$((16#$size / 6))
((nr >= 3)) || { echo "FAIL only $nr ORC entries"; echo "0 passed, 1 failed"; exit 1; }

# Plant: entry 1 (the second; entry 0 starts the first function) gets sp_offset + 64.
victim=1
python3 - "$tmp/b.o" "$unwind" "$victim" <<'EOF'
import struct, sys
path, base, idx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'r+b') as f:
    f.seek(base + 6 * idx)
    sp, = struct.unpack('<h', f.read(2))
    f.seek(base + 6 * idx)
    f.write(struct.pack('<h', sp + 64))
EOF

# The planted entry's address: its .orc_unwind_ip relocation (sym + addend; the writer uses
# section symbols, so the addend is the offset in the section).
want=$((victim * 4))
victim_off=$(readelf -rW "$tmp/b.o" | awk '
  /^Relocation section .*\.rela\.orc_unwind_ip/ { inside = 1; next }
  /^Relocation section/ { inside = 0 }
  inside && $1 ~ /^[0-9a-f]+$/ { print $1, $NF }' | while read -r at addend; do
    (( 16#$at == want )) && { echo "$addend"; break; }
  done)

out=$("$ALTORC" orc diff "$tmp/a.o" "$tmp/a.o" 2>&1); rc=$?
[[ $rc == 0 && $out == *"0 of "*" points differ"* ]] && ok "same object: equal" || bad "same object: exit $rc: $out"

out=$("$ALTORC" orc diff "$tmp/a.o" "$tmp/b.o" 2>&1); rc=$?
if [[ $rc == 1 && $out == *$'\n'"1 of "*" points differ"* ]]; then ok "planted entry: exactly one point differs"; else bad "planted entry: exit $rc: $out"; fi
# The difference line starts with the section location: ".text+0x1 (func+0x1): A ... / B ...".
if [[ -n $victim_off && $out == *".text+0x${victim_off} ("* ]]; then
  ok "planted entry: reported at its address (+$victim_off)"
else
  bad "planted entry: address +$victim_off not named in: $out"
fi

out=$("$ALTORC" orc diff "$tmp/a.o" "$tmp/pre.o" 2>&1); rc=$?
[[ $rc == 1 && $out =~ ([0-9]+)\ of\ ([0-9]+)\ points\ differ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] &&
  ok "no ORC at all: every point differs" || bad "no ORC at all: exit $rc: $out"

echo "$passed passed, $failed failed"
((failed == 0))
