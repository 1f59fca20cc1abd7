/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cross-check of altorc's stack model against the compiler's own DWARF
 * call-frame information (.debug_frame, else .eh_frame), read with
 * libdwarf (validate/cfi_check.c).  At every instruction that an FDE covers and that
 * validation reached, the CFA rule of both is compared.
 */
#ifndef ALTORC_CFI_CHECK_H
#define ALTORC_CFI_CHECK_H

#include <stdint.h>

#include "cfg.h"
#include "findings.h"

enum cfi_class {
	CFI_AGREE = 0,
	CFI_EQUIVALENT,          /* different base register holding the same value (DRAP setup) */
	CFI_CFA_OFFSET,          /* same base register, different offset */
	CFI_CFA_REGISTER,        /* different base register */
	CFI_ALTORC_UNDEFINED,    /* altorc has no CFA where DWARF has one */
	CFI_DWARF_UNDEFINED,     /* DWARF has no usable rule where altorc has a CFA */
	CFI_DWARF_EXPRESSION,    /* DWARF gives the CFA as an expression (DRAP) */
	CFI_NR_CLASSES,
};

struct cfi_summary {
	const char *frame_section;   /* ".debug_frame", ".eh_frame", or NULL: none */
	uint64_t fdes;
	uint64_t compared;           /* instructions with both an altorc state and a DWARF row */
	uint64_t by_class[CFI_NR_CLASSES];
	uint64_t unreached;          /* covered by an FDE, but no altorc state */
	uint64_t uncovered;          /* in a function, but outside every FDE */
};

/* Stable name of a class ("agree", "cfa-offset", ...). */
const char *cfi_class_name(enum cfi_class c);

/* sum += other (for totals over many files). */
void cfi_summary_add(struct cfi_summary *sum, const struct cfi_summary *other);

/*
 * Compare every covered instruction of cfg (validated) with the object's
 * CFI.  Adds one "cfi-mismatch" finding per function and class, at the first
 * instruction of that class.  Returns the number of findings added, or -1
 * with err set.
 */
int cfi_check(struct cfg *cfg, struct findings *fs, struct cfi_summary *sum,
	      struct ao_error *err);

#endif
