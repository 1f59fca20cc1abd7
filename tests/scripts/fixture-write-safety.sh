#!/bin/bash
# fixture-write-safety.sh: `altorc objtool --orc` copies the object to a temporary file beside it
# before analysing (objf_copy_start(): the copy is made on a thread while the analysis runs).
# Whatever ends the run, the object must be either the new one or byte for byte the old one,
# and the folder must hold nothing else:
#   - written: the object changed, kept its permissions, and no temporary file is left;
#   - the analysis stops (a stop_*.S fixture: the reference's fatal warning, exit 0) or fails
#     (no kernel rules to apply: exit 2) after the copy began: object untouched, no temporary
#     file; where strace is installed, it also shows the copy was created and then unlinked;
#   - the copy itself fails (a file size limit, SIGXFSZ ignored, so writing the copy gets EFBIG):
#     exit 2, one error naming the object and the failed copy, object untouched, no temp file;
#   - the disk is full when the copy is extended (ENOSPC injected into fallocate by strace):
#     exit 2, one error naming the object, object untouched, no temp file;
#   - SIGTERM while the copy exists (under strace, which holds the copy back for a while): the
#     process dies of it, object untouched, no temporary file;
#   - the call-site lists stop (sites_key_order.S: a static call's key missing outside a module):
#     exit 0, object untouched, no temporary file;
#   - --dry-run: exit 0, object untouched, no temporary file (both reference objtools leave
#     the object as it was with --dry-run: checked by hand on 6.1's and 6.12's dm-zero.o).
# The object written is made here: plain functions, so that nothing but ORC and the call-site
# sections are added.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail
# Small objects are copied at write time (objtool.c: wants_early_copy()); these cases are
# about the early copy, so it is forced here.
export ALTORC_EARLY_COPY=1

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
work=$(mktemp -d /tmp/fixture-write-safety.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "skip $1"; skipped=$((skipped + 1)); }

# fresh OBJ: an empty folder $work/run holding only a copy of OBJ as obj.o
fresh() {
  rm -rf "$work/run" && mkdir "$work/run" && cp "$1" "$work/run/obj.o"
}

# leftovers: names in $work/run other than obj.o (and the logs kept outside it)
leftovers() {
  (cd "$work/run" && ls -A | grep -vx 'obj.o')
}

# check LABEL WANT_RC OBJ RC: the run ended with WANT_RC, obj.o is OBJ's bytes, nothing else left
check_untouched() {
  local label=$1 want=$2 obj=$3 rc=$4 left
  left=$(leftovers)
  if ((rc != want)); then
    fail "$label: exit $rc, want $want"; sed 's/^/    /' "$work/out"
  elif ! cmp -s "$obj" "$work/run/obj.o"; then
    fail "$label: the object was changed"
  elif [[ -n $left ]]; then
    fail "$label: left behind: $left"
  else
    ok "$label"
  fi
}

assemble() {
  if ! $CC -c -o "$2" "$1" 2> "$work/as"; then
    fail "$(basename "$1"): does not assemble"; sed 's/^/    /' "$work/as"; return 1
  fi
}

# functions.S N: N small frame-pointer functions
functions() {
  echo '.text'
  for i in $(seq "$1"); do
    printf '.globl f%d\n.type f%d, @function\nf%d:\n push %%rbp\n mov %%rsp, %%rbp\n pop %%rbp\n ret\n.size f%d, .-f%d\n' \
      "$i" "$i" "$i" "$i" "$i"
  done
}

# --- written: a new object, same permissions, nothing left over ---------------------------------
good=$work/good.o
functions 200 > "$work/good.S"
if assemble "$work/good.S" "$good"; then
  fresh "$good"
  chmod 640 "$work/run/obj.o"
  (cd "$work/run" && KERNELRELEASE=6.12 "$ALTORC" objtool --orc obj.o) > "$work/out" 2>&1
  rc=$? left=$(leftovers) mode=$(stat -c %a "$work/run/obj.o")
  if ((rc != 0)); then
    fail "written: exit $rc"; sed 's/^/    /' "$work/out"
  elif cmp -s "$good" "$work/run/obj.o"; then
    fail "written: the object was not rewritten"
  elif [[ $mode != 640 ]]; then
    fail "written: mode $mode, want 640 (the original's)"
  elif [[ -n $left ]]; then
    fail "written: left behind: $left"
  else
    ok "written: new object, mode kept, no temporary file"
  fi

  # --- --dry-run: everything but the write ----------------------------------------------------------
  fresh "$good"
  (cd "$work/run" && KERNELRELEASE=6.12 "$ALTORC" objtool --orc --dry-run obj.o) > "$work/out" 2>&1
  check_untouched "--dry-run: nothing written" 0 "$good" $?

  # --- the analysis fails after the copy began: no kernel rules (exit 2) -------------------------
  fresh "$good"
  (cd "$work/run" && env -u KERNELRELEASE -u VERSION -u PATCHLEVEL "$ALTORC" objtool --orc obj.o) \
    > "$work/out" 2>&1
  check_untouched "analysis fails (no kernel rules)" 2 "$good" $?

  # --- the copy fails: EFBIG from a 1 KB file size limit -------------------------------------------
  fresh "$good"
  (cd "$work/run" && trap '' XFSZ && ulimit -f 1 &&
   KERNELRELEASE=6.12 exec "$ALTORC" objtool --orc obj.o) > "$work/out" 2>&1
  rc=$?
  check_untouched "copy fails (file size limit)" 2 "$good" $rc
  if ((rc == 2)) && ! grep -q 'obj\.o: .*temporary file: File too large' "$work/out"; then
    fail "copy fails: no error naming the object and the copy"; sed 's/^/    /' "$work/out"
  fi
