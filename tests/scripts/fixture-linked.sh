#!/bin/bash
# fixture-linked.sh: orc dump, orc diff and explain on a linked image (ET_EXEC), as a developer
# holding a vmlinux uses them.
#
# The demo fixture (tests/fixtures/demo_pushf.S) gets its ORC from `altorc objtool`, then ld
# links it with a small script shaped like the kernel's: .text at 0xffffffff81000000 with
# _stext/_etext around it, the object's code 0x40 bytes in (so that object and image offsets
# differ), .orc_unwind_ip/.orc_unwind kept, and .orc_lookup reserved as vmlinux.lds.h reserves
# it (one u32 per 256 bytes of text, plus one; the kernel fills it at boot).
#
# Expected values, worked out by hand from the fixture's source: demo_save_flags is
# push %rbx (+0), mov (+1), the 6-byte pv call (+4, whose replacement pushf; pop %rax puts
# 8 more bytes on the stack at +5), mov (+0xa), pop %rbx (+0xd), ret (+0xe), int3 (+0xf): 0x10
# bytes at 0xffffffff81000040.  So at +5 the unwinder's entry is the one at +5, sp:sp+24
# (return address at CFA-8); a return address of +0xa is looked up at +9, which the entry at
# +6 (sp:sp+16, back to the call's state after the replacement) covers.  The 6.1 reference
# objtool (`--dump=orc`), when installed, must print the image's table as altorc does.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-linked.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "skip $1"; skipped=$((skipped + 1)); }
has() { [[ $2 == *"$3"* ]] && ok "$1" || bad "$1: no '$3' in: $2"; }

gcc -c -I"$top/tests/fixtures" -o "$tmp/a.o" "$top/tests/fixtures/demo_pushf.S" &&
  "$ALTORC" objtool --kernel=6.1 --orc "$tmp/a.o" || { echo "0 passed, 1 failed"; exit 1; }

# $1: output, $2: what .orc_lookup reserves (an ld expression, or "" for no .orc_lookup)
link() {
  local lookup=""
  [[ -n $2 ]] && lookup=".orc_lookup : { orc_lookup = .; . += $2; orc_lookup_end = .; }"
  cat > "$tmp/img.lds" <<EOF
ENTRY(demo_save_flags)
SECTIONS {
  . = 0xffffffff81000000;
  .text : { _stext = .; . += 0x40; *(.text) _etext = .; }
  .altinstr_replacement : { *(.altinstr_replacement) }
  . = ALIGN(4);
  .orc_unwind_ip : { *(.orc_unwind_ip) }
  . = ALIGN(2);
  .orc_unwind : { *(.orc_unwind) }
  . = ALIGN(4);
  $lookup
  pv_ops = 0xffffffff82000000;
  /DISCARD/ : { *(.discard.*) *(.altinstructions) *(.parainstructions) *(.note.*) }
}
EOF
  ld --no-warn-rwx-segments -T "$tmp/img.lds" -o "$1" "$tmp/a.o" 2> "$tmp/ld.err" ||
    ld -T "$tmp/img.lds" -o "$1" "$tmp/a.o" 2> "$tmp/ld.err"
}
link "$tmp/img" "(((_etext - _stext + 255) / 256) + 1) * 4" || { cat "$tmp/ld.err"; echo "0 passed, 1 failed"; exit 1; }
link "$tmp/img-nolookup" "" || { cat "$tmp/ld.err"; echo "0 passed, 1 failed"; exit 1; }
link "$tmp/img-shortlookup" "4" || { cat "$tmp/ld.err"; echo "0 passed, 1 failed"; exit 1; }
[[ $(readelf -hW "$tmp/img" | awk '/Type:/ { print $2 }') == EXEC ]] && ok "the fixture image is ET_EXEC" ||
  bad "the fixture image is not ET_EXEC"

# ---- orc dump --------------------------------------------------------------------------
"$ALTORC" orc dump "$tmp/a.o" > "$tmp/obj.dump" && "$ALTORC" orc dump "$tmp/img" > "$tmp/img.dump"
rc=$?
# The object's entries, each moved by the image's base (0xffffffff81000000 + 0x40): computed
# here from the object's dump, not by altorc.
python3 - "$tmp/obj.dump" > "$tmp/img.expect" <<'EOF'
import sys
for line in open(sys.argv[1]):
    loc, entry = line.split(':', 1)
    sec, off = loc.split('+')
    assert sec == '.text'
    print('%x:%s' % (0xffffffff81000040 + int(off, 16), entry), end='')
