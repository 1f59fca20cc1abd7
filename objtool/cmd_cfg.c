// SPDX-License-Identifier: GPL-2.0
/* altorc cfg: placeholder until the command is written. */
#include <stdio.h>

#include "commands.h"

int cmd_cfg(int argc, char **argv)
{
	fprintf(stderr, "altorc: 'cfg' is not implemented yet\n");
	return EXIT_UNUSABLE;
}
