#!/bin/bash
# sites-corpus.sh: does `altorc objtool` add what the reference objtool adds besides ORC?
#
# usage: sites-corpus.sh [-j N] [-k] [CORPUS_KERNEL_DIR...]
#   CORPUS_KERNEL_DIR  default: $CORPUS_DIR/{6.1,6.12}, else ../corpus-cache/{6.1,6.12} beside the
#                      checkout, else /work/corpus-cache/{6.1,6.12}
#   ALTORC             the binary to test (default: ./altorc of the checkout)
#   -k                 keep the work directory (printed at the end)
#
# For every NAME.pre.o it runs `$ALTORC objtool $(cat NAME.args) COPY.o` on a copy (the corpus is
# never written) and compares COPY.o with the reference's NAME.post.o:
#   - .static_call_sites .retpoline_sites .return_sites .call_sites .ibt_endbr_seal .cfi_sites
#     __mcount_loc: present in both or neither; same flags, entry size, alignment, entry count;
#     entry by entry the same relocation targets, in order.  A target is compared as
#     section+offset (symbol value + addend), or symbol name + addend when undefined: which symbol
#     a writer picks may differ, where it points may not;
#   - the __pfx_ symbols: same names, sections, values, sizes, binding and type;
#   - every code section's bytes (the jump_label/noinstr rewrites) and every code relocation's
#     (offset, type) (the R_X86_64_NONE rewrites);
#   - a second run on COPY.o must leave it byte for byte unchanged: refused (exit 2) or, when
#     the first run added nothing, exit 0.
# Last line: 'N passed, M failed'.  Needs /usr/bin/python3 with pyelftools.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=capture-lib.sh
source "$here/tests/scripts/capture-lib.sh"
jobs=2 keep=0
while (($#)); do
  case $1 in
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -k) keep=1; shift ;;
    *) break ;;
  esac
