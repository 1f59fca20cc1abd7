/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: the warnings validation produces, kept as data so that every
 * output format (objtool-shaped text, JSON, SARIF) is rendered from one list.
 */
#ifndef ALTORC_FINDINGS_H
#define ALTORC_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "objfile.h"

struct finding {
	const char *kind;        /* stable rule id, e.g. "stack-state-mismatch" */
	char *section;           /* NULL when the finding has no location */
	uint64_t offset;
	char *location;          /* "func+0x12" or "section+0x12" */
	char *function;          /* NULL outside functions */
	char *message;
	size_t func_index;       /* symbol index of the function, when function is set */
};

struct findings {
	const char *file;
	struct finding *items;
	size_t nr, cap;
	int echo;                /* print each finding on stderr as it is added */
	const char *tool_name;   /* "objtool" by default, as kbuild habits expect */
	/*
	 * Echo only what the reference objtool would print, in its exact shape
	 * (kbuild mode): altorc's own extra findings and detail lines are kept
	 * in the list but not printed.
	 */
	int reference_only;
	/*
	 * How many findings name each function symbol (by symbol index,
	 * allocated on the first one): 6.12's one-warning-per-function rule
	 * asks it in constant time.
	 */
	uint32_t *per_func;
	size_t nr_per_func;
};

/* Is this kind of finding one the reference objtool also reports? */
int findings_kind_in_reference(const char *kind);

void findings_init(struct findings *fs, const char *file, int echo);
void findings_free(struct findings *fs);

/* Add a finding at sec+off (sec may be NULL); printed at once when echo is set. */
void findings_add(struct findings *fs, const char *kind, struct objsec *sec, uint64_t off,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* How many findings so far name function fn (0 for NULL). */
unsigned findings_count_in_func(const struct findings *fs, const struct objsym *fn);

/* Remove the last finding (not printed again; it may have been echoed). */
void findings_drop_last(struct findings *fs);

/* The objtool-shaped line: "FILE: warning: objtool: LOC: message". */
void findings_print_text(const struct findings *fs, const struct finding *f, void *stream);

#endif
