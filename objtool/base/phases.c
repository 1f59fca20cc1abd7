// SPDX-License-Identifier: GPL-2.0
/* Phase timings on request: see include/ao_phases.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "ao_phases.h"

static double seconds(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Page faults are counted too: on a virtual machine a first touch of memory
 * can cost more than the work done with it, so a phase's time is read
 * beside the memory it brought in (minor faults) and the peak so far.
 */
static long minor_faults(long *peak_kib)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return *peak_kib = 0;
	*peak_kib = ru.ru_maxrss;
	return ru.ru_minflt;
}

static bool enabled;
static double wall0, cpu0;
static long faults0;

void ao_phases_start(void)
{
	const char *env = getenv("ALTORC_PHASES");

	enabled = env && *env && *env != '0';
	wall0 = seconds(CLOCK_MONOTONIC);
	cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	faults0 = minor_faults(&(long){ 0 });
}

void ao_phase_end(const char *name)
{
	double wall, cpu;
	long faults, peak;

	if (!enabled)
		return;
	wall = seconds(CLOCK_MONOTONIC);
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
	faults = minor_faults(&peak);
	fprintf(stderr, "altorc: phase %-12s wall %7.3f s  cpu %7.3f s  faults %7ld  peak %5ld MiB\n",
		name, wall - wall0, cpu - cpu0, faults - faults0, peak / 1024);
	wall0 = wall;
	cpu0 = cpu;
	faults0 = faults;
}
