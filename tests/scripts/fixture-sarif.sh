#!/bin/bash
# fixture-sarif.sh: `altorc check --format=sarif` on real findings, through Microsoft's SARIF
# validator (Sarif.Multitool from the npm package @microsoft/sarif-multitool-linux 5.7.0) at its
# default rules: no error and no warning.  The validator is looked for in $SARIF_MULTITOOL, then
# in the cache folder below; when absent it is installed there with npm (SARIF_NPM_INSTALL=0
# forbids that).  Without npm, or when the install fails, the validator checks are skipped with
# the reason.  A deliberately flawed log must draw warnings, so a validator that reports nothing
# (or output this script can no longer read) fails rather than passes.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
PY=/usr/bin/python3
MULTITOOL_VERSION=5.7.0
cache=${SARIF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/altorc/sarif-multitool-$MULTITOOL_VERSION}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-sarif.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped=0
ok()   { passed=$((passed + 1)); echo "ok   $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "skip $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; return 1; fi; }
summary() {
  if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"
  else echo "$passed passed, $failed failed"; fi
  ((failed == 0))
}

# ---- the logs: real findings of many kinds --------------------------------------------------
# Stack validation with DWARF lines (results on .S lines) and --cfi (note-level rule); the
# mitigation checks and alternatives without DWARF (results as byte regions of the object); an
# unusable input (a tool execution notification).
for f in "$top"/tests/fixtures/warn_*.S "$top"/tests/fixtures/ux_*.S; do
  gcc -g -c -o "$tmp/g_$(basename "$f" .S).o" "$f" || { echo "cannot assemble $f"; exit 1; }
done
for n in alt2_conflict alt2_exit alt2_pushf demo_pushf warn_sls warn_retpoline warn_ibt \
         warn_uaccess_call warn_uaccess_return; do
  gcc -c -o "$tmp/n_$n.o" "$top/tests/fixtures/$n.S" || { echo "cannot assemble $n"; exit 1; }
done
"$ALTORC" check --format=sarif --cfi "$tmp"/g_*.o > "$tmp/lines.sarif"
check "check --format=sarif --cfi exits 1 (findings)" [ $? = 1 ]
"$ALTORC" check --format=sarif --uaccess --sls --retpoline --ibt --link "$tmp"/n_*.o \
  "$tmp/no-such.o" > "$tmp/bytes.sarif"
check "check --format=sarif with an unusable input exits 2" [ $? = 2 ]

# How many distinct rules each log uses: the validator must see a good spread of them.
nrules() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]))' "$1"; }
check "the DWARF-line log has at least 8 rules ($(nrules "$tmp/lines.sarif"))" [ "$(nrules "$tmp/lines.sarif")" -ge 8 ]
check "the byte-region log has at least 6 rules ($(nrules "$tmp/bytes.sarif"))" [ "$(nrules "$tmp/bytes.sarif")" -ge 6 ]

# ---- the validator -----------------------------------------------------------------------------
find_multitool() {
  local m
  for m in "${SARIF_MULTITOOL:-}" "$cache/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"; do
    [[ -n $m && -f $m ]] && { chmod u+x "$m" 2>/dev/null; echo "$m"; return 0; }
  done
  return 1
}

why=""
mt=$(find_multitool)
if [[ -z $mt ]]; then
  if [[ ${SARIF_NPM_INSTALL:-1} == 0 ]]; then
    why="not installed and SARIF_NPM_INSTALL=0"
  elif ! command -v npm > /dev/null; then
    why="not installed, and no npm to install it (apt-get install npm)"
  else
    echo "installing @microsoft/sarif-multitool-linux@$MULTITOOL_VERSION into $cache (npm)"
    mkdir -p "$cache"
    if timeout 600 npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
         "@microsoft/sarif-multitool-linux@$MULTITOOL_VERSION" > "$tmp/npm.log" 2>&1; then
      mt=$(find_multitool) || why="npm installed the package but Sarif.Multitool is not in it"
    else
      why="npm install failed: $(tail -n 1 "$tmp/npm.log")"
    fi
  fi
fi

if [[ -z $mt ]]; then
  skip "Microsoft SARIF validator: $why"
  summary
  exit
fi

# validate IN: runs the validator at its default rules; prints "errors warnings" counted from its
# own output log (the results it reports), or nothing when it did not run to the end.
validate() {
  local in=$1 out=$tmp/$(basename "$1" .sarif).validation.sarif
  rm -f "$out"
  # A self-contained .NET program: invariant globalization spares it libicu.
  DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt" validate -o "$out" "$in" \
    > "$tmp/$(basename "$1").log" 2>&1 || return 0
  "$PY" - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
res = [r for run in d["runs"] for r in run.get("results", [])]
level = lambda r: r.get("level", "warning")
print(sum(level(r) == "error" for r in res), sum(level(r) == "warning" for r in res))
for r in res:
    if level(r) in ("error", "warning"):
        m = r.get("message", {})
        print("  %s %s: %s" % (level(r), r.get("ruleId"), m.get("text") or " ".join(m.get("arguments", []))[:300]),
              file=sys.stderr)
PY
}

echo "validator: $mt"
for log in lines bytes; do
  counts=$(validate "$tmp/$log.sarif" 2> "$tmp/$log.details")
  check "validator on $log.sarif: 0 errors, 0 warnings (got ${counts:-no result})" [ "$counts" = "0 0" ] ||
    cat "$tmp/$log.details" "$tmp/$log.sarif.log"
done

# The control: the shape issue 12 found (no tool version, rule name equal to its id) must still be
# flagged, or the zero counts above prove nothing.
"$PY" - "$tmp/lines.sarif" "$tmp/flawed.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
drv = d["runs"][0]["tool"]["driver"]
for k in ("version", "semanticVersion"):
    drv.pop(k, None)
for r in drv["rules"]:
    r["name"] = r["id"]
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
counts=$(validate "$tmp/flawed.sarif" 2> /dev/null)
check "validator flags a log without version and with name == id (got ${counts:-no result})" \
  bash -c "[[ '$counts' =~ ^0\ ([0-9]+)$ ]] && (( \${BASH_REMATCH[1]} > 1 ))"

summary