EOF
if ((rc == 0)) && [[ -s $tmp/img.dump ]] && cmp -s "$tmp/img.dump" "$tmp/img.expect"; then
  ok "orc dump of the image: the object's $(wc -l < "$tmp/img.dump") entries at their linked addresses"
else
  bad "orc dump of the image (exit $rc): $(diff "$tmp/img.expect" "$tmp/img.dump" | head -5)"
fi
ref=$(ls /usr/src/linux-headers-6.1.0-*-amd64/tools/objtool/objtool 2> /dev/null | head -n 1)
if [[ -x $ref ]]; then
  "$ref" --dump=orc "$tmp/img" > "$tmp/ref.dump" 2> "$tmp/ref.err"
  cmp -s "$tmp/ref.dump" "$tmp/img.dump" && ok "orc dump of the image: identical to the 6.1 reference's --dump=orc" ||
    bad "orc dump against the reference: $(diff "$tmp/ref.dump" "$tmp/img.dump" | head -5)"
else
  skip "no 6.1 reference objtool installed (linux-headers-6.1.0-*-amd64)"
fi

# ---- explain -----------------------------------------------------------------------------
out=$("$ALTORC" explain "$tmp/img" 'RIP: 0010:demo_save_flags+0x5/0x10' 2>&1); rc=$?
[[ $rc == 0 ]] && ok "explain, oops form: exit 0" || bad "explain, oops form: exit $rc: $out"
has "explain, oops form: the address" "$out" "0xffffffff81000045 (.text+0x45)"
has "explain, oops form: the length agrees" "$out" "0x10 matches demo_save_flags's size"
has "explain, oops form: found through .orc_lookup block 0" "$out" ".orc_lookup block 0 (_stext+0x0)"
has "explain, oops form: entry #2 at the site's +1" "$out" "#2 at 0xffffffff81000045 (demo_save_flags+0x5)"
has "explain, oops form: the replacement's state" "$out" "sp:sp+24 bp:(und) type:call end:0"
has "explain, oops form: the CFA" "$out" "CFA           rsp+24"
has "explain, oops form: the return address" "$out" "return address at CFA-8"

out=$("$ALTORC" explain "$tmp/img" 'demo_save_flags+0x5/0x20' 2>&1)
has "explain: a wrong /0xLEN is named" "$out" "0x20 DISAGREES: demo_save_flags has st_size 0x10"

out=$("$ALTORC" explain --return-address "$tmp/img" demo_save_flags+0xa 2>&1)
has "explain --return-address: looked up one byte before" "$out" "0xffffffff81000049 (the return address - 1"
has "explain --return-address: the entry after the site" "$out" "#3 at 0xffffffff81000046 (demo_save_flags+0x6)"

out=$("$ALTORC" explain "$tmp/img" 0xffffffff81000053 2>&1)
has "explain, raw address: demo_framed's frame" "$out" "demo_framed+0x3/"
has "explain, raw address: rbp saved at CFA-16" "$out" "saved at CFA-16"

out=$("$ALTORC" explain "$tmp/img" 0xffffffff81000010 2>&1)
has "explain below every entry: the kernel's search gives the range's first" "$out" \
  "#0 at 0xffffffff81000040 (demo_save_flags+0x0) (no entry at or below the ip"

out=$("$ALTORC" explain "$tmp/img-nolookup" demo_save_flags+0x5 2>&1)
has "explain without .orc_lookup: the whole table" "$out" "whole table, entries 0..11 (the image has no .orc_lookup)"
has "explain without .orc_lookup: same entry" "$out" "#2 at 0xffffffff81000045"

out=$("$ALTORC" explain --json "$tmp/img" demo_save_flags+0x5 2>&1)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["lookup"]["index"] == 2 and d["lookup"]["entry_address"] == "0xffffffff81000045" and d["address"] == "0xffffffff81000045" and d["orc"]["sp_offset"] == 24, d' "$out" &&
  ok "explain --json: index, entry address, sp_offset" || bad "explain --json: $out"

