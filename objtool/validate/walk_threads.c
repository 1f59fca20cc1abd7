// SPDX-License-Identifier: GPL-2.0
/*
 * Functions validated on several threads, with the sequential walk's
 * result whatever the thread count.
 *
 * The functions, in the order the sequential walk takes them (section, then
 * symbol), are cut into one contiguous range per thread.  Each thread walks
 * its range in order with its own findings list, its own echo buffer and
 * its own state pool over the shared one (read-only meanwhile).  A walk's
 * only shared mutable data are the instructions it visits (state, visited
 * flags) and the per-offset arrays of the alternative sites it enters; each
 * thread marks what it touches (instr.walker, one mark per site on the
 * site's first instruction).  If no instruction is touched by two threads,
 * every instruction saw exactly the visits, in the same order, that the
 * sequential walk gives it, so the states and findings are the same, and
 * concatenating the threads' findings in range order restores the
 * sequential order.  If one is (code shared between functions), the
 * threads stop, the walk is undone and done again sequentially.
 *
 * Afterwards the threads' states are re-interned into the shared pool, so
 * that equal states are equal pointers again for the passes that follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "ao_threads.h"
#include "walk_priv.h"

/*
 * Automatic choice: threads only for whole-kernel-sized objects.  kbuild
 * already runs one objtool per CPU for modules, where threads would only
 * add their own cost (about 2.5% more instructions on xfs.o).
 */
#define THREADS_MIN_INSNS 1000000
#define THREADS_MAX 64

struct walk_job {
	struct walker w;
	struct findings fs;
	char *echo;          /* what the thread would have printed, in order */
	size_t echo_len;
	const struct objsym *const *funcs;
	walk_range_fn *walk;
	size_t from, to;
	int warnings;
};

unsigned validate_auto_threads(const struct cfg *cfg, const struct validate_options *opts)
{
	return ao_auto_threads(opts->threads, cfg->nr_insns >= THREADS_MIN_INSNS);
}

static unsigned pick_threads(const struct walker *w, size_t nr_funcs)
{
	unsigned n;

	/* the paravirt slots --noinstr consults are filled as the walk goes (walk_priv.h) */
	if (w->opts->noinstr)
		return 1;
	n = validate_auto_threads(w->cfg, w->opts);
	if (n > THREADS_MAX)
		n = THREADS_MAX;
	if (n > nr_funcs)
		n = nr_funcs ? (unsigned)nr_funcs : 1;
	return n;
}

/* The functions in the sequential walk's order; NULL when out of memory. */
static struct objsym **collect_functions(struct objfile *f, size_t *nr)
{
	struct objsym **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (!sec->is_exec)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++) {
			if (sec->syms[i]->type != STT_FUNC)
				continue;
			if (AO_GROW(NULL, v, cap, n + 1, 256)) {
				free(v);
				return NULL;
			}
			v[n++] = sec->syms[i];
		}
	}
	*nr = n;
	return v ? v : malloc(1);
}

/* Cut funcs into n ranges of about the same code size: bounds[0..n]. */
static void split(struct objsym *const *funcs, size_t nr, unsigned n, size_t *bounds)
{
	uint64_t total = 0, acc = 0;
	size_t i = 0;

	for (size_t k = 0; k < nr; k++)
		total += funcs[k]->size + 1;
	bounds[0] = 0;
	for (unsigned t = 1; t < n; t++) {
		uint64_t want = total / n * t;

		while (i < nr && acc < want)
			acc += funcs[i++]->size + 1;
		bounds[t] = i;
	}
	bounds[n] = nr;
}

static void job_main(void *ctx, size_t i)
{
	struct walk_job *j = (struct walk_job *)ctx + i;

	j->warnings = j->walk(&j->w, (struct objsym *const *)j->funcs, j->from, j->to);
}

static int job_init(struct walk_job *j, const struct walker *w, unsigned id, int *stop)
{
	memset(j, 0, sizeof(*j));
	j->w = *w;
	j->w.id = (uint8_t)id;
	j->w.stop = stop;
	j->w.fs = &j->fs;
	findings_init(&j->fs, w->fs->file, w->fs->echo);
	j->fs.tool_name = w->fs->tool_name;
	j->fs.reference_only = w->fs->reference_only;
	j->fs.base = w->fs;
	j->fs.echo_stream = open_memstream(&j->echo, &j->echo_len);
	j->w.pool = stack_pool_new_child(w->cfg->states);
	return j->fs.echo_stream && j->w.pool ? 0 : -1;
}

static void job_free(struct walk_job *j)
{
	if (j->fs.echo_stream)
		fclose(j->fs.echo_stream);
	free(j->echo);
	findings_free(&j->fs);
	stack_pool_free(j->w.pool);
}

