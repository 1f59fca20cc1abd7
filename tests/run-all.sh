#!/bin/bash
# run-all.sh: every test stage of altorc, in order, then one closing line that sums them:
#   'N passed, M failed' (', K skipped' when something was skipped).
#
#   1. unit      Check unit tests ($BUILD/unit-tests, run from tests/)
#      layering  tests/scripts/layering.py: no stage folder uses one above it, no file cycle
#   2. fixtures  tests/scripts/fixtures.sh (every tests/scripts/fixture-*.sh)
#   3. corpus    tests/scripts/corpus-check.sh --subset (real kernel objects: net/key and
#                drivers/md of 6.1, 6.12 and 6.12 built by clang 19 without retpolines and IBT)
#   4. orc-dump, alt-count   the same subset: orc dump lines, alternatives entry counts
#      noinstr   tests/scripts/noinstr-corpus.sh: the subset, and arch/x86/kvm's noinstr objects
#                (each, and all linked into one) when the corpus has them, with --noinstr
#                --unret --link: the reference's warnings
#   5. parity    tests/scripts/warning-parity.sh (patched corpus objects: same warnings, same ORC)
#   6. kbuild    tests/scripts/kbuild-module.sh (drivers/block/drbd built by kbuild with altorc)
#   7. boot      tests/scripts/boot-test.sh (small 6.1 and 6.12 kernels, objtool step by the
#                reference and by altorc, booted in qemu: same sysrq-t and kprobe stacks, same ORC)
#
# Environment: ALTORC (the binary under test), BUILD (its build folder), both set by
# `make check` / `make asan`; SANITIZED=1 when that binary is built with ASan + UBSan.
# Exit status: non-zero when anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export ALTORC=${ALTORC:-$top/altorc}
export BUILD=${BUILD:-$top/build}

if [[ ${SANITIZED:-0} == 1 ]]; then
  # Stop at the first report; leaks count.  A distinct exit code keeps a sanitizer report
  # from passing for altorc's own "findings" status (1).
  export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=86:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
  export CK_TIMEOUT_MULTIPLIER=10   # instrumented code is several times slower
fi

total_passed=0 total_failed=0 total_skipped=0
summary=()

# record STAGE PASSED FAILED SKIPPED
record() {
  total_passed=$((total_passed + $2)); total_failed=$((total_failed + $3))
  total_skipped=$((total_skipped + $4))
  local line="$2 passed, $3 failed"
  (($4 == 0)) || line+=", $4 skipped"
  summary+=("$(printf '%-9s %-32s %4ds' "$1" "$line" $((SECONDS - stage_start)))")
  echo "-- $1: $line"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Run a stage command with its output shown and kept in $log; sets $rc.
run_stage() {
  local name=$1; shift
  echo
  echo "== $name: $*"
  stage_start=$SECONDS
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
}

# The closing 'N passed, M failed[, K skipped]' line of a stage script.
record_script() {
  local name=$1 last
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
    local f=${BASH_REMATCH[2]}
    ((rc == 0 || f > 0)) || { echo "$name: exited $rc"; f=1; }
    record "$name" "${BASH_REMATCH[1]}" "$f" "${BASH_REMATCH[4]:-0}"
  else
    echo "$name: exited $rc without a 'N passed, M failed' line"
    record "$name" 0 1 0
  fi
}

# Check's runner expects fixtures/ relative to the working folder.
unit_tests() { cd "$top/tests" && "$BUILD/unit-tests"; }

# Check prints e.g. "100%: Checks: 12, Failures: 0, Errors: 0".
unit_stage() {
  run_stage unit unit_tests
  local last
  last=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
  if [[ $last =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
    local checks=${BASH_REMATCH[1]} bad=$((BASH_REMATCH[2] + BASH_REMATCH[3]))
    ((rc == 0 || bad > 0)) || { echo "unit: exited $rc"; bad=$((bad + 1)); }
    record unit $((checks - bad)) "$bad" 0
  elif grep -q 'no suite selected' "$log"; then
    echo "unit: no test suite is registered yet"
    record unit 0 0 0
  else
    echo "unit: $BUILD/unit-tests exited $rc without Check's summary"
    record unit 0 1 0
  fi
}

SUBSET_SLUGS="net_key drivers_md"

unit_stage
# Data flows one way through the stage folders (README "Layout"): read from the objects just built.
run_stage layering python3 "$top/tests/scripts/layering.py" "$BUILD"; record_script layering
run_stage fixtures "$top/tests/scripts/fixtures.sh"; record_script fixtures
run_stage corpus "$top/tests/scripts/corpus-check.sh" --subset; record_script corpus

# The same subset (built by the corpus stage) for the foundation checks: `orc dump` line for
# line against the reference's --dump=orc, and `alternatives --json` entry counts against the
# relocated entries of .altinstructions/.parainstructions.
subset_dirs=()
corpus_dir=$("$top/tests/scripts/corpus-build.sh" --print-dir)
for k in $("$top/tests/scripts/corpus-check.sh" --subset-folders); do
  for d in $SUBSET_SLUGS; do
    [[ -d $corpus_dir/$k/$d ]] && subset_dirs+=("$corpus_dir/$k/$d")
  done
done
if ((${#subset_dirs[@]})); then
  export CORPUS_DIR=$corpus_dir
  run_stage orc-dump "$top/tests/scripts/orc-dump-corpus.sh" --all "${subset_dirs[@]}"; record_script orc-dump
  run_stage alt-count "$top/tests/scripts/special-corpus.sh" "${subset_dirs[@]}"; record_script alt-count
  # --noinstr/--unret change nothing on the subset's code; kvm's vmenter code is noinstr text.
  run_stage noinstr "$top/tests/scripts/noinstr-corpus.sh" --all "${subset_dirs[@]}"; record_script noinstr
  kvm_dirs=()
  for k in 6.1 6.12; do
    [[ -d $corpus_dir/$k/arch_x86_kvm ]] && kvm_dirs+=("$corpus_dir/$k/arch_x86_kvm")
  done
  if ((${#kvm_dirs[@]})); then
    run_stage noinstr-kvm "$top/tests/scripts/noinstr-corpus.sh" --linked "${kvm_dirs[@]}"; record_script noinstr-kvm
  fi
else
  echo "orc-dump, alt-count, noinstr: skipped (no corpus subset was built)"
  record orc-dump 0 0 1
  record alt-count 0 0 1
  record noinstr 0 0 1
fi

# Both use the corpus folder above (they skip, with a message, what it lacks): broken copies of
# subset objects must get the reference's warnings and ORC, and a whole module built by kbuild
# with altorc as objtool must get the reference's ORC.
run_stage parity "$top/tests/scripts/warning-parity.sh"; record_script parity
run_stage kbuild "$top/tests/scripts/kbuild-module.sh"; record_script kbuild
# Whole (small) kernels: what altorc writes must boot and unwind as the reference's does.
run_stage boot "$top/tests/scripts/boot-test.sh"; record_script boot

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "(${SECONDS}s in all)"
if ((total_skipped)); then
  echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
else
  echo "$total_passed passed, $total_failed failed"
fi
((total_failed == 0))
