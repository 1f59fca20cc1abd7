// SPDX-License-Identifier: GPL-2.0
/*
 * What the analysing commands share on the command line: see
 * cmd_priv.h.  explain and cfg differ only in what they print
 * about the analysis, so the parsing, the analysis run and its clean-up
 * live here once.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "commands.h"

bool cmd_analysis_option(const char *arg, struct analyze_options *a)
{
	if (!strcmp(arg, "--uaccess"))
		a->validate.uaccess = a->cfg.uaccess = true;
	else if (!strncmp(arg, "--kernel=", 9) && kernel_rules_find(arg + 9))
		a->kernel.forced = arg + 9;
	else if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v"))
		a->verbose = true;
	else if (!strcmp(arg, "--alt-layout=v1"))
		a->cfg.alt_layout = ALT_LAYOUT_V1;
	else if (!strcmp(arg, "--alt-layout=v2"))
		a->cfg.alt_layout = ALT_LAYOUT_V2;
	else
		return false;
	return true;
}

/* One run of an inspection command, handed to the big-stack thread. */
struct cmd_inspect_run {
	const struct cmd_inspect *c;
	struct cmd_inspect_args args;
	int status;
};

static int cmd_inspect_run(void *p)
{
	struct cmd_inspect_run *r = p;
	struct ao_error err = { 0 };
	struct findings fs;
	struct analysis an;

	findings_init(&fs, r->args.file, 0);   /* validation warnings belong to `check` */
	if (analyze_open(r->args.file, &r->args.a, &fs, &an, &err) < 0) {
		findings_free(&fs);
		ao_report_error(err.message);
		return r->status = EXIT_UNUSABLE;
	}
	r->status = r->c->inspect(&an, &r->args);
	analyze_close(&an);
	findings_free(&fs);
	return r->status;
}

/* Returns -1 to go on, else the exit status (help or a usage error). */
int cmd_inspect_parse(const struct cmd_inspect *c, int argc, char **argv,
			     struct cmd_inspect_args *args)
{
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			c->usage(stdout);
			return 0;
		} else if (!strcmp(s, c->flag)) {
			args->flag = true;
		} else if (cmd_analysis_option(s, &args->a)) {
			;
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "altorc %s: unknown option '%s'\n", c->name, s);
			c->usage(stderr);
			return EXIT_UNUSABLE;
		} else if (npos++ == 0) {
			args->file = s;
		} else if (npos == 2) {
			args->arg = s;
		}
	}
	if (npos != 2) {
		fprintf(stderr, "altorc %s: takes FILE and %s\n", c->name, c->arg_name);
		c->usage(stderr);
		return EXIT_UNUSABLE;
	}
	return -1;
}

int cmd_inspect_exec(const struct cmd_inspect *c, const struct cmd_inspect_args *args)
{
	struct cmd_inspect_run r = { .c = c, .args = *args };

	analyze_on_big_stack(cmd_inspect_run, &r);
	return r.status;
}

int cmd_inspect_main(const struct cmd_inspect *c, int argc, char **argv)
{
	struct cmd_inspect_args args = { .a.kernel.build_dir = true };
	int status = cmd_inspect_parse(c, argc, argv, &args);

	if (status >= 0)
		return status;
	return cmd_inspect_exec(c, &args);
}

struct objsym *cmd_analysis_symbol(struct objfile *f, const char *name, bool funcs_only)
{
	struct objsym *any = NULL;

	for (size_t i = 1; i < f->nr_syms; i++) {
		struct objsym *s = &f->syms[i];

		if (!s->sec || !s->name || strcmp(s->name, name))
			continue;
		if (s->type == STT_FUNC)
			return s;
		if (!any && !funcs_only)
			any = s;
	}
	return any;
}
