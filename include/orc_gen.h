/* SPDX-License-Identifier: GPL-2.0 */
/* ORC generation from validated states (orc/gen.c) and writing it (orc/write.c). */
#ifndef ALTORC_ORC_GEN_H
#define ALTORC_ORC_GEN_H

#include "cfg.h"
#include "orc.h"

struct orc_gen_entry {
	struct objsec *sec;
	uint64_t offset;
	uint8_t raw[6];      /* encoded in the chosen format */
};

struct orc_gen_table {
	enum orc_format format;
	struct orc_gen_entry *entries;
	size_t nr, cap;
};

/* The state -> entry mapping of the given format; -1 when the state has no ORC form. */
int orc_entry_from_state(enum orc_format fmt, const struct stack_state *st, struct orc_entry *out);

/*
 * Offsets of g's site where ORC has an entry only because of a replacement
 * (site_extra.c): no original instruction starts there and the merged
 * state encodes differently from the one in effect before it.  Returns
 * how many (at most max are stored).
 */
size_t orc_site_extra_entries(const struct cfg *cfg, const struct alt_group *g,
			      enum orc_format fmt, uint32_t *offs, size_t max);

/* One entry wherever the unwinder's answer changes, plus section terminators. */
int orc_generate(struct cfg *cfg, enum orc_format fmt, struct orc_gen_table *out);
void orc_gen_free(struct orc_gen_table *t);

/* Add .orc_unwind, .orc_unwind_ip and .rela.orc_unwind_ip to the file (atomically). */
int orc_write(struct objfile *f, const struct orc_gen_table *t, const struct objf_patch *patches,
	      size_t nr_patches, struct ao_error *err);

#endif
