#!/bin/bash
# fixture-threads.sh: `altorc objtool --threads=N` writes the same object and prints the same
# stderr, with the same exit status, whatever N (validate/walk_threads.c).
#   1. every assembly fixture (tests/fixtures/*.S, warnings, alternatives, hints, jump tables),
#      under each kernel's rules, with --threads=1 and --threads=3;
#   2. a generated object of 48 functions, a third of them with a warning, so that findings
#      of several threads are merged: the same with 1, 2 and 5 threads, and --verbose must say
#      the threads ran independently (the parallel path really ran) and that the sites were
#      collected on a thread of their own meanwhile (sites/job.c);
#   3. two functions that jump into one stretch of code outside any function: their threads
#      meet there, so the walk is done again on one thread (--verbose says so), still with the
#      same output;
#   4. a 200 KiB code section, decoded in chunks on 4 threads (cfg/decode.c), and the same with
#      a stray byte before most functions, so that chunk boundaries are not instruction
#      boundaries and the section must be decoded again in one piece.
# The expected output is altorc's own sequential run: what it must equal is checked against the
# reference objtool by the other fixture scripts and the corpus.  Last line: 'N passed, M failed'.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
CC=${CC:-gcc}
fixtures=$top/tests/fixtures

if [[ ! -x $ALTORC ]]; then
  echo "fixture-threads: no altorc binary at $ALTORC"
  echo "0 passed, 1 failed"; exit 1
fi

