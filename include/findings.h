/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: the warnings validation produces, kept as data so that every
 * output format (objtool-shaped text, JSON, SARIF) is rendered from one list.
 */
#ifndef ALTORC_FINDINGS_H
#define ALTORC_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objfile.h"

struct finding {
	const char *kind;        /* a rule's readable name, e.g. "stack-state-mismatch" */
	char *section;           /* NULL when the finding has no location */
	uint64_t offset;
	int64_t file_offset;     /* the byte of the object file at offset, or -1 */
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
	/*
	 * A validation thread's own list: echoes go to echo_stream (NULL:
	 * stderr) to be replayed in order, and the one-warning-per-function
	 * rule also counts what base (the list before the threads) holds.
	 */
	void *echo_stream;
	const struct findings *base;
};

/*
 * One kind of finding (finding_rules.c holds the table, the one place that
 * says what a kind is).  The readable name is what findings carry and JSON
 * prints; SARIF identifies rules by the opaque id, which never changes.
 */
struct finding_rule {
	const char *id;            /* "AO1001": stable, opaque */
	const char *name;          /* "stack-state-mismatch" */
	bool in_reference;         /* the reference objtool reports this kind too */
	const char *level;         /* SARIF level: "error", "warning" or "note" */
	const char *summary;       /* one line */
	const char *description;   /* what it means and why it matters */
	const char *help_uri;
};

/* Every rule, in id order. */
const struct finding_rule *findings_rules(size_t *nr);
/* The rule of a kind; unknown kinds (and NULL) get the "internal" rule. */
const struct finding_rule *findings_rule(const char *kind);
/* Is this kind of finding one the reference objtool also reports? */
int findings_kind_in_reference(const char *kind);

void findings_init(struct findings *fs, const char *file, int echo);
void findings_free(struct findings *fs);

/* Add a finding at sec+off (sec may be NULL); printed at once when echo is set. */
void findings_add(struct findings *fs, const char *kind, struct objsec *sec, uint64_t off,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* How many findings so far name function fn (0 for NULL). */
unsigned findings_count_in_func(const struct findings *fs, const struct objsym *fn);

/*
 * Move every finding of src to the end of dst, in order, counting them per
 * function in dst; src is left empty (still to be freed).
 */
void findings_take(struct findings *dst, struct findings *src);

/* Where echoes of fs go: its echo_stream, else stderr. */
void *findings_echo_stream(const struct findings *fs);

/* Remove the last finding (not printed again; it may have been echoed). */
void findings_drop_last(struct findings *fs);

/* The objtool-shaped line: "FILE: warning: objtool: LOC: message". */
void findings_print_text(const struct findings *fs, const struct finding *f, void *stream);

#endif