out=$("$ALTORC" explain --kernel=6.1 --object "$tmp/a.o" "$tmp/img" demo_save_flags+0x5 2>&1); rc=$?
[[ $rc == 0 ]] && ok "explain --object: exit 0" || bad "explain --object: exit $rc: $out"
has "explain --object: carried to the object's offset" "$out" "a.o .text+0x5"
has "explain --object: the original branch" "$out" "original        .text+0x4 (covers)"
has "explain --object: the replacement's branch state" "$out" "cfa=rsp+24 rbx=cfa-16"

out=$("$ALTORC" explain --object "$tmp/a.o" "$tmp/a.o" demo_save_flags+0x5 2>&1); rc=$?
[[ $rc == 2 && $out == *"for a linked image"* ]] && ok "explain --object on an object: usage error" ||
  bad "explain --object on an object: exit $rc: $out"

# A module is an object: the oops form works there too, with the module name after it.
out=$("$ALTORC" explain --kernel=6.1 "$tmp/a.o" 'RIP: 0010:demo_save_flags+0x5/0x10 [demo]' 2>&1); rc=$?
[[ $rc == 0 ]] && ok "explain on an object, oops form: exit 0" || bad "explain on an object, oops form: exit $rc: $out"
has "explain on an object, oops form: the length agrees" "$out" "length          0x10 matches demo_save_flags's size"
has "explain on an object, oops form: the replacement" "$out" "replacement     .altinstr_replacement+0x1  pop    %rax"
out=$("$ALTORC" explain --kernel=6.1 "$tmp/a.o" 'demo_save_flags+0x5/0x30 [demo]' 2>&1)
has "explain on an object: a wrong /0xLEN is named" "$out" "0x30 DISAGREES"
# A module's call trace: the return address +0x6 is explained at +0x5, the pushf's state.
out=$("$ALTORC" explain --kernel=6.1 --return-address "$tmp/a.o" 'demo_save_flags+0x6/0x10 [demo]' 2>&1)
has "explain --return-address on an object: one byte back" "$out" \
  "return address demo_save_flags+0x6/0x10 [demo]: the unwinder looks up demo_save_flags+0x5/0x10"
has "explain --return-address on an object: that byte's entry" "$out" "orc in file     .text+0x5  sp:sp+24"

# ---- orc diff ----------------------------------------------------------------------------
out=$("$ALTORC" orc diff "$tmp/img" "$tmp/img-nolookup" 2>&1); rc=$?
[[ $rc == 0 && $out == "0 of 12 points differ" ]] && ok "orc diff image/image: equal" || bad "orc diff image/image: exit $rc: $out"
out=$("$ALTORC" orc diff "$tmp/img" "$tmp/a.o" 2>&1); rc=$?
[[ $rc == 0 && $out == "0 of 12 points differ" ]] && ok "orc diff image/object: equal once placed" || bad "orc diff image/object: exit $rc: $out"
out=$("$ALTORC" orc diff "$tmp/a.o" "$tmp/img" 2>&1); rc=$?
[[ $rc == 0 && $out == "0 of 12 points differ" ]] && ok "orc diff object/image: equal once placed" || bad "orc diff object/image: exit $rc: $out"

