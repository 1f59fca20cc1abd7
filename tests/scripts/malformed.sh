#!/bin/bash
# malformed.sh: damaged objects must be rejected cleanly.
#
#   malformed.sh [-v] [-k]        -v: print every command's message; -k: keep the work folder
#
# Good objects are damaged at test time (tests/scripts/malformed-damage.py lists every case and
# what it does): the fixture tests/fixtures/malformed_base.S assembled, the same after
# `altorc objtool --orc` (for damaged ORC), and, when the corpus cache exists, one real 6.1 and
# one 6.12 kernel object (with alternative sites in .text when the cache has one, else
# net/key/af_key) for the generic damages.  Saved fuzz
# inputs (tests/fuzz/regressions/*.b64) are replayed as further cases.
#
# Every case runs four commands: `altorc objtool <kbuild args>`, `altorc check`,
# `altorc alternatives`, `altorc orc dump`.  Each must
#   - exit with a status the case allows: 2 (unusable input), or 0/1 where the damage is in a
#     part that command never reads (the manifest's WHY column says which and why);
#   - on status 2 print exactly ONE line on stderr, naming the file and the damaged section
#     (and an offset "0x..." where the case has one);
#   - not crash (status >= 128, or a sanitizer's 86 under `make asan`) nor hang (20 s);
#   - leave the file byte-for-byte unchanged (sha256), except that `objtool --orc` is meant
#     to rewrite a file it accepts; what it writes must then pass `readelf -S` without a
#     warning.
# A case passes when all four commands do.  Last line: 'N passed, M failed[, K skipped]'.
# Environment: ALTORC (binary under test), CORPUS_DIR (default: corpus-build.sh --print-dir).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
PY=/usr/bin/python3
verbose=0 keep=0
for a in "$@"; do
  case $a in -v) verbose=1 ;; -k) keep=1 ;; *) echo "usage: malformed.sh [-v] [-k]" >&2; exit 2 ;; esac
done
[[ -x $ALTORC ]] || { echo "malformed: no altorc binary at $ALTORC"; echo "0 passed, 1 failed"; exit 1; }
export ALTORC_QUIET_PENDING=1

work=$(mktemp -d "${TMPDIR:-/tmp}/altorc-malformed.XXXXXX")
((keep)) && echo "malformed: work folder $work" || trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0

args61=(--hacks=jump_label --hacks=noinstr --orc --retpoline --rethunk --sls --static-call --uaccess)

# ---- good objects ----
if ! gcc -c -I"$top/tests/fixtures" -o "$work/mb.o" "$top/tests/fixtures/malformed_base.S"; then
  echo "malformed: cannot assemble malformed_base.S"; echo "0 passed, 1 failed"; exit 1
fi
cp "$work/mb.o" "$work/mbpost.o"
if ! "$ALTORC" objtool "${args61[@]}" "$work/mbpost.o" 2> "$work/mbpost.err"; then
  echo "malformed: altorc objtool rejects the undamaged fixture:"; cat "$work/mbpost.err"
  echo "0 passed, 1 failed"; exit 1
fi
bases=("mb=$work/mb.o" "mbpost=$work/mbpost.o")
declare -A base_args=([mb]="${args61[*]}" [mbpost]="${args61[*]}")
corpus=${CORPUS_DIR:-$("$here/corpus-build.sh" --print-dir 2>/dev/null)}
# Objects with alternative sites in .text, else the net/key subset CI builds.
pick=()
for k in 6.1 6.12; do
  for o in "$corpus/$k/arch_x86_kvm/virt-kvm__pfncache.pre.o" "$corpus/$k/drivers_md/dm-writecache.pre.o" \
           "$corpus/$k/net_key/af_key.pre.o" ""; do
    [[ -z $o || -f $o ]] && break
  done
  pick+=("$o")
done
n=0
for o in "${pick[@]}"; do
  n=$((n + 1))
  if [[ -f $o && -f ${o%.pre.o}.args ]]; then
    objcopy --strip-debug "$o" "$work/corpus$n.o"   # smaller, same code and metadata
    bases+=("corpus$n=$work/corpus$n.o")
    base_args[corpus$n]=$(tr '\n' ' ' < "${o%.pre.o}.args")
  else
    echo "malformed: no corpus object for kernel $n (6.1, 6.12) under $corpus: its cases are skipped"
    skipped=$((skipped + 1))
  fi
done

