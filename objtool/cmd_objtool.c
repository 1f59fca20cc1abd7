// SPDX-License-Identifier: GPL-2.0
/*
 * altorc objtool ARGS... FILE.o: the kbuild-compatible entry point.  Takes
 * every argument the 6.1 and 6.12 kbuilds pass to objtool, validates the
 * stack and writes ORC.  Actions we do not perform yet are named once on
 * stderr and do not fail the build, as objtool's own warnings do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "commands.h"

struct objtool_args {
	struct analyze_options a;
	bool orc;
	const char *file;
	const char *unimplemented[16];
	int nr_unimplemented;
};

static void not_done(struct objtool_args *o, const char *what)
{
	if (o->nr_unimplemented < 16)
		o->unimplemented[o->nr_unimplemented++] = what;
}

static const char *const ignored_flags[] = {
	"--sls", "--noinstr", "--backtrace", "--stats", "--no-unreachable", "--sec-address",
	"--mnop", "--module", "--unret", "--dry-run", "--verbose", "-v",
};

/* Flags whose only effect is sections or rewrites we do not produce yet. */
static const struct { const char *flag; const char *what; } pending_flags[] = {
	{ "--retpoline",   "--retpoline (.retpoline_sites)" },
	{ "--rethunk",     "--rethunk (.return_sites)" },
	{ "--static-call", "--static-call (.static_call_sites)" },
	{ "--mcount",      "--mcount (__mcount_loc)" },
	{ "--cfi",         "--cfi (.cfi_sites)" },
};

static int parse_flag(struct objtool_args *o, const char *arg)
{
	for (size_t i = 0; i < sizeof(ignored_flags) / sizeof(*ignored_flags); i++)
		if (!strcmp(arg, ignored_flags[i]))
			return 0;
	for (size_t i = 0; i < sizeof(pending_flags) / sizeof(*pending_flags); i++)
		if (!strcmp(arg, pending_flags[i].flag)) {
			not_done(o, pending_flags[i].what);
			return 0;
		}
	if (!strcmp(arg, "--orc"))
		o->orc = true;
	else if (!strcmp(arg, "--uaccess"))
		o->a.validate.uaccess = o->a.cfg.uaccess = true;
	else if (!strcmp(arg, "--stackval"))
		o->a.validate.stackval = true;
	else if (!strcmp(arg, "--ibt")) {
		o->a.cfg.ibt = true;
		not_done(o, "--ibt (.ibt_endbr_seal)");
	} else if (!strcmp(arg, "--link"))
		o->a.cfg.link = true;
	else if (!strcmp(arg, "--hacks=jump_label")) {
		o->a.cfg.hack_jump_label = true;
		not_done(o, "--hacks=jump_label (NOP rewrite of static branches)");
	} else if (!strcmp(arg, "--hacks=noinstr"))
		not_done(o, "--hacks=noinstr");
	else if (!strcmp(arg, "--hacks=skylake"))
		not_done(o, "--hacks=skylake (.call_sites)");
	else if (!strncmp(arg, "--prefix=", 9)) {
		/* --prefix came with 6.2; the v2 ORC layout with 6.3: treat as the new rules */
		o->a.cfg.prefix = (unsigned)strtoul(arg + 9, NULL, 10);
		o->a.cfg.kernel_6_12 = true;
		not_done(o, "--prefix (__pfx_ symbols)");
	} else if (!strcmp(arg, "--orc-format=v1"))
		o->a.orc_format = ORC_FORMAT_V1;
	else if (!strcmp(arg, "--orc-format=v2")) {
		o->a.orc_format = ORC_FORMAT_V2;
		o->a.cfg.kernel_6_12 = true;
	} else if (!strcmp(arg, "--alt-layout=v1"))
		o->a.cfg.alt_layout = ALT_LAYOUT_V1;
	else if (!strcmp(arg, "--alt-layout=v2"))
		o->a.cfg.alt_layout = ALT_LAYOUT_V2;
	else if (!strcmp(arg, "--kernel=6.12"))
		o->a.cfg.kernel_6_12 = true;
	else if (!strcmp(arg, "--kernel=6.1"))
		o->a.cfg.kernel_6_12 = false;
	else
		return -1;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc objtool [OBJTOOL FLAGS] FILE.o\n"
		"  Accepts the flags kbuild passes to objtool (6.1 and 6.12): --orc, --uaccess,\n"
		"  --retpoline, --rethunk, --sls, --static-call, --ibt, --link, --module,\n"
		"  --prefix=N, --hacks=jump_label|noinstr|skylake, --stackval, ...\n"
		"  ORC layout: v2 when --prefix is given (kernels 6.2+), else v1; force with\n"
		"  --orc-format=v1|v2.  --alt-layout=v1|v2 forces the .altinstructions layout.\n");
}

static int run(void *p)
{
	struct objtool_args *o = p;
	struct findings fs;
	struct ao_error err = { 0 };
	int r;

	findings_init(&fs, o->file, 1);
	r = analyze_file(o->file, &o->a, &fs, &err);
	findings_free(&fs);
	if (r < 0) {
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	/* Like the reference, warnings do not fail the build. */
	return 0;
}

int cmd_objtool(int argc, char **argv)
{
	struct objtool_args o = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (argv[i][0] != '-') {
			if (o.file) {
				fprintf(stderr, "altorc objtool: one object at a time ('%s' and '%s')\n", o.file, argv[i]);
				return EXIT_UNUSABLE;
			}
			o.file = argv[i];
		} else if (parse_flag(&o, argv[i])) {
			fprintf(stderr, "altorc objtool: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_UNUSABLE;
		}
	}
	if (!o.file) {
		usage(stderr);
		return EXIT_UNUSABLE;
	}
	o.a.write_orc = o.orc;
	if (o.nr_unimplemented && getenv("ALTORC_QUIET_PENDING") == NULL) {
		fprintf(stderr, "altorc: %s: not implemented yet, skipped:", o.file);
		for (int i = 0; i < o.nr_unimplemented; i++)
			fprintf(stderr, "%s %s", i ? "," : "", o.unimplemented[i]);
		fprintf(stderr, "\n");
	}
	return analyze_on_big_stack(run, &o);
}
