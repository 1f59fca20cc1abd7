// SPDX-License-Identifier: GPL-2.0
/*
 * measure: run one command and print what it cost, for bench.sh and
 * bench-vmlinux.sh.
 *
 *   measure [-e ERRFILE] COMMAND [ARG...]
 *
 * Prints one line, "CPU-seconds wall-seconds max-RSS-KiB exit-status":
 * user+sys CPU time of the command and all its threads, the wall time from
 * fork to exit, its peak resident memory, and its exit status (128+N when
 * killed by signal N; 127 when it could not be started).  The command's
 * standard output goes to /dev/null, its standard error there too or to
 * ERRFILE.
 *
 * A C helper rather than GNU time (which rounds CPU time to 10 ms, while
 * most objects take a few) or a script (whose interpreter would count in the
 * child's peak RSS: Linux keeps the high-water mark across exec).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *errfile = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	int status, first = 1;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-e")) {
		errfile = argv[2];
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: measure [-e ERRFILE] COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		int err = errfile ? open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;

		if (null < 0 || err < 0)
			_exit(127);
		dup2(null, 1);
		dup2(err, 2);
		execv(argv[first], argv + first);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.6f %.3f %ld %d\n", seconds(&ru.ru_utime) + seconds(&ru.ru_stime),
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
