// SPDX-License-Identifier: GPL-2.0
/* altorc alternatives: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_alternatives(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'alternatives' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
