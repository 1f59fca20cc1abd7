// SPDX-License-Identifier: GPL-2.0
/* The pipeline on one object; see include/analyze.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "orc_gen.h"
#include "prefix.h"

static enum orc_format pick_format(struct objfile *f, const struct analyze_options *o)
{
	if (o->orc_format != ORC_FORMAT_AUTO)
		return o->orc_format;
	if (objf_sec_by_name(f, ".orc_header"))
		return ORC_FORMAT_V2;   /* only kernels with the v2 layout carry a header */
	return o->cfg.kernel_6_12 ? ORC_FORMAT_V2 : ORC_FORMAT_V1;
}

static int generate_and_write(struct cfg *cfg, struct objfile *f, const struct analyze_options *o,
			      struct ao_error *err)
{
	struct orc_gen_table t;
	int ret;

	if (orc_generate(cfg, pick_format(f, o), &t)) {
		orc_gen_free(&t);
		return -1;
	}
	ret = orc_write(f, &t, NULL, 0, err);
	orc_gen_free(&t);
	return ret;
}

int analyze_file(const char *path, const struct analyze_options *opts, struct findings *fs,
		 struct ao_error *err)
{
	struct objfile *f = NULL;
	struct cfg cfg = { 0 };
	int warnings = -1;

	if (objf_open(&f, path, err))
		return -1;
	if (cfg_build(&cfg, f, &opts->cfg, err))
		goto out;
	warnings = validate_run(&cfg, fs, &opts->validate);
	if (warnings < 0)
		goto out;
	prefix_propagate(&cfg);
	if (opts->write_orc && generate_and_write(&cfg, f, opts, err))
		warnings = -1;
out:
	cfg_free(&cfg);
	objf_close(f);
	return warnings;
}

struct thread_call {
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *thread_main(void *p)
{
	struct thread_call *c = p;

	c->ret = c->fn(c->arg);
	return NULL;
}

int analyze_on_big_stack(int (*fn)(void *), void *arg)
{
	struct thread_call c = { fn, arg, -1 };
	pthread_attr_t attr;
	pthread_t t;

	/* Each branch is a recursion level; long functions need a deep stack. */
	if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, (size_t)512 << 20) ||
	    pthread_create(&t, &attr, thread_main, &c))
		return fn(arg);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	return c.ret;
}
