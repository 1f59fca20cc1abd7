#!/usr/bin/python3
"""malformed-damage.py: make damaged copies of good objects for tests/scripts/malformed.sh.

  malformed-damage.py OUTDIR BASE=PATH...

BASE names a good object: 'mb' (tests/fixtures/malformed_base.S assembled), 'mbpost' (the same
after `altorc objtool --orc`, so it carries ORC), or 'corpus-N' (real kernel objects; only the
generic damages are applied to those).  Writes OUTDIR/CASE.o for every case whose base was
given, and prints the manifest on stdout, one case a line, tab-separated:

  CASE  FILE  OBJTOOL CHECK ALTERNATIVES ORC-DUMP  SECTION  OFFSET  WHY

The four expectation columns are the exit statuses allowed for that command ("2", or "01" when
the damage is legitimately harmless for that command); SECTION is a regular expression the
one error message must match (after the file name) when the status is 2; OFFSET is 1 when the
message must carry a hex offset; WHY explains a 0/1 expectation.

Byte layouts are the ELF64 ones (Elf64_Ehdr, Elf64_Shdr, Elf64_Sym, Elf64_Rela) and the 6.1
special-section entries of ../shared/docs/FORMATS.md; sections are located with pyelftools and
patched as raw bytes, so the damage is exactly what a case says and nothing else.
"""
import os
import struct
import sys

from elftools.elf.elffile import ELFFile

SHDR = {"name": (0, "<I"), "type": (4, "<I"), "flags": (8, "<Q"), "offset": (24, "<Q"),
        "size": (32, "<Q"), "link": (40, "<I"), "info": (44, "<I"), "align": (48, "<Q"),
        "entsize": (56, "<Q")}
SYM = {"name": (0, "<I"), "info": (4, "<B"), "shndx": (6, "<H"), "value": (8, "<Q"), "size": (16, "<Q")}
RELA = {"offset": (0, "<Q"), "info": (8, "<Q"), "addend": (16, "<q")}


class Obj:
    def __init__(self, path):
        self.data = bytearray(open(path, "rb").read())
        with open(path, "rb") as f:
            e = ELFFile(f)
            self.shoff = e["e_shoff"]
            self.shentsize = e["e_shentsize"]
            self.shnum = e["e_shnum"]
            self.secs = {}
            for i, s in enumerate(e.iter_sections()):
                self.secs[s.name] = (i, s["sh_offset"], s["sh_size"])
            st = e.get_section_by_name(".symtab")
            self.syms = {s.name: i for i, s in enumerate(st.iter_symbols()) if s.name}
            # Does `altorc alternatives` list code in .text (and so read .rela.text)?
            text = self.secs.get(".text", (None,))[0]
            self.text_sites = False
            for name in (".rela.altinstructions", ".rela.parainstructions"):
                r = e.get_section_by_name(name)
                if r is not None and text is not None:
                    self.text_sites |= any(st.get_symbol(x["r_info_sym"])["st_shndx"] == text
                                           for x in r.iter_relocations())

    def put(self, off, fmt, val):
        struct.pack_into(fmt, self.data, off, val)

    def get(self, off, fmt):
        return struct.unpack_from(fmt, self.data, off)[0]

    def idx(self, sec):
        return self.secs[sec][0]

    def sec_off(self, sec):
        return self.secs[sec][1]

    def sec_size(self, sec):
        return self.secs[sec][2]

    def shdr(self, sec, field, val):
        o, fmt = SHDR[field]
        self.put(self.shoff + self.idx(sec) * self.shentsize + o, fmt, val)

    def sym(self, name, field, val):
        o, fmt = SYM[field]
        self.put(self.sec_off(".symtab") + self.syms[name] * 24 + o, fmt, val)

    def rela(self, sec, k, field, val):
        o, fmt = RELA[field]
        self.put(self.sec_off(sec) + k * 24 + o, fmt, val)

    def rela_get(self, sec, k, field):
        o, fmt = RELA[field]
        return self.get(self.sec_off(sec) + k * 24 + o, fmt)

    def byte(self, sec, off, val):
        self.data[self.sec_off(sec) + off] = val

    def fill(self, sec, val):
        o, n = self.sec_off(sec), self.sec_size(sec)
        self.data[o:o + n] = bytes([val]) * n

    def truncate(self, n):
        del self.data[n:]


def rela_sym(o, sec, k, sym):
    info = o.rela_get(sec, k, "info")
    o.rela(sec, k, "info", (sym << 32) | (info & 0xffffffff))


