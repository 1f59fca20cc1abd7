#!/bin/bash
# warning-parity.sh: break real compiler objects on purpose and require altorc to warn exactly as
# the reference objtool does, at the same function and offset, and to write the same ORC.
#
# For each object of a fixed list (both kernels), a generator (python3 + pyelftools, objdump for
# the instruction boundaries) picks patch sites of several kinds, deterministically:
#   ret_pop     a pop right before ret / jmp __x86_return_thunk becomes NOPs
#   entry_push  the first push of a function becomes NOPs
#   tail_pop    a pop right before a jump to another function (sibling call) becomes NOPs
#   arm_pop     a pop right before a jump inside the function (one arm of a join) becomes NOPs
#   push_swap   push %rbx becomes push %rbp (the join / return sees the wrong register saved)
#   jcc_jmp     a short conditional jump becomes unconditional (the fall-through goes dead)
#   realign     sub $imm8,%rsp becomes and $-16,%rsp
#   leave       pop %rbx becomes leave (mov %rbp,%rsp; pop %rbp)
#   join_pop    a pop right before a jump to a label that code also falls into becomes NOPs
#   retarget    a jump inside a function is sent back to the function's entry (states disagree)
#   sp_adjust   add $imm8,%rsp frees 8 bytes more (the CFA disagrees where paths meet)
#   clac_drop   a clac in .altinstr_replacement becomes a NOP (UACCESS stays on)
#   stac_drop   a stac in .altinstr_replacement becomes a NOP (UACCESS never goes on)
# Each case: the patched object is copied twice; the reference objtool and `altorc objtool` run
# with the object's own NAME.args; their 'warning: objtool:' lines must be equal (file names
# stripped, order kept), then `altorc orc diff` must find the two ORC tables equal (the reference
# writes ORC despite warnings, with the broken function's states cut where its walk stopped).
# When the team's ../shared/corpus/orc-compare is present it is run as well, as a cross-check
# of that verdict (a disagreement fails the case); nothing here needs ../shared.
#
# Environment: ALTORC (binary under test), CORPUS (default: `corpus-build.sh --print-dir`, where
# make check's corpus stage builds net/key and drivers/md of 6.1 and 6.12), PER_KIND (cases per
# kind and object, default 1), ORC_COMPARE (cross-check script; empty turns it off),
# KEEP=1 keeps the work folder.
# An object of the list that is not in the corpus is skipped (and counted as skipped).
# Last line: 'N passed, M failed' (', K skipped').  Skips cleanly without corpus, reference
# objtool, objdump or /usr/bin/python3 with pyelftools (scripts/deps.sh installs them).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CORPUS=${CORPUS:-$("$top/tests/scripts/corpus-build.sh" --print-dir)}
PER_KIND=${PER_KIND:-1}
PY=/usr/bin/python3   # the python3 on PATH may lack pyelftools; Debian's has it once installed
ORC_COMPARE=${ORC_COMPARE-$top/../shared/corpus/orc-compare}