done
ALTORC=${ALTORC:-$here/altorc}
[[ -x $ALTORC ]] || { echo "sites-corpus: no binary $ALTORC (make, or set ALTORC)" >&2; exit 2; }
dirs=("$@")
if ((${#dirs[@]} == 0)); then
  base=${CORPUS_DIR:-}
  [[ -z $base && -d $here/../corpus-cache ]] && base=$here/../corpus-cache
  [[ -z $base ]] && base=/work/corpus-cache
  dirs=("$base/6.1" "$base/6.12")
fi
work=$(mktemp -d /tmp/sites-corpus.XXXXXX)
export ALTORC work

compare_py=$work/compare.py
cat > "$compare_py" <<'EOF'
import struct, sys
from elftools.elf.elffile import ELFFile

SITE_SECTIONS = ['.static_call_sites', '.retpoline_sites', '.return_sites', '.call_sites',
                 '.ibt_endbr_seal', '.cfi_sites', '__mcount_loc']

class Obj:
    def __init__(self, path):
        self.fp = open(path, 'rb')
        self.elf = ELFFile(self.fp)
        self.secs = list(self.elf.iter_sections())
        self.by_name = {s.name: s for s in self.secs}
        self.symtab = self.elf.get_section_by_name('.symtab')
        self.syms = list(self.symtab.iter_symbols())
        self.rela_of = {}
        for i, s in enumerate(self.secs):
            if s['sh_type'] == 'SHT_RELA':
                self.rela_of[s['sh_info']] = s

    def sec_name(self, idx):
        return self.secs[idx].name

    def rels(self, sec_index):
        r = self.rela_of.get(sec_index)
        if r is None:
            return []
        return list(struct.iter_unpack('<QQq', r.data()))

    def target(self, info, addend):
        sym = self.syms[info >> 32]
        shndx = sym['st_shndx']
        if shndx == 'SHN_UNDEF':
            return ('UND:' + sym.name, addend)
        if shndx == 'SHN_XINDEX' or not isinstance(shndx, int):
            raise ValueError('unsupported shndx %r' % (shndx,))
        return (self.sec_name(shndx), sym['st_value'] + addend)

def site_section(ref, cand, name):
    a, b = ref.by_name.get(name), cand.by_name.get(name)
    if a is None and b is None:
        return None
    if a is None or b is None:
        return '%s: %s' % (name, 'missing' if b is None else 'extra')
    for k in ('sh_flags', 'sh_entsize', 'sh_addralign', 'sh_size'):
        if a[k] != b[k]:
            return '%s: %s %#x != %#x' % (name, k, a[k], b[k])
    ra = sorted((o, i & 0xffffffff, ref.target(i, ad)) for o, i, ad in ref.rels(ref.secs.index(a)))
    rb = sorted((o, i & 0xffffffff, cand.target(i, ad)) for o, i, ad in cand.rels(cand.secs.index(b)))
    if len(ra) != len(rb):
        return '%s: %d relocations != %d' % (name, len(ra), len(rb))
    for x, y in zip(ra, rb):
        if x != y:
            es = a['sh_entsize'] or 1
            return '%s: entry %d: %s != %s' % (name, x[0] // es, x, y)
    return None

def pfx_symbols(o):
    out = set()
    for s in o.syms:
        if s.name.startswith('__pfx_'):
            out.add((s.name, o.sec_name(s['st_shndx']), s['st_value'], s['st_size'],
                     s['st_info']['bind'], s['st_info']['type']))
    return out

def code(ref, cand):
    for i, a in enumerate(ref.secs):
        if not (a['sh_flags'] & 4) or a['sh_type'] != 'SHT_PROGBITS':
            continue
        b = cand.by_name.get(a.name)
        if b is None:
            return 'code section %s missing' % a.name
        da, db = a.data(), b.data()
        if da != db:
            n = next(k for k in range(min(len(da), len(db))) if da[k] != db[k]) if len(da) == len(db) else 0
            return '%s: bytes differ at %#x (%s != %s)' % (a.name, n, da[n:n+5].hex(), db[n:n+5].hex())
        ta = sorted((o, inf & 0xffffffff) for o, inf, _ in ref.rels(i))
        tb = sorted((o, inf & 0xffffffff) for o, inf, _ in cand.rels(cand.secs.index(b)))
        if ta != tb:
            diff = sorted(set(ta) ^ set(tb))[:3]
            return '%s: relocation (offset, type) differ, e.g. %s' % (a.name, diff)
    return None

def main(ref_path, cand_path):
    ref, cand = Obj(ref_path), Obj(cand_path)
    problems = [p for p in (site_section(ref, cand, n) for n in SITE_SECTIONS) if p]
    pa, pb = pfx_symbols(ref), pfx_symbols(cand)
    if pa != pb:
        problems.append('__pfx_ symbols: %d missing, %d extra, e.g. %s' %
                        (len(pa - pb), len(pb - pa), sorted(pa ^ pb)[:2]))
    c = code(ref, cand)
    if c:
        problems.append(c)
    return problems

if __name__ == '__main__':
    probs = main(sys.argv[1], sys.argv[2])
    print('; '.join(probs) if probs else 'ok')
EOF
export compare_py

one() {
  local pre=$1
  local stem=${pre%.pre.o}
  local kdir name cand args=()
  kdir=$(capture_kernel "$pre")
  name=$kdir-$(basename "$(dirname "$pre")")-$(basename "$stem")
  cand=$work/$name.o
  mapfile -t args < "$stem.args"
  cp "$pre" "$cand"
  # kbuild's environment: the kernel's Makefile exports KERNELRELEASE to objtool
  KERNELRELEASE=$kdir "$ALTORC" objtool "${args[@]}" "$cand" > "$work/$name.log" 2>&1
  local rc1=$?
  if ((rc1 != 0)); then
    echo "FAIL $pre: altorc objtool exited $rc1 ($(tail -1 "$work/$name.log"))"
    return
  fi
  local verdict
  verdict=$(/usr/bin/python3 "$compare_py" "$stem.post.o" "$cand" 2>&1 | tail -1)
  if [[ $verdict != ok ]]; then
    echo "FAIL $pre: $verdict"
    return
  fi
  cp "$cand" "$cand.first"
  KERNELRELEASE=$kdir "$ALTORC" objtool "${args[@]}" "$cand" > "$work/$name.again.log" 2>&1
  local rc=$?
  # Refused (2), or nothing was added the first time and nothing is now (0, same bytes).
  if ((rc != 2 && rc != 0)) || ! cmp -s "$cand" "$cand.first"; then
    echo "FAIL $pre: second run exited $rc$(cmp -s "$cand" "$cand.first" || echo ' and changed the file')"
    return
  fi
  rm -f "$cand" "$cand.first"
  echo "PASS $pre"
}
export -f one capture_kernel

for d in "${dirs[@]}"; do
  [[ -d $d ]] || { echo "sites-corpus: no corpus folder $d" >&2; continue; }
  find "$d" -name '*.pre.o' -print0
done | sort -z | xargs -0 -P "$jobs" -I{} bash -c 'one "$@"' _ {} > "$work/results"
grep '^FAIL' "$work/results" | sort
passed=$(grep -c '^PASS' "$work/results")
failed=$(grep -c '^FAIL' "$work/results")
((keep)) && echo "work directory: $work" || rm -rf "$work"
echo "$passed passed, $failed failed"
((failed == 0))
