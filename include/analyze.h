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
#include "kernel.h"
#include "orc.h"
#include "validate.h"

struct analyze_options {
	/*
	 * cfg.kernel, when set, is the row to use; else it is chosen per object
	 * from the evidence kernel_choose() reads, with these hints.
	 */
	struct cfg_options cfg;
	struct kernel_hints kernel;
	bool verbose;                 /* say on stderr which kernel rules were chosen, and why */
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

/* Run fn(arg) with a stack deep enough for path recursion (ao_call_on_big_stack()). */
int analyze_on_big_stack(int (*fn)(void *), void *arg);

/*
 * An analysed object kept open for inspection (explain, cfg, check --cfi):
 * the CFG with every instruction's validated state.  Release with
 * analyze_close().
 */
struct analysis {
	struct objfile *file;
	struct cfg cfg;
	enum orc_format orc_format;   /* the format analyze_file would write */
};

/*
 * Like analyze_file() without writing: returns the number of findings
 * (>= 0) with *an ready to inspect, or -1 (err set; nothing to close).
 */
int analyze_open(const char *path, const struct analyze_options *opts, struct findings *fs,
		 struct analysis *an, struct ao_error *err);
/* The same on an object already open; f is the analysis' from then on, whatever the outcome. */
int analyze_opened(struct objfile *f, const struct analyze_options *opts, struct findings *fs,
		   struct analysis *an, struct ao_error *err);
/*
 * analyze_opened() in its two halves, for a caller with work to start in
 * between (cmd/objtool.c starts the sites beside validation): the CFG, 0 or
 * -1 (err set, an closed); then validation, with the same err, the number
 * of findings or -1 (err set, an still open: analyze_close() it).
 */
int analyze_build(struct objfile *f, const struct analyze_options *opts, struct findings *fs,
		  struct analysis *an, struct ao_error *err);
int analyze_validate(struct analysis *an, const struct analyze_options *opts, struct findings *fs,
		     struct ao_error *err);
void analyze_close(struct analysis *an);

#endif