skip() { echo "warning-parity: skipped: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

[[ -x $ALTORC ]] || skip "no altorc binary at $ALTORC"
[[ -d $CORPUS ]] || skip "no corpus at $CORPUS (make check's corpus stage builds it)"
[[ -x $PY ]] || skip "no $PY (scripts/deps.sh installs python3)"
$PY -c 'import elftools' 2>/dev/null || skip "$PY has no pyelftools (scripts/deps.sh installs python3-pyelftools)"
command -v objdump >/dev/null || skip "no objdump (scripts/deps.sh installs binutils)"
"$ALTORC" orc diff --help >/dev/null 2>&1 || skip "$ALTORC has no 'orc diff'"
[[ -n $ORC_COMPARE && -x $ORC_COMPARE ]] || ORC_COMPARE=

# The reference objtool of a kernel series, found as the corpus was built with it.
ref_for() { "$top/tests/scripts/corpus-build.sh" --objtool "$1" 2>/dev/null; }

# Objects: small and large, C and hand-written assembly, both kernels.  Those of net_key and
# drivers_md are in every corpus make check builds (6.12 drivers_md holds one prelinked object
# per module: dm-mod, dm-delay, dm-crypt, raid456, ...); the lib ones only in the team's larger
# corpus, and are skipped where absent.
objects=(
  6.1/net_key/af_key 6.1/drivers_md/dm-crypt 6.1/lib/crc8 6.1/lib/lru_cache
  6.1/drivers_md/raid5-ppl 6.1/drivers_md/dm-ioctl
  6.12/net_key/af_key 6.12/lib/lru_cache 6.12/drivers_md/dm-delay 6.12/lib/crypto__libpoly1305
  6.12/drivers_md/dm-mod 6.12/drivers_md/dm-crypt
)

work=$(mktemp -d /tmp/warning-parity.XXXXXX)
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT
export SRCARCH=x86

# gen_cases PRE.o PER_KIND: lines "kind name file_offset old_hex new_hex"
gen_cases() {
  $PY - "$1" "$2" <<'EOF'
import re, subprocess, sys
from elftools.elf.elffile import ELFFile

path, per_kind = sys.argv[1], int(sys.argv[2])
POPS = {'5b', '5d', '5e', '5f', '41 5c', '41 5d', '41 5e', '41 5f'}
PUSHES = {'53', '55', '41 54', '41 55', '41 56', '41 57'}

with open(path, 'rb') as fh:
    elf = ELFFile(fh)
    secoff = {s.name: s['sh_offset'] for s in elf.iter_sections()}
    funcs = {}
    symtab = elf.get_section_by_name('.symtab')
    for sym in symtab.iter_symbols():
        if sym['st_info']['type'] == 'STT_FUNC' and sym['st_size'] and isinstance(sym['st_shndx'], int):
            sec = elf.get_section(sym['st_shndx']).name
            funcs.setdefault(sec, []).append((sym['st_value'], sym['st_size'], sym.name))

out = subprocess.run(['objdump', '-dr', '--insn-width=16', path], capture_output=True,
                     text=True, check=True).stdout
insns = {}   # section -> list of [off, hexbytes, text, reloc]
sec = None
for line in out.splitlines():
    m = re.match(r'Disassembly of section (\S+):', line)
    if m:
        sec = m.group(1)
        insns.setdefault(sec, [])
        continue
    m = re.match(r'\s+([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(.*)$', line)
    if m and sec:
        insns[sec].append([int(m.group(1), 16), m.group(2).strip(), m.group(3).strip(), None])
        continue
    m = re.match(r'\s+[0-9a-f]+: (R_X86_64_\S+)\s+(\S+)', line)
    if m and sec and insns[sec]:
        insns[sec][-1][3] = m.group(2)

def nops(n):
    return {1: '90', 2: '66 90'}[n]

cands = {}
def add(kind, fname, sec, off, old, new):
    cands.setdefault(kind, []).append((fname, sec, off, old, new))

for sec, flist in funcs.items():
    if sec not in insns or sec.startswith('.altinstr') or sec.startswith('.init'):
        continue
    lst = insns[sec]
    for (start, size, fname) in sorted(flist):
        body = [i for i in lst if start <= i[0] < start + size]
        for k, (off, hx, text, rel) in enumerate(body):
            nxt = body[k + 1] if k + 1 < len(body) else None
            nlen = len(hx.split())
            if hx in POPS and nxt:
                n_off, n_hx, n_text, n_rel = nxt
                is_ret = n_hx == 'c3' or (n_text.startswith('jmp') and n_rel and
                                          n_rel.startswith('__x86_return_thunk'))
                if is_ret:
                    add('ret_pop', fname, sec, off, hx, nops(nlen))
                    if hx == '5b' and k + 2 < len(body) and body[k + 2][1] != 'cc':
                        pass
                elif n_text.startswith('jmp'):
                    m = re.search(r'<([^>+]+)(\+0x[0-9a-f]+)?>', n_text)
                    tgt_other = (n_rel and not n_rel.startswith('.')) or \
                                (m and m.group(1) != fname and not m.group(2))
                    if tgt_other and not (n_rel or '').startswith('__x86_'):
                        add('tail_pop', fname, sec, off, hx, nops(nlen))
                    elif m and m.group(1) == fname:
                        add('arm_pop', fname, sec, off, hx, nops(nlen))
                        t = int(n_text.split()[1], 16)
                        before = [b for b in body if b[0] < t]
                        if before and not re.match(r'(jmp|ret)', before[-1][2]) and \
                                before[-1][1] != 'cc':
                            add('join_pop', fname, sec, off, hx, nops(nlen))
                if hx == '5b' and n_hx in POPS:
                    add('leave', fname, sec, off, hx, 'c9')
            if hx in PUSHES and off - start < 16 and not any(
                    b[1] in PUSHES for b in body if start <= b[0] < off):
                add('entry_push', fname, sec, off, hx, nops(nlen))
            if hx == '53':
                add('push_swap', fname, sec, off, hx, '55')
            if re.fullmatch(r'7[0-9a-f] [0-9a-f]{2}', hx):
                add('jcc_jmp', fname, sec, off, hx, 'eb ' + hx.split()[1])
            m = re.fullmatch(r'(eb [0-9a-f]{2}|e9( [0-9a-f]{2}){4})', hx)
            if m and not rel and off > start:
                d = start - (off + nlen)
                if nlen == 5:
                    add('retarget', fname, sec, off, hx, 'e9 ' + ' '.join(
                        '%02x' % b for b in d.to_bytes(4, 'little', signed=True)))
                elif d >= -128:
                    add('retarget', fname, sec, off, hx, 'eb %02x' % (d & 0xff))
            if re.fullmatch(r'48 83 ec [0-9a-f]{2}', hx):
                add('realign', fname, sec, off, hx, '48 83 e4 f0')
            m = re.fullmatch(r'48 83 c4 ([0-9a-f]{2})', hx)
            if m and int(m.group(1), 16) < 0x70:
                add('sp_adjust', fname, sec, off, hx, '48 83 c4 %02x' % (int(m.group(1), 16) + 8))

for (off, hx, text, rel) in insns.get('.altinstr_replacement', []):
    if hx == '0f 01 ca':
        add('clac_drop', '-', '.altinstr_replacement', off, hx, '0f 1f 00')
    if hx == '0f 01 cb':
        add('stac_drop', '-', '.altinstr_replacement', off, hx, '0f 1f 00')

for kind in sorted(cands):
    lst = cands[kind]
    # spread the picks over the object: the middle one first, then evenly
    picks = sorted({(len(lst) * (2 * i + 1)) // (2 * per_kind) for i in range(per_kind)})
    for p in picks[:len(lst)]:
        fname, sec, off, old, new = lst[min(p, len(lst) - 1)]
        print(kind, '%s+0x%x' % (sec, off), secoff[sec] + off, old.replace(' ', ''),
              new.replace(' ', ''), fname)
EOF
}

# patch FILE FILE_OFFSET OLD_HEX NEW_HEX
patch_bytes() {
  $PY - "$@" <<'EOF'
import sys
path, off, old, new = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[4])
with open(path, 'r+b') as fh:
    fh.seek(off)
    if fh.read(len(old)) != old:
        sys.exit('bytes at %d are not %s' % (off, old.hex()))
    fh.seek(off)
    fh.write(new)
EOF
}

# warnings FILE.warn: the objtool warning lines with the object's name cut off
warnings() { grep -F ': warning: objtool: ' "$1" | sed 's/^[^ ]*: warning: objtool: //'; }

passed=0 failed=0 skipped=0 with_warn=0
declare -A kinds_seen=()
for obj in "${objects[@]}"; do
  kernel=${obj%%/*}
  pre=$CORPUS/$obj.pre.o args=$CORPUS/$obj.args
  ref=$(ref_for "$kernel")
  if [[ ! -f $pre || ! -f $args ]]; then
    echo "SKIP $obj: not in the corpus"; skipped=$((skipped + 1)); continue
  fi
  if [[ -z $ref ]]; then
    echo "SKIP $obj: no reference objtool for $kernel"; skipped=$((skipped + 1)); continue
  fi
  mapfile -t objargs < "$args"
  while read -r kind where foff old new fname; do
    id="$obj:$kind:$where"
    d=$work/$(echo "$obj-$kind-$where" | tr '/+' '__')
    mkdir -p "$d"
    cp "$pre" "$d/patched.o"
    if ! patch_bytes "$d/patched.o" "$foff" "$old" "$new"; then
      echo "FAIL $id: could not patch"; failed=$((failed + 1)); continue
    fi
    cp "$d/patched.o" "$d/ref.o"; cp "$d/patched.o" "$d/cand.o"
    "$ref" "${objargs[@]}" "$d/ref.o" > "$d/ref.warn" 2>&1
    # kbuild's environment: the kernel's Makefile exports KERNELRELEASE to objtool
    KERNELRELEASE=$kernel ALTORC_QUIET_PENDING=1 "$ALTORC" objtool "${objargs[@]}" "$d/cand.o" \
      > "$d/cand.warn" 2>&1
    crc=$?
    warnings "$d/ref.warn" > "$d/ref.lines"; warnings "$d/cand.warn" > "$d/cand.lines"
    first=$(head -n 1 "$d/ref.lines")
    if ((crc != 0)); then
      echo "FAIL $id ($fname, $old->$new): altorc exited $crc"; sed 's/^/    /' "$d/cand.warn" | head -5
      failed=$((failed + 1)); continue
    fi
    if ! cmp -s "$d/ref.lines" "$d/cand.lines"; then
      echo "FAIL $id ($fname, $old->$new): warnings differ (< reference, > altorc)"
      diff "$d/ref.lines" "$d/cand.lines" | sed 's/^/    /' | head -10
      failed=$((failed + 1)); continue
    fi
    "$ALTORC" orc diff "$d/ref.o" "$d/cand.o" > "$d/orc.txt" 2>&1
    drc=$?
    if ((drc != 0)); then
      if ((drc == 1)); then why="ORC differs"; else why="orc diff exited $drc"; fi
      echo "FAIL $id ($fname, $old->$new): $why; ${first:-no warning}"
      sed 's/^/    /' "$d/orc.txt" | head -8
      failed=$((failed + 1)); continue
    fi
    if [[ -n $ORC_COMPARE ]] && ! "$ORC_COMPARE" "$d/ref.o" "$d/cand.o" > "$d/orc-compare.txt" 2>&1; then
      echo "FAIL $id ($fname, $old->$new): orc diff says equal, orc-compare disagrees"
      sed 's/^/    /' "$d/orc-compare.txt" | head -8
      failed=$((failed + 1)); continue
    fi
    if [[ -n $first ]]; then
      with_warn=$((with_warn + 1))
      msg=$(sed -E 's/^[^:]+: //; s/(mismatch|conflict in alternatives)[: ].*/\1/; s/call to .*\(\) with/call to X() with/' <<< "$first")
      kinds_seen[$msg]=1
    fi
    echo "ok   $id ($fname): ${first:-no warning}"
    passed=$((passed + 1))
  done < <(gen_cases "$pre" "$PER_KIND")
done

echo "cases with a warning: $with_warn; warning kinds seen:"
for k in "${!kinds_seen[@]}"; do echo "  $k"; done | sort
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
