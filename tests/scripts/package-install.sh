#!/bin/bash
# package-install.sh: the Debian package as a user gets it (CI runs this after `make check`).
# Builds it with scripts/deb.sh (lintian errors fail it; the unit tests are skipped inside the
# package build, `make check` has just run them), installs it with
# `apt-get install --reinstall ./build/deb/altorc_VERSION_ARCH.deb`, then checks the installed
# /usr/bin/altorc: --version names this tree's version and commit, the demo runs on it, and the
# ORC it writes for the demo fixture is byte for byte what the tree's ./altorc writes.
# Needs root (apt-get).  Prints 'package: ...' lines only; the build's own output goes to
# build/deb/build.log, shown when the build fails.  Exit status 0 when everything holds.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
start=$SECONDS
fail() { echo "package: FAILED: $*"; exit 1; }

((EUID == 0)) || fail "needs root to install the package"
mkdir -p build/deb
log=build/deb/build.log
if ! DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" scripts/deb.sh > "$log" 2>&1; then
  tail -n 40 "$log"
  fail "scripts/deb.sh (full log: $log)"
fi
deb=$(tail -n 1 "$log")
[[ -f $deb ]] || fail "no .deb named at the end of $log"
echo "package: built $deb in $((SECONDS - start)) s; lintian: $(grep -cE '^[EW]: ' "$log") errors or warnings"
echo "package: $(dpkg-deb -f "$deb" Depends | sed 's/^/Depends: /')"

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --reinstall "./$deb" > build/deb/install.log 2>&1 ||
  { tail -n 20 build/deb/install.log; fail "apt-get install ./$deb"; }
[[ $(dpkg-query -W -f='${Status} ${Version}' altorc) == "install ok installed $(cat VERSION)" ]] ||
  fail "dpkg does not list altorc $(cat VERSION) as installed"

got=$(/usr/bin/altorc --version) || fail "/usr/bin/altorc --version exited $?"
echo "package: installed; /usr/bin/altorc --version: $got"
want="altorc $(cat VERSION) (commit "
[[ $got == "$want"* ]] || fail "expected '$want...'"
if head=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  [[ $got == "$want$head)" || $got == "$want$head-dirty)" ]] || fail "expected commit $head"
fi
man -w altorc > /dev/null 2>&1 || [[ -f /usr/share/man/man1/altorc.1.gz ]] || fail "no man page"
[[ -f /usr/share/doc/altorc/README.md.gz ]] || fail "no README in /usr/share/doc/altorc"

# The demo on the installed binary, and its ORC against the tree's build.
ALTORC=/usr/bin/altorc tests/scripts/demo.sh > build/deb/demo.log 2>&1 ||
  fail "demo.sh with ALTORC=/usr/bin/altorc (see build/deb/demo.log)"
grep -qx 'demo: done' build/deb/demo.log || fail "the demo did not finish (build/deb/demo.log)"
if [[ -x ./altorc ]]; then
  tmp=$(mktemp -d)
  gcc -c -o "$tmp/a.o" tests/fixtures/demo_pushf.S && cp "$tmp/a.o" "$tmp/b.o" &&
    /usr/bin/altorc objtool --orc "$tmp/a.o" 2> /dev/null; ./altorc objtool --orc "$tmp/b.o" 2> /dev/null
  cmp -s "$tmp/a.o" "$tmp/b.o" || { rm -rf "$tmp"; fail "the installed altorc writes other ORC than ./altorc"; }
  rm -rf "$tmp"
  echo "package: the demo ran on /usr/bin/altorc; its ORC on demo_pushf.o is identical to ./altorc's"
fi
echo "package: done in $((SECONDS - start)) s"