/* Put every state pointer into the shared pool; -1 when out of memory. */
static int canonicalize(struct cfg *cfg)
{
	struct stack_state_pool *top = cfg->states;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];

			insn->walker = 0;
			if (insn->state && !(insn->state = stack_pool_canon(top, insn->state)))
				return -1;
			if (cfg_hint_state(insn) &&
			    !(insn->x->hint_state = stack_pool_canon(top, cfg_hint_state(insn))))
				return -1;
		}
	}
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		struct alt_group *g = cfg->groups[k];

		for (uint32_t off = 0; g->states && off < g->len; off++)
			if (g->states[off] && !(g->states[off] = stack_pool_canon(top, g->states[off])))
				return -1;
	}
	return 0;
}

/*
 * Undo a parallel walk that had to stop: no state, no visit, no mark, the
 * restore hints as the CFG left them (saved[] in instruction order).
 */
static void undo(struct cfg *cfg, const struct stack_state *const *saved)
{
	size_t r = 0;

	for (size_t s = 1; s < cfg->file->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];

			insn->walker = 0;
			insn->state = NULL;
			insn->flags &= (uint16_t)~(IF_VISITED | IF_VISITED_UA);
			if (insn->flags & IF_RESTORE)
				insn->x->hint_state = saved[r++];
		}
	}
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		struct alt_group *g = cfg->groups[k];

		if (g->states)
			memset(g->states, 0, g->len * sizeof(*g->states));
	}
}

/* The restore hints' states before the walk (the walk overwrites them). */
static const struct stack_state **save_restores(const struct cfg *cfg)
{
	const struct stack_state **v = malloc(sizeof(*v));
	size_t n = 0, cap = 1;

	/* one pass over the instructions (4 million in a vmlinux.o), the array grown as needed */
	for (size_t s = 1; v && s < cfg->file->nr_secs; s++)
		for (size_t i = 0; i < cfg->csecs[s].nr; i++) {
			if (!(cfg->csecs[s].insns[i].flags & IF_RESTORE))
				continue;
			if (AO_GROW(NULL, v, cap, n + 1, 1)) {
				free(v);
				return NULL;
			}
			v[n++] = cfg_hint_state(&cfg->csecs[s].insns[i]);
		}
	return v;
}

/* The threads' findings and echoes after the list's, in range order. */
static int merge(struct walker *w, struct walk_job *jobs, unsigned n)
{
	int warnings = 0;

	for (unsigned t = 0; t < n; t++) {
		fflush(jobs[t].fs.echo_stream);
		fwrite(jobs[t].echo, 1, jobs[t].echo_len, findings_echo_stream(w->fs));
		findings_take(w->fs, &jobs[t].fs);
		warnings += jobs[t].warnings;
	}
	return warnings;
}

/* -1: out of memory; -2: the threads could not run independently. */
static int walk_parallel(struct walker *w, walk_range_fn *walk, struct objsym *const *funcs,
			 size_t nr, unsigned n)
{
	struct walk_job *jobs = calloc(n, sizeof(*jobs));
	size_t bounds[THREADS_MAX + 1];
	int stop = 0, ret = -2;

	if (!jobs)
		return -1;
	split(funcs, nr, n, bounds);
	for (unsigned t = 0; t < n; t++) {
		if (job_init(&jobs[t], w, t + 1, &stop))
			goto out;
		jobs[t].funcs = (const struct objsym *const *)funcs;
		jobs[t].walk = walk;
		jobs[t].from = bounds[t];
		jobs[t].to = bounds[t + 1];
	}
	/*
	 * A recursion level per branch: deep stacks.  Jobs that share a thread
	 * (too few started) still give the same result.
	 */
	ao_run_jobs(n, AO_DEEP_STACK, n, job_main, jobs);
	if (stop)
		goto out;
	for (unsigned t = 0; t < n; t++)
		if (jobs[t].warnings < 0)
			goto out;
	ret = canonicalize(w->cfg) ? -1 : merge(w, jobs, n);
out:
	for (unsigned t = 0; t < n; t++)
		job_free(&jobs[t]);
	free(jobs);
	return ret;
}

int walk_functions_threaded(struct walker *w, walk_range_fn *walk)
{
	const struct stack_state **saved = NULL;
	struct objsym **funcs;
	size_t nr;
	unsigned n;
	int r = -2;

	funcs = collect_functions(w->cfg->file, &nr);
	if (!funcs)
		return -1;
	n = pick_threads(w, nr);
	if (n > 1 && (saved = save_restores(w->cfg))) {
		r = walk_parallel(w, walk, funcs, nr, n);
		if (r == -2 || r == -1)
			undo(w->cfg, saved);
		if (w->opts->verbose)
			fprintf(stderr, "altorc: %s: %s\n", w->fs->file,
				r >= 0 ? "functions validated on several threads"
				       : "code shared across threads: functions validated again on one");
	}
	if (r == -2 || r == -1)
		r = walk(w, funcs, 0, nr);
	free(saved);
	free(funcs);
	return r;
}
