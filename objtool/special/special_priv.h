/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private helpers of the special-section readers (special_*.c): opening a
 * fixed-stride table, reading all its entries, and resolving their pointer
 * fields through their relocations, with one error per bad entry naming
 * file, table and entry.
 */
#ifndef ALTORC_SPECIAL_RELOC_H
#define ALTORC_SPECIAL_RELOC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/elf.h"
#include "objfile.h"

/*
 * Find table `name`, load its bytes and relocations.  *tab is NULL (and 0
 * returned) when the object has no such section.  When stride is not 0 the
 * size must be a multiple of it.
 */
int special_open_table(struct objfile *f, const char *name, uint64_t stride,
		       struct objsec **tab, struct ao_error *err);

/*
 * How to read a fixed-stride table: what a reader knows about its format.
 * read_entry decodes entry idx of tab into entry (entry_size bytes, zeroed).
 */
struct special_table {
	uint64_t stride;
	const unsigned *fields;    /* the pointer fields, for special_check_stray() */
	size_t nr_fields;
	size_t entry_size;
	int (*read_entry)(struct objsec *tab, size_t idx, void *entry, const void *ctx,
			  struct ao_error *err);
	const void *ctx;           /* handed to read_entry (e.g. the entry layout) */
};

/*
 * Check tab's relocations against t->fields, then decode every entry into a
 * new array for the caller to free (*entries, *nr).  On error nothing is
 * kept: *entries is NULL and *nr 0.
 */
int special_read_entries(struct objsec *tab, const struct special_table *t, void **entries,
			 size_t *nr, struct ao_error *err);

/*
 * special_open_table() with t->stride, then special_read_entries().  An
 * object without the section, or with an empty one, gives no entries.
 */
int special_read_table(struct objfile *f, const char *name, const struct special_table *t,
		       void **entries, size_t *nr, struct ao_error *err);

/* A pointer field of a table entry and what the reader learnt from it. */
struct special_ptr {
	const char *what;          /* "original instruction", "replacement"... */
	unsigned field;            /* offset of the field in the entry */
	uint32_t type;             /* the relocation type it must have */
	const struct objrel *rel;  /* out: NULL when absent and optional */
	struct objsec *sec;        /* out: target section */
	int64_t off;               /* out: target offset in sec */
};

/*
 * Resolve p's relocation in the entry at entry_off.  A missing relocation
 * is an error only when required; a wrong type or a target without a
 * section (undefined, absolute, common symbol) always is.
 */
int special_resolve(struct objsec *tab, uint64_t entry_off, struct special_ptr *p,
		    bool required, struct ao_error *err);

/*
 * Check that p's target and len bytes from it lie inside the target
 * section.  A zero-length range may sit at the very end.
 */
int special_check_range(struct objsec *tab, uint64_t entry_off,
			const struct special_ptr *p, uint64_t len, struct ao_error *err);

/*
 * Reject relocations that patch anything but the pointer fields: such a
 * table was not written by the kernel's macros.
 */
int special_check_stray(struct objsec *tab, uint64_t stride, const unsigned *fields,
			size_t nr_fields, struct ao_error *err);

/* "R_X86_64_PC32" etc., or "type N" for the rest. */
const char *special_rel_name(uint32_t type, char *buf, size_t size);

/* Little-endian loads from a table's bytes (bounds checked by the caller). */
static inline uint16_t special_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t special_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

#endif
