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
#include <stdint.h>
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
 * Its two halves: parse argv into *args (set args->a's defaults first;
 * -1 to go on, else the exit status), then analyse args->file and inspect.
 */
int cmd_inspect_parse(const struct cmd_inspect *c, int argc, char **argv,
		      struct cmd_inspect_args *args);
int cmd_inspect_exec(const struct cmd_inspect *c, const struct cmd_inspect_args *args);

/*
 * LOCATION as a person or an oops line gives it: NAME+0xOFF/0xLEN (kallsyms'
 * form, after an optional "RIP: 0010:" and before an optional " [module]"),
 * NAME+0xOFF, NAME, or a number alone (0x... or bare hex).
 */
struct cmd_location {
	char name[256];            /* symbol or section; "" for a number alone */
	uint64_t off;              /* the offset, or the number */
	bool has_len;
	uint64_t len;              /* /0xLEN */
};

/* -1 with a message in err on bad syntax. */
int cmd_location_parse(const char *s, struct cmd_location *loc, struct ao_error *err);

/*
 * A symbol kallsyms would list (and an oops name): one with a section and a
 * name, not a section or file symbol, not an assembler's .L label.
 */
bool cmd_kallsyms_symbol(const struct objsym *s);

/*
 * kallsyms' size of sym: the distance to the next symbol at a higher
 * address in its section (in a linked image, in any section), what an
 * oops prints after the '/'; 0 when none follows.
 */
uint64_t cmd_kallsyms_size(const struct objsym *sym);

/*
 * The line explaining an oops' /0xLEN against sym: whether it matches the
 * symbol's st_size or kallsyms' size.  Returns true when it matches either.
 */
bool cmd_length_note(const struct objsym *sym, uint64_t len, char *buf, size_t size);

/* altorc explain on a linked image (vmlinux): see cmd/explain_linked.c. */
struct explain_linked_opts {
	const struct cmd_inspect *object_cmd;   /* explain itself, to run on --object */
	const char *object;                     /* --object FILE, or NULL */
	bool return_address;                    /* --return-address */
};
int explain_linked(struct objfile *f, const struct cmd_inspect_args *args,
		   const struct explain_linked_opts *o);

/*
 * The symbol called name that has a section: the first function of that
 * name, else (unless funcs_only) the first other symbol of that name.
 */
struct objsym *cmd_analysis_symbol(struct objfile *f, const char *name, bool funcs_only);

#endif
