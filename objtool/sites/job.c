// SPDX-License-Identifier: GPL-2.0
/*
 * sites_build() on a thread of its own, beside validation (see
 * sites_job_start() in include/sites.h).
 *
 * What makes it safe: the sites read the CFG as cfg_build() left it
 * (instruction kinds, lengths, call destinations, and the two marks kept
 * out of the flags validation updates: retpoline_safe and site_patched),
 * the object's symbols, and the relocations and bytes of some sections.
 * Validation writes none of those, but both load sections' relocations and
 * the symbol-name index lazily through objfile, which is not for threads.
 * So everything the sites will load is loaded here first, on the calling
 * thread; from then on the sites only read what is loaded, while
 * validation may still load other sections for itself.
 */
#include <pthread.h>
#include <stdlib.h>

#include "sites_priv.h"

struct sites_job {
	pthread_t thread;
	struct cfg *cfg;
	const struct sites_options *o;
	struct sites_out *out;   /* the caller's, filled in place */
	struct ao_error err;
	int ret;
};

/* Load what the sites read lazily; false when something would not load. */
static bool preload(struct cfg *cfg, const struct sites_options *o)
{
	struct objfile *f = cfg->file;
	struct ao_error err = { 0 };

	/* static-call keys are found by name */
	if (objf_index_names(f))
		return false;
	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (cfg->csecs[s].nr && objf_sec_data(sec, &err))
			return false;
		if ((cfg->csecs[s].nr || (o->ibt && sites_ibt_scans(sec))) &&
		    objf_sec_rels(sec, &err))
			return false;
	}
	return true;
}

static void *job_main(void *p)
{
	struct sites_job *j = p;

	j->ret = sites_build(j->cfg, j->o, j->out, &j->err);
	return NULL;
}

struct sites_job *sites_job_start(struct cfg *cfg, const struct sites_options *o,
				  struct sites_out *out)
{
	struct sites_job *j;

	/* its one message (__mcount_loc already there) must follow validation's */
	if (cfg->opts.mcount || !preload(cfg, o))
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->cfg = cfg;
	j->o = o;
	j->out = out;
	if (pthread_create(&j->thread, NULL, job_main, j)) {
		free(j);
		return NULL;
	}
	return j;
}

int sites_job_finish(struct sites_job *j, struct ao_error *err)
{
	int ret;

	pthread_join(j->thread, NULL);
	ret = j->ret;
	if (ret)
		*err = j->err;
	free(j);
	return ret;
}
