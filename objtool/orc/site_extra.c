// SPDX-License-Identifier: GPL-2.0
/*
 * The ORC entries an alternative site needs only because of a replacement:
 * offsets inside the site where no original instruction starts but the
 * merged state encodes differently from the one before it (the RIP+1 and
 * RIP+2 entries of a patched `pushf; pop %rax`).  Reports list them.
 */
#include <string.h>

#include "orc_gen.h"
#include "reconcile.h"

static bool same_orc(enum orc_format fmt, const struct stack_state *a, const struct stack_state *b)
{
	struct orc_entry ea, eb;

	if (!a || !b)
		return a == b;
	if (orc_entry_from_state(fmt, a, &ea) || orc_entry_from_state(fmt, b, &eb))
		return false;
	return !memcmp(&ea, &eb, sizeof(ea));
}

size_t orc_site_extra_entries(const struct cfg *cfg, const struct alt_group *g, enum orc_format fmt,
			   uint32_t *offs, size_t max)
{
	const struct alt_group *og = reconcile_site_of(g);
	const struct stack_state *prev = NULL;
	size_t n = 0;

	/* 6.1 ALTERNATIVE_2: only the last entry's array reaches ORC (orc/gen.c) */
	if (!og->first || cfg_alt_group(og->first) != og)
		return 0;
	for (uint32_t k = 0; k < og->len; k++) {
		const struct stack_state *st = g->states[k];

		if (!st)
			continue;
		if (k && !reconcile_side_at(og, k) && !same_orc(fmt, prev, st)) {
			if (n < max)
				offs[n] = k;
			n++;
		}
		prev = st;
	}
	return n;
}
