#!/bin/bash
# corpus-build.sh: build kernel module sources out of tree against Debian's kernel headers and
# keep, for every object that kbuild hands to objtool, the object before and after the
# reference objtool together with the arguments kbuild used:
#
#   DIR/KERNEL/SLUG/NAME.pre.o   compiler output (what altorc gets)
#   DIR/KERNEL/SLUG/NAME.post.o  after the reference objtool
#   DIR/KERNEL/SLUG/NAME.args    objtool arguments, one per line (the object path excluded)
#   DIR/KERNEL/SLUG/NAME.warn    reference objtool's messages;  NAME.rc  its exit status
#   DIR/KERNEL/SLUG/.done        the capture is complete;       .build.log  kbuild's output
#
# SLUG is SUBDIR with '/' turned into '_'; NAME is the object's path below SUBDIR with '/' turned
# into '__' and without '.o'.  The team's ../shared/corpus/build-corpus uses the same layout, so a
# cache made by either is reused by the other.
#
# usage: corpus-build.sh [-o DIR] [VARIANT...] KERNEL SUBDIR...     KERNEL: 6.1 or 6.12
#        corpus-build.sh --print-dir                    the default DIR
#        corpus-build.sh --objtool KERNEL[-VARIANT]     path of that capture folder's reference objtool
#        corpus-build.sh --folder [VARIANT...] KERNEL   the capture folder's name, e.g. 6.12-clang19-noibt
#
# VARIANT: a configuration Debian does not ship, each one change to Debian's .config:
#   --no-retpoline  no retpolines (compilers then emit switch jump tables: 6.1, and 6.12 with --no-ibt)
#   --no-ibt        6.12 without X86_KERNEL_IBT (objtool runs per object instead of on the module)
#   --clang=VER     Debian's clang-VER and LLVM tools (LLVM=-VER), e.g. --clang=19
#   --kcfi          with --clang: kernel CFI (CONFIG_CFI_CLANG; on 6.12 also FineIBT, objtool --cfi)
# A variant needs a kernel build folder: DIR/kbuild/KERNEL-VARIANT is configured once from
# Debian's .config (olddefconfig, modules_prepare; a few minutes) out of the full source
# unpacked in DIR/src, and its own objtool is the reference.  Captures go to
# DIR/KERNEL-VARIANT/SLUG/, VARIANT spelled clangVER-noretpoline-noibt-kcfi in that order
# whatever the order of the flags (e.g. 6.12-clang19-noretpoline-noibt), as the team's script does.
# Default DIR: $CORPUS_DIR, else ../corpus-cache beside the checkout if it exists, else
# build/corpus in the checkout.  Exit status 3: the kernel packages are absent and cannot be
# installed (not root); callers treat that as "skip".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)

default_dir() {
  if [[ -n ${CORPUS_DIR:-} ]]; then echo "$CORPUS_DIR"
  elif [[ -d $top/../corpus-cache ]]; then (cd "$top/../corpus-cache" && pwd)
  else echo "$top/build/corpus"
  fi
}

# Package-name patterns: the newest ABI of each series, never a pinned version, since
# Debian drops an ABI from its archive when the next one arrives.
headers_pattern() {
  case $1 in
    6.1)  echo '^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
    6.12) echo '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
    *) echo "corpus-build: unknown kernel '$1' (6.1 or 6.12)" >&2; return 2 ;;
  esac
}

newest() { grep -E "$1" | sort -V | tail -n 1; }

# The installed headers directory of a kernel series, or nothing.
installed_headers() {
  local pat
  pat=$(headers_pattern "$1") || return 2
  find /usr/src -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | newest "$pat" || true
}

# Install the newest headers package of the series and its linux-source; needs root.
install_kernel() {
  local ver=$1 pat pkg
  pat=$(headers_pattern "$ver") || return 2
  if ((EUID != 0)); then
    echo "corpus-build: linux-headers/linux-source for $ver are not installed and installing needs root" >&2
    return 3
  fi
  export DEBIAN_FRONTEND=noninteractive
  pkg=$(apt-cache pkgnames linux-headers- 2>/dev/null | newest "$pat" || true)
  if [[ -z $pkg ]]; then
    apt-get update -qq
    pkg=$(apt-cache pkgnames linux-headers- | newest "$pat" || true)
  fi
  [[ -n $pkg ]] || { echo "corpus-build: no Debian package matches $pat" >&2; return 3; }
  echo "corpus-build: installing $pkg linux-source-$ver" >&2
  apt-get install -y -qq "$pkg" "linux-source-$ver" >/dev/null || {
    # an old package list may name an ABI the mirror no longer has
    apt-get update -qq && apt-get install -y -qq "$pkg" "linux-source-$ver" >/dev/null; } || return 3
}

