/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The altorc sub-commands.  Each parses its own options and returns the
 * process exit status: 0 clean, 1 findings (or "different"), 2 unusable
 * input or bad usage.
 */
#ifndef ALTORC_COMMANDS_H
#define ALTORC_COMMANDS_H

#define EXIT_FINDINGS 1
#define EXIT_UNUSABLE 2

/* argv[0] is the sub-command's own name ("alternatives", "orc", ...). */
int cmd_alternatives(int argc, char **argv);
int cmd_orc(int argc, char **argv);          /* orc dump | orc diff */
int cmd_objtool(int argc, char **argv);      /* kbuild-compatible entry point */
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_cfg(int argc, char **argv);

#endif
