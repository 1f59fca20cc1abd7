/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pool.c's hash and state.c's comparison share: the register tables
 * regs[] and vals[] read as one run of 64-bit words, a reg_loc per word
 * with its padding masked off, so that neither needs a branch per register.
 * The layout this relies on is checked once, here.
 */
#ifndef ALTORC_STACK_PRIV_H
#define ALTORC_STACK_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stack_state.h"

_Static_assert(sizeof(struct reg_loc) == 8 && offsetof(struct reg_loc, base) == 0 &&
	       sizeof(((struct reg_loc *)0)->base) == 2 && offsetof(struct reg_loc, offset) == 4,
	       "a reg_loc word: base in bytes 0-1, offset in bytes 4-7");
_Static_assert(offsetof(struct stack_state, vals) ==
	       offsetof(struct stack_state, regs) + NR_CFI_REGS * sizeof(struct reg_loc),
	       "regs[] and vals[] are read as one run");

/* The bytes of a reg_loc word that hold base and offset. */
#define REG_LOC_MASK 0xffffffff0000ffffull

/* Words in the run (even: they are read two at a time). */
#define NR_REG_LOC_WORDS (2 * NR_CFI_REGS)
_Static_assert(NR_REG_LOC_WORDS % 2 == 0, "the run is read two words a step");

/* Words i and i + 1 of s's run, unmasked. */
static inline void reg_loc_words(const struct stack_state *s, unsigned i, uint64_t w[2])
{
	memcpy(w, (const unsigned char *)s + offsetof(struct stack_state, regs) +
		  i * sizeof(struct reg_loc), 2 * sizeof(uint64_t));
}

#endif
