#!/bin/bash
# fixture-ux.sh: the commands that show why: explain, cfg, check --format/-j/--cfi, --help,
# --version.
# Fixtures are assembled here; corpus checks (drivers_md's dm-crypt.o, 6.1) are skipped when
# the corpus is absent, the dot checks when graphviz is.  Expected values come from the
# fixtures' own arithmetic (stated in each .S), the reference objtool's ORC in the corpus'
# .post.o files, and addr2line; never from altorc's earlier output.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
PY=/usr/bin/python3
CORPUS=${CORPUS:-$top/../corpus-cache}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-ux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped=0
ok()   { passed=$((passed + 1)); echo "ok   $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "skip $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# jq-less JSON queries: jget FILE EXPR (EXPR is Python over the parsed document d).
jget() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

gcc -c -o "$tmp/demo.o" "$top/tests/fixtures/demo_pushf.S" || { echo "cannot assemble"; exit 1; }
gcc -g -c -o "$tmp/findings.o" "$top/tests/fixtures/ux_findings.S" || exit 1
gcc -c -o "$tmp/cfi.o" "$top/tests/fixtures/ux_cfi.S" || exit 1

# ---- explain -----------------------------------------------------------------------------
# demo_save_flags: push %rbx (cfa rsp+16), then the 6-byte pv call at +4 whose replacement is
# pushf; pop %rax.  At site+1 (+5) the pushf branch has 8 more bytes: rsp+24 against rsp+16.
"$ALTORC" explain --json "$tmp/demo.o" demo_save_flags+0x5 > "$tmp/e.json"
check "explain --json exits 0" [ $? = 0 ]
check "explain: function and offset" \
  [ "$(jget "$tmp/e.json" 'd["function"], d["section"], d["offset"], d["location"]')" = \
    "demo_save_flags .text 5 demo_save_flags+0x5" ]
orig=$(jget "$tmp/e.json" '[b["state"]["cfa_offset"] for b in d["branches"] if b["branch"]=="original"][0]')
repl=$(jget "$tmp/e.json" '[b["state"]["cfa_offset"] for b in d["branches"] if b["branch"]=="replacement"][0]')
check "explain: pushf branch has 8 more bytes of stack than the original ($repl vs $orig)" \
  [ "$orig" = 16 -a "$repl" = 24 ]
check "explain: replacement names feature 8*32+16 with the not-flag" \
  [ "$(jget "$tmp/e.json" '[(b["feature"], b["not"]) for b in d["branches"] if b["branch"]=="replacement"][0]')" = "(272, True)" ]
check "explain: saved rbx at cfa-16 on both branches" \
  [ "$(jget "$tmp/e.json" '[b["state"]["saved"].get("rbx") for b in d["branches"]]')" = "[-16, -16]" ]
# The reference objtool puts sp+24 at site+1 (see demo.sh); altorc's generated entry must too.
check "explain: orc at site+1 is sp+24, bp undefined, type call" \
  [ "$(jget "$tmp/e.json" 'd["orc"]["sp_reg"], d["orc"]["sp_offset"], d["orc"]["bp_reg"], d["orc"]["type"]')" = "sp 24 undefined call" ]
check "explain: the same address as section+off and as a bare hex offset" \
  [ "$("$ALTORC" explain --json "$tmp/demo.o" .text+0x5 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["location"])')" = demo_save_flags+0x5 -a \
    "$("$ALTORC" explain --json "$tmp/demo.o" 5 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["location"])')" = demo_save_flags+0x5 ]
"$ALTORC" explain "$tmp/demo.o" nosuch+0x1 > /dev/null 2> "$tmp/err"
check "explain: unknown symbol exits 2 with a message" [ $? = 2 -a -s "$tmp/err" ]
"$ALTORC" explain "$tmp/demo.o" .text+0x400 > /dev/null 2> "$tmp/err"
check "explain: an address outside the code exits 2" [ $? = 2 ]

dm=$CORPUS/6.1/drivers_md
if [[ -f $dm/dm-crypt.post.o ]]; then
  # kcryptd_queue_crypt's irq-save site at .text+0x5fab: 6-byte pv call, pushf; pop %rax.
  "$ALTORC" explain --json "$dm/dm-crypt.post.o" .text+0x5fac > "$tmp/d1.json"
  check "dm-crypt +1: original cfa rsp+8, pushf branch rsp+16" \
    [ "$(jget "$tmp/d1.json" '[(b["branch"], b["state"]["cfa_offset"]) for b in d["branches"]]')" = \
      "[('original', 8), ('replacement', 16)]" ]
  # The reference objtool's own table in .post.o is the independent answer.
  check "dm-crypt +1: the file's (reference) ORC says sp+16, and altorc generates the same" \
    [ "$(jget "$tmp/d1.json" 'd["orc_in_file"]["sp_offset"], d["orc_in_file"] == d["orc_generated"]')" = "16 True" ]
  "$ALTORC" explain --json "$dm/dm-crypt.post.o" .text+0x5fad > "$tmp/d2.json"
  check "dm-crypt +2: after pop both branches are back at rsp+8, file ORC sp+8" \
    [ "$(jget "$tmp/d2.json" '[b["state"]["cfa_offset"] for b in d["branches"]], d["orc_in_file"]["sp_offset"]')" = "[8, 8] 8" ]
  want=$(addr2line -e "$dm/dm-crypt.pre.o" -j .text 0x5fac | sed 's/ (discriminator.*//')
  check "dm-crypt: source line as addr2line gives it ($want)" \
    [ "$(jget "$tmp/d1.json" 'd["source"]["file"] + ":" + str(d["source"]["line"])')" = "$want" ]
else
  skip "dm-crypt explain (no corpus at $dm)"
fi

# ---- cfg ------------------------------------------------------------------------------------
"$ALTORC" cfg --dot "$tmp/demo.o" demo_save_flags > "$tmp/demo.dot"
check "cfg --dot exits 0" [ $? = 0 ]
check "cfg --dot: the replacement is a dashed cluster" grep -q 'subgraph cluster_alt' "$tmp/demo.dot"
check "cfg --dot: the edge into it carries the feature" \
  grep -q 'style=dashed, color=blue, fontcolor=blue, label="not feature 272 (8\*32+16)"' "$tmp/demo.dot"
"$ALTORC" cfg "$tmp/demo.o" demo_save_flags > "$tmp/demo.txt"
check "cfg text: replacement block entered at rsp+16 with pushf, pop and 4 bytes of padding" \
  bash -c "grep -A5 'replacement, not feature 272' '$tmp/demo.txt' | tr -s ' ' | grep -q 'entry: cfa=rsp+16' &&
           grep -A5 'replacement, not feature 272' '$tmp/demo.txt' | grep -q 'nop padding, 4 bytes'"
if command -v dot > /dev/null; then
  check "dot accepts the demo CFG" dot -Tsvg -o "$tmp/demo.svg" "$tmp/demo.dot"
  if [[ -f $dm/dm-crypt.pre.o ]]; then
    "$ALTORC" cfg --dot "$dm/dm-crypt.pre.o" kcryptd_queue_crypt > "$tmp/k.dot"
    check "dot accepts kcryptd_queue_crypt's CFG" dot -Tsvg -o "$tmp/k.svg" "$tmp/k.dot"
    "$ALTORC" cfg --dot "$dm/dm-crypt.pre.o" crypt_ctr > "$tmp/c.dot"
    check "dot accepts crypt_ctr's CFG (large, with a .cold part)" dot -Tsvg -o "$tmp/c.svg" "$tmp/c.dot"
  fi
else
  skip "dot checks (graphviz not installed)"
fi

# ---- check --format ------------------------------------------------------------------------
"$ALTORC" check --format=json "$tmp/findings.o" > "$tmp/f.json"
check "check --format=json exits 1 on findings" [ $? = 1 ]
check "json: two findings, each with file/section/offset/function/kind/message" \
  [ "$(jget "$tmp/f.json" 'len(d["findings"]), all(set(["file","section","offset","function","kind","message"]) <= set(f) for f in d["findings"])')" = "2 True" ]
ret_line=$(grep -n $'^1:\tret' "$top/tests/fixtures/ux_findings.S" | cut -d: -f1)
check "json: the modified-frame return sits at ux_uneven+0x6, line $ret_line of the .S" \
  [ "$(jget "$tmp/f.json" '[(f["location"], f["kind"], f["source"]["line"]) for f in d["findings"] if f["source"]][0]')" = \
    "('ux_uneven+0x6', 'return-modified-frame', $ret_line)" ]

"$ALTORC" check --format=sarif "$tmp/findings.o" "$tmp/demo.o" > "$tmp/f.sarif"
# Structural check against SARIF 2.1.0's required shape.
cat > "$tmp/sarif_check.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def need(c, msg):
    if not c:
        print("sarif: " + msg); sys.exit(1)
need(d.get("version") == "2.1.0", "version is not 2.1.0")
need(isinstance(d.get("$schema"), str) and "sarif" in d["$schema"], "no $schema")
need(isinstance(d.get("runs"), list) and d["runs"], "no runs")
for run in d["runs"]:
    drv = run.get("tool", {}).get("driver", {})
    need(isinstance(drv.get("name"), str), "tool.driver.name missing")
    need(isinstance(drv.get("version"), str) and drv.get("semanticVersion") == drv["version"], "tool.driver.version/semanticVersion missing")
    rules = drv.get("rules")
    need(isinstance(rules, list), "tool.driver.rules missing")
    ids = [r.get("id") for r in rules]
    need(all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids), "rule ids not unique strings")
    for r in rules:
        need(isinstance(r.get("shortDescription", {}).get("text"), str), "rule without shortDescription.text")
        need(isinstance(r.get("fullDescription", {}).get("text"), str), "rule without fullDescription.text")
        need(str(r.get("helpUri", "")).startswith("https://"), "rule without an absolute helpUri")
        # opaque stable ids (AOnnnn), readable names that differ from them
        need(len(r["id"]) == 6 and r["id"][:2] == "AO" and r["id"][2:].isdigit(), "rule id %r is not AOnnnn" % r["id"])
        need(isinstance(r.get("name"), str) and r["name"] != r["id"], "rule name missing or equal to its id")
    need(isinstance(run.get("results"), list), "results missing")
    kinds = set()
    for res in run["results"]:
        need(res.get("ruleId") in ids, "ruleId not a rule")
        need(ids[res.get("ruleIndex")] == res["ruleId"], "ruleIndex does not point at ruleId")
        need(res.get("level") in ("none", "note", "warning", "error"), "bad level")
        need(isinstance(res.get("message", {}).get("text"), str), "message.text missing")
        locs = res.get("locations")
        need(isinstance(locs, list) and locs, "result without locations")
        for l in locs:
            pl = l.get("physicalLocation")
            need(pl is not None or l.get("logicalLocations"), "location without physical or logical part")
            if pl is not None:
                need("artifactLocation" in pl or "address" in pl, "physicalLocation needs artifactLocation or address")
                need("region" in pl, "physicalLocation without a region")
                rg = pl["region"]
                if "startLine" in rg:
                    need(isinstance(rg["startLine"], int) and rg["startLine"] >= 1, "bad startLine")
                else:
                    need(isinstance(rg.get("byteOffset"), int) and rg.get("byteLength", 0) >= 1, "region neither lines nor bytes")
        kinds.add(res["ruleId"])
    need(kinds == set(ids), "a rule for each kind found, and no other")
