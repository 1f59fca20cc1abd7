#!/bin/bash
# vmlinux-orc.sh: altorc on a real linked kernel, Debian's debug vmlinux, against the reference
# objtool of the same kernel.  Not part of `make check` (the package is about 860 MB to
# download, 5.6 GB installed); run it by hand:
#
#   apt-get install linux-image-6.1.0-57-amd64-dbg      # or another 6.1 / 6.12 -dbg package
#   tests/scripts/vmlinux-orc.sh [VMLINUX...]            # default: every /usr/lib/debug/boot/vmlinux-*
#
# The reference is /usr/src/linux-headers-RELEASE/tools/objtool/objtool (RELEASE from the file
# name).  Checks:
#   1. `altorc orc dump VMLINUX` is identical, line for line, to the reference's
#      `--dump=orc` of a copy without relocations (objcopy --remove-relocations, as the
#      kernel's own arch/x86/Makefile.postlink strips them).  Debian's debug vmlinux keeps ld's
#      --emit-relocs copy of .rela.orc_unwind_ip, which sorttable did not reorder when it
#      sorted the table, so on the file as shipped the reference names entry i by the
#      relocation of another entry; altorc prints the addresses the kernel reads instead.
#   2. The entries themselves (the text after the location) are identical to the reference's
#      dump of the file as shipped, and the script counts how many of its locations name
#      another address than the entry's own.
#   3. `altorc orc diff` of the file against the copy: 0 points differ.
#   4. `altorc explain --json` at SAMPLES addresses (evenly spread over .text and .init.text),
#      plus lookup-block edges and entry addresses and the bytes before them:
#      the entry it reports is the one a whole-table search of the reference's dump finds
#      (the last entry at or below the address, else the first), computed here in Python.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
SAMPLES=${SAMPLES:-200}
export SRCARCH=x86   # the 6.12 reference wants it for --dump

