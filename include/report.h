/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rendering for people and tools: JSON pieces shared by the commands, and
 * the findings of many files as JSON (report/json.c) or SARIF 2.1.0
 * (report/sarif.c).
 */
#ifndef ALTORC_REPORT_H
#define ALTORC_REPORT_H

#include <stdio.h>

#include "cfi_check.h"
#include "findings.h"
#include "json_writer.h"
#include "orc.h"
#include "stack_state.h"

/* ---- shared pieces -------------------------------------------------- */

/* Register names as `objtool --dump=orc` prints them: "sp", "bp", "undefined"... */
const char *report_orc_reg_name(unsigned reg);
/* Entry type as the dump prints it: "call", "regs", "regs (partial)", "undefined", "end". */
const char *report_orc_type_name(enum orc_format fmt, const struct orc_entry *e);
/* Name of a stack-model base: "rsp", "rbp", "undefined", "cfa", "rsp-indirect"... */
const char *report_base_name(int base);

struct instr;
struct arch_decoder;
/*
 * An instruction as objdump prints it, plus "  # sym+0xadd" when a
 * relocation patches it (in a .o, branch and call targets are relocations).
 */
void report_insn_text(const struct arch_decoder *dec, const struct instr *i, char *buf,
		      size_t size);

/* {cfa_base, cfa_offset, saved: {rbp: -16, ...}, type, text} or null. */
void report_json_state(struct json_writer *w, const struct stack_state *s);
/* {type, sp_reg, sp_offset, bp_reg, bp_offset, ..., text} or null. */
void report_json_orc(struct json_writer *w, enum orc_format fmt, const struct orc_entry *e);

/* ---- findings of many files --------------------------------------- */

/* Where DWARF puts a finding (file NULL when unknown). */
struct report_source {
	char *file;
	unsigned line;
};

struct report_file {
	const char *path;
	struct findings fs;
	struct report_source *sources;   /* [fs.nr], or NULL */
	int result;                      /* number of findings, or -1: unusable */
	char *error;                     /* when result < 0 */
	struct cfi_summary *cfi;         /* with --cfi, else NULL */
};

void report_file_free(struct report_file *rf);

/*
 * {"files": [...], "findings": [{file, section, offset, location, function,
 * kind, message, source}], "cfi": {...}}.  Returns 0 or -1 on a write error.
 */
int report_json(FILE *out, const struct report_file *files, size_t nr);

/* A SARIF 2.1.0 log with one run; rules are the finding kinds. */
int report_sarif(FILE *out, const struct report_file *files, size_t nr);

#endif