print("sarif: %d results, %d rules" % (len(d["runs"][0]["results"]), len(ids)))
PY
check "SARIF output has the structure of SARIF 2.1.0" "$PY" "$tmp/sarif_check.py" "$tmp/f.sarif"
check "SARIF: the return finding points at the .S line" \
  [ "$(jget "$tmp/f.sarif" '[r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in d["runs"][0]["results"] if d["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["name"]=="return-modified-frame"][0]')" = "$ret_line" ]

# ---- check -j: same output as one at a time ----------------------------------------------------
objs=("$tmp/findings.o" "$tmp/demo.o" "$tmp/cfi.o")
if [[ -d $dm ]]; then
  mapfile -t more < <(ls "$dm"/dm-*.pre.o | head -8)
  objs+=("${more[@]}")
fi
"$ALTORC" check -j1 "${objs[@]}" > "$tmp/j1.out" 2> "$tmp/j1.err"; rc1=$?
"$ALTORC" check -j 4 "${objs[@]}" > "$tmp/j4.out" 2> "$tmp/j4.err"; rc4=$?
check "check -j4 prints the same as -j1, in argument order (${#objs[@]} files)" \
  bash -c "[ $rc1 = $rc4 ] && cmp -s '$tmp/j1.err' '$tmp/j4.err' && cmp -s '$tmp/j1.out' '$tmp/j4.out'"