work=$(mktemp -d /tmp/fixture-threads.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

kflags() { if [[ $1 == 6.12 ]]; then echo "--kernel=6.12 --orc-format=v2"; else echo "--kernel=6.1"; fi; }

# run OBJ THREADS TAG FLAGS...: a copy of OBJ through altorc objtool; OBJ.TAG.{o,err,rc}
run() {
  local obj=$1 threads=$2 tag=$3; shift 3
  cp "$obj" "$obj.$tag.o"
  "$ALTORC" objtool "$@" --threads="$threads" "$obj.$tag.o" 2> "$obj.$tag.err"
  echo $? > "$obj.$tag.rc"
}

# same OBJ TAG1 TAG2: identical object bytes, stderr (file names aside) and exit status
same() {
  local a=$1.$2 b=$1.$3
  cmp -s "$a.o" "$b.o" && cmp -s "$a.rc" "$b.rc" &&
    diff -q <(sed "s|$a.o|X|g" "$a.err") <(sed "s|$b.o|X|g" "$b.err") > /dev/null
}

# 1. the fixtures
n=0 bad=0
for src in "$fixtures"/*.S; do
  name=$(basename "$src" .S)
  args=$(sed -n 's/^ \* args: //p' "$src" | head -n 1)
  for k in 6.1 6.12; do
    def=(); [[ $k == 6.12 ]] && def=(-DKERNEL_612)
    obj=$work/$name-$k
    $CC "${def[@]}" -c -o "$obj" "$src" 2> /dev/null || continue
    # shellcheck disable=SC2046,SC2086
    run "$obj" 1 t1 $(kflags $k) --orc --link $args
    # shellcheck disable=SC2046,SC2086
    run "$obj" 3 t3 $(kflags $k) --orc --link $args
    n=$((n + 1))
    if ! same "$obj" t1 t3; then
      bad=$((bad + 1)); echo "  differs: $name ($k)"
    fi
  done
done
if ((n < 50)); then
  fail "fixtures: only $n assembled (expected most of tests/fixtures)"
elif ((bad)); then
  fail "fixtures: $bad of $n differ between 1 and 3 threads"
else
  ok "fixtures: $n objects, the same with 1 and 3 threads"
fi

# 2. many functions, warnings in several threads' ranges
gen=$work/many.S
{
  echo "	.text"
  for i in $(seq 0 47); do
    echo "	.globl f$i"
    echo "	.type f$i, @function"
    echo "f$i:"
    echo "	push %rbp"
    echo "	mov %rsp, %rbp"
    echo "	test %edi, %edi"
    echo "	je 1f"
    echo "	push %rbx"
    echo "	pop %rbx"
    if ((i % 3 == 1)); then
      echo "1:	push %r12"   # returns with the frame modified: a warning
      echo "	ret"
    else
      echo "1:	pop %rbp"
      echo "	ret"
    fi
    echo "	.size f$i, . - f$i"
  done
} > "$gen"
if $CC -c -o "$work/many" "$gen"; then
  for k in 6.1 6.12; do
    # shellcheck disable=SC2046
    for t in 1 2 5; do run "$work/many" $t "$k-t$t" $(kflags $k) --orc --link --uaccess; done
    # shellcheck disable=SC2046
    run "$work/many" 2 "$k-verbose" $(kflags $k) --orc --link --uaccess --verbose
    nwarn=$(grep -c 'warning: objtool' "$work/many.$k-t1.err")
    if ! same "$work/many" "$k-t1" "$k-t2" || ! same "$work/many" "$k-t1" "$k-t5"; then
      fail "many functions ($k): output differs with the thread count"
    elif ((nwarn < 10)); then
      fail "many functions ($k): $nwarn warnings, expected one per third function"
    elif ! grep -q 'functions validated on several threads' "$work/many.$k-verbose.err"; then
      fail "many functions ($k): the parallel walk did not run (--verbose)"
    elif ! grep -q 'sites collected on a thread beside validation' "$work/many.$k-verbose.err"; then
      fail "many functions ($k): the sites were not built beside validation (--verbose)"
    else
      ok "many functions ($k): $nwarn warnings, the same with 1, 2 and 5 threads"
    fi
  done
else
  fail "many functions: cannot assemble"
fi

# 3. code shared by two functions' walks: the sequential walk again
cat > "$work/shared.S" <<'EOF'
	.text
	.globl fa
	.type fa, @function
fa:
	push %rbx
	jmp .Ltail
	.size fa, . - fa
	.globl fb
	.type fb, @function
fb:
	push %rbx
	push %rbx
	jmp .Ltail
	.size fb, . - fb
.Ltail:
	pop %rbx
	ret
EOF
if $CC -c -o "$work/shared" "$work/shared.S"; then
  for k in 6.1 6.12; do
    # shellcheck disable=SC2046
    run "$work/shared" 1 "$k-t1" $(kflags $k) --orc --link
    # shellcheck disable=SC2046
    run "$work/shared" 2 "$k-t2" $(kflags $k) --orc --link
    # shellcheck disable=SC2046
    run "$work/shared" 2 "$k-verbose" $(kflags $k) --orc --link --verbose
    if ! same "$work/shared" "$k-t1" "$k-t2"; then
      fail "shared code ($k): output differs with the thread count"
    elif ! grep -q 'validated again on one' "$work/shared.$k-verbose.err"; then
      fail "shared code ($k): the threads' meeting was not noticed (--verbose)"
    else
      ok "shared code ($k): the walk is done again on one thread, same output"
    fi
  done
else
  fail "shared code: cannot assemble"
fi

# 4. decoding in chunks: one section of about 200 KiB, cut at function starts.  In the second
#    object a byte before every function from the 40th on (B8, the start of a 5-byte mov)
#    makes the sequential decode run across the function starts, so the chunks cannot agree
#    with it and the section must be decoded again in one piece (--verbose says which).
gen_big() {   # gen_big FILE JUNK
  {
    echo "	.text"
    for i in $(seq 0 1999); do
      ((i >= 40 && $2)) && echo "	.byte 0xb8"
      echo "	.globl g$i"
      echo "	.type g$i, @function"
      echo "g$i:"
      echo "	push %rbp"
      echo "	mov %rsp, %rbp"
      for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "	add \$1, %rax"; done
      ((i % 97 == 5)) && echo "	push %rbx"   # a frame left modified: a warning
      echo "	pop %rbp"
      echo "	ret"
      echo "	.size g$i, . - g$i"
    done
  } > "$1"
}
for junk in 0 1; do
  what="chunked decode"; ((junk)) && what="chunked decode, misaligned chunks"
  gen_big "$work/big$junk.S" $junk
  if ! $CC -c -o "$work/big$junk" "$work/big$junk.S"; then
    fail "$what: cannot assemble"; continue
  fi
  run "$work/big$junk" 1 t1 --kernel=6.12 --orc-format=v2 --orc --link
  run "$work/big$junk" 4 t4 --kernel=6.12 --orc-format=v2 --orc --link
  run "$work/big$junk" 4 verbose --kernel=6.12 --orc-format=v2 --orc --link --verbose
  if ! same "$work/big$junk" t1 t4; then
    fail "$what: output differs between 1 and 4 threads"
  elif ! grep -q 'decoding [0-9]* chunks on 4 threads' "$work/big$junk.verbose.err"; then
    fail "$what: the section was not decoded in chunks (--verbose)"
  elif ((junk)) && ! grep -q '.text: chunks disagree, decoded again in one piece' "$work/big$junk.verbose.err"; then
    fail "$what: the misaligned chunks were not noticed (--verbose)"
  elif ((!junk)) && grep -q 'chunks disagree' "$work/big$junk.verbose.err"; then
    fail "$what: chunks cut at function starts were decoded again"
  else
    ok "$what: the same with 1 and 4 threads"
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