# Expectation shorthands.  ALL: every command must reject the file (status 2).
ALL = ("2", "2", "2", "2")
# The damage is in code or in the CFG's metadata: `alternatives` (which reads only
# .altinstructions/.parainstructions and lists code bytes) and `orc dump` (only ORC
# sections) never look there, so they succeed.
CODE_ONLY = ("2", "2", "01", "01")
WHY_CODE = "alternatives and orc dump do not read the damaged part"
# Damage to alternatives/paravirt metadata: orc dump does not read it.
ALTS = ("2", "2", "2", "01")
WHY_ALTS = "orc dump reads no alternative/paravirt metadata"
# .parainstructions: neither the 6.1 objtool's CFG nor ours reads it; only the listing does.
PV = ("01", "01", "2", "01")
WHY_PV = "only the alternatives listing reads .parainstructions (objtool 6.1 ignores it too)"
# Damage to ORC sections of an object that already has ORC: objtool --orc and check
# regenerate ORC from the code and never read the old table (the reference objtool does
# the same: it only checks that none exists yet, by name); alternatives ignores ORC.
ORC_ONLY = ("2", "01", "01", "2")
WHY_ORC = ("check and alternatives never read existing ORC; objtool refuses any object that "
           "already has .orc_unwind (as the reference does) and says so")
# Damage to .text's relocations: orc dump reads only ORC sections; the alternatives listing
# reads them only when it lists code in .text.
def RELA_TEXT(o):
    return ("2", "2", "2" if o.text_sites else "01", "01")


WHY_RELA_TEXT = "orc dump reads only ORC sections (nor does alternatives without sites in .text)"

# (name, bases, damage(o), expect, section regex, needs offset, why)
CASES = []


def case(name, bases, expect=ALL, section=".", offset=0, why="-"):
    def wrap(fn):
        CASES.append((name, bases, fn, expect, section, offset, why))
        return fn
    return wrap


GENERIC = ("mb", "corpus")