reference_objtool() {
  local h
  h=$(installed_headers "$1")
  [[ -n $h && -x /usr/src/$h/tools/objtool/objtool ]] || return 3
  readlink -f "/usr/src/$h/tools/objtool/objtool"
}

# The reference objtool of a capture folder's name: Debian's for 6.1 and 6.12, the variant
# build folder's own for 6.12-clang19-noretpoline-noibt and the like.
variant_objtool() {
  local name=$1 out=$2 t
  case $name in
    6.1|6.12) reference_objtool "$name" ;;
    6.1-*|6.12-*)
      t=$out/kbuild/$name/tools/objtool/objtool
      [[ -x $t ]] || return 3
      readlink -f "$t" ;;
    *) echo "corpus-build: unknown kernel '$name'" >&2; return 2 ;;
  esac
}

# The kernel-tree folders a subdir needs: itself, and virt/kvm for arch/x86/kvm, whose
# Makefile includes it from the tree.
needed_paths() {
  echo "$1"
  [[ $1 != arch/x86/kvm ]] || echo virt/kvm
}

# Kernel source for ver with the folders of sub present; echoes its root.  A full tree
# unpacked beside the cache (by either script) is used as is; otherwise only the needed
# folders are unpacked, into a tree of our own so that nobody mistakes it for a full one.
source_tree() {
  local ver=$1 sub=$2 out=$3 src=linux-source-$1 p missing=()
  if [[ -d $out/src/$src/$sub ]]; then echo "$out/src/$src"; return; fi
  local part=$out/src-partial/$src
  while read -r p; do [[ -d $part/$p ]] || missing+=("$src/$p"); done < <(needed_paths "$sub")
  if ((${#missing[@]})); then
    [[ -f /usr/src/$src.tar.xz ]] || { echo "corpus-build: /usr/src/$src.tar.xz missing" >&2; return 3; }
    echo "corpus-build: unpacking ${missing[*]}" >&2
    mkdir -p "$out/src-partial"
    tar -C "$out/src-partial" -I 'xz -T0' -xf "/usr/src/$src.tar.xz" "${missing[@]}"
  fi
  echo "$part"
}

# The objtool that kbuild runs for us: keep the input, the arguments, and the reference
# output, then answer as the reference did so kbuild goes on exactly as usual.
write_wrapper() {
  local wrap=$1 work=$2 cap=$3 real=$4
  cat > "$wrap" <<WRAP
#!/bin/bash
obj=\${!#}
rel=\$(realpath --relative-to='$work' "\$obj")
name=\${rel%.o}; name=\${name//\\//__}
stem='$cap'/\$name
cp -- "\$obj" "\$stem.pre.o"
printf '%s\n' "\${@:1:\$#-1}" > "\$stem.args"
'$real' "\$@" 2> "\$stem.warn"
rc=\$?
cat "\$stem.warn" >&2
cp -- "\$obj" "\$stem.post.o"
echo "\$rc" > "\$stem.rc"
exit "\$rc"
WRAP
  chmod +x "$wrap"
}

# Copy sub out of the tree and point its in-tree path references at the copy.
prepare_work() {
  local tree=$1 sub=$2 work=$3
  rm -rf "$work"; mkdir -p "$(dirname "$work")"
  cp -r "$tree/$sub" "$work"
  # tracepoint headers name their folder relative to the kernel tree
  grep -rlZ "TRACE_INCLUDE_PATH \.\./\.\./$sub\$" "$work" 2>/dev/null |
    xargs -0 -r sed -i "s#TRACE_INCLUDE_PATH \.\./\.\./$sub\$#TRACE_INCLUDE_PATH $work#"
  # shellcheck disable=SC2016  # $(src) is make's, not the shell's
  find "$work" \( -name Makefile -o -name Kbuild \) -print0 |
    xargs -0 -r sed -i -e "s#\$(srctree)/$sub\\b#\$(src)#g" -e 's#\$(srctree)/\$(src)#$(src)#g'
  if [[ $sub == arch/x86/kvm ]]; then
    cp -r "$tree/virt/kvm" "$work/virt-kvm"
    # shellcheck disable=SC2016
    sed -i 's#include \$(srctree)/virt/kvm/Makefile.kvm#include $(src)/virt-kvm/Makefile.kvm#' "$work/Makefile"
  fi
}

# Variant settings, filled by parse_variant: the folder suffix, scripts/config arguments,
# make's LLVM= argument and the Debian packages the variant's compiler needs.
variant='' clang='' cfg_args=() llvm_args=() variant_pkgs=()

parse_variant() {
  local retpoline=1 ibt=1 kcfi=0
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --clang=*) clang=${1#--clang=}
                 [[ $clang =~ ^[0-9]+$ ]] || { echo "corpus-build: --clang wants a version number" >&2; return 2; } ;;
      --no-retpoline) retpoline=0 ;;
      --no-ibt) ibt=0 ;;
      --kcfi) kcfi=1 ;;
      *) echo "corpus-build: unknown option $1" >&2; return 2 ;;
    esac
    shift
  done
  if ((kcfi)) && [[ -z $clang ]]; then echo "corpus-build: --kcfi needs --clang=VER" >&2; return 2; fi
  if [[ -n $clang ]]; then
    variant+=-clang$clang; llvm_args=("LLVM=-$clang"); variant_pkgs+=("clang-$clang" "lld-$clang" "llvm-$clang")
  fi
  # 6.1 calls the option RETPOLINE, 6.12 MITIGATION_RETPOLINE; scripts/config ignores the other
  ((retpoline)) || { variant+=-noretpoline; cfg_args+=(--disable RETPOLINE --disable MITIGATION_RETPOLINE); }
  ((ibt)) || { variant+=-noibt; cfg_args+=(--disable X86_KERNEL_IBT); }
  ((!kcfi)) || { variant+=-kcfi; cfg_args+=(--enable CFI_CLANG); }
}

# The whole kernel source of ver, unpacked once in DIR/src (a build folder needs all of it).
full_source() {
  local ver=$1 out=$2 src=linux-source-$1
  if [[ ! -f $out/src/$src/Makefile ]]; then
    [[ -f /usr/src/$src.tar.xz ]] || { echo "corpus-build: /usr/src/$src.tar.xz missing" >&2; return 3; }
    echo "corpus-build: unpacking $src" >&2
    mkdir -p "$out/src"; tar -C "$out/src" -I 'xz -T0' -xf "/usr/src/$src.tar.xz"
  fi
  echo "$out/src/$src"
}

# Debian's .config with the changes given after the folder and the source tree, with no
# trusted or revocation keys and a signing key the build makes itself.
write_config() {
  local kdir=$1 tree=$2 headers=$3; shift 3
  mkdir -p "$kdir"
  cp "/usr/src/$headers/.config" "$kdir/.config"
  "$tree/scripts/config" --file "$kdir/.config" --set-str SYSTEM_TRUSTED_KEYS '' \
    --set-str SYSTEM_REVOCATION_KEYS '' --set-str MODULE_SIG_KEY certs/signing_key.pem "$@"
}

# Packages a kernel build folder needs (and the variant's compiler); root only.
install_build_deps() {
  local need=(flex bison libssl-dev libelf-dev bc openssl "$@") missing=() p
  for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  ((EUID == 0)) || { echo "corpus-build: ${missing[*]} not installed and installing needs root" >&2; return 3; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    return 3
}

# The variant's kernel build folder, configured and prepared once; echoes its path.
variant_tree() {
  local ver=$1 out=$2 headers=$3 tree kdir=$2/kbuild/$1$variant
  if [[ -f $kdir/.prepared ]]; then echo "$kdir"; return 0; fi
  install_build_deps "${variant_pkgs[@]}" || return $?
  tree=$(full_source "$ver" "$out") || return $?
  echo "corpus-build: configuring $kdir (Debian's .config${cfg_args:+, ${cfg_args[*]}}${llvm_args:+, ${llvm_args[*]}})" >&2
  rm -rf "$kdir"
  write_config "$kdir" "$tree" "$headers" "${cfg_args[@]}"
  make -s -C "$tree" O="$kdir" "${llvm_args[@]}" olddefconfig >&2 || return 1
  make -s -C "$tree" O="$kdir" "${llvm_args[@]}" -j"$(nproc)" modules_prepare > "$kdir/.prepare.log" 2>&1 ||
    { echo "corpus-build: modules_prepare failed, see $kdir/.prepare.log" >&2; return 1; }
  touch "$kdir/.prepared"
  echo "$kdir"
}

build_one() {
  local ver=$1 sub=$2 out=$3 kdir=$4 real=$5 tree slug cap work extra=()
  slug=${sub//\//_}
  cap=$out/$ver$variant/$slug
  if [[ -f $cap/.done ]]; then echo "corpus-build: $ver$variant $sub: cached in $cap"; return 0; fi
  tree=$(source_tree "$ver" "$sub" "$out") || return $?
  [[ -d $tree/$sub ]] || { echo "corpus-build: $sub is not a folder of $ver's tree" >&2; return 2; }
  work=$out/build/$ver$variant/$slug
  rm -rf "$cap"; mkdir -p "$cap"
  prepare_work "$tree" "$sub" "$work"
  [[ $sub != arch/x86/kvm ]] || extra=(KVM=virt-kvm)
  write_wrapper "$cap/.objtool-capture" "$work" "$cap" "$real"
  echo "corpus-build: $ver$variant $sub: building (log: $cap/.build.log)" >&2
  # -k: a folder that partly fails to build still gives the objects that did build
  make -k -C "$kdir" M="$work" objtool="$cap/.objtool-capture" "${extra[@]}" "${llvm_args[@]}" \
       KBUILD_MODPOST_WARN=1 -j"$(nproc)" modules > "$cap/.build.log" 2>&1 || true
  local n
  n=$(find "$cap" -maxdepth 1 -name '*.pre.o' | wc -l)
  if ((n == 0)); then
    echo "corpus-build: $ver$variant $sub: no object reached objtool, see $cap/.build.log" >&2
    return 1
  fi
  touch "$cap/.done"
  echo "corpus-build: $ver$variant $sub: $n objects in $cap"
}

main() {
  local out
  out=$(default_dir)
  case ${1:-} in
    --print-dir) echo "$out"; return 0 ;;
    --objtool) [[ -n ${2:-} ]] || { echo "usage: corpus-build.sh --objtool KERNEL[-VARIANT]" >&2; return 2; }
               variant_objtool "$2" "$out"; return ;;
    --folder) shift   # the capture folder's name for these flags and kernel, nothing built
              local f=()
              while [[ ${1:-} == --* ]]; do f+=("$1"); shift; done
              parse_variant "${f[@]}" || return $?
              headers_pattern "${1:-}" >/dev/null || return 2
              echo "$1$variant"; return 0 ;;
    -o) out=${2:?-o needs a directory}; shift 2 ;;
  esac
  local flags=()
  while [[ ${1:-} == --* ]]; do flags+=("$1"); shift; done
  parse_variant "${flags[@]}" || return $?
  local ver=${1:-}
  if [[ -z $ver || $# -lt 2 ]]; then
    echo "usage: corpus-build.sh [-o DIR] [--no-retpoline] [--no-ibt] [--clang=VER] [--kcfi] 6.1|6.12 SUBDIR..." >&2; return 2
  fi
  shift
  headers_pattern "$ver" >/dev/null || return 2
  if [[ -z $(installed_headers "$ver") || ! -f /usr/src/linux-source-$ver.tar.xz ]]; then
    install_kernel "$ver" || return $?
  fi
  local h kdir real
  h=$(installed_headers "$ver")
  kdir=/usr/src/$h
  mkdir -p "$out"; out=$(cd "$out" && pwd)
  if [[ -n $variant ]]; then
    kdir=$(variant_tree "$ver" "$out" "$h") || return $?
    real=$(readlink -f "$kdir/tools/objtool/objtool")
    [[ -x $real ]] || { echo "corpus-build: no objtool in $kdir" >&2; return 1; }
  else
    real=$(reference_objtool "$ver") || { echo "corpus-build: no objtool in $kdir" >&2; return 3; }
  fi
  local sub rc=0
  for sub in "$@"; do
    sub=${sub%/}
    build_one "$ver" "$sub" "$out" "$kdir" "$real" || rc=1
  done
  return "$rc"
}

# kernel-build.sh sources this file for its functions
[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
