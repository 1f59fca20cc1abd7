#!/bin/bash
# deb.sh: build the Debian package from this tree (`make deb`).
#
#   scripts/deb.sh [--no-lintian]
#
# Installs what the build needs when run as root (dpkg-dev, debhelper, fakeroot, lintian and the
# Build-Depends of debian/control), else prints the apt-get line and stops.  Then
# `dpkg-buildpackage -us -uc -b`, which writes next to the tree (..); the .deb, .buildinfo and
# .changes are moved to build/deb/ and the tree is cleaned (`debian/rules clean`), so the git
# checkout is as it was.  lintian then checks the .deb: an error fails the script.
# Prints the .deb's path as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

lintian=1
case ${1:-} in
  --no-lintian) lintian=0 ;;
  '') ;;
  *) echo "usage: scripts/deb.sh [--no-lintian]" >&2; exit 2 ;;
esac

packages=(dpkg-dev debhelper fakeroot build-essential pkg-config libelf-dev libzydis-dev
          libdwarf-dev check)
((lintian)) && packages+=(lintian)
installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ((EUID != 0)); then
    echo "deb: missing: ${missing[*]}; run as root:" >&2
    echo "apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  echo "deb: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

# One version: the VERSION file's must be debian/changelog's (native package, no revision).
version=$(cat VERSION)
deb_version=$(dpkg-parsechangelog -S Version)
if [[ $version != "$deb_version" ]]; then
  echo "deb: VERSION says $version but debian/changelog says $deb_version; add a changelog entry" >&2
  exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
parent=$(cd .. && pwd)
out=build/deb
mkdir -p "$out"

# Parallel build: the Makefile is -j safe.
DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b
for f in "$parent/altorc_${version}_$arch.deb" "$parent/altorc-dbgsym_${version}_$arch.deb" \
         "$parent/altorc_${version}_$arch.buildinfo" "$parent/altorc_${version}_$arch.changes"; do
  [[ -e $f ]] && mv -f "$f" "$out/"
done
debian/rules clean > /dev/null

deb=$out/altorc_${version}_$arch.deb
[[ -f $deb ]] || { echo "deb: $deb was not built" >&2; exit 1; }
if ((lintian)); then
  echo "deb: lintian $deb"
  lintian --fail-on error "$deb"
fi
echo "$deb"
