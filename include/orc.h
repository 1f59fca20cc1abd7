/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ORC unwind entries: the in-memory form and the two on-disk encodings
 * (v1: kernels up to 6.2; v2: 6.3 and later).  See FORMATS.md.
 */
#ifndef ALTORC_ORC_H
#define ALTORC_ORC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "objfile.h"
#include "orc_types.h"

struct orc_entry {
	int16_t sp_offset;
	int16_t bp_offset;
	uint8_t sp_reg;      /* enum orc_reg */
	uint8_t bp_reg;
	uint8_t type;        /* enum orc_type */
	bool end;            /* v1's end bit */
	bool signal;         /* v2's signal bit */
};

/* 6-byte encodings. */
void orc_encode(enum orc_format fmt, const struct orc_entry *e, uint8_t out[6]);
void orc_decode(enum orc_format fmt, const uint8_t in[6], struct orc_entry *e);

/* One line as the reference `objtool --dump=orc` of that format prints it (no newline). */
void orc_format_entry(enum orc_format fmt, const struct orc_entry *e, char *buf, size_t size);

/*
 * The format of an object's existing ORC: from .orc_header when present,
 * else from the entries themselves (see orc/format.c); ORC_FORMAT_AUTO when
 * undecidable.
 */
enum orc_format orc_detect_format(struct objfile *f);

/* An ORC table located in an object: (section, offset) -> entry. */
struct orc_row {
	struct objsec *sec;
	uint64_t offset;
	uint64_t addr;          /* the address, in a linked image (f->linked); else 0 */
	struct orc_entry entry;
};

struct orc_table {
	struct orc_row *rows;   /* in .orc_unwind_ip order */
	size_t nr;
};

/*
 * Read .orc_unwind_ip/.orc_unwind; an object without them gives nr == 0.
 * A linked image's entries are PC-relative values; a relocatable object's
 * are relocations.
 */
int orc_read_table(struct objfile *f, enum orc_format fmt, struct orc_table *out,
		   struct ao_error *err);
void orc_free_table(struct orc_table *t);

/* The address entry i of a linked image's .orc_unwind_ip (bytes loaded) encodes. */
uint64_t orc_ip_addr(const struct objsec *ip, size_t i);

/* ---- helpers (added by the ORC command; see orc/format.c) ----------- */

/* "v1" / "v2" -> format; false for anything else. */
bool orc_format_parse(const char *s, enum orc_format *out);
const char *orc_format_name(enum orc_format fmt);   /* "v1", "v2", "auto" */

/*
 * The format to read f's entries in: forced unless ORC_FORMAT_AUTO, else
 * detected; v2 when the entries cannot tell, with *guessed set when f has
 * any entry (only entries the two formats share are then present).
 */
enum orc_format orc_choose_format(struct objfile *f, enum orc_format forced, bool *guessed);

/* The detection rule of orc_detect_format() applied to nr raw 6-byte entries. */
enum orc_format orc_detect_entries(const uint8_t *raw, size_t nr);

/*
 * Print f's ORC exactly as the reference `objtool --dump=orc` of format fmt
 * does (fmt must be V1 or V2), one line per .orc_unwind entry.  An object
 * without ORC prints nothing.
 */
int orc_dump(struct objfile *f, enum orc_format fmt, FILE *out, struct ao_error *err);

#endif
