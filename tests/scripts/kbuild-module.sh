#!/bin/bash
# kbuild-module.sh: a real out-of-tree kbuild module build with altorc as objtool.
#
# For each kernel (6.1 and 6.12 Debian headers), builds drivers/block/drbd from the kernel's
# source twice, once as kbuild does by default (the reference objtool of the headers) and once
# with  make objtool="ALTORC objtool", then compares the ORC of every resulting .ko with
# ../shared/corpus/orc-compare (what an unwinder finds at every entry offset).  With 6.1 objtool
# runs on each object; with 6.12 once per module on the prelinked object (--link).
#
# usage: kbuild-module.sh [SUBDIR]      (default drivers/block/drbd)
# env:   ALTORC (default ./altorc), CORPUS_DIR (default ../corpus-cache), JOBS (default nproc)
# Skipped, with a message, for a kernel whose headers or source are not installed.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
altorc=${ALTORC:-$root/altorc}
shared=${SHARED_DIR:-$root/../shared}
corpus=${CORPUS_DIR:-$root/../corpus-cache}
sub=${1:-drivers/block/drbd}
jobs=${JOBS:-$(nproc)}
compare=$shared/corpus/orc-compare
passed=0 failed=0 skipped=0
work=$(mktemp -d /tmp/kbuild-module.XXXXXX)
trap 'rm -rf "$work"' EXIT

[[ -x $altorc ]] || { echo "kbuild-module: no altorc binary at $altorc"; echo "0 passed, 1 failed"; exit 1; }
[[ -x $compare ]] || { echo "kbuild-module: no $compare"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

# Copy SUBDIR out of the tree and point its in-tree paths at the copy (as build-corpus does).
prepare() {
  local src=$1 dst=$2
  cp -r "$src/$sub" "$dst"
  grep -rl "define TRACE_INCLUDE_PATH ../../$sub\$" "$dst" 2>/dev/null |
    xargs -r sed -i "s|define TRACE_INCLUDE_PATH ../../$sub\$|define TRACE_INCLUDE_PATH $dst|"
  find "$dst" -name Makefile -o -name Kbuild |
    xargs -r sed -i "s|\$(srctree)/$sub\b|\$(src)|g; s|\$(srctree)/\$(src)|\$(src)|g"
}

one_kernel() {
  local ver=$1 pat=$2 kdir src
  kdir=$(ls -d /usr/src/$pat 2>/dev/null | sort -V | tail -1)
  src=$corpus/src/linux-source-$ver
  if [[ -z $kdir || ! -d $src/$sub ]]; then
    echo "skip $ver: needs /usr/src/$pat and $src/$sub (run ../shared/corpus/build-corpus $ver $sub once)"
    skipped=$((skipped + 1)); return
  fi
  local ref=$work/$ver-ref cand=$work/$ver-cand
  prepare "$src" "$ref"; prepare "$src" "$cand"
  echo "== $ver: $(basename "$kdir"), $sub"
  local t0=$SECONDS
  if ! make -C "$kdir" M="$ref" -j"$jobs" modules > "$work/$ver-ref.log" 2>&1; then
    echo "FAIL $ver: reference build failed (tail of log):"; tail -5 "$work/$ver-ref.log"
    failed=$((failed + 1)); return
  fi
  local t1=$SECONDS
  if ! ALTORC_QUIET_PENDING=1 make -C "$kdir" M="$cand" objtool="$altorc objtool" -j"$jobs" modules \
      > "$work/$ver-cand.log" 2>&1; then
    echo "FAIL $ver: build with altorc failed (tail of log):"; tail -5 "$work/$ver-cand.log"
    failed=$((failed + 1)); return
  fi
  echo "   built: reference $((t1 - t0))s, altorc $((SECONDS - t1))s"
  local n=0 ko rel
  while IFS= read -r ko; do
    rel=${ko#"$ref"/}; n=$((n + 1))
    if [[ ! -f $cand/$rel ]]; then
      echo "FAIL $ver $rel: not built with altorc"; failed=$((failed + 1)); continue
    fi
    if out=$("$compare" "$ko" "$cand/$rel" 2>&1); then
      echo "ok   $ver $rel: $(echo "$out" | tail -1)"; passed=$((passed + 1))
    else
      echo "FAIL $ver $rel:"; echo "$out" | tail -5; failed=$((failed + 1))
    fi
  done < <(find "$ref" -name '*.ko' | sort)
  if ((n == 0)); then echo "FAIL $ver: no .ko built"; failed=$((failed + 1)); fi
  local warn_ref warn_cand
  warn_ref=$(grep -c 'warning: objtool:' "$work/$ver-ref.log")
  warn_cand=$(grep -c 'warning: objtool:' "$work/$ver-cand.log")
  echo "   objtool warnings: reference $warn_ref, altorc $warn_cand"
}

one_kernel 6.1 'linux-headers-6.1.0-*-amd64'
one_kernel 6.12 'linux-headers-6.12.*+deb12-amd64'

if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