# Plant: entry 2 (the site's +1) of a copy of the image gets sp_offset + 64; its file offset
# comes from readelf.
cp "$tmp/img" "$tmp/img-planted"
read -r unwind < <(readelf -SW "$tmp/img-planted" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".orc_unwind" { print $4 }')
python3 - "$tmp/img-planted" "$((16#$unwind))" <<'EOF'
import struct, sys
path, base = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    f.seek(base + 6 * 2)
    sp, = struct.unpack('<h', f.read(2))
    f.seek(base + 6 * 2)
    f.write(struct.pack('<h', sp + 64))
EOF
out=$("$ALTORC" orc diff "$tmp/img-planted" "$tmp/a.o" 2>&1); rc=$?
[[ $rc == 1 && $out == *"1 of 12 points differ" ]] && ok "orc diff image/object: the planted entry, only" || bad "orc diff planted: exit $rc: $out"
has "orc diff planted: named by section, function and address" "$out" \
  ".text+0x45 (demo_save_flags+0x5) [0xffffffff81000045]: A sp:sp+88"

# Two object sections in one image section: .entry.text's terminator and f_noinstr's first
# entry share an address (0xffffffff81000006, f_entry being 6 bytes); the real entry must win there,
# in explain and when the object is placed for orc diff (where the object lists the
# terminator last, so only the kernel's rule picks the real entry).
gcc -c -o "$tmp/two.o" "$top/tests/fixtures/linked_two_sections.S" &&
  "$ALTORC" objtool --kernel=6.1 --orc "$tmp/two.o" &&
  cat > "$tmp/two.lds" <<'EOF'
SECTIONS {
  . = 0xffffffff81000000;
  .text : { _stext = .; *(.entry.text) *(.noinstr.text) *(.text) _etext = .; }
  . = ALIGN(4);
  .orc_unwind_ip : { *(.orc_unwind_ip) }
  . = ALIGN(2);
  .orc_unwind : { *(.orc_unwind) }
  /DISCARD/ : { *(.discard.*) *(.note.*) }
}
EOF
# sorttable's job, done here in Python: sort the entries by address, a terminator (v1: no
# CFA, no end bit) before a real entry at the same address, and rewrite the PC-relative values.
sorttable() {
  python3 - "$1" <<'EOF'
import struct, subprocess, sys
path = sys.argv[1]
secs = {}
for line in subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout.splitlines():
    f = line.replace("[ ", "[").split()
    if len(f) > 5 and f[0].startswith("[") and f[0] != "[Nr]":
        secs[f[1]] = (int(f[3], 16), int(f[4], 16), int(f[5], 16))
ipaddr, ipoff, ipsize = secs[".orc_unwind_ip"]
_, unoff, _ = secs[".orc_unwind"]
data = bytearray(open(path, "rb").read())
n = ipsize // 4
rows = []
for i in range(n):
    rel, = struct.unpack_from("<i", data, ipoff + 4 * i)
    entry = bytes(data[unoff + 6 * i:unoff + 6 * i + 6])
    bits, = struct.unpack_from("<H", entry, 4)
    weak = (bits & 0xf) == 0 and not bits & 0x400
    rows.append((ipaddr + 4 * i + rel, 0 if weak else 1, entry))
rows.sort(key=lambda r: (r[0], r[1]))
for i, (addr, _, entry) in enumerate(rows):
    struct.pack_into("<i", data, ipoff + 4 * i, addr - (ipaddr + 4 * i))
    data[unoff + 6 * i:unoff + 6 * i + 6] = entry
open(path, "wb").write(data)
EOF
}
if ld -e f_entry -T "$tmp/two.lds" -o "$tmp/two.img" "$tmp/two.o" 2> "$tmp/ld.err" && sorttable "$tmp/two.img"; then
  out=$("$ALTORC" explain "$tmp/two.img" 0xffffffff81000006 2>&1)
  has "shared address: explain finds f_noinstr's entry, not the terminator" "$out" \
    "#5 at 0xffffffff81000006 (f_noinstr+0x0)"
  out=$("$ALTORC" orc dump "$tmp/two.img" 2>&1)
  [[ $(sed -n '5p;6p' <<< "$out") == "ffffffff81000006: sp:(und) bp:(und) type:call end:0"$'\n'"ffffffff81000006: sp:sp+8 bp:(und) type:call end:0" ]] &&
    ok "shared address: sorted as sorttable sorts, terminator first" || bad "shared address: the sorted image: $out"
  out=$("$ALTORC" orc diff "$tmp/two.o" "$tmp/two.img" 2>&1); rc=$?
  [[ $rc == 0 && $out == "0 of 8 points differ" ]] && ok "shared address: object placed into the image, equal" ||
    bad "shared address: orc diff exit $rc: $out"
else
  bad "linking two.o: $(cat "$tmp/ld.err")"
fi

# Two local functions called helper (4 and 6 bytes), one per file, as static functions of
# one name in vmlinux.o: the oops' /0x6 chooses the second, and --object carries the address
# to the second helper of the object (at .text+0xa, after the 4-byte helper and dup_a's 6).
gcc -c -o "$tmp/da.o" "$top/tests/fixtures/linked_dup_a.S" &&
  gcc -c -o "$tmp/db.o" "$top/tests/fixtures/linked_dup_b.S" &&
  ld -r -o "$tmp/dab.o" "$tmp/da.o" "$tmp/db.o" &&
  "$ALTORC" objtool --kernel=6.1 --orc "$tmp/dab.o" 2> /dev/null &&
  ld -e dup_a -T "$tmp/two.lds" -o "$tmp/dup.img" "$tmp/dab.o" 2> "$tmp/ld.err"
if [[ -s $tmp/dup.img ]]; then
  out=$("$ALTORC" explain --kernel=6.1 --object "$tmp/dab.o" "$tmp/dup.img" 'helper+0x2/0x6' 2>&1)
  has "same-name functions: /0x6 picks the second helper" "$out" "0xffffffff8100000c (.text+0xc)"
  has "same-name functions: --object carries it to the second helper" "$out" "dab.o .text+0xc"
  has "same-name functions: the object's state there (after push %rbp)" "$out" "cfa=rsp+16 rbp=cfa-16"
  out=$("$ALTORC" explain "$tmp/dup.img" helper+0x1 2>&1)
  has "same-name functions: without /0xLEN the ambiguity is named" "$out" "several symbols are called helper"
else
  bad "linking dab.o: $(cat "$tmp/ld.err")"
fi

# ---- bad input -------------------------------------------------------------------------
out=$("$ALTORC" explain "$tmp/img-shortlookup" demo_save_flags+0x5 2>&1); rc=$?
[[ $rc == 2 && $out == *"img-shortlookup: .orc_lookup+0x4: truncated"* && $(wc -l <<< "$out") == 1 ]] &&
  ok "a cut-down .orc_lookup: one error naming the section and offset, exit 2" || bad "short .orc_lookup: exit $rc: $out"

# .orc_unwind_ip's sh_size cut by 2 bytes in the section header (offsets from readelf -h/-S).
cp "$tmp/img" "$tmp/img-shortip"
python3 - "$tmp/img-shortip" <<'EOF'
import struct, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    data = bytearray(f.read())
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    stroff, = struct.unpack_from('<Q', data, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        sh = shoff + i * shentsize
        name_off, = struct.unpack_from('<I', data, sh)
        name = data[stroff + name_off:data.index(b'\0', stroff + name_off)]
        if name == b'.orc_unwind_ip':
            size, = struct.unpack_from('<Q', data, sh + 0x20)
            struct.pack_into('<Q', data, sh + 0x20, size - 2)
    f.seek(0)
    f.write(data)
EOF
for cmd in "orc dump" "explain" "orc diff"; do
  case $cmd in
    "orc dump") out=$("$ALTORC" orc dump "$tmp/img-shortip" 2>&1); rc=$? ;;
    explain) out=$("$ALTORC" explain "$tmp/img-shortip" demo_save_flags 2>&1); rc=$? ;;
    "orc diff") out=$("$ALTORC" orc diff "$tmp/img" "$tmp/img-shortip" 2>&1); rc=$? ;;
  esac
  [[ $rc == 2 && $out == *"img-shortip: .orc_unwind_ip+0x2e: truncated: ends after 11 entries, .orc_unwind has 12"* &&
     $(wc -l <<< "$out") == 1 ]] &&
    ok "$cmd: a cut .orc_unwind_ip gives one error naming file, section and offset, exit 2" ||
    bad "$cmd on a cut .orc_unwind_ip: exit $rc: $out"
