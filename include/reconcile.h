/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reconciliation of the sides of an alternative site by byte offset
 * (validate/reconcile.c).  Every side (the original range and each replacement)
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

/* The original side of g's site (g itself when g is the original). */
const struct alt_group *reconcile_site_of(const struct alt_group *g);
/* The instruction of side g that starts off bytes into the site, or NULL. */
struct instr *reconcile_side_at(const struct alt_group *g, uint64_t off);

#endif
