/*
 * Running independent jobs on threads, for the passes that split their
 * work (cfg/decode.c, validate/walk_threads.c).  The caller keeps the
 * results in job order; nothing here decides what is shared.  Also one
 * call on a stack deeper than the main thread's (base/big_stack.c).
 */
#ifndef AO_THREADS_H
#define AO_THREADS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The stack the analysis needs: the walk recurses once per branch, and a
 * long function has thousands (ao_call_on_big_stack(), ao_run_jobs()).
 */
#define AO_DEEP_STACK ((size_t)512 << 20)

/*
 * fn(ctx, i) for every i in [0, nr_jobs), on up to nr_threads threads with
 * stacks of stack_size bytes (0: the default), jobs taken in index order.
 * Where one thread is asked for, or none can start, the caller's thread runs
 * them all, in order, on a stack of stack_size (ao_call_on_big_stack()).
 */
void ao_run_jobs(unsigned nr_threads, size_t stack_size, size_t nr_jobs,
		 void (*fn)(void *ctx, size_t i), void *ctx);

/*
 * fn(arg) with a stack of size bytes (deep recursion: a level per branch
 * in the walk), returning what it returns.  On the calling thread where it
 * can switch stacks, else on a thread of its own, else on the stack it has.
 */
int ao_call_on_big_stack(int (*fn)(void *), void *arg, size_t size);

/* CPUs online (1 when unknown). */
unsigned ao_cpus(void);

/*
 * How many threads a pass runs on: asked, when the user chose (--threads);
 * else one per CPU, at most 8, when the pass is big enough to gain from
 * them (big: each pass has its own measure), and one otherwise.
 */
unsigned ao_auto_threads(unsigned asked, bool big);

#endif
