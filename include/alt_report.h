/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alternatives report (objtool/report/alternatives.c): every
 * .altinstructions entry and .parainstructions site of an object, its code,
 * and per branch the stack state after each instruction with the offsets
 * that need extra ORC entries.  The caller reads the tables and runs the
 * analysis; the report renders them as text or JSON.
 */
#ifndef ALTORC_ALT_REPORT_H
#define ALTORC_ALT_REPORT_H

#include <stdio.h>

#include "arch_decode.h"
#include "cfg.h"
#include "json_writer.h"
#include "orc.h"
#include "special.h"

struct alt_report {
	struct objfile *f;
	const struct arch_decoder *dec;
	struct alt_table alts;
	struct pv_table pv;
	/* The validated CFG for the stack effects; NULL when the analysis failed. */
	const struct cfg *cfg;
	enum orc_format orc_format;       /* the format ORC would be generated in */
	char why_no_cfg[AO_ERROR_MAX];    /* why cfg is NULL */
	struct json_writer *json;         /* while alt_report_json() runs */
};

/* The human-readable listing on stdout, with a closing count line. */
void alt_report_text(const struct alt_report *r);
/* One JSON array, an object per site, on out; -1 on a write error. */
int alt_report_json(struct alt_report *r, FILE *out);

#endif
