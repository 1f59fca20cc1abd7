#!/bin/bash
# bench-vmlinux.sh: the whole kernel, altorc against the reference objtool side by side, on the
# vmlinux.o that ../shared/corpus/build-kernel captured (6.12: one object of about 840 MB,
# --link), in the same run.
#
#   bench-vmlinux.sh [-t N] [CAPTURE_DIR]     default: $(corpus-build.sh --print-dir)/kernel/6.12
#
# CAPTURE_DIR holds vmlinux.pre.o and vmlinux.args.  The reference is the kernel tree's own
# objtool, the one the capture ran (CORPUS/kbuild-kernel/K/tools/objtool/objtool, else the
# Debian one of K), and KERNELRELEASE is that tree's include/config/kernel.release, as kbuild
# exports it.  Three runs, each on its own fresh copy, one after the other:
#   reference       the reference objtool with the captured arguments
#   altorc -t1      altorc objtool --threads=1
#   altorc -tN      altorc objtool --threads=N (default: the CPUs online, at most 8)
# Each: user+sys CPU seconds, wall seconds, peak RSS, exit status; then the ratios against the
# reference.  The two altorc outputs (object and stderr) are compared byte for byte, since the
# thread count must not change them.  Nothing here passes or fails on time; the exit status is
# 0 unless the benchmark cannot run, and a missing capture is a clear message, exit 0.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ALTORC=${ALTORC:-$top/altorc}
threads=$(nproc 2>/dev/null || echo 2)
((threads > 8)) && threads=8

while (($#)); do
  case $1 in
    -t) threads=${2:-}; shift ;;
    -t*) threads=${1#-t} ;;
    -*) echo "usage: bench-vmlinux.sh [-t N] [CAPTURE_DIR]" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
[[ $threads =~ ^[1-9][0-9]*$ ]] || { echo "bench-vmlinux: -t needs a positive number" >&2; exit 2; }
corpus=$("$here/corpus-build.sh" --print-dir)
cap=${1:-$corpus/kernel/6.12}
kernel=$(basename "$cap")
pre=$cap/vmlinux.pre.o

if [[ ! -f $pre || ! -f $cap/vmlinux.args ]]; then
  echo "bench-vmlinux: skipped: no captured vmlinux.o at $cap (vmlinux.pre.o + vmlinux.args;"
  echo "  ../shared/corpus/build-kernel 6.12 makes it, in about an hour on two cores)"
  exit 0
fi
[[ -x $ALTORC ]] || { echo "bench-vmlinux: no altorc binary at $ALTORC (set ALTORC)" >&2; exit 2; }
kb=$corpus/kbuild-kernel/$kernel
ref=$kb/tools/objtool/objtool
[[ -x $ref ]] || ref=$("$here/corpus-build.sh" --objtool "${kernel%%-*}" 2>/dev/null) || ref=
[[ -n $ref && -x $ref ]] || { echo "bench-vmlinux: no reference objtool for $kernel" >&2; exit 2; }
release=$kernel
[[ -f $kb/include/config/kernel.release ]] && release=$(cat "$kb/include/config/kernel.release")
mapfile -t args < "$cap/vmlinux.args"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/altorc-bench-vmlinux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# As bench.sh: a small C helper (fork, exec, wait4) so that the figures are the child's own;
# here it also times the wall clock.  Prints "CPU-seconds wall-seconds max-RSS-KiB status".
cat > "$tmp/measure.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 3)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		int err = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(err, 2);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f %.3f %ld %d\n", ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
C
gcc -O2 -o "$tmp/measure" "$tmp/measure.c" || { echo "bench-vmlinux: cannot build the measuring helper" >&2; exit 2; }

echo "vmlinux.o: $(du -m "$pre" | cut -f1) MiB, $kernel (KERNELRELEASE=$release), reference $ref"
# run NAME CMD...: a fresh copy, measured; "NAME cpu wall rss rc" into $tmp/rows
run() {
  local name=$1; shift
  cp -- "$pre" "$tmp/$name.o"
  # no writeback left over from this copy or the run before to compete with the one measured
  sync
  read -r cpu wall rss rc < <(KERNELRELEASE=$release SRCARCH=x86 \
    "$tmp/measure" "$tmp/$name.err" "$@" "${args[@]}" "$tmp/$name.o")
  echo "$name ${cpu:-0} ${wall:-0} ${rss:-0} ${rc:-127}" | tee -a "$tmp/rows"
}
run reference "$ref"
run altorc-t1 "$ALTORC" objtool --threads=1
rm -f "$tmp/reference.o"   # three copies of 840 MB would not fit everywhere
run "altorc-t$threads" "$ALTORC" objtool --threads="$threads"

# The warnings name each run's own copy: compare them with that path taken out.
same=no
cmp -s "$tmp/altorc-t1.o" "$tmp/altorc-t$threads.o" &&
  cmp -s <(sed "s|$tmp/altorc-t1\.o|OBJ|g" "$tmp/altorc-t1.err") \
         <(sed "s|$tmp/altorc-t$threads\.o|OBJ|g" "$tmp/altorc-t$threads.err") && same=yes
echo
awk -v same="$same" -v t="$threads" '
{ cpu[$1] = $2; wall[$1] = $3; rss[$1] = $4; rc[$1] = $5; order[++n] = $1 }
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
END {
  printf "%-12s %9s %9s %9s %6s %9s %9s %9s\n", "run", "CPU s", "wall s", "MiB", "exit",
    "CPU/ref", "wall/ref", "MiB/ref"
  for (i = 1; i <= n; i++) {
    k = order[i]
    printf "%-12s %9.2f %9.2f %9.1f %6d %9s %9s %9s\n", k, cpu[k], wall[k], rss[k] / 1024, rc[k],
      r(cpu[k], cpu["reference"]), r(wall[k], wall["reference"]), r(rss[k], rss["reference"])
  }
  printf "altorc with 1 and %d threads: output and stderr identical: %s\n", t, same
  print "CPU: user+sys of the process (all threads); wall: from fork to exit; MiB: peak RSS"
}' "$tmp/rows"
exit 0
