/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole pipeline on one object: open, build the CFG, validate, and
 * optionally generate and write ORC.  Shared by `altorc objtool` and
 * `altorc check`.
 */
#ifndef ALTORC_ANALYZE_H
#define ALTORC_ANALYZE_H

#include <stdbool.h>

#include "cfg.h"
#include "findings.h"
#include "orc.h"
#include "validate.h"

struct analyze_options {
	struct cfg_options cfg;
	struct validate_options validate;
	enum orc_format orc_format;   /* AUTO: from the object, else from kernel rules */
	bool write_orc;               /* rewrite the object with the generated ORC */
};

/*
 * Returns the number of findings (>= 0) or -1 when the input is unusable
 * (err names file, section and offset).
 */
int analyze_file(const char *path, const struct analyze_options *opts, struct findings *fs,
		 struct ao_error *err);

/* Run fn(arg) on a thread with a stack deep enough for path recursion. */
int analyze_on_big_stack(int (*fn)(void *), void *arg);

#endif
