/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences an unwinder would see between two objects' ORC tables
 * (objtool/orc/diff.c): what `altorc orc diff` prints, as data.
 */
#ifndef ALTORC_ORC_DIFF_H
#define ALTORC_ORC_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "orc.h"

/* One side of the comparison: the object, its table and the raw entries. */
struct orc_side {
	struct objfile *f;
	struct orc_table t;
	enum orc_format fmt;
	bool guessed;             /* the entries could not tell the format (v2 assumed) */
	const uint8_t *raw;       /* .orc_unwind bytes: row i is raw + 6 * i */
	uint8_t *raw_copy;        /* raw, when placing rows reordered it (owned) */
	bool placed;              /* an object's rows put where the other side's image has them */
};

/* A paravirt site range of the --pv-extras object. */
struct orc_pv_site {
	const char *sec;
	uint64_t start;
	unsigned int len;
};

struct orc_diff {
	struct orc_side a, b;
	struct orc_pv_site *pv;
	size_t nr_pv, cap_pv;
	size_t mismatches, points, extras;   /* the verdict, after orc_diff_run() */
	size_t unplaced;          /* object entries in sections the image does not hold */
};

/* One offset where the two lookups disagree, named as orc-compare names it. */
struct orc_difference {
	const char *sec;
	uint64_t offset;
	const char *func;         /* " (func+0x12)" from A's symbols (B's without the section), or "" */
	const char *a, *b;        /* each entry as --dump=orc prints it, or "(none)" */
	uint64_t addr;            /* the address, when a side is a linked image; else 0 */
};

typedef void (*orc_diff_report_fn)(void *ctx, const struct orc_difference *d);

void orc_diff_init(struct orc_diff *d);
/* Open side 0 (A) or 1 (B) and read its table; -1 with err set. */
int orc_diff_open_side(struct orc_diff *d, int which, const char *path, enum orc_format forced,
		       struct ao_error *err);
/*
 * Skip (and count as extras) offsets strictly inside the .parainstructions
 * sites of path (a pre-objtool object): the 16-byte entries' absolute
 * pointer at +0 and length byte at +9, as orc-compare reads them.
 */
int orc_diff_read_pv(struct orc_diff *d, const char *path, struct ao_error *err);
/*
 * Compare every section; fn gets each difference in section-name, offset
 * order.  When one side is a linked image (vmlinux) and the other an
 * object (vmlinux.o), the object's rows are first carried to the image's
 * addresses (orc_side_place()).  In a linked image, and for rows placed
 * into one, a section terminator gives way to a real entry at its address,
 * as in the kernel's sorted table.
 */
int orc_diff_run(struct orc_diff *d, orc_diff_report_fn fn, void *ctx, struct ao_error *err);
void orc_diff_free(struct orc_diff *d);

/*
 * objtool/orc/place.c: move the object side s's rows to the sections and
 * offsets of image where ld put them (s->raw must be writable: raw_copy).
 * Rows of sections the image does not hold are dropped and counted.
 */
int orc_side_place(struct orc_side *s, struct objfile *image, size_t *unplaced,
		   struct ao_error *err);

#endif
