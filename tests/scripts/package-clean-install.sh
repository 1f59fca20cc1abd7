#!/bin/bash
# package-clean-install.sh: the .deb on a clean Debian 12: a minbase bookworm made with
# debootstrap (from the machine's own Debian mirror), `apt-get install ./altorc_*.deb` inside it,
# which must bring in the libraries of Depends: and nothing else of ours, then `altorc --version`
# and the demo (with gcc and binutils added for the fixture).  Root, about 4 minutes and 300 MB
# of downloads: not part of CI (tests/scripts/package-install.sh is); run it after changing
# debian/ or the libraries altorc links.
#
#   tests/scripts/package-clean-install.sh [build/deb/altorc_VERSION_ARCH.deb]
#
# Prints 'clean-install: ...' lines; exit status 0 when everything held.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
fail() { echo "clean-install: FAILED: $*"; exit 1; }
((EUID == 0)) || fail "needs root (debootstrap, chroot)"

deb=${1:-$(ls "$top"/build/deb/altorc_*_*.deb 2>/dev/null | grep -v dbgsym | tail -n 1)}
[[ -f $deb ]] || fail "no .deb (run make deb first, or name one)"
command -v debootstrap > /dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null ||
  fail "cannot install debootstrap"
mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[[ -n $mirror ]] || fail "no Debian mirror found in the apt sources"

root=$(mktemp -d "${TMPDIR:-/tmp}/altorc-clean.XXXXXX")
cleanup() { umount "$root/proc" 2> /dev/null; rm -rf --one-file-system "$root"; }
trap cleanup EXIT
log=$root.log
echo "clean-install: debootstrap --variant=minbase bookworm ($mirror); log $log"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$log" 2>&1 || fail "debootstrap (see $log)"
mount -t proc proc "$root/proc" || fail "mount proc"
cp "$deb" "$root/tmp/" || fail "copy the .deb"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

in_root apt-get install -y "./tmp/$(basename "$deb")" > "$root/tmp/install.log" 2>&1 ||
  { tail -n 20 "$root/tmp/install.log"; fail "apt-get install ./$(basename "$deb")"; }
new=$(sed -n '/NEW packages will be installed/,/newly installed/p' "$root/tmp/install.log" |
      sed '1d;$d' | tr -s ' \n' ' ' | sed 's/^ //;s/ $//')
echo "clean-install: apt-get install brought in: $new"
version=$(in_root altorc --version) || fail "altorc --version"
echo "clean-install: $version"
[[ $version == "altorc $(dpkg-deb -f "$deb" Version) "* ]] || fail "the version is not the package's"

in_root apt-get install -y -qq --no-install-recommends gcc binutils libc6-dev > /dev/null 2>&1 ||
  fail "installing gcc for the demo"
mkdir -p "$root/tmp/tree"
cp -r "$top/tests" "$root/tmp/tree/" || fail "copy tests/"
in_root bash -c 'ALTORC=/usr/bin/altorc /tmp/tree/tests/scripts/demo.sh' > "$root/tmp/demo.log" 2>&1 ||
  fail "demo.sh"
grep -qx 'demo: done' "$root/tmp/demo.log" || fail "the demo did not finish"
echo "clean-install: the demo ran on /usr/bin/altorc to the end ($(grep -c '^=== ' "$root/tmp/demo.log") steps, $(grep -c '^(exit status' "$root/tmp/demo.log") failed commands)"
rm -f "$log"
