#!/bin/bash
# boot-test.sh: does a kernel whose objtool step was done by altorc boot, and unwind as well as
# the same kernel done by the tree's own objtool?
#
# For each kernel (6.1 and 6.12, Debian's linux-source):
#   1. a small config: tinyconfig plus the objtool-visible features (ORC unwinder, PARAVIRT and
#      PARAVIRT_XXL through XEN_PV, jump labels, static calls, retpolines, return thunks, SLS,
#      on 6.12 IBT and call depth tracking, ftrace's mcount sites) and what booting into a
#      busybox initramfs on a serial console, sysrq and kprobe events need.  Every wanted
#      option is checked after olddefconfig; a missing required one fails the kernel.
#   2. two bzImages, the reference and altorc's.  When objtool runs once on vmlinux.o (IBT,
#      6.12) the second is `make objtool=WRAPPER` running "$ALTORC objtool" with kbuild's
#      arguments: kbuild relinks only.  When objtool runs on every object (6.1) the reference
#      build goes through a wrapper that keeps each object before objtool with its arguments;
#      altorc is then run on those, its objects replace the reference's and kbuild relinks:
#      the same input and arguments without compiling everything twice.
#   3. boots each in qemu (TCG) with an initramfs whose /init mounts
#      proc/sys/devtmpfs/tracefs, prints every task's stack (sysrq t, the ORC unwinder), puts
#      kprobes with stack traces one byte into a paravirt `pushf; pop %rax` site (the offset
#      only an alternative's extra ORC entry describes) and at the entry of its caller, reads
#      /proc/self/stat through both, and reboots.
#   4. asserts: both reach user space; the sysrq-t call traces are the same function by
#      function (offsets and addresses ignored, tasks matched by name; a thread caught at
#      another point of its loop must still reach the same bottom frame), and altorc's kernel has
#      no '?' (unreliable) entry the reference's lacks; each kprobe's stack trace is the
#      reference's and unwinds to the system call entry (the site's cannot, in either kernel:
#      see compare_kprobe); and `altorc orc diff` finds no difference between the two vmlinux
#      (falling back to the two vmlinux.o when it cannot read linked images).
#
# The kernel source is the corpus cache's full tree (corpus-build.sh --print-dir)/src, unpacked
# there from /usr/src/linux-source-KERNEL.tar.xz when missing; builds are kept in
# CACHE/boot/KERNEL and reused (a rerun relinks twice).  Missing packages are installed when
# root; otherwise, or when the kernel source cannot be had, the kernel is skipped with a message.
#
# usage: boot-test.sh [KERNEL...]            (default: 6.1 6.12)
# env:   ALTORC, CORPUS_DIR, JOBS (default 2), BOOT_TIMEOUT (seconds per boot, default 180),
#        BOOT_ACCEL (default tcg; kvm:tcg tries KVM first: nested KVM here fails in the
#        decompressor with an emulation error),
#        NICE (niceness of the kernel builds, default 10)
# Last line: 'N passed, M failed[, K skipped]'.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
altorc=${ALTORC:-$root/altorc}
[[ $altorc == /* ]] || altorc=$PWD/$altorc
jobs=${JOBS:-2}
boot_timeout=${BOOT_TIMEOUT:-180}
accel=${BOOT_ACCEL:-tcg}
niceness=${NICE:-10}
# shellcheck source=corpus-build.sh
source "$here/corpus-build.sh"   # default_dir, full_source
set +e
passed=0 failed=0 skipped=0
work=$(mktemp -d /tmp/boot-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "skip $*"; skipped=$((skipped + 1)); }

[[ -x $altorc ]] || { echo "boot-test: no altorc binary at $altorc"; echo "0 passed, 1 failed"; exit 1; }

# ---- what the configs must have -------------------------------------------------------------

# Options every kernel must end up with.  CPU_SUP_INTEL is there for call depth tracking,
# HYPERVISOR_GUEST for PARAVIRT, MODULES for 6.1's KPROBES, XEN + XEN_PV for PARAVIRT_XXL (the
# pv_ops calls that alternatives turn into `pushf; pop`), FTRACE + KPROBE_EVENTS for kprobes
# from user space; FUNCTION_TRACER + DYNAMIC_FTRACE make objtool write the mcount sites.
required_common=(64BIT UNWINDER_ORC HYPERVISOR_GUEST PARAVIRT XEN XEN_PV PARAVIRT_XXL JUMP_LABEL
  HAVE_STATIC_CALL_INLINE OBJTOOL PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD
  BINFMT_ELF BINFMT_SCRIPT PROC_FS SYSFS DEVTMPFS MAGIC_SYSRQ MODULES KPROBES KALLSYMS FTRACE
  KPROBE_EVENTS FUNCTION_TRACER DYNAMIC_FTRACE CPU_SUP_INTEL CPU_MITIGATIONS)
# The names of the mitigations changed in 6.9.
# shellcheck disable=SC2034  # read through a nameref in required_for
required_6_1=(RETPOLINE RETHUNK SLS)
# shellcheck disable=SC2034
required_6_12=(MITIGATION_RETPOLINE MITIGATION_RETHUNK MITIGATION_SLS X86_KERNEL_IBT
  MITIGATION_CALL_DEPTH_TRACKING)
# Nice to have: a cheaper compressor than tinyconfig's xz, futexes for glibc's busybox.
optional=(KERNEL_GZIP FUTEX)

required_for() {
  local -n extra=required_${1//./_}
  printf '%s\n' "${required_common[@]}" "${extra[@]}"
}

# ---- prerequisites --------------------------------------------------------------------------

static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox /usr/lib/busybox/busybox-static; do
    [[ -x $b ]] && ! readelf -l "$b" 2>/dev/null | grep -q 'program interpreter' && { echo "$b"; return 0; }
  done
  return 1
}

missing_packages() {
  local ver=$1 miss=()
  command -v qemu-system-x86_64 >/dev/null || miss+=(qemu-system-x86)
  static_busybox >/dev/null || miss+=(busybox-static)
  local c
  for c in flex bison bc cpio make gcc; do command -v "$c" >/dev/null || miss+=("$c"); done
  [[ -f /usr/include/gelf.h ]] || miss+=(libelf-dev)
  [[ -f /usr/include/openssl/ssl.h ]] || miss+=(libssl-dev)
  [[ -f /usr/src/linux-source-$ver.tar.xz || -f $(default_dir)/src/linux-source-$ver/Makefile ]] ||
    miss+=("linux-source-$ver")
  ((${#miss[@]} == 0)) || printf '%s\n' "${miss[@]}"
}

# Install what is missing when root; 'return 1' means skip (reason printed).
prerequisites() {
  local ver=$1 miss
  mapfile -t miss < <(missing_packages "$ver")
  ((${#miss[@]})) || return 0
  if ((EUID != 0)); then
    echo "boot-test: $ver needs ${miss[*]}, not installed, and installing needs root"; return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq --no-install-recommends "${miss[@]}" ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${miss[@]}"; }; } \
    > "$work/apt-$ver.log" 2>&1 || { echo "boot-test: apt-get install ${miss[*]} failed:"; tail -3 "$work/apt-$ver.log"; return 1; }
  mapfile -t miss < <(missing_packages "$ver")
  ((${#miss[@]} == 0)) || { echo "boot-test: still missing after apt-get: ${miss[*]}"; return 1; }
}

# ---- timing ---------------------------------------------------------------------------------

# cpu_now: CPU_NOW = CPU seconds (user + system) of every child this shell has waited for.
# `times` runs in this shell (a forked subshell would start its children's times at zero).
cpu_now() {
  times > "$work/times"
  CPU_NOW=$(tail -n 1 "$work/times" | awk '{
    s = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }
    printf "%.0f\n", s }')
}

# timed VAR CMD...: run CMD; VAR gets "WALLs wall, CPUs CPU".
timed() {
  local -n out=$1; shift
  local t0=$SECONDS c0 rc
  cpu_now; c0=$CPU_NOW
  "$@"; rc=$?
  cpu_now
  out="$((SECONDS - t0))s wall, $((CPU_NOW - c0))s CPU"
  return "$rc"
}

# make for the kernel tree, without what `make check` passes down to its children (its own
# variables and jobserver in MAKEFLAGS are not the kernel's).
kbuild_make=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make)

# ---- config ---------------------------------------------------------------------------------

# make_config VER TREE OBJDIR: write OBJDIR/.config unless it was made from the same request.
make_config() {
  local ver=$1 tree=$2 o=$3 args=(--disable KERNEL_XZ) opt req stamp
  mapfile -t req < <(required_for "$ver")
  for opt in "${req[@]}" "${optional[@]}"; do args+=(--enable "$opt"); done
  stamp="tinyconfig ${args[*]}"
  if [[ -f $o/.config && $(cat "$o/.boot-test-config" 2>/dev/null) == "$stamp" ]]; then
    echo "   config: reusing $o/.config"
  else
    mkdir -p "$o"
    nice -n "$niceness" "${kbuild_make[@]}" -s -C "$tree" O="$o" tinyconfig > "$work/config-$ver.log" 2>&1 &&
      "$tree/scripts/config" --file "$o/.config" "${args[@]}" &&
      nice -n "$niceness" "${kbuild_make[@]}" -s -C "$tree" O="$o" olddefconfig >> "$work/config-$ver.log" 2>&1 ||
      { echo "   config failed:"; tail -5 "$work/config-$ver.log"; return 1; }
    echo "$stamp" > "$o/.boot-test-config"
  fi
  local missing=() soft=()
  for opt in "${req[@]}"; do grep -q "^CONFIG_$opt=y" "$o/.config" || missing+=("$opt"); done
  for opt in "${optional[@]}"; do grep -q "^CONFIG_$opt=y" "$o/.config" || soft+=("$opt"); done
  ((${#soft[@]} == 0)) || echo "   config: optional options not set: ${soft[*]}"
  if ((${#missing[@]})); then echo "   config: required options not set: ${missing[*]}"; return 1; fi
  echo "   config: all ${#req[@]} required options set ($(grep -c '=y$' "$o/.config") =y in all)"
}

# objtool runs once on vmlinux.o when kbuild delays it to the link (IBT or clang LTO).
objtool_at_link() { grep -qE '^CONFIG_(X86_KERNEL_IBT|LTO_CLANG)=y' "$1/.config"; }

# ---- builds ---------------------------------------------------------------------------------

# write_capture_wrapper FILE OBJDIR CAPDIR: objtool's stand-in for a per-object build.  Kbuild
# makes every object depend on objtool's file, so it is rewritten only when its text changes.
write_capture_wrapper() {
  local file=$1 objdir=$2 cap=$3 tmp
  tmp=$(mktemp)
  cat > "$tmp" <<WRAP
#!/bin/bash
# boot-test.sh's objtool for kbuild: runs the tree's own objtool on the object, as kbuild
# expects, and keeps the object before and after it with kbuild's arguments, so that altorc can
# later be run on the same input without compiling again.
obj=\${!#}
rel=\$(realpath --relative-to='$objdir' "\$obj")
stem='$cap'/\${rel//\\//__}
stem=\${stem%.o}
cp -- "\$obj" "\$stem.pre.o"
printf '%s\n' "\${@:1:\$#-1}" > "\$stem.args"
'$objdir/tools/objtool/objtool' "\$@" 2> "\$stem.warn"
rc=\$?
cat "\$stem.warn" >&2
cp -- "\$obj" "\$stem.post.o"
echo "\$rel" > "\$stem.path"
echo "\$rc" > "\$stem.rc"
exit "\$rc"
WRAP
  chmod +x "$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv "$tmp" "$file"; fi
}

# The objtool that kbuild runs for altorc's link-time build.
write_altorc_wrapper() {
  local file=$1 log=$2
  cat > "$file" <<WRAP
#!/bin/bash
# boot-test.sh: altorc in objtool's place (kbuild exports KERNELRELEASE).
'$altorc' objtool "\$@" 2> >(tee -a '$log' >&2)
WRAP
  chmod +x "$file"
}

# kmake TREE OBJDIR LOG ARGS...: a niced kbuild run of bzImage.
kmake() {
  local tree=$1 o=$2 log=$3; shift 3
  nice -n "$niceness" "${kbuild_make[@]}" -C "$tree" O="$o" -j"$jobs" "$@" bzImage > "$log" 2>&1 ||
    { echo "   kbuild failed (tail of $log):"; tail -8 "$log" | sed 's/^/      /'; return 1; }
}

# keep OBJDIR DEST: the images and the linked objects a build made.
keep() {
  mkdir -p "$2"
  cp "$1/arch/x86/boot/bzImage" "$1/vmlinux" "$1/vmlinux.o" "$2/"
}

# Put back the reference's objects after an earlier run left altorc's in the tree.
restore_reference_objects() {
  local o=$1 cap=$2 p rel
  for p in "$cap"/*.path; do
    [[ -f $p ]] || continue
    rel=$(<"$p")
    [[ -f $o/$rel && -f ${p%.path}.post.o ]] || continue
    cmp -s "${p%.path}.post.o" "$o/$rel" || cp "${p%.path}.post.o" "$o/$rel"
  done
}

# replay_one CAPSTEM ALTDIR RELEASE: altorc on one captured object, with kbuild's arguments.
replay_one() {
  local stem=$1 altdir=$2 rel=$3 name args
  name=$(basename "$stem")
  mapfile -t args < "$stem.args"
  cp "$stem.pre.o" "$altdir/$name.o"
  KERNELRELEASE=$rel "$ALTORC_BIN" objtool "${args[@]}" "$altdir/$name.o" 2> "$altdir/$name.warn"
  echo $? > "$altdir/$name.rc"
}
export -f replay_one

# build_reference VER TREE B: the reference bzImage into B/ref.
build_reference() {
  local ver=$1 tree=$2 b=$3 o=$3/obj
  if objtool_at_link "$o"; then
    kmake "$tree" "$o" "$b/ref.log" || return 1
  else
    mkdir -p "$b/cap"
    write_capture_wrapper "$b/objtool-capture" "$o" "$b/cap"
    restore_reference_objects "$o" "$b/cap"
    kmake "$tree" "$o" "$b/ref.log" objtool="$b/objtool-capture" || return 1
  fi
  keep "$o" "$b/ref"
}

# build_altorc VER TREE B: altorc's bzImage into B/alt.
build_altorc() {
  local ver=$1 tree=$2 b=$3 o=$3/obj
  rm -rf "$b/alt"; mkdir -p "$b/alt"
  : > "$b/alt/objtool.warn"
  if objtool_at_link "$o"; then
    write_altorc_wrapper "$b/objtool-altorc" "$b/alt/objtool.warn"
    kmake "$tree" "$o" "$b/alt.log" objtool="$b/objtool-altorc" || return 1
    keep "$o" "$b/alt"
    return 0
  fi
  local release n bad=0 p stem rel
  release=$(<"$o/include/config/kernel.release")
  mkdir -p "$b/alt/objects"
  n=$(find "$b/cap" -name '*.args' | wc -l)
  find "$b/cap" -name '*.args' | sed 's/\.args$//' |
    ALTORC_BIN=$altorc xargs -P "$jobs" -I{} bash -c 'replay_one "$1" "$2" "$3"' _ {} "$b/alt/objects" "$release"
  for p in "$b/cap"/*.path; do
    stem=${p%.path}; rel=$(<"$p")
    local name; name=$(basename "$stem")
    cat "$b/alt/objects/$name.warn" >> "$b/alt/objtool.warn"
    if [[ $(cat "$b/alt/objects/$name.rc" 2>/dev/null) != "$(<"$stem.rc")" ]]; then
      echo "   $rel: altorc exited $(cat "$b/alt/objects/$name.rc" 2>/dev/null), the reference $(<"$stem.rc")"
      bad=$((bad + 1))
    fi
    cp "$b/alt/objects/$name.o" "$o/$rel"
  done
  echo "   altorc ran on $n objects kbuild gave objtool ($bad exit statuses differ)"
  kmake "$tree" "$o" "$b/alt.log" objtool="$b/objtool-capture" || return 1
  keep "$o" "$b/alt"
  # leave the tree as the reference build made it
  restore_reference_objects "$o" "$b/cap"
  ((bad == 0))
}

# ---- the probe site -------------------------------------------------------------------------

# Functions /init reaches from a system call (reading /proc/self/stat: do_task_stat locks the
# signal handlers; getrusage): the first one
# with an alternative that puts `pushf` over a pv_ops call (local_irq_save under
# PARAVIRT_XXL) is probed one byte past the pushf.
probe_candidates=(__lock_task_sighand getrusage do_task_stat)
# The function /init's system call goes through above the probed one (its entry is probed too).
probe_caller=do_task_stat

# find_probe VER VMLINUX.O: echoes FUNC+0xOFF, or nothing.
find_probe() {
  local ver=$1 obj=$2 list
  list=$(KERNELRELEASE=$ver "$altorc" alternatives "$obj" 2>/dev/null |
    awk '/^[^ ].*: alternative at /  { site = $4 }
         /^ *replacement .*bytes/   { getline; if ($2 == "9c" && site != "") print site; site = "" }')
  echo "$list" > "$work/pushf-sites-$ver"
  local f s
  for f in "${probe_candidates[@]}"; do
    s=$(grep -m1 "^$f+0x" <<< "$list") || continue
    printf '%s+0x%x\n' "$f" $(( ${s#*+} + 1 ))
    return 0
  done
  return 1
}

# ---- initramfs and boot ---------------------------------------------------------------------

make_initramfs() {
  local out=$1 d=$work/initramfs bb
  bb=$(static_busybox) || return 1
  rm -rf "$d"; mkdir -p "$d"/{bin,proc,sys,dev,tmp}
  cp "$bb" "$d/bin/busybox"
  ln -s busybox "$d/bin/sh"
  # $bootprobe and $bootcaller come from the kernel command line (init's environment)
  cat > "$d/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
echo "BOOT-TEST: user space"
echo "BOOT-TEST: sysrq-t begin"
echo t > /proc/sysrq-trigger
sleep 1
echo "BOOT-TEST: sysrq-t end"
T=/sys/kernel/tracing
if [ -n "$bootprobe" ] && echo "p:boottest $bootprobe" > $T/kprobe_events &&
   echo "p:bootcaller $bootcaller" >> $T/kprobe_events; then
  echo 1 > $T/options/stacktrace
  echo 1 > $T/events/kprobes/enable
  # system calls through the candidate functions
  cat /proc/self/stat > /dev/null
  time true 2> /dev/null
  echo 0 > $T/events/kprobes/enable
  echo "BOOT-TEST: kprobe trace begin"
  cat $T/trace
  echo "BOOT-TEST: kprobe trace end"
else
  echo "BOOT-TEST: no kprobe"
fi
echo "BOOT-TEST: done"
reboot -f
INIT
  chmod +x "$d/init"
  (cd "$d" && find . | cpio -o -H newc --quiet) > "$out"
}

# boot BZIMAGE INITRD PROBE CALLER LOG: true when the marker of the end of /init was printed.
# No PS/2 keyboard or mouse: probing them runs in workers at times that vary from boot to boot.
boot() {
  local accels=() a
  IFS=: read -ra a <<< "$accel"
  for x in "${a[@]}"; do accels+=(-accel "$x"); done
  timeout -k 5 "$boot_timeout" qemu-system-x86_64 -nographic -no-reboot -m 256M "${accels[@]}" \
    -cpu max -kernel "$1" -initrd "$2" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=7 i8042.noaux i8042.nokbd bootprobe=$3 bootcaller=$4" \
    < /dev/null > "$5" 2>&1
  tr -d '\r' < "$5" > "$5.txt"
  grep -q '^BOOT-TEST: done' "$5.txt"
}

# ---- comparisons ----------------------------------------------------------------------------

# sysrq-t traces of a console log, one line per task: NAME<TAB>fn fn ?fn ...
task_traces() {
  sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$1" | awk '
    /^task:/ { if (name != "") print name "\t" fns; name = substr($1, 6); fns = ""; next }
    name == "" { next }
    /^ *(\? )?[A-Za-z_.$][A-Za-z0-9_.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+/ {
      line = $0; sub(/^ +/, "", line); q = ""
      if (line ~ /^\? /) { q = "?"; line = substr(line, 3) }
      sub(/\+0x.*/, "", line); fns = fns (fns == "" ? "" : " ") q line; next }
    /^BOOT-TEST: sysrq-t end/ { if (name != "") print name "\t" fns; name = ""; exit }
    # anything else inside a task (Workqueue:, <TASK>, registers) is not a frame
    END { if (name != "") print name "\t" fns }' | awk -F'\t' '{ n[$1]++; print $1 "#" n[$1] "\t" $2 }'
}

