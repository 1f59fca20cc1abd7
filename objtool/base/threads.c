// SPDX-License-Identifier: GPL-2.0
/* Jobs on threads: see include/ao_threads.h. */
#include <pthread.h>
#include <unistd.h>

#include "ao_threads.h"

/* check -j takes up to 256 files at once */
#define MAX_THREADS 256

struct job_runner {
	size_t next, nr;   /* next job to take (atomic), how many */
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *runner_main(void *p)
{
	struct job_runner *r = p;

	for (;;) {
		size_t i = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED);

		if (i >= r->nr)
			return NULL;
		r->fn(r->ctx, i);
	}
}

static int runner_here(void *p)
{
	runner_main(p);
	return 0;
}

void ao_run_jobs(unsigned nr_threads, size_t stack_size, size_t nr_jobs,
		 void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct job_runner r = { .nr = nr_jobs, .fn = fn, .ctx = ctx };
	pthread_t tids[MAX_THREADS];
	pthread_attr_t attr;
	unsigned started = 0;

	if (nr_threads > MAX_THREADS)
		nr_threads = MAX_THREADS;
	if (nr_threads > nr_jobs)
		nr_threads = (unsigned)nr_jobs;
	if (nr_threads > 1 && !pthread_attr_init(&attr)) {
		if (!stack_size || !pthread_attr_setstacksize(&attr, stack_size))
			while (started < nr_threads &&
			       !pthread_create(&tids[started], &attr, runner_main, &r))
				started++;
		pthread_attr_destroy(&attr);
	}
	if (!started && stack_size)   /* one thread asked for, or none could start */
		ao_call_on_big_stack(runner_here, &r, stack_size);
	else if (!started)
		runner_main(&r);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
}

unsigned ao_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

unsigned ao_auto_threads(unsigned asked, bool big)
{
	unsigned cpus;

	if (asked)
		return asked;
	cpus = ao_cpus();
	if (!big || cpus < 2)
		return 1;
	return cpus > 8 ? 8 : cpus;
}
