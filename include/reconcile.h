/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reconciliation of the sides of an alternative site by byte offset
 * (reconcile.c).  Every side (the original range and each replacement)
 * records the state it has at each of its instruction boundaries in the
 * site's shared per-offset array; where two sides have a boundary at the
 * same offset, their states must agree, or the unwinder would read a wrong
 * frame after the kernel patches one side over the other.
 */
#ifndef ALTORC_RECONCILE_H
#define ALTORC_RECONCILE_H

#include <stddef.h>

#include "cfg.h"
#include "findings.h"
#include "orc.h"

/*
 * Called by validation each time it records insn's state.  Returns 0, or 1
 * after adding one warning to fs (validation then stops that function).
 */
int reconcile_on_visit(struct cfg *cfg, struct findings *fs, struct instr *insn);

/*
 * Name one side of a site for reports: "original", "replacement 2 (feature
 * 9*32+20, not; .altinstructions entry 7)", or a paravirt template.
 */
void reconcile_describe_side(const struct cfg *cfg, const struct alt_group *g, char *buf,
			     size_t size);

/* ---- views for reports (altorc alternatives) ---- */

/* One instruction of one side of a site, with the validated states around it. */
struct side_step {
	const struct instr *insn;
	uint32_t off;                 /* in the site */
	bool padding;                 /* NOP padding after a short replacement */
	bool reached;                 /* validation visited it (states below are set) */
	struct stack_state before, after;
};

/* The replacement side made from .altinstructions entry number index, or NULL. */
const struct alt_group *reconcile_entry_side(const struct cfg *cfg, size_t index);

/* The steps of side g (at most max); returns how many. */
size_t reconcile_side_steps(const struct cfg *cfg, const struct alt_group *g,
			    struct side_step *steps, size_t max);

/*
 * Offsets of g's site where ORC has an entry only because of a replacement:
 * no original instruction starts there and the merged state encodes
 * differently from the one in effect before it.  Returns how many (at
 * most max are stored).
 */
size_t reconcile_extra_orc(const struct cfg *cfg, const struct alt_group *g, enum orc_format fmt,
			   uint32_t *offs, size_t max);

#endif
