// SPDX-License-Identifier: GPL-2.0
/* altorc check: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_check(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'check' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
