#!/bin/bash
# deps.sh: make sure the Debian packages that build and test altorc are installed.
#
#   scripts/deps.sh [--quiet]
#
# As root, missing packages are installed (one `apt-get update`, then `apt-get install -y`).
# Otherwise the exact apt-get line is printed and the exit status is 1, so `make` stops
# before a confusing compiler error.  --quiet prints nothing when everything is present.
set -euo pipefail

quiet=0
case ${1:-} in
  --quiet) quiet=1 ;;
  '') ;;
  *) echo "usage: scripts/deps.sh [--quiet]" >&2; exit 2 ;;
esac

# build: compiler, make, pkg-config and the four libraries; tests: Check, python3 with
# pyelftools (orc-compare), binutils (objdump/readelf in fixture tests), time (the
# corpus check's CPU and memory figures), xz-utils (unpacking linux-source).
packages=(build-essential gcc make pkg-config libelf-dev libzydis-dev libdwarf-dev
          check python3 python3-pyelftools binutils time xz-utils)

installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  ((quiet)) || echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

if ((EUID != 0)); then
  echo "deps: missing: ${missing[*]}" >&2
  echo "deps: run as root:" >&2
  echo "apt-get install -y ${missing[*]}"
  exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for p in "${missing[@]}"; do
  installed "$p" || { echo "deps: $p did not install" >&2; exit 1; }
done
((quiet)) || echo "deps: installed ${missing[*]}"
