/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the suites that look inside the analysis (test_cfg.c,
 * test_validate.c, test_reconcile.c): assemble a fixture, build its CFG
 * through the public passes, optionally validate it, and find instructions
 * and findings by symbol.  Every lookup asserts, so a missing instruction
 * fails the test at the line that asked for it.
 */
#ifndef ALTORC_UNIT_CFG_H
#define ALTORC_UNIT_CFG_H

#include "cfg.h"
#include "findings.h"
#include "validate.h"

struct unit_cfg {
	struct objfile *file;
	struct cfg cfg;
	struct ao_error err;
	struct findings fs;
};

/* Kernel rules for unit_cfg_open(). */
enum unit_kernel { UNIT_6_1, UNIT_6_12 };

/* Assemble fixtures/NAME.S and build its CFG under k's rules (as `altorc check`). */
void unit_cfg_open(struct unit_cfg *u, const char *fixture, enum unit_kernel k);
/* The same, expecting cfg_build() to refuse the object; returns its message. */
const char *unit_cfg_refused(struct unit_cfg *u, const char *fixture, enum unit_kernel k);
/*
 * validate_run() with no optional checks; returns its warning count: the
 * reference's count, so not always u->fs.nr (6.12 counts a function's later
 * warnings without printing them; altorc's own findings are not counted).
 */
int unit_cfg_validate(struct unit_cfg *u);
void unit_cfg_close(struct unit_cfg *u);

/* The symbol called name (asserted to exist). */
struct objsym *unit_sym(struct unit_cfg *u, const char *name);
/* The code section called name (asserted to be decoded). */
struct code_section *unit_csec(struct unit_cfg *u, const char *name);
/* The instruction at sym+off, or at section+off when sym names a section. */
struct instr *unit_insn(struct unit_cfg *u, const char *sym, uint64_t off);

/* Finding i must be kind, at location loc (NULL: none), with a message starting msg. */
void unit_expect_finding(const struct unit_cfg *u, size_t i, const char *kind, const char *loc,
			 const char *msg);

/* insn's recorded state must have CFA base+off. */
#define ck_state_cfa(insn, b, o) do { \
	const struct stack_state *s_ = (insn)->state; \
	ck_assert_msg(s_ != NULL, "no state at +0x%llx", (unsigned long long)(insn)->offset); \
	ck_assert_int_eq(s_->cfa.base, (b)); \
	ck_assert_int_eq(s_->cfa.offset, (o)); \
} while (0)

/* Register r of insn's recorded state saved at base+off. */
#define ck_state_reg(insn, r, b, o) do { \
	const struct stack_state *s_ = (insn)->state; \
	ck_assert(s_ != NULL); \
	ck_assert_int_eq(s_->regs[r].base, (b)); \
	ck_assert_int_eq(s_->regs[r].offset, (o)); \
} while (0)

#endif