done

# Entry 3's PC-relative value pointed 0x1000000 bytes further, into no section.
cp "$tmp/img" "$tmp/img-wildip"
read -r ipoff < <(readelf -SW "$tmp/img-wildip" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".orc_unwind_ip" { print $4 }')
python3 - "$tmp/img-wildip" "$((16#$ipoff + 12))" <<'EOF'
import struct, sys
path, at = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    f.seek(at)
    v, = struct.unpack('<i', f.read(4))
    f.seek(at)
    f.write(struct.pack('<i', v + 0x1000000))
EOF
out=$("$ALTORC" explain "$tmp/img-wildip" demo_save_flags 2>&1); rc=$?
[[ $rc == 2 && $out == *"img-wildip: .orc_unwind_ip+0xc: ORC entry 3 points to 0xffffffff82000046, outside every section"* ]] &&
  ok "an entry pointing into no section: one error naming section and offset, exit 2" ||
  bad "wild .orc_unwind_ip value: exit $rc: $out"

out=$("$ALTORC" explain "$tmp/img" 0xffffffff90000000 2>&1); rc=$?
[[ $rc == 2 && $out == *"address 0xffffffff90000000 is in no section"* ]] && ok "explain: an address outside the image, exit 2" ||
  bad "explain outside the image: exit $rc: $out"

out=$("$ALTORC" check "$tmp/img" 2>&1); rc=$?
[[ $rc == 2 && $out == *"not a relocatable object (ET_EXEC)"* ]] && ok "check still refuses a linked image" ||
  bad "check on a linked image: exit $rc: $out"

if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