mkdir -p "$work/cases"
if ! "$PY" "$here/malformed-damage.py" "$work/cases" "${bases[@]}" > "$work/manifest"; then
  echo "malformed: malformed-damage.py failed (needs /usr/bin/python3 with pyelftools)"
  echo "0 passed, 1 failed"; exit 1
fi
# Saved fuzz inputs: any status up to 2, same message and integrity rules.
for b64 in "$top"/tests/fuzz/regressions/*.b64; do
  [[ -e $b64 ]] || continue
  name=fuzz-$(basename "$b64" .b64)
  base64 -d "$b64" > "$work/cases/$name.o" 2>/dev/null ||
    { echo "FAIL $name: not base64"; failed=$((failed + 1)); continue; }
  printf '%s\t%s\t012\t012\t012\t012\t.\t0\t%s\n' "$name" "$work/cases/$name.o" \
    "saved fuzz input: must not crash, hang or change the file" >> "$work/manifest"
done

# ---- running ----
# run_one CASE CMD-NAME FILE ALLOWED SECTION OFFSET CMD...  -> 0 ok, 1 failed (reason printed)
run_one() {
  local cname=$1 what=$2 file=$3 allowed=$4 section=$5 offset=$6
  shift 6
  local before after rc err lines
  before=$(sha256sum < "$file")
  timeout 20 "$@" > /dev/null 2> "$work/err"
  rc=$?
  after=$(sha256sum < "$file")
  err=$(cat "$work/err")
  ((verbose)) && printf '  %-12s rc=%d %s\n' "$what" "$rc" "$(head -n 3 "$work/err")"
  if ((rc == 124)); then echo "  $what: hang (killed after 20 s)"; return 1; fi
  if ((rc >= 128 || rc == 86)) || grep -qE 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$work/err"; then
    echo "  $what: crashed (status $rc)"; grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$work/err"; return 1
  fi
  if [[ $allowed != *$rc* ]]; then
    echo "  $what: exit $rc, expected one of '$allowed'"; echo "$err" | head -n 3 | sed 's/^/    /'; return 1
  fi
  if [[ $before != "$after" ]] && ! [[ $what == objtool && $rc != 2 ]]; then
    echo "  $what: exit $rc but the file changed"; return 1
  fi
  ((rc == 2)) || return 0
  lines=$(grep -c '' "$work/err")
  if ((lines != 1)); then
    echo "  $what: $lines lines on stderr, expected one:"; head -n 4 "$work/err" | sed 's/^/    /'; return 1
  fi
  if [[ $err != *"$file"* ]]; then echo "  $what: message does not name the file: $err"; return 1; fi
  if ! grep -qE -- "$section" <<< "${err#*"$file"}"; then
    echo "  $what: message does not name section /$section/: $err"; return 1
  fi
  if ((offset)) && ! grep -qE '0x[0-9a-f]+' <<< "$err"; then
    echo "  $what: message has no offset: $err"; return 1
  fi
  return 0
}

while IFS=$'\t' read -r cname file e_obj e_chk e_alt e_orc section offset why; do
  base=${cname%%-*}
  [[ $base == corpus* ]] || base=mb
  read -r -a oargs <<< "${base_args[$base]}"
  ok=1
  ((verbose)) && echo "-- $cname"
  cp "$file" "$work/copy.o"
  run_one "$cname" objtool "$work/copy.o" "$e_obj" "$section" "$offset" "$ALTORC" objtool "${oargs[@]}" "$work/copy.o" || ok=0
  # What objtool wrote must be sound ELF: readelf has no complaint about its section headers.
  if ! cmp -s "$file" "$work/copy.o" && readelf -S -W "$work/copy.o" 2>&1 >/dev/null | grep -q .; then
    echo "  objtool: the object it wrote upsets readelf:"; readelf -S -W "$work/copy.o" 2>&1 >/dev/null | head -n 2
    ok=0
  fi
  run_one "$cname" check "$file" "$e_chk" "$section" "$offset" "$ALTORC" check "$file" || ok=0
  run_one "$cname" alternatives "$file" "$e_alt" "$section" "$offset" "$ALTORC" alternatives "$file" || ok=0
  run_one "$cname" orc-dump "$file" "$e_orc" "$section" "$offset" "$ALTORC" orc dump "$file" || ok=0
  if ((ok)); then
    passed=$((passed + 1)); echo "ok   $cname"
  else
    failed=$((failed + 1)); echo "FAIL $cname"
  fi
done < "$work/manifest"

if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
