/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error values shared by every layer of altorc.
 *
 * Functions that can fail return 0 on success and -1 on failure, after
 * filling a caller-owned struct ao_error (never a global), in the manner of
 * elfutils: a code to branch on and a message to print.  Only main() turns
 * a status into an exit code.
 */
#ifndef ALTORC_AO_ERROR_H
#define ALTORC_AO_ERROR_H

#include <stddef.h>

enum ao_status {
	AO_OK = 0,
	AO_ERR_IO,          /* open/read/write/rename failed */
	AO_ERR_FORMAT,      /* malformed or inconsistent input */
	AO_ERR_UNSUPPORTED, /* valid input we do not handle (e.g. not ET_REL) */
	AO_ERR_NOMEM,
	AO_ERR_USAGE,       /* bad command-line arguments */
	AO_ERR_ANALYSIS,    /* the analysis itself gave up (internal limit) */
	AO_ERR_STOPPED,     /* where the reference gives up with a warning and writes nothing */
	AO_ERR_GAVE_UP,     /* the same, where the reference also fails the run (exit 255) */
};

#define AO_ERROR_MAX 1024

struct ao_error {
	enum ao_status status;
	char message[AO_ERROR_MAX];
};

/* Record an error; always returns -1 so callers can `return ao_fail(...)`. */
int ao_fail(struct ao_error *err, enum ao_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear an error holder. */
void ao_error_clear(struct ao_error *err);

/* Human-readable name of a status ("format error", ...). */
const char *ao_status_name(enum ao_status status);

/* Allocation helpers that record AO_ERR_NOMEM in err on failure. */
void *ao_calloc(struct ao_error *err, size_t nmemb, size_t size);
void *ao_reallocarray(struct ao_error *err, void *ptr, size_t nmemb, size_t size);
/*
 * Ask for huge pages under a large array about to be filled from start to
 * end (a hint: nothing changes when the kernel declines).  Thousands of
 * page faults become a few, and the passes that stream the array miss the
 * TLB less.
 */
void ao_advise_huge(void *p, size_t size);

/* Print msg as the command-line tool's error line on stderr ("altorc: msg"). */
void ao_report_error(const char *msg);

#endif
