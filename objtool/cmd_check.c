// SPDX-License-Identifier: GPL-2.0
/*
 * altorc check [--orc] FILE...: validation only; findings on stderr in
 * objtool's shape.  Exit 0 clean, 1 findings, 2 unusable input.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "commands.h"

struct check_job {
	struct analyze_options a;
	const char *file;
	int findings;
	struct ao_error err;
};

static int run_one(void *p)
{
	struct check_job *j = p;
	struct findings fs;

	findings_init(&fs, j->file, 1);
	fs.tool_name = "altorc";
	j->findings = analyze_file(j->file, &j->a, &fs, &j->err);
	findings_free(&fs);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc check [--orc] [--uaccess] [--stackval] [--kernel=6.1|6.12]\n"
		"                    [--alt-layout=v1|v2] [--paravirt-native [--pv-dwarf=FILE]]\n"
		"                    FILE...\n"
		"  Validate stack state along every path (alternatives included).\n"
		"  Exit status: 0 clean, 1 findings, 2 unusable input.\n");
}

int cmd_check(int argc, char **argv)
{
	struct analyze_options a = { 0 };
	int status = 0, nfiles = 0;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(s, "--orc")) {
			;   /* ORC states are always computed; nothing is written by check */
		} else if (!strcmp(s, "--uaccess")) {
			a.validate.uaccess = a.cfg.uaccess = true;
		} else if (!strcmp(s, "--stackval")) {
			a.validate.stackval = true;
		} else if (!strcmp(s, "--paravirt-native")) {
			a.cfg.paravirt_native = true;
		} else if (!strncmp(s, "--pv-dwarf=", 11)) {
			a.cfg.pv_dwarf = s + 11;
		} else if (!strcmp(s, "--kernel=6.12")) {
			a.cfg.kernel_6_12 = true;
		} else if (!strcmp(s, "--kernel=6.1")) {
			a.cfg.kernel_6_12 = false;
		} else if (!strcmp(s, "--alt-layout=v1")) {
			a.cfg.alt_layout = ALT_LAYOUT_V1;
		} else if (!strcmp(s, "--alt-layout=v2")) {
			a.cfg.alt_layout = ALT_LAYOUT_V2;
		} else if (s[0] == '-') {
			fprintf(stderr, "altorc check: unknown option '%s'\n", s);
			usage(stderr);
			return EXIT_UNUSABLE;
		}
	}
	for (int i = 1; i < argc; i++) {
		struct check_job j = { .a = a, .file = argv[i] };

		if (argv[i][0] == '-')
			continue;
		nfiles++;
		analyze_on_big_stack(run_one, &j);
		if (j.findings < 0) {
			ao_report_error(j.err.message);
			status = EXIT_UNUSABLE;
		} else if (j.findings > 0 && status == 0) {
			status = EXIT_FINDINGS;
		}
	}
	if (!nfiles) {
		usage(stderr);
		return EXIT_UNUSABLE;
	}
	return status;
}
