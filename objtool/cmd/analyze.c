// SPDX-License-Identifier: GPL-2.0
/* The pipeline on one object; see include/analyze.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "ao_phases.h"
#include "ao_threads.h"
#include "orc_gen.h"
#include "paravirt_native.h"
#include "prefix.h"

static enum orc_format pick_format(struct objfile *f, const struct analyze_options *o,
				   const struct kernel_rules *k)
{
	if (o->orc_format != ORC_FORMAT_AUTO)
		return o->orc_format;
	if (objf_sec_by_name(f, ".orc_header"))
		return ORC_FORMAT_V2;   /* only kernels with the v2 layout carry a header */
	return k->unwind_abi >= 2 ? ORC_FORMAT_V2 : ORC_FORMAT_V1;
}

/* The CFG options for f: the caller's, with the kernel row chosen unless pinned. */
static int cfg_options_for(struct objfile *f, const struct analyze_options *o,
			   struct cfg_options *out, struct ao_error *err)
{
	struct kernel_choice c;

	*out = o->cfg;
	if (out->kernel)
		return 0;
	if (kernel_choose(f, &o->kernel, &c, err) < 0)
		return -1;
	out->kernel = c.rules;
	if (o->verbose)
		fprintf(stderr, "altorc: %s: kernel rules %s: %s\n", f->path, c.rules->name, c.reason);
	return 0;
}

static int generate_and_write(struct cfg *cfg, struct objfile *f, const struct analyze_options *o,
			      struct ao_error *err)
{
	struct orc_gen_table t;
	int ret;

	if (orc_generate(cfg, pick_format(f, o, cfg->opts.kernel), &t)) {
		orc_gen_free(&t);
		return -1;
	}
	ret = orc_write(f, &t, NULL, 0, err);
	orc_gen_free(&t);
	return ret;
}

int analyze_open(const char *path, const struct analyze_options *opts, struct findings *fs,
		 struct analysis *an, struct ao_error *err)
{
	struct objfile *f;

	memset(an, 0, sizeof(*an));
	if (objf_open(&f, path, err))
		return -1;
	return analyze_opened(f, opts, fs, an, err);
}

int analyze_build(struct objfile *f, const struct analyze_options *opts, struct findings *fs,
		  struct analysis *an, struct ao_error *err)
{
	struct cfg_options copts;
	int bad;

	memset(an, 0, sizeof(*an));
	an->file = f;
	f->threads = opts->validate.threads;   /* the write's too */
	bad = cfg_options_for(an->file, opts, &copts, err);
	if (!bad) {
		copts.threads = opts->validate.threads;   /* one --threads for decoding and validating */
		copts.verbose = opts->verbose;
		bad = cfg_build(&an->cfg, an->file, &copts, err);
	}
	if (bad) {
		if (err->status == AO_ERR_STOPPED)
			findings_add(fs, an->cfg.stop.kind, an->cfg.stop.sec, an->cfg.stop.offset, "%s",
				     an->cfg.stop.message);
		analyze_close(an);
		return -1;
	}
	ao_phase_end("cfg");
	return 0;
}

int analyze_validate(struct analysis *an, const struct analyze_options *opts, struct findings *fs,
		     struct ao_error *err)
{
	struct validate_options vopts;
	int warnings;

	vopts = opts->validate;
	vopts.verbose = opts->verbose;
	warnings = validate_run(&an->cfg, fs, &vopts);
	if (warnings < 0) {
		/* a stop during validation that has not said its last word yet */
		if (err->status == AO_ERR_STOPPED && an->cfg.stop.message)
			findings_add(fs, an->cfg.stop.kind, an->cfg.stop.sec, an->cfg.stop.offset, "%s",
				     an->cfg.stop.message);
		return -1;
	}
	/* Paravirt sites: the patched call/NOPs must match the original's exit state. */
	warnings += pv_check_sites(&an->cfg, fs);
	prefix_propagate(&an->cfg);
	an->orc_format = pick_format(an->file, opts, an->cfg.opts.kernel);
	ao_phase_end("validate");
	return warnings;
}

int analyze_opened(struct objfile *f, const struct analyze_options *opts, struct findings *fs,
		   struct analysis *an, struct ao_error *err)
{
	int r = analyze_build(f, opts, fs, an, err);

	if (!r) {
		r = analyze_validate(an, opts, fs, err);
		if (r < 0)
			analyze_close(an);
	}
	return r;
}

void analyze_close(struct analysis *an)
{
	cfg_free(&an->cfg);
	objf_close(an->file);
	memset(an, 0, sizeof(*an));
}

int analyze_file(const char *path, const struct analyze_options *opts, struct findings *fs,
		 struct ao_error *err)
{
	struct analysis an;
	int warnings = analyze_open(path, opts, fs, &an, err);

	if (warnings < 0)
		return -1;
	if (opts->write_orc && generate_and_write(&an.cfg, an.file, opts, err))
		warnings = -1;
	analyze_close(&an);
	return warnings;
}

int analyze_on_big_stack(int (*fn)(void *), void *arg)
{
	return ao_call_on_big_stack(fn, arg, AO_DEEP_STACK);
}
