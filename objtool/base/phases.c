// SPDX-License-Identifier: GPL-2.0
/* Phase timings on request: see include/ao_phases.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ao_phases.h"

static double seconds(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool enabled;
static double wall0, cpu0;

void ao_phases_start(void)
{
	const char *env = getenv("ALTORC_PHASES");

	enabled = env && *env && *env != '0';
	wall0 = seconds(CLOCK_MONOTONIC);
	cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
}

void ao_phase_end(const char *name)
{
	double wall, cpu;

	if (!enabled)
		return;
	wall = seconds(CLOCK_MONOTONIC);
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
	fprintf(stderr, "altorc: phase %-12s wall %7.3f s  cpu %7.3f s\n", name, wall - wall0, cpu - cpu0);
	wall0 = wall;
	cpu0 = cpu;
}
