#!/bin/bash
# kbuild-module.sh: a real out-of-tree kbuild module build with altorc as objtool.
#
# For each kernel (6.1 and 6.12 Debian headers), builds SUBDIR from the kernel's source with
#   make objtool="ALTORC objtool"
# and compares the ORC of every resulting .ko with that of the same module built as kbuild does
# by default (the reference objtool of the headers), using `altorc orc diff` (what an unwinder
# finds at every entry offset).  With 6.1 objtool runs on each object; with 6.12 once per module
# on the prelinked object (--link).
#
# The reference side is the project's own corpus build: tests/scripts/corpus-build.sh KERNEL
# SUBDIR (installs the kernel packages when missing and root, unpacks only SUBDIR's sources under
# the corpus folder's src-partial/, builds with the reference objtool and keeps the build folder,
# cached by its .done).  Its .ko files are the reference; its source tree is what we build again.
# When the team's ../shared/corpus/orc-compare is present it cross-checks each verdict.
#
# usage: kbuild-module.sh [SUBDIR]      (default drivers/block/drbd)
# env:   ALTORC (default ./altorc), CORPUS_DIR (default: corpus-build.sh --print-dir),
#        JOBS (default nproc), ORC_COMPARE (cross-check script; empty turns it off)
# A kernel whose packages are absent and cannot be installed (not root) is skipped, with a message.
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
altorc=${ALTORC:-$root/altorc}
sub=${1:-drivers/block/drbd}
sub=${sub%/}
slug=${sub//\//_}
jobs=${JOBS:-$(nproc)}
compare=${ORC_COMPARE-$root/../shared/corpus/orc-compare}
[[ -n $compare && -x $compare ]] || compare=
corpus=$("$here/corpus-build.sh" --print-dir)
passed=0 failed=0 skipped=0
work=$(mktemp -d /tmp/kbuild-module.XXXXXX)
trap 'rm -rf "$work"' EXIT

[[ -x $altorc ]] || { echo "kbuild-module: no altorc binary at $altorc"; echo "0 passed, 1 failed"; exit 1; }

# The installed headers folder of a kernel series: the newest ABI, matched as corpus-build.sh
# matches the packages it installs.
headers_dir() {
  local pat
  case $1 in
    6.1)  pat='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
    6.12) pat='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
  esac
  find /usr/src -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null |
    grep -E "$pat" | sort -V | tail -n 1 | sed 's#^#/usr/src/#'
}

# The source tree corpus-build.sh used for SUBDIR: a full tree beside the corpus, or its own
# partial one.
source_tree() {
  local t
  for t in "$corpus/src/linux-source-$1" "$corpus/src-partial/linux-source-$1"; do
    [[ -d $t/$sub ]] && { echo "$t"; return 0; }
  done
  return 1
}

# Copy SUBDIR out of the tree and point its in-tree paths at the copy (as corpus-build.sh does).
prepare() {
  local src=$1 dst=$2
  cp -r "$src/$sub" "$dst"
  grep -rlZ "TRACE_INCLUDE_PATH \.\./\.\./$sub\$" "$dst" 2>/dev/null |
    xargs -0 -r sed -i "s#TRACE_INCLUDE_PATH \.\./\.\./$sub\$#TRACE_INCLUDE_PATH $dst#"
  # shellcheck disable=SC2016  # $(src) is make's, not the shell's
  find "$dst" \( -name Makefile -o -name Kbuild \) -print0 |
    xargs -0 -r sed -i -e "s#\$(srctree)/$sub\\b#\$(src)#g" -e 's#\$(srctree)/\$(src)#$(src)#g'
}

# compare_ko VER REL REF.ko CAND.ko
compare_ko() {
  local ver=$1 rel=$2 out rc
  out=$("$altorc" orc diff "$3" "$4" 2>&1)
  rc=$?
  if ((rc != 0)); then
    echo "FAIL $ver $rel: orc diff exited $rc"; echo "$out" | tail -5
    failed=$((failed + 1)); return
  fi
  if [[ -n $compare ]] && ! out2=$("$compare" "$3" "$4" 2>&1); then
    echo "FAIL $ver $rel: orc diff says equal, orc-compare disagrees"; echo "$out2" | tail -5
    failed=$((failed + 1)); return
  fi
  echo "ok   $ver $rel: $(echo "$out" | tail -1)"; passed=$((passed + 1))
}

one_kernel() {
  local ver=$1 t0=$SECONDS rc kdir tree refdir
  "$here/corpus-build.sh" -o "$corpus" "$ver" "$sub" > "$work/$ver-corpus.log" 2>&1
  rc=$?
  if ((rc == 3)); then
    echo "skip $ver: kernel $ver headers/source not installed and not installable here:"
    sed 's/^/    /' "$work/$ver-corpus.log" | tail -3
    skipped=$((skipped + 1)); return
  fi
  kdir=$(headers_dir "$ver")
  tree=$(source_tree "$ver")
  refdir=$corpus/build/$ver/$slug
  if ((rc != 0)) || [[ -z $kdir || -z $tree ]] || ! find "$refdir" -name '*.ko' 2>/dev/null | grep -q .; then
    echo "FAIL $ver: corpus-build.sh $ver $sub exited $rc; headers '${kdir:-none}', source '${tree:-none}'," \
         "reference modules in $refdir: $(find "$refdir" -name '*.ko' 2>/dev/null | wc -l)"
    tail -5 "$work/$ver-corpus.log"; failed=$((failed + 1)); return
  fi
  echo "== $ver: $(basename "$kdir"), $sub (reference: $refdir, $((SECONDS - t0))s)"
  local cand=$work/$ver-cand t1=$SECONDS
  prepare "$tree" "$cand"
  if ! ALTORC_QUIET_PENDING=1 make -C "$kdir" M="$cand" objtool="$altorc objtool" -j"$jobs" modules \
      > "$work/$ver-cand.log" 2>&1; then
    echo "FAIL $ver: build with altorc failed (tail of log):"; tail -5 "$work/$ver-cand.log"
    failed=$((failed + 1)); return
  fi
  echo "   built with altorc in $((SECONDS - t1))s"
  local n=0 ko rel
  while IFS= read -r ko; do
    rel=${ko#"$refdir"/}; n=$((n + 1))
    if [[ ! -f $cand/$rel ]]; then
      echo "FAIL $ver $rel: not built with altorc"; failed=$((failed + 1)); continue
    fi
    # a reference cached from older headers would not be comparable
    if command -v modinfo >/dev/null &&
        [[ $(modinfo -F vermagic "$ko" 2>&1) != "$(modinfo -F vermagic "$cand/$rel" 2>&1)" ]]; then
      echo "FAIL $ver $rel: the cached reference was built for other headers (remove $refdir and" \
           "$corpus/$ver/$slug to rebuild it)"
      failed=$((failed + 1)); continue
    fi
    compare_ko "$ver" "$rel" "$ko" "$cand/$rel"
  done < <(find "$refdir" -name '*.ko' | sort)
  ((n > 0)) || { echo "FAIL $ver: no reference .ko"; failed=$((failed + 1)); }
  local warn_ref warn_cand
  warn_ref=$(grep -c 'warning: objtool:' "$corpus/$ver/$slug/.build.log" 2>/dev/null)
  warn_cand=$(grep -c 'warning: objtool:' "$work/$ver-cand.log")
  echo "   objtool warnings: reference ${warn_ref:-?}, altorc $warn_cand; $((SECONDS - t0))s for $ver"
}

one_kernel 6.1
one_kernel 6.12

if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