fi

# --- the analysis stops (the reference's fatal warning): exit 0, nothing written ----------------
for src in "$top"/tests/fixtures/stop_*.S; do
  name=$(basename "$src" .S)
  assemble "$src" "$work/$name.o" || continue
  fresh "$work/$name.o"
  (cd "$work/run" && KERNELRELEASE=6.12 "$ALTORC" objtool --orc obj.o) > "$work/out" 2>&1
  check_untouched "$name: analysis stops" 0 "$work/$name.o" $?
done

# --- the call-site lists stop (a static call's key missing outside a module): exit 0, untouched ---
# The copy was made for a write that never comes; the run's end (leave() in cmd/objtool.c) must
# still remove it.
if assemble "$top/tests/fixtures/sites_key_order.S" "$work/key_order.o"; then
  fresh "$work/key_order.o"
  (cd "$work/run" && KERNELRELEASE=6.12 "$ALTORC" objtool --static-call --orc --link obj.o) \
    > "$work/out" 2>&1
  check_untouched "static-call key missing: lists stop" 0 "$work/key_order.o" $?
fi

# --- with strace: the copy was there before the failure, and was removed ------------------------
if command -v strace > /dev/null && [[ -s $good ]]; then
  fresh "$good"
  (cd "$work/run" && env -u KERNELRELEASE -u VERSION -u PATCHLEVEL \
     strace -f -qq -e trace=openat,unlink -o "$work/trace" "$ALTORC" objtool --orc obj.o) \
    > "$work/out" 2>&1
  tmp=$(grep -o 'openat(AT_FDCWD, "\.obj\.o\.[^"]*", [^)]*O_CREAT' "$work/trace" | head -n 1 |
        sed 's/^openat(AT_FDCWD, "\([^"]*\)".*/\1/')
  if [[ -z $tmp ]]; then
    fail "strace: no temporary copy created before the analysis failed"
  elif ! grep -q "unlink(\"$tmp\")" "$work/trace"; then
    fail "strace: $tmp was not unlinked"
  else
    ok "strace: $tmp created early, unlinked on failure"
  fi
else
  skip "strace: not installed"
fi

# --- the disk is full when the copy grows: ENOSPC from fallocate ---------------------------------
# The copy is extended to its final size (posix_fallocate) before libelf maps it, so a full disk is
# an error there (exit 2, the object untouched) rather than SIGBUS on a store into the mapping.
if command -v strace > /dev/null && [[ -s $good ]]; then
  fresh "$good"
  # LeakSanitizer (an ASan build) cannot run under ptrace and would end the run with its own status
  (cd "$work/run" && KERNELRELEASE=6.12 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
     exec strace -f -qq -o /dev/null \
     -e trace=fallocate -e inject=fallocate:error=ENOSPC "$ALTORC" objtool --orc obj.o) \
    > "$work/out" 2>&1
  rc=$?
  check_untouched "disk full while extending the copy" 2 "$good" $rc
  if ((rc == 2)) && ! grep -q 'obj\.o: .*: No space left on device' "$work/out"; then
    fail "disk full: no error naming the object and ENOSPC"; sed 's/^/    /' "$work/out"
  fi
else
  skip "disk full: strace not installed"
fi

# --- SIGTERM while the copy exists ------------------------------------------------------------------
# strace holds the copying thread 2 s in copy_file_range, so the temporary file is there for sure
# when the signal comes.  Without strace the window is too short to hit on purpose.
if command -v strace > /dev/null && [[ -s $good ]]; then
  fresh "$good"
  (cd "$work/run" && KERNELRELEASE=6.12 exec strace -f -qq -o /dev/null -e trace=copy_file_range \
     -e inject=copy_file_range:delay_enter=2000000 "$ALTORC" objtool --orc obj.o) \
    > "$work/out" 2>&1 &
  tracer=$!
  for _ in $(seq 200); do
    [[ -n $(leftovers) ]] && break
    sleep 0.01
  done
  pid=$(pgrep -P "$tracer")
  if [[ -z $(leftovers) || -z $pid ]]; then
    wait "$tracer"
    fail "SIGTERM: no temporary copy seen while the run was held"
  else
    kill -TERM "$pid"
    wait "$tracer"
    check_untouched "SIGTERM while the copy exists" 143 "$good" $?
  fi
else
  skip "SIGTERM: strace not installed"
fi

if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
