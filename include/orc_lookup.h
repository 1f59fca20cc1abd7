/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ORC entry the kernel's unwinder finds at an address of a linked image
 * (vmlinux), found the way arch/x86/kernel/unwind_orc.c finds it: through
 * the .orc_lookup block table for addresses in _stext.._etext, by a binary
 * search of the whole table for .init.text (objtool/orc/lookup.c).
 */
#ifndef ALTORC_ORC_LOOKUP_H
#define ALTORC_ORC_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "orc.h"

/* The kernel's block size for .orc_lookup: one slot per 256 bytes of text. */
#define ORC_LOOKUP_BLOCK 256u

struct orc_image {
	struct objfile *f;
	enum orc_format fmt;
	struct orc_table t;          /* rows in .orc_unwind_ip order, row.addr set */
	bool sorted;                 /* addresses never go down (sorttable ran) */
	size_t first_unsorted;       /* when !sorted: the first row below its predecessor */
	/* The fast table, as unwind_init() fills it at boot (the file holds zeros). */
	bool has_lookup;             /* .orc_lookup, _stext and _etext are all there */
	uint64_t text_start, text_end;
	uint32_t *lookup;
	size_t nr_blocks;            /* slots of .orc_lookup, the last one for _etext */
	bool has_inittext;
	uint64_t init_start, init_end;
};

enum orc_lookup_path {
	ORC_LOOKUP_FAST,             /* _stext <= ip < _etext: a block of .orc_lookup */
	ORC_LOOKUP_FULL,             /* .init.text, or no .orc_lookup: the whole table */
	ORC_LOOKUP_NONE,             /* outside both: the kernel finds nothing here */
	ORC_LOOKUP_BAD_BLOCK,        /* the block index is past .orc_lookup (kernel warns) */
};

struct orc_lookup_result {
	enum orc_lookup_path path;
	size_t index;                /* the entry found (FAST, FULL) */
	size_t block;                /* FAST, BAD_BLOCK: the block of ip */
	size_t start, stop;          /* the entry range searched, stop exclusive */
	bool below_all;              /* no entry at or below ip: the range's first is given */
};

/*
 * Read f's ORC (f must be a linked image) and build the fast table as the
 * kernel does at boot.  A .orc_lookup too small for _stext.._etext is an
 * error naming the section and the offset where it ends.
 */
int orc_image_open(struct orc_image *img, struct objfile *f, enum orc_format fmt,
		   struct ao_error *err);
void orc_image_free(struct orc_image *img);

/* The lookup of orc_find() for ip (the caller subtracts 1 for a return address). */
void orc_image_find(const struct orc_image *img, uint64_t ip, struct orc_lookup_result *r);

/*
 * Is e the weak kind of entry that sorttable and the kernel's module sort
 * put first among entries at one address (a section terminator): v1 no CFA
 * and no end bit, v2 type UNDEFINED?
 */
bool orc_entry_is_weak(enum orc_format fmt, const struct orc_entry *e);

/*
 * What unwind_next_frame() does with an entry, in words: where the caller's
 * frame starts (the CFA: the stack pointer before the call), where the
 * return address (or the interrupted registers) and the caller's rbp are
 * read, or why the unwinder stops.  Each field is one short sentence; an
 * empty one does not apply.
 */
struct orc_frame_text {
	char verdict[96];            /* "continues", "stops: end of stack", ... */
	char cfa[128];
	char ip[160];
	char bp[128];
	char next[128];              /* how the caller's own lookup is made */
};

void orc_frame_describe(enum orc_format fmt, const struct orc_entry *e,
			struct orc_frame_text *out);

#endif
