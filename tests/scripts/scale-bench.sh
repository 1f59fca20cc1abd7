#!/bin/bash
# scale-bench.sh: altorc against the reference 6.1 objtool on one linked object the shape of
# vmlinux.o, in the same run, at three sizes.
#
#   scale-bench.sh [-k] [CORPUS_KERNEL_DIR]        default: $(corpus-build.sh --print-dir)/6.1
#
# Every development-corpus 6.1 object (SLUG/NAME.pre.o, compiler output) is copied, and the
# copies are combined with `ld -r` into one relocatable object: a quarter of them (every 4th
# in path order), a half (every 2nd) and all, so that each size has the same mix of
# subsystems.  The objects are modules, so some define the same global (init_module,
# cleanup_module, ...); ld -r stops at such clashes, so every global that more than one
# object defines is made local in each copy first (objcopy --localize-symbols): every function
# keeps its symbol and its code, and only cross-object references by those names are lost
# (they become undefined, as they would be for any relocatable link).
#
# Both tools get the arguments kbuild passed to objtool for these 6.1 objects (the corpus
# .args, which include --module) plus --link: what 6.1's kbuild passes when objtool is delayed
# to the link (IBT or LTO builds; scripts/Makefile.vmlinux_o: objtool-args-y --link, and
# the same plus --module for a linked module object).  --module is kept because the input is
# module code: its static calls name keys (__SCK__*) that only vmlinux defines, and without
# --module both tools stop at the first such key before writing any ORC.
# Each runs on its own copy under /usr/bin/time (user+sys CPU seconds, peak RSS); the ORC
# they write is then compared with ../shared/corpus/orc-compare (what an unwinder finds at
# every entry boundary of either table), falling back to `altorc orc diff`.
# Prints a table: per size the objects, MiB, both tools' CPU and RSS, the altorc/reference
# ratios, and the growth of each from the quarter to the whole.
# -k keeps the work folder (default: removed).  Environment: ALTORC, REF_OBJTOOL, TMPDIR.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
keep=0
[[ ${1:-} == -k ]] && { keep=1; shift; }
kdir=${1:-$("$here/corpus-build.sh" --print-dir)/6.1}
REF=${REF_OBJTOOL:-$("$here/corpus-build.sh" --objtool 6.1 2>/dev/null)}
COMPARE=$top/../shared/corpus/orc-compare

