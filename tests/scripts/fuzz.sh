#!/bin/bash
# fuzz.sh: build the libFuzzer target tests/fuzz/fuzz_pipeline.c with clang (ASan + UBSan +
# libFuzzer), replay every saved regression input, then fuzz for a while.
#
#   FUZZ_SECONDS=3600 tests/scripts/fuzz.sh      (`make fuzz FUZZ_SECONDS=3600`; default 60)
#   tests/scripts/fuzz.sh --replay-only          build and replay the regressions only
#
# Environment:
#   FUZZ_SECONDS  how long to fuzz (default 60)
#   FUZZ_DIR      work folder: the growing corpus, artifacts, logs (default build-fuzz/)
#   CLANG         the compiler (default: clang, else clang-14)
#   CORPUS_DIR    the real-object corpus used for seeds (default: corpus-build.sh --print-dir)
#
# Seeds are made at run time, never committed: every tests/fixtures/*.S assembled with gcc,
# and a few dozen small corpus objects (6.1 and 6.12) with their DWARF stripped, chosen to
# carry alternatives, paravirt sites, jump labels, exception tables and unwind hints.
# Fuzzing runs in libFuzzer's fork mode with one worker (-fork=1: one core, and a crash,
# leak or timeout is saved as an artifact and fuzzing goes on) and the target's own output
# silenced.  Every artifact found must become a regression: base64 text in
# tests/fuzz/regressions/NAME.b64 (`base64 -w76 ARTIFACT > tests/fuzz/regressions/NAME.b64`),
# replayed here through the fuzz target and in `make check` through the altorc commands
# (tests/scripts/fixture-fuzz-regressions.sh).
# Prints the executions and time run and the artifacts found; appends one line per run to
# FUZZ_DIR/runs.log.  Exit status: 0 when nothing was found, 1 otherwise, 2 when it cannot run.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
replay_only=0
[[ ${1:-} == --replay-only ]] && replay_only=1
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2; exit 2; }

work=${FUZZ_DIR:-$top/build-fuzz}
mkdir -p "$work" && work=$(cd "$work" && pwd)
CLANG=${CLANG:-$(command -v clang || command -v clang-14 || true)}
[[ -n $CLANG ]] || { echo "fuzz: no clang (apt-get install clang-14)" >&2; exit 2; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# The library with coverage hooks but without libFuzzer's main(); our own build folder.
echo "fuzz: building with $CLANG into $work"
make -C "$top" -s -j2 BUILD="$work/obj" CC="$CLANG" \
     OPT="-O1 -g -fsanitize=fuzzer-no-link $san" "$work/obj/libaltorc.a" ||
  { echo "fuzz: library build failed" >&2; exit 2; }
"$CLANG" -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $san -Wall -Wextra -Werror \
  -Wno-unused-parameter -I"$top/include" -I"$top/arch/x86/include" \
  -o "$work/fuzz-pipeline" "$top/tests/fuzz/fuzz_pipeline.c" "$work/obj/libaltorc.a" \
  -lelf -lZydis -ldwarf -lpthread || { echo "fuzz: target link failed" >&2; exit 2; }

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}
# The target's scratch files go below the work folder, cleaned up here.
export TMPDIR=$work/tmp
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT

# ---- regressions: every saved input must run clean ----
regress=$work/regressions
rm -rf "$regress" && mkdir -p "$regress"
bad=0 nreg=0
for b64 in "$top"/tests/fuzz/regressions/*.b64; do
  [[ -e $b64 ]] || continue
  nreg=$((nreg + 1))
  name=$(basename "$b64" .b64)
  base64 -d "$b64" > "$regress/$name" || { echo "fuzz: $b64 is not base64"; bad=$((bad + 1)); continue; }
  if ! "$work/fuzz-pipeline" -close_fd_mask=3 -timeout=20 "$regress/$name" > "$regress/$name.log" 2>&1; then
    echo "fuzz: regression $name fails again:"; grep -m5 -E 'ERROR|SUMMARY|runtime error' "$regress/$name.log"
    bad=$((bad + 1))
  fi
done
echo "fuzz: $nreg regression inputs replayed, $bad failed"
((replay_only)) && exit $((bad ? 1 : 0))

# ---- seeds ----
seeds=$work/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
for s in "$top"/tests/fixtures/*.S; do
  gcc -c -I"$top/tests/fixtures" -o "$seeds/$(basename "$s" .S).o" "$s" 2>/dev/null || true
done
corpus=${CORPUS_DIR:-$("$here/corpus-build.sh" --print-dir 2>/dev/null)}
pick_objects() {
  # Smallest objects first; one per kind of metadata section, then a few plain ones.
  local k=$1 sec
  for sec in .altinstructions .parainstructions __jump_table __ex_table .discard.unwind_hints \
             .orc_unwind .discard.reachable .discard.intra_function_calls ""; do
    ls -S -r "$corpus/$k"/*/*.pre.o 2>/dev/null | head -n 150 | while read -r o; do
      if [[ -z $sec ]] || readelf -S -W "$o" 2>/dev/null | grep -qF " $sec "; then echo "$o"; fi
    done | head -n 3
  done | sort -u
}
nseed_obj=0
for k in 6.1 6.12; do
  [[ -d $corpus/$k ]] || continue
  while read -r o; do
    [[ -n $o ]] || continue
    out=$seeds/$k-$(basename "$(dirname "$o")")-$(basename "$o")
    objcopy --strip-debug "$o" "$out" 2>/dev/null && nseed_obj=$((nseed_obj + 1))
  done < <(pick_objects "$k")
  # The post-objtool form carries ORC for the ORC readers.
  for o in $(pick_objects "$k" | head -n 4); do
    p=${o%.pre.o}.post.o
    [[ -f $p ]] && objcopy --strip-debug "$p" "$seeds/$k-$(basename "$p")" 2>/dev/null &&
      nseed_obj=$((nseed_obj + 1))
  done
done
cp "$regress"/* "$seeds"/ 2>/dev/null; rm -f "$seeds"/*.log
echo "fuzz: $(ls "$seeds" | wc -l) seeds ($nseed_obj corpus objects)"
((seconds > 0)) || exit $((bad ? 1 : 0))

# ---- fuzz ----
mkdir -p "$work/corpus" "$work/artifacts"
before=$(ls "$work/artifacts" | wc -l)
log=$work/fuzz-$(date +%Y%m%d-%H%M%S).log
echo "fuzz: fuzzing for ${seconds}s, log $log"
start=$SECONDS
"$work/fuzz-pipeline" "$work/corpus" "$seeds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
  -ignore_ooms=1 -close_fd_mask=3 -timeout=20 -rss_limit_mb=4096 -max_len=262144 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  > "$log" 2>&1
rc=$?
elapsed=$((SECONDS - start))
# Fork mode's status lines: "#N: cov: ... exec/s: ... ".
execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
execs=${execs:-0}
found=$(($(ls "$work/artifacts" | wc -l) - before))
echo "fuzz: ${elapsed}s, $execs executions, exit $rc, $found new artifacts in $work/artifacts"
ls -t "$work/artifacts" | head -n "$found"
echo "$(date -Is) seconds=$elapsed execs=$execs new_artifacts=$found" >> "$work/runs.log"
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); t[kv[1]] += kv[2] } }
     END { printf "fuzz: all runs in %s: %.2f hours, %d executions\n", FILENAME, t["seconds"] / 3600, t["execs"] }' \
  "$work/runs.log"
((bad == 0 && found == 0))
