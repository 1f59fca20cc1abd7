#!/bin/bash
# fixture-alternatives.sh: alternative and paravirt sites, hand-written fixtures
# (tests/fixtures/alt2_*.S, pv_native_*), run through `altorc objtool --orc` and, when the
# reference objtool is installed, through it too:
#   - the ORC (`altorc orc dump` of both outputs) must be identical;
#   - altorc's warnings must include the reference's, line for line (altorc may add its own
#     detail lines and its own "leaves the alternative site" warning);
#   - fixed expectations, each checked once against the reference objtool 6.1/6.12 (or worked
#     out by hand for --paravirt-native, which no reference implements): warning texts, and
#     the extra ORC entries at RIP+1 / RIP+2 of pushf sites.
# Last line: 'N passed, M failed'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=$root/tests/fixtures
altorc=${ALTORC:-$root/altorc}
ref61=$(ls /usr/src/linux-headers-6.1.0-*-amd64/tools/objtool/objtool 2>/dev/null | sort -V | tail -1)
ref612=$(ls /usr/src/linux-headers-6.12.*+deb12-amd64/tools/objtool/objtool 2>/dev/null | sort -V | tail -1)
export SRCARCH=x86   # the 6.12 reference wants it for --dump
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has()  { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

[[ -x $altorc ]] || { echo "fixture-alternatives: no altorc binary at $altorc"; echo "0 passed, 1 failed"; exit 1; }
[[ -n $ref61 ]] || echo "fixture-alternatives: reference objtool 6.1 not installed: fixed expectations only"
[[ -n $ref612 ]] || echo "fixture-alternatives: reference objtool 6.12 not installed: fixed expectations only"

# run NAME KERNEL SRC [ALTORC ARGS...]: builds $work/NAME.{cand,ref}.{o,warn,dump}
run() {
  local name=$1 kernel=$2 src=$3; shift 3
  local o=$work/$name ref=$ref61 kopt=(--kernel=6.1)
  [[ $kernel == 6.12 ]] && { ref=$ref612; kopt=(--kernel=6.12); }
  case $src in
    *.S) gcc -c -o "$o.o" "$src" ;;
    *.c:g) gcc -O2 -g -c -o "$o.o" "${src%:g}" ;;
    *.c) gcc -O2 -g0 -c -o "$o.o" "$src" ;;
  esac || { bad "$name: does not build"; return 1; }
  cp "$o.o" "$o.cand.o"
  "$altorc" objtool --orc "${kopt[@]}" "$@" "$o.cand.o" > "$o.cand.warn" 2>&1
  "$altorc" orc dump "$o.cand.o" > "$o.cand.dump" 2>&1
  if [[ -n $ref ]]; then
    cp "$o.o" "$o.ref.o"
    "$ref" --orc "$o.ref.o" > "$o.ref.warn" 2>&1
    "$altorc" orc dump "$o.ref.o" > "$o.ref.dump" 2>&1
  fi
}

# Reference lines ("LOC: message" after the tool name) that altorc did not print.
warn_lines() { grep -F 'warning: objtool:' "$1" | sed 's/^.*warning: objtool: //' | sort; }
same_warnings() { [[ -z $(comm -23 <(warn_lines "$1.ref.warn") <(warn_lines "$1.cand.warn")) ]]; }
same_orc() { cmp -s "$1.ref.dump" "$1.cand.dump"; }

# compare_ref NAME: ORC and warnings against the reference's, when it ran.
compare_ref() {
  local o=$work/$1
  [[ -f $o.ref.dump ]] || return 0
  check "$1: ORC equals the reference's" same_orc "$o"
  check "$1: the reference's warnings are all there" same_warnings "$o"
}

# --- alternatives -------------------------------------------------------------------------
run alt2_conflict 6.1 "$fx/alt2_conflict.S"
compare_ref alt2_conflict
w=$work/alt2_conflict.cand.warn
check "alt2_conflict: reference's line" has "$w" "f_conflict+0x1: stack layout conflict in alternatives"
check "alt2_conflict: site, offset and both sides named" \
  has "$w" "site f_conflict+0x0, offset +1: replacement 1 (feature 3*32+1; .altinstructions entry 0) has cfa=rsp+8; original has cfa=rsp+16 rbx=cfa-16"

run alt2_conflict_612 6.12 "$fx/alt2_conflict_612.S"
compare_ref alt2_conflict_612
check "alt2_conflict_612: 6.12 shape (at the site, conflicting insn after a colon)" \
  has "$work/alt2_conflict_612.cand.warn" "f_conflict+0x0: stack layout conflict in alternatives: f_conflict+0x1"

