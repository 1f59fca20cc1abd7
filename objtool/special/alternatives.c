// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of .altinstructions: one entry per patch site, pointing at the
 * original code and at its replacement in .altinstr_replacement.
 *
 * The entry grew from 12 to 14 bytes in 6.3 (the feature word became 32
 * bits with flags above the cpuid bit) and the section carries no entry
 * size, so the layout is inferred from where the relocations sit.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "arch/elf.h"
#include "special.h"
#include "special_priv.h"

#define ALT_V1_SIZE 12
#define ALT_V2_SIZE 14

/* Field offsets shared by both layouts; the lengths move with the feature. */
#define ALT_ORIG_FIELD 0
#define ALT_REPL_FIELD 4
#define ALT_FEATURE_FIELD 8

#define ALT_V1_NOT_BIT 0x8000u

static unsigned alt_stride(enum alt_layout layout)
{
	return layout == ALT_LAYOUT_V1 ? ALT_V1_SIZE : ALT_V2_SIZE;
}

/*
 * Does the table look like `stride`-byte entries?  Every entry starts with
 * the original-code relocation and every relocation is one of the two
 * pointer fields; the section size is a whole number of entries.
 */
static bool alt_stride_fits(const struct objsec *tab, unsigned stride)
{
	uint64_t next_entry = 0;

	if (tab->size % stride)
		return false;
	for (size_t i = 0; i < tab->nr_rels; i++) {
		uint64_t off = tab->rels[i].offset;
		uint64_t in_entry = off % stride;

		if (in_entry != ALT_ORIG_FIELD && in_entry != ALT_REPL_FIELD)
			return false;
		if (in_entry == ALT_ORIG_FIELD) {
			if (off != next_entry)
				return false;
			next_entry += stride;
		}
	}
	return next_entry == tab->size;
}

static int alt_detect_layout(struct objsec *tab, enum alt_layout *layout,
			     struct ao_error *err)
{
	bool v1 = alt_stride_fits(tab, ALT_V1_SIZE);
	bool v2 = alt_stride_fits(tab, ALT_V2_SIZE);

	/* Relocations decide; the size alone decides when they do not. */
	if (v1 != v2) {
		*layout = v1 ? ALT_LAYOUT_V1 : ALT_LAYOUT_V2;
		return 0;
	}
	v1 = tab->size % ALT_V1_SIZE == 0;
	v2 = tab->size % ALT_V2_SIZE == 0;
	if (v1 != v2) {
		/* Validation of that layout will name the bad entry. */
		*layout = v1 ? ALT_LAYOUT_V1 : ALT_LAYOUT_V2;
		return 0;
	}
	if (!v1)
		return objf_fail(tab->file, err, tab, 0,
				 "section size 0x%" PRIx64 " fits no entry layout "
				 "(12-byte 6.1 or 14-byte 6.3+ entries)", tab->size);
	return objf_fail(tab->file, err, tab, 0,
			 "cannot tell the entry layout: relocations fit neither 12- nor "
			 "14-byte entries; use --layout");
}

/* Feature number and flags of the entry at p, per layout. */
static void alt_decode_feature(const uint8_t *p, enum alt_layout layout,
			       struct alt_entry *e)
{
	if (layout == ALT_LAYOUT_V1) {
		uint16_t word = special_le16(p + ALT_FEATURE_FIELD);

		e->feature = word & (uint16_t)~ALT_V1_NOT_BIT;
		e->flags = (word & ALT_V1_NOT_BIT) ? ALT_FLAG_NOT : 0;
		e->orig_len = p[10];
		e->repl_len = p[11];
	} else {
		uint32_t word = special_le32(p + ALT_FEATURE_FIELD);

		e->feature = (uint16_t)(word & 0xffff);
		e->flags = (uint16_t)(word >> 16);
		e->orig_len = p[12];
		e->repl_len = p[13];
	}
}

/* ctx points at the table's enum alt_layout. */
static int alt_read_entry(struct objsec *tab, size_t idx, void *entry, const void *ctx,
			  struct ao_error *err)
{
	enum alt_layout layout = *(const enum alt_layout *)ctx;
	struct alt_entry *e = entry;
	uint64_t off = (uint64_t)idx * alt_stride(layout);
	struct special_ptr orig = {
		.what = "original instruction", .field = ALT_ORIG_FIELD, .type = ARCH_RELOC_PC32
	};
	struct special_ptr repl = {
		.what = "replacement", .field = ALT_REPL_FIELD, .type = ARCH_RELOC_PC32
	};

	e->index = idx;
	e->entry_offset = off;
	alt_decode_feature(tab->data + off, layout, e);

	if (special_resolve(tab, off, &orig, true, err) < 0 ||
	    special_check_range(tab, off, &orig, e->orig_len, err) < 0)
		return -1;
	e->orig_sec = orig.sec;
	e->orig_off = (uint64_t)orig.off;

	/* An empty replacement (the original becomes NOPs) needs no target. */
	if (special_resolve(tab, off, &repl, e->repl_len != 0, err) < 0)
		return -1;
	if (repl.rel) {
		if (special_check_range(tab, off, &repl, e->repl_len, err) < 0)
			return -1;
		e->repl_sec = repl.sec;
		e->repl_off = (uint64_t)repl.off;
	}
	return 0;
}

int special_read_alternatives(struct objfile *f, enum alt_layout layout,
			      struct alt_table *out, struct ao_error *err)
{
	static const unsigned fields[] = { ALT_ORIG_FIELD, ALT_REPL_FIELD };
	struct special_table table = {
		.fields = fields, .nr_fields = 2, .entry_size = sizeof(struct alt_entry),
		.read_entry = alt_read_entry, .ctx = &layout,
	};
	struct objsec *tab;
	void *entries;
	int ret;

	out->entries = NULL;
	out->nr = 0;
	out->layout = layout == ALT_LAYOUT_AUTO ? ALT_LAYOUT_V2 : layout;
	if (special_open_table(f, ".altinstructions", 0, &tab, err) < 0)
		return -1;
	if (!tab || !tab->size)
		return 0;

	if (layout == ALT_LAYOUT_AUTO && alt_detect_layout(tab, &layout, err) < 0)
		return -1;
	out->layout = layout;
	if (tab->size % alt_stride(layout))
		return objf_fail(f, err, tab, 0,
				 "section size 0x%" PRIx64 " is not a multiple of the %u-byte "
				 "%s entry", tab->size, alt_stride(layout),
				 layout == ALT_LAYOUT_V1 ? "v1 (6.1)" : "v2 (6.3+)");
	table.stride = alt_stride(layout);
	ret = special_read_entries(tab, &table, &entries, &out->nr, err);
	out->entries = entries;
	return ret;
}

int special_alt_layout(struct objfile *f, enum alt_layout *out, struct ao_error *err)
{
	struct objsec *tab;

	*out = ALT_LAYOUT_AUTO;
	if (special_open_table(f, ".altinstructions", 0, &tab, err) < 0)
		return -1;
	if (!tab || !tab->size)
		return 0;
	return alt_detect_layout(tab, out, err);
}

void special_free_alternatives(struct alt_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->nr = 0;
}
