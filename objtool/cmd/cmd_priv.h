/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line side the analysing sub-commands share: the analysis
 * options they all take (check, explain, cfg), and the frame of the
 * inspection commands (explain, cfg): parse `[--FLAG] [options] FILE ARG`,
 * analyse FILE on a big stack, hand the open analysis to the command, and
 * release it.  Also the look-ups both inspection commands make in it.
 */
#ifndef ALTORC_CMD_ANALYSIS_H
#define ALTORC_CMD_ANALYSIS_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze.h"

/*
 * Is arg one of the analysis options (--uaccess, --kernel=6.1|6.12,
 * --alt-layout=v1|v2)?  If so it is applied to *a.
 */
bool cmd_analysis_option(const char *arg, struct analyze_options *a);

/* What an inspection command was asked. */
struct cmd_inspect_args {
	struct analyze_options a;
	bool flag;                 /* its one output switch (--dot, --json) was given */
	const char *file;
	const char *arg;           /* the second operand (FUNC, LOCATION) */
};

/* An inspection command: altorc NAME [FLAG] [analysis options] FILE ARG. */
struct cmd_inspect {
	const char *name;          /* "cfg" */
	const char *flag;          /* "--dot" */
	const char *arg_name;      /* "FUNC", for the usage error */
	void (*usage)(FILE *out);
	/* Look at the analysed FILE; returns the exit status. */
	int (*inspect)(struct analysis *an, const struct cmd_inspect_args *args);
};

/*
 * The whole command: options, analysis (an unusable FILE is reported and
 * gives EXIT_UNUSABLE), c->inspect, clean-up.  Returns the exit status.
 */
int cmd_inspect_main(const struct cmd_inspect *c, int argc, char **argv);

/*
 * The symbol called name that has a section: the first function of that
 * name, else (unless funcs_only) the first other symbol of that name.
 */
struct objsym *cmd_analysis_symbol(struct objfile *f, const char *name, bool funcs_only);

#endif