run alt2_exit 6.1 "$fx/alt2_exit.S"
compare_ref alt2_exit
w=$work/alt2_exit.cand.warn
check "alt2_exit: branch leaving the stack changed is named" \
  has "$w" "f_exit+0x0: replacement 1 (feature 3*32+2; .altinstructions entry 0) leaves the alternative site f_exit+0x0 with cfa=rsp+16, the original with cfa=rsp+8"
check "alt2_exit: the reference's own warning follows" has "$w" "f_exit+0x1: return with modified stack frame"

run alt2_pushf 6.1 "$fx/alt2_pushf.S"
compare_ref alt2_pushf
d=$work/alt2_pushf.cand.dump
check "alt2_pushf: RIP+1 entry (sp+16)" has "$d" ".text+1: sp:sp+16 bp:(und) type:call end:0"
check "alt2_pushf: RIP+2 entry (back to sp+8)" has "$d" ".text+2: sp:sp+8 bp:(und) type:call end:0"
check "alt2_pushf: framed site (CFA on rbp) needs no extra entry" hasnt "$d" ".text+d:"

run alt2_empty 6.1 "$fx/alt2_empty.S"
compare_ref alt2_empty
check "alt2_empty: no warning" hasnt "$work/alt2_empty.cand.warn" "warning:"

run alt2_jumpout 6.1 "$fx/alt2_jumpout.S"
compare_ref alt2_jumpout
check "alt2_jumpout: no warning" hasnt "$work/alt2_jumpout.cand.warn" "warning:"
check "alt2_jumpout: code reached only from the replacement has its state" \
  has "$work/alt2_jumpout.cand.dump" ".text+b: sp:bp+16 bp:prevsp-16 type:call end:0"

run alt2_alt2 6.1 "$fx/alt2_alt2.S"
compare_ref alt2_alt2
d=$work/alt2_alt2.cand.dump
check "alt2_alt2: 6.1 keeps only the last entry's array: no entry in site A" hasnt "$d" ".text+1:"
check "alt2_alt2: site B (pushf last) gets RIP+1" has "$d" ".text+7: sp:sp+16 bp:(und) type:call end:0"
check "alt2_alt2: site B gets RIP+2" has "$d" ".text+8: sp:sp+8 bp:(und) type:call end:0"

run alt2_nested_612 6.12 "$fx/alt2_nested_612.S"
compare_ref alt2_nested_612
d=$work/alt2_nested_612.cand.dump
check "alt2_nested_612: inner pushf RIP+1 through the shared array" has "$d" ".text+1:type:call sp:sp+16 bp:(und) signal:0"
check "alt2_nested_612: RIP+2" has "$d" ".text+2:type:call sp:sp+8 bp:(und) signal:0"

# ANNOTATE_IGNORE_ALTERNATIVE (.discard.ignore_alts) under --uaccess: the annotated STAC/CLAC
# sites are walked through their original NOPs only.  Checked against the 6.1 reference: the one
# warning is f_plain's (found by boot-test.sh: Xen's privcmd_ioctl had a false warning and lost
# its ORC after it).
o=$work/alt2_ignore_alts
gcc -c -o "$o.o" "$fx/alt2_ignore_alts.S"
cp "$o.o" "$o.cand.o"
"$altorc" objtool --orc --uaccess --kernel=6.1 "$o.cand.o" > "$o.cand.warn" 2>&1
check "alt2_ignore_alts: the unannotated call with AC set is reported" \
  has "$o.cand.warn" "f_plain+0x3: call to ext_func() with UACCESS enabled"
check "alt2_ignore_alts: the annotated one is not" hasnt "$o.cand.warn" "f_ignored"
if [[ -n $ref61 ]]; then
  cp "$o.o" "$o.ref.o"
  "$ref61" --orc --uaccess "$o.ref.o" > "$o.ref.warn" 2>&1
  "$altorc" orc dump "$o.ref.o" > "$o.ref.dump" 2>&1
  "$altorc" orc dump "$o.cand.o" > "$o.cand.dump" 2>&1
  compare_ref alt2_ignore_alts
fi

# --- altorc alternatives: per-branch states and extra ORC (offsets as the reference's ORC above) --
a=$work/alt2_pushf.alts
"$altorc" alternatives "$work/alt2_pushf.o" > "$a" 2>&1
check "alternatives: pushf branch, state after pushf" has "$a" "+0   pushf                            cfa=rsp+16"
check "alternatives: the frameless site needed two extra ORC entries" has "$a" "extra ORC entries: +1 (cfa=rsp+16), +2 (cfa=rsp+8)"
check "alternatives: the framed site needed none" test "$(grep -c 'extra ORC entries: none' "$a")" = 1
"$altorc" alternatives --json "$work/alt2_alt2.o" > "$a.json" 2>&1
check "alternatives --json: branches, and extra ORC only where the reference has it (6.1 ALTERNATIVE_2)" \
  test "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%d:%s:%s" % (len(x["branches"]), x["needs_extra_orc"], x["extra_orc_offsets"]) for x in d))' "$a.json" 2>&1)" \
  = "2:False:[] 2:False:[] 2:False:[] 2:True:[1, 2]"

