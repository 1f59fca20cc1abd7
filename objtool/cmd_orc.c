// SPDX-License-Identifier: GPL-2.0
/* altorc orc: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_orc(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'orc' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
