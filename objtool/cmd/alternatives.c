// SPDX-License-Identifier: GPL-2.0
/*
 * altorc alternatives: list every runtime-patch site of an object.
 *
 *   altorc alternatives [--json] [--layout=auto|v1|v2] FILE
 *
 * One record per .altinstructions entry (site, feature, original and
 * replacement code, disassembled like objdump) and per .parainstructions
 * entry (site, paravirt op slot, length).  Exit 0, or 2 when the input is
 * unusable (one error line naming file, section and offset).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alt_report.h"
#include "analyze.h"
#include "commands.h"

struct alts_opts {
	bool json;
	enum alt_layout layout;
	const char *file;
};

/* Everything one run reads: the report's input and what owns it. */
struct alts_ctx {
	struct alt_report r;
	struct arch_decoder *dec;
	struct analysis an;      /* valid when r.cfg is set */
};

static void alts_usage(FILE *out)
{
	fprintf(out,
		"usage: altorc alternatives [--json] [--layout=auto|v1|v2] FILE\n"
		"\n"
		"List the alternative (.altinstructions) and paravirt (.parainstructions)\n"
		"patch sites of FILE: location, CPU feature, original and replacement code,\n"
		"and per branch the stack state after each instruction (from validation)\n"
		"with the offsets that needed extra ORC entries.\n"
		"  --json         one JSON array, an object per site (\"branches\": per-branch\n"
		"                 steps with validated stack states)\n"
		"  --layout=L     .altinstructions entry layout: v1 (12 bytes, kernels up to\n"
		"                 6.2), v2 (14 bytes, 6.3+), auto (default: detected)\n");
}

static int alts_usage_error(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	ao_report_error(msg);
	alts_usage(stderr);
	return EXIT_UNUSABLE;
}

/* Returns -1 to go on, else the exit status (help or a usage error). */
static int alts_parse(int argc, char **argv, struct alts_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			alts_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strncmp(a, "--layout=", 9)) {
			if (!strcmp(a + 9, "v1"))
				o->layout = ALT_LAYOUT_V1;
			else if (!strcmp(a + 9, "v2"))
				o->layout = ALT_LAYOUT_V2;
			else if (!strcmp(a + 9, "auto"))
				o->layout = ALT_LAYOUT_AUTO;
			else
				return alts_usage_error("alternatives: --layout takes auto, v1 or v2, not '%s'",
							a + 9);
		} else if (a[0] == '-' && a[1]) {
			return alts_usage_error("alternatives: unknown option '%s'", a);
		} else if (o->file) {
			return alts_usage_error("alternatives: one FILE only ('%s' is extra)", a);
		} else {
			o->file = a;
		}
	}
	if (!o->file)
		return alts_usage_error("alternatives: no FILE given%s", "");
	return -1;
}

/*
 * What each branch of a site does to the stack, as validation saw it (the
 * CFG is built and validated once, like `altorc check`).  When the analysis
 * fails the listing still comes out, with the reason instead of the effects.
 */
struct alts_analyze_job {
	struct alts_ctx *c;
	const struct alts_opts *o;
};

static int alts_analyze_run(void *p)
{
	struct alts_analyze_job *j = p;
	struct analyze_options a;
	struct findings fs;
	struct ao_error err;

	memset(&a, 0, sizeof(a));
	a.cfg.alt_layout = j->o->layout;
	/* the object's evidence decides (14-byte entries: 6.3+), else the default rules */
	a.kernel.build_dir = true;
	ao_error_clear(&err);
	findings_init(&fs, j->o->file, 0);
	if (analyze_open(j->o->file, &a, &fs, &j->c->an, &err) < 0)
		snprintf(j->c->r.why_no_cfg, sizeof(j->c->r.why_no_cfg), "%s", err.message);
	else
		j->c->r.cfg = &j->c->an.cfg;
	j->c->r.orc_format = j->c->an.orc_format;
	findings_free(&fs);
	return 0;
}

static void alts_analyze(struct alts_ctx *c, const struct alts_opts *o)
{
	struct alts_analyze_job j = { c, o };

	/* validation recurses per branch: it needs the deep stack */
	analyze_on_big_stack(alts_analyze_run, &j);
}

static int alts_preload_rels(struct objsec *sec, struct ao_error *err)
{
	if (!sec || objf_sec_rels(sec, err) == 0)
		return 0;
	return -1;
}

static int alts_load(struct alts_ctx *c, const struct alts_opts *o, struct ao_error *err)
{
	struct alt_report *r = &c->r;

	if (objf_open(&r->f, o->file, err) < 0)
		return -1;
	if (special_read_alternatives(r->f, o->layout, &r->alts, err) < 0 ||
	    special_read_paravirt(r->f, &r->pv, err) < 0)
		return -1;
	/*
	 * The listing names relocation targets through objf_rel_in(), which reads
	 * a bad table as "no relocation": load the tables of every listed
	 * section first so that damage is reported (tests/scripts/malformed.sh).
	 */
	for (size_t i = 0; i < r->alts.nr; i++)
		if (alts_preload_rels(r->alts.entries[i].orig_sec, err) ||
		    alts_preload_rels(r->alts.entries[i].repl_sec, err))
			return -1;
	for (size_t i = 0; i < r->pv.nr; i++)
		if (alts_preload_rels(r->pv.sites[i].sec, err))
			return -1;
	c->dec = arch_decoder_new();
	r->dec = c->dec;
	if (!c->dec)
		return ao_fail(err, AO_ERR_NOMEM, "out of memory creating the decoder");
	alts_analyze(c, o);
	return 0;
}

static void alts_unload(struct alts_ctx *c)
{
	if (c->r.cfg)
		analyze_close(&c->an);
	if (c->dec)
		arch_decoder_free(c->dec);
	special_free_paravirt(&c->r.pv);
	special_free_alternatives(&c->r.alts);
	if (c->r.f)
		objf_close(c->r.f);
}

int cmd_alternatives(int argc, char **argv)
{
	struct alts_opts o;
	struct alts_ctx c;
	struct ao_error err;
	int ret = alts_parse(argc, argv, &o);

	if (ret >= 0)
		return ret;
	memset(&c, 0, sizeof(c));
	ao_error_clear(&err);
	if (alts_load(&c, &o, &err) < 0) {
		ao_report_error(err.message);
		alts_unload(&c);
		return EXIT_UNUSABLE;
	}
	if (o.json) {
		ret = alt_report_json(&c.r, stdout) < 0 ? EXIT_UNUSABLE : 0;
	} else {
		alt_report_text(&c.r);
		ret = fflush(stdout) == 0 ? 0 : EXIT_UNUSABLE;
	}
	alts_unload(&c);
	return ret;
}
