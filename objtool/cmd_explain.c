// SPDX-License-Identifier: GPL-2.0
/* altorc explain: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_explain(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'explain' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
