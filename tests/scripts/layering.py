#!/usr/bin/env python3
"""layering.py: check that data flows one way through altorc's stages.

The pipeline is a ladder of folders (Documentation/design.md):

    base < elf < arch < special, dwarf < kernel < stack < cfg < validate < orc, sites
         < report < cmd

(arch knows instructions and the kernel's special symbols, so it sits on the ELF layer.)

A file may use what its own stage and the stages below it define, never a stage above it,
and no two files may depend on each other in a loop, inside a stage or across stages.  Two
kinds of dependency are read:

  * #include lines: a public header in include/ belongs to the stage named in HEADER_STAGE;
    a header inside a stage folder is that stage's private header and may be included only
    from that folder;
  * calls and data references between files, from the built objects' symbol tables (nm):
    an undefined symbol of A.o defined by B.o is an arrow A -> B.

usage: layering.py BUILD_DIR       (the folder `make` built the objects in)
Prints one line per violation, then 'N passed, M failed' (one check per file); exits 1 on any.
"""
import os
import re
import subprocess
import sys

STAGES = ["base", "elf", "arch", "special", "dwarf", "kernel", "stack", "cfg", "validate",
          "orc", "sites", "report", "cmd"]
# Stages that are siblings on one rung: neither may use the other.
RANK = {"base": 0, "elf": 1, "arch": 2, "special": 3, "dwarf": 3, "kernel": 4, "stack": 5,
        "cfg": 6, "validate": 7, "orc": 8, "sites": 8, "report": 9, "cmd": 10}

# The owner of every public header.
HEADER_STAGE = {
    "ao_error.h": "base", "version.h": "base", "ao_threads.h": "base", "ao_grow.h": "base",
    "ao_sanitize.h": "base",
    "ao_phases.h": "base",
    "arch.h": "arch", "arch_decode.h": "arch", "insn.h": "arch", "arch/elf.h": "arch",
    "objfile.h": "elf",
    "special.h": "special",
    "dwarf_lines.h": "dwarf", "dwarf_paravirt.h": "dwarf",
    "kernel.h": "kernel", "orc_types.h": "kernel",
    "stack_state.h": "stack",
    "cfg.h": "cfg", "cfg_blocks.h": "cfg", "paravirt_native.h": "cfg",
    "validate.h": "validate", "reconcile.h": "validate", "prefix.h": "validate",
    "cfi_check.h": "validate", "findings.h": "validate",
    "orc.h": "orc", "orc_gen.h": "orc", "orc_diff.h": "orc", "orc_lookup.h": "orc",
    "sites.h": "sites",
    "report.h": "report", "json_writer.h": "report", "insn_text.h": "report",
    "alt_report.h": "report",
    "analyze.h": "cmd", "commands.h": "cmd",
}


def stage_of(path):
    parts = path.split(os.sep)
    if parts[0] == "include" and len(parts) == 2:
        return HEADER_STAGE.get(parts[1])
    if parts[0] == "arch":
        return "arch"
    if parts[0] == "objtool" and len(parts) > 2 and parts[1] in RANK:
        return parts[1]
    return None


def sources(top):
    out = [os.path.join("include", h) for h in sorted(os.listdir(os.path.join(top, "include")))
           if h.endswith(".h")]
    for root in ("objtool", "arch/x86"):
        for d, _, files in os.walk(os.path.join(top, root)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), top))
    return sorted(out)


def include_violations(top, files):
    bad = {}
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for path in files:
        st = stage_of(path)
        if st is None:
            bad.setdefault(path, []).append("not inside a stage folder")
            continue
        with open(os.path.join(top, path), encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                m = inc.match(line)
                if not m:
                    continue
                name = m.group(1)
                local = os.path.join(os.path.dirname(path), name)
                if not path.startswith("include" + os.sep) and os.path.exists(os.path.join(top, local)):
                    continue  # the folder's own private header
                owner = HEADER_STAGE.get(name)
                if owner is None:
                    bad.setdefault(path, []).append(f"line {n}: {name} has no stage in HEADER_STAGE")
                elif RANK[owner] > RANK[st] or (RANK[owner] == RANK[st] and owner != st):
                    bad.setdefault(path, []).append(
                        f"line {n}: includes {name} of stage {owner}, above {st}")
    return bad


def symbols(obj):
    res = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True)
    defs, undefs = set(), set()
    for line in res.stdout.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, kind = f[0], f[1]
        if kind == "U":
            undefs.add(name)
        elif kind.isupper():
            defs.add(name)
    return defs, undefs


def call_graph(top, build, files):
    owner, uses = {}, {}
    for path in files:
        if not path.endswith(".c"):
            continue
        obj = os.path.join(build, path[:-2] + ".o")
        if not os.path.exists(obj):
            continue
        defs, undefs = symbols(obj)
        for s in defs:
            owner[s] = path
        uses[path] = undefs
    graph = {p: {} for p in uses}
    for p, undefs in uses.items():
        for s in undefs:
            q = owner.get(s)
            if q and q != p:
                graph[p].setdefault(q, []).append(s)
    return graph


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]; counter[0] += 1
        stack.append(start); on.add(start)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]; counter[0] += 1
                    stack.append(nxt); on.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, {})))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    build = sys.argv[1]
    files = sources(top)
    bad = include_violations(top, files)
    graph = call_graph(top, build, files)
    for p, deps in graph.items():
        for q, syms in deps.items():
            sp, sq = stage_of(p), stage_of(q)
            if sp and sq and (RANK[sq] > RANK[sp] or (RANK[sq] == RANK[sp] and sq != sp)):
                bad.setdefault(p, []).append(
                    f"uses {', '.join(sorted(syms)[:4])} from {q} (stage {sq}, above {sp})")
    for comp in cycles(graph):
        for p in comp:
            ties = [f"{q}: {', '.join(sorted(s)[:3])}" for q, s in sorted(graph[p].items()) if q in comp]
            bad.setdefault(p, []).append("in a cycle of files, through " + "; ".join(ties))
    for p in sorted(bad):
        for msg in bad[p]:
            print(f"{p}: {msg}")
    failed = len(bad)
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