if (($#)); then
  files=("$@")
else
  mapfile -t files < <(ls /usr/lib/debug/boot/vmlinux-* 2> /dev/null | sort -V)
fi
if ((${#files[@]} == 0)); then
  echo "skip: no debug vmlinux (install a linux-image-*-amd64-dbg package, e.g."
  echo "      apt-get install linux-image-6.1.0-57-amd64-dbg, or name the file)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-vmlinux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# Every check on one vmlinux.
one() {
vmlinux=$1
release=${vmlinux##*/vmlinux-}
ref=/usr/src/linux-headers-$release/tools/objtool/objtool
if [[ ! -x $ref ]]; then
  echo "skip: no reference objtool for $release ($ref; apt-get install linux-headers-$release)"
  skipped=$((skipped + 1))
  return
fi
echo "vmlinux:   $vmlinux ($(du -h "$vmlinux" | cut -f1))"
echo "reference: $ref"

# 1. against the reference on a copy without relocations
objcopy --remove-relocations=.orc_unwind_ip "$vmlinux" "$tmp/vmlinux-norel" || { bad "objcopy failed"; return; }
/usr/bin/time -f "%e s, %M KB" -o "$tmp/alt.time" "$ALTORC" orc dump "$vmlinux" > "$tmp/alt.dump" 2> "$tmp/alt.err"
rc=$?
/usr/bin/time -f "%e s, %M KB" -o "$tmp/ref.time" "$ref" --dump=orc "$tmp/vmlinux-norel" > "$tmp/ref-norel.dump" 2> "$tmp/ref.err"
nr=$(wc -l < "$tmp/ref-norel.dump")
echo "entries:   $nr; altorc orc dump $(cat "$tmp/alt.time"), reference --dump=orc $(cat "$tmp/ref.time")"
if ((rc == 0 && nr > 0)) && cmp -s "$tmp/alt.dump" "$tmp/ref-norel.dump"; then
  ok "orc dump: identical to the reference's on the copy without relocations ($nr entries)"
else
  bad "orc dump (exit $rc, $(wc -l < "$tmp/alt.dump") lines): $(cat "$tmp/alt.err"; diff "$tmp/ref-norel.dump" "$tmp/alt.dump" | head -5)"
fi

# 2. the entries, against the reference's dump of the file as shipped
"$ref" --dump=orc "$vmlinux" > "$tmp/ref.dump" 2>> "$tmp/ref.err"
cut -d: -f2- "$tmp/ref.dump" > "$tmp/ref.entries"
cut -d: -f2- "$tmp/alt.dump" > "$tmp/alt.entries"
if cmp -s "$tmp/ref.entries" "$tmp/alt.entries"; then
  ok "orc dump: every entry identical to the reference's dump of the file as shipped"
else
  bad "entries differ from the reference's: $(diff "$tmp/ref.entries" "$tmp/alt.entries" | head -5)"
fi
if [[ $(head -c 1 "$tmp/ref.dump") == . ]]; then
  python3 - "$vmlinux" "$tmp/ref.dump" "$tmp/ref-norel.dump" <<'EOF'
import subprocess, sys
vmlinux, shipped, norel = sys.argv[1:4]
base = {}
for line in subprocess.run(["readelf", "-SW", vmlinux], capture_output=True, text=True).stdout.splitlines():
    f = line.replace("[ ", "[").split()
    if len(f) > 4 and f[0].startswith("[") and f[0] != "[Nr]":
        base[f[1]] = int(f[3], 16)
other = 0
for a, b in zip(open(shipped), open(norel)):
    sec, off = a.split(":", 1)[0].rsplit("+", 1)
    other += base.get(sec, -1) + int(off, 16) != int(b.split(":", 1)[0], 16)
print("note: on the file as shipped, the reference's relocation names %d of the locations "
      "differently from the entry's own address" % other)
EOF
fi

# 3. orc diff
out=$("$ALTORC" orc diff "$vmlinux" "$tmp/vmlinux-norel" 2>&1); rc=$?
[[ $rc == 0 && $out == "0 of "*" points differ" ]] && ok "orc diff against the copy: $out" || bad "orc diff: exit $rc: $out"

# 4. explain's lookup at sample addresses against a whole-table search of the reference's dump
python3 - "$vmlinux" "$tmp/ref-norel.dump" "$SAMPLES" "$ALTORC" <<'EOF'
import bisect, json, subprocess, sys
vmlinux, dump, samples, altorc = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
addrs, texts = [], []
for line in open(dump):
    a, t = line.split(":", 1)
    addrs.append(int(a, 16))
    texts.append(t.strip())
assert addrs == sorted(addrs), "the reference's table is not sorted"
secs = {}
for line in subprocess.run(["readelf", "-SW", vmlinux], capture_output=True, text=True).stdout.splitlines():
    f = line.replace("[ ", "[").split()
    if len(f) > 5 and f[0].startswith("[") and f[1] in (".text", ".init.text"):
        secs[f[1]] = (int(f[3], 16), int(f[5], 16))
points = []
for name, (start, size) in sorted(secs.items()):
    n = samples * 3 // 4 if name == ".text" else samples - samples * 3 // 4
    points += [start + size * k // n + 3 for k in range(n)]
# Edges: the first byte of a lookup block and the byte before it, an entry's own address and
# the byte before it (where the search must pick the previous entry).
text0, textsize = secs[".text"]
points += [text0 + 256 * b + d for b in range(1, textsize // 256, textsize // 256 // 10 or 1) for d in (-1, 0)]
inside = lambda a: any(s <= a < s + z for s, z in secs.values())
step = max(1, len(addrs) // 10)
points += [a + d for a in addrs[::step] for d in (-1, 0) if inside(a + d)]
bad = paths = 0
seen = {}
for ip in points:
    i = bisect.bisect_right(addrs, ip) - 1
    if i < 0:
        i = 0
    out = subprocess.run([altorc, "explain", "--json", vmlinux, "0x%x" % ip], capture_output=True, text=True)
    try:
        d = json.loads(out.stdout)
        got = (int(d["lookup"]["entry_address"], 16), d["orc"]["text"])
        seen[d["lookup"]["path"]] = seen.get(d["lookup"]["path"], 0) + 1
    except Exception:
        got = ("exit %d" % out.returncode, out.stderr.strip())
    if got != (addrs[i], texts[i]):
        bad += 1
        if bad <= 5:
            print("  0x%x: altorc %s, whole-table search 0x%x %s" % (ip, got, addrs[i], texts[i]))
print("%s explain at %d addresses: %d agree with a whole-table search (%s)" %
      ("ok  " if not bad else "FAIL", len(points), len(points) - bad,
       ", ".join("%s %d" % kv for kv in sorted(seen.items()))))
sys.exit(1 if bad else 0)
EOF
(($? == 0)) && passed=$((passed + 1)) || failed=$((failed + 1))
rm -f "$tmp"/*
}

for f in "${files[@]}"; do
  one "$f"
done
if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