# --- paravirt -----------------------------------------------------------------------------
note="no struct paravirt_patch_template in the DWARF"
run pv_c_g 6.1 "$fx/pv_native_c.c:g"
run pv_sites 6.1 "$fx/pv_native_sites.S"
compare_ref pv_sites
compare_ref pv_c_g

# Without --paravirt-native nothing changes; with it but no DWARF: said once, sites stay calls.
cp "$work/pv_sites.o" "$work/pv_sites.nat.o"
"$altorc" objtool --orc --kernel=6.1 --paravirt-native "$work/pv_sites.nat.o" > "$work/pv_sites.nat.warn" 2>&1
"$altorc" orc dump "$work/pv_sites.nat.o" > "$work/pv_sites.nat.dump"
check "pv_sites: --paravirt-native without DWARF says so" has "$work/pv_sites.nat.warn" "$note"
check "pv_sites: ... once" test "$(grep -c "$note" "$work/pv_sites.nat.warn")" = 1
check "pv_sites: ... and treats the sites as calls" cmp -s "$work/pv_sites.cand.dump" "$work/pv_sites.nat.dump"

# With the types from the C fixture's DWARF: the four hand-derived entries, nothing else.
cp "$work/pv_sites.o" "$work/pv_sites.natd.o"
"$altorc" objtool --orc --kernel=6.1 --paravirt-native --pv-dwarf="$work/pv_c_g.o" "$work/pv_sites.natd.o" > "$work/pv_sites.natd.warn" 2>&1
"$altorc" orc dump "$work/pv_sites.natd.o" > "$work/pv_sites.natd.dump"
expected=".text+1: sp:sp+16 bp:(und) type:call end:0
.text+2: sp:sp+8 bp:(und) type:call end:0
.text+9: sp:sp+24 bp:(und) type:call end:0
.text+a: sp:sp+16 bp:(und) type:call end:0"
check "pv_sites: --pv-dwarf: save_fl and restore_fl RIP+1/RIP+2 entries, cli none" \
  test "$(comm -13 <(sort "$work/pv_sites.cand.dump") <(sort "$work/pv_sites.natd.dump"))" = "$expected"
check "pv_sites: --pv-dwarf: no entry lost" test -z "$(comm -23 <(sort "$work/pv_sites.cand.dump") <(sort "$work/pv_sites.natd.dump"))"
check "pv_sites: --pv-dwarf: no warning" hasnt "$work/pv_sites.natd.warn" "warning:"

# The C fixture with -g reads its own DWARF; the sites are where .rela.parainstructions says.
sites=$(readelf -rW "$work/pv_c_g.o" |
  awk '/^Relocation section/ {inpv = /\.rela\.parainstructions/} inpv && /R_X86_64_64/ {print $NF}' | sort -u)
cp "$work/pv_c_g.o" "$work/pv_c_g.nat.o"
"$altorc" objtool --orc --kernel=6.1 --paravirt-native "$work/pv_c_g.nat.o" > "$work/pv_c_g.nat.warn" 2>&1
"$altorc" orc dump "$work/pv_c_g.nat.o" > "$work/pv_c_g.nat.dump"
check "pv_c (-g): two sites found in .parainstructions" test "$(echo "$sites" | wc -w)" = 2
for s in $sites; do
  s1=$(printf '%x' $((16#$s + 1))); s2=$(printf '%x' $((16#$s + 2)))
  check "pv_c (-g): own DWARF: site .text+$s RIP+1 sp+16" has "$work/pv_c_g.nat.dump" ".text+$s1: sp:sp+16 bp:(und) type:call end:0"
  check "pv_c (-g): own DWARF: site .text+$s RIP+2 sp+8" has "$work/pv_c_g.nat.dump" ".text+$s2: sp:sp+8 bp:(und) type:call end:0"
done

run pv_c_nog 6.1 "$fx/pv_native_c.c" --paravirt-native
check "pv_c (no -g): says there is no DWARF" has "$work/pv_c_nog.cand.warn" "$note"
cp "$work/pv_c_nog.o" "$work/pv_c_nog.plain.o"
"$altorc" objtool --orc --kernel=6.1 "$work/pv_c_nog.plain.o" > /dev/null 2>&1
"$altorc" orc dump "$work/pv_c_nog.plain.o" > "$work/pv_c_nog.plain.dump"
check "pv_c (no -g): sites stay calls" cmp -s "$work/pv_c_nog.plain.dump" "$work/pv_c_nog.cand.dump"
compare_ref pv_c_nog

echo "$passed passed, $failed failed"
((failed == 0))