check "check -j: findings.o's warnings come first, as in the argument list" \
  bash -c "head -1 '$tmp/j4.err' | grep -q findings.o"
"$ALTORC" check -j 3 --format=json "${objs[@]}" > "$tmp/j3.json"
"$ALTORC" check --format=json "${objs[@]}" > "$tmp/j1.json"
check "check -j3 --format=json equals the serial document" cmp -s "$tmp/j1.json" "$tmp/j3.json"
check "check -j: no progress line when stderr is not a terminal" bash -c "! grep -q '\[[0-9]*/' '$tmp/j4.err'"

# ---- check --cfi ----------------------------------------------------------------------------
"$ALTORC" check --cfi "$tmp/cfi.o" > "$tmp/cfi.out" 2> "$tmp/cfi.err"
check "check --cfi exits 1 on the planted disagreements" [ $? = 1 ]
check "cfi: 9 compared, 7 agree, 1 cfa-offset, 1 cfa-register (ux_cfi.S)" \
  grep -q '9 instructions compared, 7 agree, cfa-offset 1, cfa-register 1;' "$tmp/cfi.out"
check "cfi: findings at ux_cfi_planted+0x1 and +0x4" \
  bash -c "grep -q 'ux_cfi_planted+0x1: cfa-offset' '$tmp/cfi.err' && grep -q 'ux_cfi_planted+0x4: cfa-register' '$tmp/cfi.err'"
