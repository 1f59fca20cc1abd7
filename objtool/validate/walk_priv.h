/*
 * Private to the stack walk: walk.c walks functions, walk_threads.c spreads
 * them over threads and puts the results back together.
 */
#ifndef AO_VALIDATE_WALK_PRIV_H
#define AO_VALIDATE_WALK_PRIV_H

#include "cfg.h"
#include "findings.h"
#include "kernel.h"
#include "validate.h"
#include "validate_priv.h"

struct walker {
	struct cfg *cfg;
	struct findings *fs;
	const struct validate_options *opts;
	const struct kernel_rules *k;   /* the kernel's rules and message shapes */
	struct stack_state_pool *pool;  /* where states are interned */
	/*
	 * --noinstr: what paravirt slots can call.  Asking it files findings
	 * and marks slots, so a walk with --noinstr stays on one thread.
	 */
	struct noinstr_pv pv;
	int oom;
	/*
	 * Parallel walks only (0 / NULL otherwise): this thread's mark on the
	 * instructions it takes, the flag that tells every thread to stop, and
	 * whether this one met an instruction another thread had taken.
	 */
	uint8_t id;
	int *stop;
	bool conflict;
};

/*
 * Validate funcs[from..to) in order; the warnings as the reference counts
 * them, or -1 (out of memory, or w->conflict / *w->stop in a parallel walk).
 */
typedef int walk_range_fn(struct walker *w, struct objsym *const *funcs, size_t from, size_t to);

/*
 * Every function of the object, in section and symbol order, through walk
 * (walk.c's, handed in so that the files do not call each other), on as
 * many threads as w->opts asks; the result (states, findings, their order
 * and echoes) is the sequential walk's.  -1 when out of memory.
 */
int walk_functions_threaded(struct walker *w, walk_range_fn *walk);

#endif