[[ -x $ALTORC ]] || { echo "scale-bench: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }
[[ -n $REF && -x $REF ]] || { echo "scale-bench: no reference 6.1 objtool (set REF_OBJTOOL)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "scale-bench: needs GNU time (/usr/bin/time)" >&2; exit 2; }
mapfile -t objects < <(ls "$kdir"/*/*.pre.o 2>/dev/null | sort)
((${#objects[@]} >= 4)) || { echo "scale-bench: fewer than 4 objects under $kdir" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/altorc-scale.XXXXXX")
((keep)) && echo "scale-bench: work folder $work" || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/objs"

# kbuild's per-object 6.1 arguments (all corpus objects share them), plus --link.
args=()
while read -r a; do [[ -n $a ]] && args+=("$a"); done < "${objects[0]%.pre.o}.args"
args+=(--link)
echo "scale-bench: ${#objects[@]} objects from $kdir"
echo "scale-bench: arguments: ${args[*]}"

# ---- globals defined by more than one object, made local in each copy ----
for o in "${objects[@]}"; do
  nm --defined-only -g "$o" 2>/dev/null | awk '$2 ~ /^[A-TV-Z]$/ && $2 != "W" && $2 != "V" { print $3 }' | sort -u
done | sort | uniq -d > "$work/clashes"
echo "scale-bench: $(wc -l < "$work/clashes") global names defined by several objects, localized"
i=0
for o in "${objects[@]}"; do
  i=$((i + 1))
  c=$(printf '%s/objs/%04d.o' "$work" "$i")
  objcopy --localize-symbols="$work/clashes" "$o" "$c" ||
    { echo "scale-bench: objcopy failed on $o" >&2; exit 2; }
done

declare -A cpu_ref rss_ref cpu_alt rss_alt mib nobj cmp
for frac in 4 2 1; do
  list=()
  for ((k = 0; k < ${#objects[@]}; k++)); do
    ((k % frac == 0)) && list+=("$(printf '%s/objs/%04d.o' "$work" $((k + 1)))")
  done
  linked=$work/linked-$frac.o
  if ! ld -r -o "$linked" "${list[@]}" 2> "$work/ld-$frac.log"; then
    echo "scale-bench: ld -r failed for 1/$frac:"; head -n 5 "$work/ld-$frac.log"; exit 2
  fi
  nobj[$frac]=${#list[@]}
  mib[$frac]=$(awk -v b="$(stat -c %s "$linked")" 'BEGIN { printf "%.0f", b / 1048576 }')
  echo "scale-bench: 1/$frac: ${#list[@]} objects, ${mib[$frac]} MiB; running the reference..."
  cp "$linked" "$work/ref-$frac.o"
  cp "$linked" "$work/alt-$frac.o"
  rm -f "$linked"
  ( cd "$work" && SRCARCH=x86 /usr/bin/time -o "ref-$frac.time" -f '%U %S %M' \
      "$REF" "${args[@]}" "ref-$frac.o" > "ref-$frac.log" 2>&1; echo $? > "ref-$frac.status" )
  echo "scale-bench: 1/$frac: running altorc..."
  ( cd "$work" && KERNELRELEASE=6.1 ALTORC_QUIET_PENDING=1 /usr/bin/time -o "alt-$frac.time" -f '%U %S %M' \
      "$ALTORC" objtool "${args[@]}" "alt-$frac.o" > "alt-$frac.log" 2>&1; echo $? > "alt-$frac.status" )
  read -r u s m < <(tail -n 1 "$work/ref-$frac.time")
  cpu_ref[$frac]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }'); rss_ref[$frac]=$m
  read -r u s m < <(tail -n 1 "$work/alt-$frac.time")
  cpu_alt[$frac]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }'); rss_alt[$frac]=$m
  echo "scale-bench: 1/$frac: reference exit $(cat "$work/ref-$frac.status"), $(grep -c 'warning:' "$work/ref-$frac.log") warnings;" \
       "altorc exit $(cat "$work/alt-$frac.status"), $(grep -c 'warning:' "$work/alt-$frac.log") warnings"
  if [[ -x $COMPARE ]]; then
    cmp[$frac]=$("$COMPARE" "$work/ref-$frac.o" "$work/alt-$frac.o" 2>&1 | tail -n 1)
  else
    cmp[$frac]=$("$ALTORC" orc diff "$work/ref-$frac.o" "$work/alt-$frac.o" 2>&1 | tail -n 1)
  fi
  echo "scale-bench: 1/$frac: ORC: ${cmp[$frac]}"
  rm -f "$work/ref-$frac.o" "$work/alt-$frac.o"
done

echo
printf '%-7s %5s %6s | %9s %9s %6s | %10s %10s %6s\n' size objs MiB 'ref CPU s' 'alt CPU s' ratio \
  'ref RSS MB' 'alt RSS MB' ratio
for frac in 4 2 1; do
  awk -v n="1/$frac" -v o="${nobj[$frac]}" -v m="${mib[$frac]}" -v cr="${cpu_ref[$frac]}" -v ca="${cpu_alt[$frac]}" \
      -v rr="${rss_ref[$frac]}" -v ra="${rss_alt[$frac]}" 'BEGIN {
    printf "%-7s %5d %6d | %9.2f %9.2f %6.2f | %10.0f %10.0f %6.2f\n", n, o, m, cr, ca, (cr > 0 ? ca / cr : 0),
           rr / 1024, ra / 1024, (rr > 0 ? ra / rr : 0) }'
done
awk -v cr4="${cpu_ref[4]}" -v cr1="${cpu_ref[1]}" -v ca4="${cpu_alt[4]}" -v ca1="${cpu_alt[1]}" \
    -v rr4="${rss_ref[4]}" -v rr1="${rss_ref[1]}" -v ra4="${rss_alt[4]}" -v ra1="${rss_alt[1]}" \
    -v m4="${mib[4]}" -v m1="${mib[1]}" 'BEGIN {
  printf "growth quarter -> whole (input x%.2f): reference CPU x%.2f, RSS x%.2f; altorc CPU x%.2f, RSS x%.2f\n",
         m1 / m4, cr1 / cr4, rr1 / rr4, ca1 / ca4, ra1 / ra4 }'
for frac in 4 2 1; do echo "ORC 1/$frac: ${cmp[$frac]}"; done
