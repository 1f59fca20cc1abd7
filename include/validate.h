/* SPDX-License-Identifier: GPL-2.0 */
/* Stack validation over a built CFG (validate.c, validate_reachable.c). */
#ifndef ALTORC_VALIDATE_H
#define ALTORC_VALIDATE_H

#include <stdbool.h>

#include "cfg.h"
#include "findings.h"

struct validate_options {
	bool stackval;   /* frame-pointer rules (--stackval) */
	bool uaccess;    /* STAC/CLAC tracking (--uaccess) */
};

/*
 * Walk every function and hint; record each instruction's state.  Returns
 * the number of warnings (each added to fs), or -1 with cfg->err set.
 */
int validate_run(struct cfg *cfg, struct findings *fs, const struct validate_options *opts);

/* Report the first instruction no path reached (unless it is expected padding). */
int validate_reachable(struct cfg *cfg, struct findings *fs);

#endif
