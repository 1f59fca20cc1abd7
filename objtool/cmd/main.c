// SPDX-License-Identifier: GPL-2.0
/*
 * altorc: command dispatch.  Every command lives in its own cmd_*.c file;
 * this file only picks one.
 */
#include <stdio.h>
#include <string.h>

#include "ao_phases.h"
#include "commands.h"
#include "version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "objtool",      cmd_objtool,      "kbuild-compatible post-link step (objtool's arguments)" },
	{ "check",        cmd_check,        "validate stack state and alternatives; report findings" },
	{ "alternatives", cmd_alternatives, "list alternative and paravirt patch sites" },
	{ "orc",          cmd_orc,          "orc dump FILE | orc diff A B (objects or vmlinux)" },
	{ "explain",      cmd_explain,      "stack state and ORC at one address, on every branch;\n"
					    "                in a vmlinux, the entry the unwinder finds" },
	{ "cfg",          cmd_cfg,          "a function's control-flow graph (Graphviz DOT)" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: altorc COMMAND [OPTIONS] FILE...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'altorc COMMAND --help' describes a command's options;\n"
		     "'altorc --version' prints the version and the commit it was built from.\n"
		     "\naltorc %s (commit %s)\n", altorc_version(), altorc_commit());
}

static void version(void)
{
	printf("altorc %s (commit %s)\n", altorc_version(), altorc_commit());
}

int main(int argc, char **argv)
{
	ao_phases_start();
	if (argc < 2) {
		usage(stderr);
		return EXIT_UNUSABLE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		version();
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "altorc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_UNUSABLE;
}
