// SPDX-License-Identifier: GPL-2.0
/* altorc objtool: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_objtool(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'objtool' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