# compare_sysrq VER REFLOG ALTLOG
compare_sysrq() {
  local ver=$1 ref=$work/$1-ref.tasks alt=$work/$1-alt.tasks bad=0 name r a
  task_traces "$2" > "$ref"; task_traces "$3" > "$alt"
  local nref nalt common=0
  nref=$(wc -l < "$ref"); nalt=$(wc -l < "$alt")
  if ((nref == 0)); then fail "$ver sysrq-t: no task trace in the reference's log"; return; fi
  while IFS=$'\t' read -r name r; do
    a=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$alt")
    [[ -n $(awk -F'\t' -v n="$name" '$1 == n { print "y"; exit }' "$alt") ]] || continue
    common=$((common + 1))
    local rr aa extra
    rr=$(tr ' ' '\n' <<< "$r" | grep -v '^?' | tr '\n' ' ')
    aa=$(tr ' ' '\n' <<< "$a" | grep -v '^?' | tr '\n' ' ')
    if [[ $rr != "$aa" ]]; then
      echo "   task $name: reference: $rr"; echo "   task $name: altorc:    $aa"
      # A thread may be caught at another point of its loop when sysrq comes (a worker on
      # another work item, ksoftirqd in __cond_resched() rather than schedule()): when both
      # stacks reach the same bottom frame the unwinder got through, and where the task
      # happened to be is timing (orc diff checks every entry).
      local lr=${rr% } la=${aa% }
      if [[ -z $lr || -z $la || ${lr##* } != "${la##* }" ]]; then
        bad=$((bad + 1)); continue
      fi
      # what such a stack's stale '?' slots hold differs with where it was caught
      echo "   task $name: caught elsewhere in its loop; both stacks reach ${lr##* }: not counted"
      continue
    fi
    extra=$(comm -13 <(tr ' ' '\n' <<< "$r" | grep '^?' | sort -u) <(tr ' ' '\n' <<< "$a" | grep '^?' | sort -u) | tr '\n' ' ')
    if [[ -n $extra ]]; then
      echo "   task $name: unreliable entries only altorc's kernel has: $extra"
      # The task writing to sysrq-trigger scans a stack that its earlier system calls and
      # interrupts left behind: what is there varies from boot to boot.
      if [[ " $rr " == *" sysrq_handle_showstate "* ]]; then
        echo "   task $name: the task that ran sysrq; its stale stack is timing: not counted"
      else
        bad=$((bad + 1))
      fi
    fi
  done < "$ref"
  local frames
  frames=$(cut -f2 "$ref" | wc -w)
  if ((bad == 0 && common > 0)); then
    pass "$ver sysrq-t: $common tasks' call traces the same ($frames frames in the reference; $nref/$nalt tasks)"
  else
    fail "$ver sysrq-t: $bad of $common tasks differ ($nref/$nalt tasks)"
  fi
}

# kprobe_stack EVENT LOG: the function names of EVENT's first stack trace in LOG.
kprobe_stack() {
  awk -v ev=" $1: " '/^BOOT-TEST: kprobe trace begin/ { on = 1; next }
       /^BOOT-TEST: kprobe trace end/ { exit }
       on && index($0, ev) { mine = 1; next }
       on && mine && /<stack trace>/ { st = 1; next }
       on && st && /^ => / { f = $2; sub(/\+0x.*/, "", f); print f; next }
       on && st { exit }
       on && mine { mine = 0 }' "$2"
}

# compare_kprobe VER EVENT PROBE REFLOG ALTLOG: EVENT's first stack, altorc's against the
# reference's; it must start at the probed function and unwind to the system call entry, unless
# the reference's stops there too (then it is said, and only the sameness is asserted).
#
# At a pushf site it does stop, in both kernels: x86 kprobes give the handler regs->ip = probe
# address + 1 (the int3's length), and the ORC unwinder looks that address up, so a probe on
# the pushf reads the state after it (sp+16, before the push) and one on the pop the state
# after the pop (sp+8, with the flags still pushed).  The site's extra ORC entries are then
# checked by orc diff; the caller's probe shows the unwinder through the same system call.
compare_kprobe() {
  local ver=$1 ev=$2 probe=$3 func=${3%%+*} r a
  r=$(kprobe_stack "$ev" "$4" | tr '\n' ' '); a=$(kprobe_stack "$ev" "$5" | tr '\n' ' ')
  local first last n nref
  read -r first _ <<< "$a"
  last=${a% }; last=${last##* }
  n=$(wc -w <<< "$a"); nref=$(wc -w <<< "$r")
  if [[ -z $a ]]; then
    fail "$ver kprobe at $probe: no stack trace in altorc's kernel (reference: ${r:-none})"
  elif [[ $a != "$r" ]]; then
    fail "$ver kprobe at $probe: stacks differ: reference: $r; altorc: $a"
  elif [[ $first != "$func" ]]; then
    fail "$ver kprobe at $probe: the stack does not start at $func: $a"
  elif ((nref < 3)); then
    pass "$ver kprobe at $probe: the reference's stack ($r) and altorc's are the same; neither gets past $func (the handler's ip is probe+1)"
  elif [[ ! $last =~ ^(entry_SYSCALL|ret_from_fork|do_syscall) ]]; then
    fail "$ver kprobe at $probe: the stack does not unwind from $func to the system call entry: $a"
  else
    pass "$ver kprobe at $probe: $a"
  fi
}

# compare_orc VER B: altorc orc diff of the two vmlinux, else of the two vmlinux.o.
compare_orc() {
  local ver=$1 b=$2 out rc what=vmlinux
  out=$("$altorc" orc diff "$b/ref/vmlinux" "$b/alt/vmlinux" 2>&1); rc=$?
  if ((rc == 2)); then
    echo "   orc diff cannot read the linked vmlinux ($(head -1 <<< "$out")): comparing vmlinux.o instead"
    what=vmlinux.o
    out=$("$altorc" orc diff "$b/ref/vmlinux.o" "$b/alt/vmlinux.o" 2>&1); rc=$?
  fi
  if ((rc == 0)); then pass "$ver orc diff $what: $(tail -1 <<< "$out")"
  else fail "$ver orc diff $what exited $rc:"; tail -5 <<< "$out" | sed 's/^/      /'
  fi
}

# ---- one kernel -----------------------------------------------------------------------------

one_kernel() {
  local ver=$1 t0=$SECONDS tree b o t_ref t_alt t_boot
  echo "== $ver"
  if ! prerequisites "$ver"; then skip "$ver: prerequisites missing (above)"; return; fi
  b=$(default_dir)/boot/$ver; o=$b/obj
  mkdir -p "$b"
  tree=$(full_source "$ver" "$(default_dir)" 2>&1) || { skip "$ver: no kernel source: $tree"; return; }
  tree=$(tail -1 <<< "$tree")
  make_config "$ver" "$tree" "$o" || { fail "$ver: config"; return; }
  local mode=per-object
  objtool_at_link "$o" && mode="at link (vmlinux.o)"
  echo "   objtool runs $mode"
  timed t_ref build_reference "$ver" "$tree" "$b" || { fail "$ver: reference build"; return; }
  echo "   reference build: $t_ref"
  local alt_ok=1
  timed t_alt build_altorc "$ver" "$tree" "$b" || alt_ok=0
  echo "   altorc build: $t_alt"
  if [[ ! -f $b/alt/bzImage ]]; then fail "$ver: altorc build"; return; fi
  ((alt_ok)) || fail "$ver: altorc's exit statuses differ from the reference's (above)"
  local wref
  if objtool_at_link "$o"; then wref=$(grep -c 'warning: objtool' "$b/ref.log")
  else wref=$(find "$b/cap" -name '*.warn' -exec cat {} + | grep -c 'warning: objtool'); fi
  echo "   objtool warnings: reference $wref, altorc $(grep -c 'warning: objtool' "$b/alt/objtool.warn")"
  compare_orc "$ver" "$b"

  local probe
  probe=$(find_probe "$ver" "$b/ref/vmlinux.o") ||
    echo "   no candidate function has a pushf alternative (sites: $(head -c 300 "$work/pushf-sites-$ver" | tr '\n' ' '))"
  make_initramfs "$work/initramfs.cpio" || { fail "$ver: initramfs"; return; }
  local side ok=1
  t_boot=$SECONDS
  for side in ref alt; do
    local t1=$SECONDS
    if boot "$b/$side/bzImage" "$work/initramfs.cpio" "$probe" "$probe_caller" "$work/$ver-$side.log"; then
      pass "$ver $side kernel booted to user space and through /init ($((SECONDS - t1))s)"
    else
      fail "$ver $side kernel did not finish /init in ${boot_timeout}s (tail of the console):"
      tail -15 "$work/$ver-$side.log.txt" | sed 's/^/      /'; ok=0
    fi
    cp "$work/$ver-$side.log.txt" "$b/$side/console.log"
  done
  t_boot="$((SECONDS - t_boot))s"
  if ((ok)); then
    compare_sysrq "$ver" "$b/ref/console.log" "$b/alt/console.log"
    if [[ -n $probe ]]; then
      compare_kprobe "$ver" boottest "$probe" "$b/ref/console.log" "$b/alt/console.log"
      compare_kprobe "$ver" bootcaller "$probe_caller" "$b/ref/console.log" "$b/alt/console.log"
    else fail "$ver: no kprobe site"; fi
  fi
  echo "   $ver: reference build $t_ref; altorc build $t_alt; boots $t_boot; $((SECONDS - t0))s in all (logs in $b)"
}

# sourced (to try a piece by hand): functions only
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

kernels=("$@")
((${#kernels[@]})) || kernels=(6.1 6.12)
cpu_now; c_start=$CPU_NOW
for k in "${kernels[@]}"; do one_kernel "$k"; done
cpu_now
echo "boot-test: ${SECONDS}s wall, $((CPU_NOW - c_start))s CPU in all"
if ((skipped)); then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
((failed == 0))