# ---- truncations: the section header table is at the end, so every cut loses it ----
for label, where in (("0", lambda o: 0), ("ident", lambda o: 10), ("ehdr", lambda o: 40),
                     ("text", lambda o: o.sec_off(".text") + 10), ("half", lambda o: len(o.data) // 2),
                     ("shdrs", lambda o: o.shoff), ("mid-shdrs", lambda o: o.shoff + o.shentsize * 3 + 5),
                     ("last-byte", lambda o: len(o.data) - 1)):
    case("truncate-" + label, GENERIC)(lambda o, w=where: o.truncate(w(o)))

# ---- ELF header ----
case("ehdr-machine-i386", GENERIC)(lambda o: o.put(18, "<H", 3))
case("ehdr-type-exec", GENERIC, ("2", "2", "2", "01"),
     why="orc dump reads linked images (ET_EXEC) too, from the PC-relative values, as the "
         "reference's --dump=orc does whatever e_type says")(lambda o: o.put(16, "<H", 2))
case("ehdr-class-32", GENERIC)(lambda o: o.put(4, "<B", 1))
case("ehdr-shstrndx-range", GENERIC)(lambda o: o.put(62, "<H", o.shnum + 5))
case("ehdr-shnum-huge", GENERIC)(lambda o: o.put(60, "<H", 0x7fff))
# libelf reads 64-byte section headers whatever e_shentsize says (so does the reference).
case("ehdr-shentsize", GENERIC, ("01", "01", "01", "01"),
     why="libelf ignores e_shentsize for ELFCLASS64; the headers read are the real ones")(
    lambda o: o.put(58, "<H", 40))

# ---- section headers ----
case("text-offset-past-eof", GENERIC, ALL, r"\.text")(
    lambda o: o.shdr(".text", "offset", len(o.data) + 0x1000))
case("text-size-past-eof", GENERIC, ALL, r"\.text")(
    lambda o: o.shdr(".text", "size", len(o.data) * 4))
case("text-nobits", ("mb",), CODE_ONLY, r"\.text", why=WHY_CODE)(lambda o: o.shdr(".text", "type", 8))
case("rela-text-link-range", GENERIC, section=r"\.rela\.text")(lambda o: o.shdr(".rela.text", "link", 99))
case("rela-text-link-not-symtab", GENERIC, section=r"\.rela\.text")(
    lambda o: o.shdr(".rela.text", "link", o.idx(".text")))
case("rela-text-info-range", GENERIC, section=r"\.rela\.text")(lambda o: o.shdr(".rela.text", "info", 99))
case("rela-text-entsize", GENERIC, section=r"\.rela\.text")(lambda o: o.shdr(".rela.text", "entsize", 7))
case("rela-text-size-odd", GENERIC, section=r"\.rela\.text")(
    lambda o: o.shdr(".rela.text", "size", o.sec_size(".rela.text") - 5))
case("rela-text-type-rel", GENERIC, section=r"\.rela\.text")(lambda o: o.shdr(".rela.text", "type", 9))
# libelf pads each section to its alignment when the object is written back: 2^43 (a fuzz
# find) made `altorc objtool` write terabytes before failing.
case("section-align-absurd", GENERIC, section=r"\.data")(lambda o: o.shdr(".data", "align", 1 << 43))
case("section-align-not-power-of-two", ("mb",), section=r"\.data")(lambda o: o.shdr(".data", "align", 24))
case("symtab-entsize", GENERIC, section=r"\.symtab")(lambda o: o.shdr(".symtab", "entsize", 23))
case("symtab-link-range", GENERIC, section=r"\.symtab")(lambda o: o.shdr(".symtab", "link", 99))
case("symtab-size-odd", GENERIC, section=r"\.symtab")(
    lambda o: o.shdr(".symtab", "size", o.sec_size(".symtab") - 5))
case("symtab-info-range", GENERIC, section=r"\.symtab")(lambda o: o.shdr(".symtab", "info", 100000))
case("shname-range", GENERIC, section=r"section|shstrtab|name")(
    lambda o: o.shdr(".altinstructions", "name", 0xfffff) if ".altinstructions" in o.secs
    else o.shdr(".text", "name", 0xfffff))

# ---- symbols ----
# Cut to the section symbols: relocations then name symbol indexes past the end.
case("symtab-cut-short", ("mb",), RELA_TEXT, r"\.rela", 1, WHY_RELA_TEXT)(
    lambda o: o.shdr(".symtab", "size", 3 * 24))
case("sym-shndx-range", ("mb",), section=r"\.symtab|mb_flags", offset=0)(
    lambda o: o.sym("mb_flags", "shndx", 0x7ff0))
case("sym-name-range", ("mb",), section=r"\.symtab|\.strtab", offset=0)(
    lambda o: o.sym("mb_flags", "name", 0xffffff))
# A direct call relocated against a "section symbol" of no section (a fuzz find: the
# error message dereferenced the missing section).
case("call-to-sectionless-section-symbol", ("mb",), CODE_ONLY, r"mb_framed|\.text", 1, WHY_CODE)(
    lambda o: o.sym("mb_ext", "info", (1 << 4) | 3))
# The same for a jump (a fuzz find in the "can't find jump dest" message).
case("jump-to-sectionless-section-symbol", ("mb",), CODE_ONLY, r"mb_tail_caller|\.text", 1, WHY_CODE)(
    lambda o: o.sym("mb_tail", "info", (1 << 4) | 3))
case("func-size-past-section", ("mb",), ("01", "01", "01", "01"),
     why="a function's size only bounds which instructions are its own; the reference accepts it too")(
    lambda o: o.sym("mb_framed", "size", 0x10000))
case("func-value-past-section", ("mb",), CODE_ONLY, r"\.text|mb_framed", why=WHY_CODE)(
    lambda o: o.sym("mb_framed", "value", 0x10000))

# ---- relocations to nowhere ----
case("rela-text-sym-range", GENERIC, RELA_TEXT, r"\.rela\.text", 1, WHY_RELA_TEXT)(
    lambda o: rela_sym(o, ".rela.text", 0, 0xffffff))
case("rela-text-offset-past", GENERIC, RELA_TEXT, r"\.rela\.text|\.text", 1, WHY_RELA_TEXT)(
    lambda o: o.rela(".rela.text", 0, "offset", 0x100000))
case("rela-alt-offset-past", ("mb",), ALTS, r"\.rela\.altinstructions|\.altinstructions", 1, WHY_ALTS)(
    lambda o: o.rela(".rela.altinstructions", 0, "offset", 0x1000))
case("rela-alt-sym-range", ("mb",), ALTS, r"\.rela\.altinstructions", 1, WHY_ALTS)(
    lambda o: rela_sym(o, ".rela.altinstructions", 1, 0xfff))
# The key field of the one __jump_table entry loses its relocation.
case("jump-table-no-reloc", ("mb",), CODE_ONLY, r"__jump_table", 1, WHY_CODE)(
    lambda o: o.shdr(".rela__jump_table", "size", 2 * 24))
case("jump-table-size-odd", ("mb",), CODE_ONLY, r"__jump_table", why=WHY_CODE)(
    lambda o: o.shdr("__jump_table", "size", 15))
case("jump-target-outside", ("mb",), CODE_ONLY, r"\.text|__jump_table", 1, WHY_CODE)(
    lambda o: o.rela(".rela__jump_table", 1, "addend", 0x1000))
case("ex-table-no-reloc", ("mb",), CODE_ONLY, r"__ex_table", 1, WHY_CODE)(
    lambda o: o.shdr(".rela__ex_table", "size", 24))
case("ex-table-size-odd", ("mb",), CODE_ONLY, r"__ex_table", why=WHY_CODE)(
    lambda o: o.shdr("__ex_table", "size", 11))

# ---- alternatives and paravirt sites ----
ALT0 = 0   # entry 0 at .altinstructions+0: the paravirt call
ALT1 = 12  # entry 1: the 5-byte NOP
case("alt-orig-len-past-section", ("mb",), ALTS, r"\.altinstructions", 1, WHY_ALTS)(
    lambda o: o.byte(".altinstructions", ALT0 + 10, 0xff))
case("alt-repl-len-past-section", ("mb",), ALTS, r"\.altinstructions", 1, WHY_ALTS)(
    lambda o: o.byte(".altinstructions", ALT1 + 11, 0xff))
# A table whose header type gives it no bytes (SHT_NULL), though it has a size: a fuzz find.
case("alt-section-type-null", ("mb",), ALTS, r"\.altinstructions", why=WHY_ALTS)(
    lambda o: o.shdr(".altinstructions", "type", 0))
case("alt-size-no-layout", ("mb",), ALTS, r"\.altinstructions", why=WHY_ALTS)(
    lambda o: o.shdr(".altinstructions", "size", 25))
case("alt-overlapping-sites", ("mb",), ("01", "01", "01", "01"),
     why="overlapping sites are legal (6.10+ nests alternatives); the reference accepts them too")(
    lambda o: o.byte(".altinstructions", ALT0 + 10, 14))
case("alt-orig-mid-instruction", ("mb",), ("2", "2", "01", "01"), r"\.altinstructions|\.text|mb_flags", 1,
     "the listing disassembles from the site itself, needing no instruction boundary; "
     "orc dump reads no alternatives")(
    lambda o: o.rela(".rela.altinstructions", 2, "addend", 0xd + 2))
case("alt-orig-in-data", ("mb",), ALTS, r"\.altinstructions|\.altinstr_replacement|\.text", 1, WHY_ALTS)(
    lambda o: rela_sym(o, ".rela.altinstructions", 0, 2) or o.rela(".rela.altinstructions", 0, "addend", 0x400))
case("alt-absurd-lengths", ("mb",), ALTS, r"\.altinstructions", 1, WHY_ALTS)(
    lambda o: (o.byte(".altinstructions", ALT1 + 10, 0), o.byte(".altinstructions", ALT1 + 11, 0xfe)))
case("pv-absurd-length", ("mb",), PV, r"\.parainstructions", 1, WHY_PV)(
    lambda o: o.byte(".parainstructions", 9, 0xff))
case("pv-size-odd", ("mb",), PV, r"\.parainstructions", why=WHY_PV)(
    lambda o: o.shdr(".parainstructions", "size", 15))

# ---- code ----
# 0xff 0xff: opcode FF /7 does not exist; 0x06 (push %es) does not exist in 64-bit mode.
case("text-garbage-ff", GENERIC, CODE_ONLY, r"\.text|mb_flags|\+0x", 1, WHY_CODE)(
    lambda o: o.fill(".text", 0xff))
case("text-garbage-06", ("mb",), CODE_ONLY, r"\.text|mb_flags|\+0x", 1, WHY_CODE)(
    lambda o: o.fill(".text", 0x06))

# ---- existing ORC (mbpost: the fixture after altorc objtool --orc) ----
case("orc-unwind-size-odd", ("mbpost",), ORC_ONLY, r"\.orc_unwind", why=WHY_ORC)(
    lambda o: o.shdr(".orc_unwind", "size", o.sec_size(".orc_unwind") - 1))
case("orc-ip-size-mismatch", ("mbpost",), ORC_ONLY, r"\.orc_unwind", why=WHY_ORC)(
    lambda o: o.shdr(".orc_unwind_ip", "size", o.sec_size(".orc_unwind_ip") - 4))
case("orc-ip-rela-sym-range", ("mbpost",), ORC_ONLY, r"\.orc_unwind", 0, WHY_ORC)(
    lambda o: rela_sym(o, ".rela.orc_unwind_ip", 1, 0xfff))
case("orc-ip-rela-cut", ("mbpost",), ORC_ONLY, r"\.orc_unwind", 0, WHY_ORC)(
    lambda o: o.shdr(".rela.orc_unwind_ip", "size", o.sec_size(".rela.orc_unwind_ip") - 24))


def main():
    outdir = sys.argv[1]
    bases = dict(a.split("=", 1) for a in sys.argv[2:])
    for name, kinds, fn, expect, section, offset, why in CASES:
        for base, path in sorted(bases.items()):
            kind = "corpus" if base.startswith("corpus") else base
            if kind not in kinds:
                continue
            o = Obj(path)
            try:
                fn(o)
            except KeyError:
                continue   # the object lacks the section this damage needs
            cname = name if kind != "corpus" else "%s-%s" % (base, name)
            exp = expect(o) if callable(expect) else expect
            out = os.path.join(outdir, cname + ".o")
            with open(out, "wb") as f:
                f.write(o.data)
            print("\t".join([cname, out, *exp, section, str(offset), why]))


main()