"$ALTORC" check --cfi --format=json "$tmp/cfi.o" > "$tmp/cfi.json"
check "cfi json: classes and the cfi-mismatch kind" \
  [ "$(jget "$tmp/cfi.json" 'd["cfi_total"]["classes"]["agree"], d["cfi_total"]["frame_section"], sorted(set(f["kind"] for f in d["findings"]))')" = "7 .eh_frame ['cfi-mismatch']" ]
if [[ -f $dm/dm-crypt.pre.o ]]; then
  "$ALTORC" check --cfi "$dm/dm-crypt.pre.o" > "$tmp/dmcfi.out" 2>&1
  check "cfi on dm-crypt.pre.o (.debug_frame): thousands of instructions compared" \
    grep -qE 'cfi \(\.debug_frame\): [0-9]+ FDEs, [0-9]{4,} instructions compared' "$tmp/dmcfi.out"
fi

# ---- --help ------------------------------------------------------------------------------------
for c in explain cfg check; do
  "$ALTORC" $c --help > "$tmp/help.txt"; rc=$?
  check "$c --help exits 0 and shows usage" bash -c "[ $rc = 0 ] && grep -q '^usage: altorc $c' '$tmp/help.txt'"
done
# ---- --version ---------------------------------------------------------------------------------
# The VERSION file's version and a commit of this repository (or "unknown" outside git).
want_version=$(cat "$top/VERSION")
"$ALTORC" --version > "$tmp/version.txt"; rc=$?
check "--version exits 0 and prints 'altorc $want_version (commit ...)'" \
  bash -c "[ $rc = 0 ] && grep -qxE 'altorc ${want_version//./\\.} \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)' '$tmp/version.txt'"
check "-V prints the same line" [ "$("$ALTORC" -V)" = "$(cat "$tmp/version.txt")" ]
check "--help ends with the same line" [ "$("$ALTORC" --help | tail -n 1)" = "$(cat "$tmp/version.txt")" ]
commit=$(sed -E 's/.*\(commit ([0-9a-f]+)(-dirty)?\)$/\1/' "$tmp/version.txt")
if [[ $commit =~ ^[0-9a-f]{12}$ ]] && git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
  check "--version names a commit of this repository ($commit)" git -C "$top" cat-file -e "$commit^{commit}"
else
  skip "--version commit check (no git checkout, or the commit is unknown)"
fi
check "json and SARIF carry the same version and commit" \
  [ "$(jget "$tmp/f.json" 'd["version"], d["commit"]')" = "$(jget "$tmp/f.sarif" 'd["runs"][0]["tool"]["driver"]["version"], d["runs"][0]["tool"]["driver"]["properties"]["commit"]')" -a \
    "$(jget "$tmp/f.json" '"altorc %s (commit %s)" % (d["version"], d["commit"])')" = "$(cat "$tmp/version.txt")" ]

# ---- ALTORC_PHASES -------------------------------------------------------------------------
# The profile on request: one line per phase, in pipeline order, on stderr only; the object
# written is the same as without it.
cp "$tmp/demo.o" "$tmp/ph-a.o"; cp "$tmp/demo.o" "$tmp/ph-b.o"
"$ALTORC" objtool --kernel=6.1 --orc --link "$tmp/ph-a.o" 2> "$tmp/ph-a.err"
ALTORC_PHASES=1 "$ALTORC" objtool --kernel=6.1 --orc --link "$tmp/ph-b.o" 2> "$tmp/ph-b.err"
phases=$(sed -n 's/^altorc: phase \([a-z-]*\) *wall *[0-9.]* s  cpu *[0-9.]* s  faults *[0-9]*  peak *[0-9]* MiB$/\1/p' "$tmp/ph-b.err" | tr '\n' ' ')
check "ALTORC_PHASES=1: every phase, in order ($phases)" \
  [ "$phases" = "open decode cfg val-before walk reachable val-after validate sites orc write close " ]
check "ALTORC_PHASES=1: the same object and warnings as without it" \
  bash -c "cmp -s '$tmp/ph-a.o' '$tmp/ph-b.o' && diff -q <(sed 's/ph-a/X/' '$tmp/ph-a.err') <(grep -v '^altorc: phase ' '$tmp/ph-b.err' | sed 's/ph-b/X/') > /dev/null"
check "without ALTORC_PHASES: no phase lines" bash -c "! grep -q 'phase' '$tmp/ph-a.err'"

"$ALTORC" check --format=xml "$tmp/demo.o" > /dev/null 2>&1
check "check --format=xml is a usage error (2)" [ $? = 2 ]

if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
