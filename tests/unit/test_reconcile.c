// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of alternative-site reconciliation (objtool/validate/reconcile.c)
 * through include/reconcile.h, on the fixtures the alternatives script
 * also runs (tests/fixtures/alt2_*.S):
 *  - alt2_pushf: pushf; pop %rax over a 6-byte call.  Per byte offset of
 *    the site: +0 cfa=rsp+8 (both sides), +1 rsp+16 (after pushf), +2
 *    rsp+8 again (the padding); +3..+5 have no boundary.  The reference
 *    objtool 6.1's --dump=orc of it is .text+0 sp+8, +1 sp+16, +2 sp+8,
 *    +8 sp+16 bp:prevsp-16, +b bp+16, +14 sp+8, +15 undefined: the
 *    framed site at +0xc needs no extra entry, its CFA being on rbp.
 *  - alt2_conflict(_612): the sides disagree at +1 (rsp+8 after the
 *    replacement's nop, rsp+16 after the original's push).  objtool 6.1
 *    prints "f_conflict+0x1: stack layout conflict in alternatives",
 *    6.12 "f_conflict+0x0: stack layout conflict in alternatives:
 *    f_conflict+0x1".
 *  - alt2_exit: the replacement leaves rsp+16; objtool 6.1 prints
 *    "f_exit+0x1: return with modified stack frame".
 *  - rec_boundary: the original changes state at its own boundary +1;
 *    objtool 6.1's rows are .text+0, +1, +2 and it is clean.
 */
#include <stdio.h>
#include <string.h>

#include "orc_gen.h"
#include "reconcile.h"
#include "unit.h"
#include "unit_cfg.h"

static void ck_cfa(const struct stack_state *s, int base, int off)
{
	ck_assert(s != NULL);
	ck_assert_int_eq(s->cfa.base, base);
	ck_assert_int_eq(s->cfa.offset, off);
}

START_TEST(test_pushf_offsets)
{
	struct unit_cfg u;
	const struct alt_group *og, *rg;
	struct stack_state entry;

	unit_cfg_open(&u, "alt2_pushf", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	og = cfg_alt_group(unit_insn(&u, "f_pushf", 0));
	rg = cfg_alt_group(unit_insn(&u, ".altinstr_replacement", 0));
	ck_assert_uint_eq(og->len, 6);
	stack_state_func_entry(&entry);
	ck_assert(stack_state_equal(og->states[0], &entry));
	ck_assert_ptr_eq(og->states[0], unit_insn(&u, "f_pushf", 0)->state);
	ck_cfa(og->states[1], REG_SP, 16);
	ck_cfa(og->states[2], REG_SP, 8);
	ck_assert(stack_state_equal(og->states[2], &entry));
	for (int k = 3; k < 6; k++)
		ck_assert_ptr_null(og->states[k]);
	/* The replacement side wrote into the same array, at its own boundaries. */
	ck_assert_ptr_eq(unit_insn(&u, ".altinstr_replacement", 1)->state, og->states[1]);
	ck_assert_ptr_eq(rg->nop->state, og->states[2]);

	/* The framed site: CFA on rbp all along, rsp moves under it. */
	og = cfg_alt_group(unit_insn(&u, "f_pushf_framed", 5));
	ck_cfa(og->states[0], REG_BP, 16);
	ck_cfa(og->states[1], REG_BP, 16);
	ck_assert_int_eq(og->states[0]->regs[REG_BX].offset, -24);
	ck_assert_int_eq(og->states[1]->regs[REG_BX].offset, -24);
	ck_assert(!stack_state_equal(og->states[0], og->states[1]));   /* 8 more bytes pushed */
	ck_assert(stack_state_equal(og->states[0], og->states[2]));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_pushf_side_steps)
{
	struct unit_cfg u;
	const struct alt_group *rg;
	struct side_step st[8];
	char buf[160];

	unit_cfg_open(&u, "alt2_pushf", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	rg = reconcile_entry_side(&u.cfg, 0);
	ck_assert_ptr_eq(rg, cfg_alt_group(unit_insn(&u, ".altinstr_replacement", 0)));
	ck_assert_ptr_eq(reconcile_entry_side(&u.cfg, 1),
			 cfg_alt_group(unit_insn(&u, ".altinstr_replacement", 2)));
	ck_assert_ptr_null(reconcile_entry_side(&u.cfg, 2));

	ck_assert_uint_eq(reconcile_side_steps(&u.cfg, rg, st, 8), 3);
	ck_assert_uint_eq(st[0].off, 0);
	ck_assert_uint_eq(st[1].off, 1);
	ck_assert_uint_eq(st[2].off, 2);
	ck_assert(!st[0].padding && !st[1].padding && st[2].padding);
	ck_assert(st[0].reached && st[1].reached && st[2].reached);
	ck_cfa(&st[0].before, REG_SP, 8);
	ck_cfa(&st[0].after, REG_SP, 16);
	ck_cfa(&st[1].after, REG_SP, 8);
	ck_cfa(&st[2].after, REG_SP, 8);
	ck_assert_uint_eq(reconcile_side_steps(&u.cfg, rg, st, 2), 2);   /* bounded by max */

	/* X86_FEATURE_XENPV is 8*32+16; ALT_NOT sets bit 15 (6.1 layout). */
	reconcile_describe_side(&u.cfg, rg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "replacement 1 (feature 8*32+16, not; .altinstructions entry 0)");
	reconcile_describe_side(&u.cfg, rg->orig_group, buf, sizeof(buf));
	ck_assert_str_eq(buf, "original");
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_pushf_extra_orc)
{
	static const uint64_t want_off[] = { 0, 1, 2, 8, 0xb, 0x14, 0x15 };
	static const int want_sp[] = { 8, 16, 8, 16, 16, 8, 0 };
	struct unit_cfg u;
	struct orc_gen_table t;
	uint32_t offs[4];
	size_t n = 0;

	unit_cfg_open(&u, "alt2_pushf", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	/* Offsets where only the replacement gives ORC a new row: +1 and +2. */
	ck_assert_uint_eq(orc_site_extra_entries(&u.cfg, reconcile_entry_side(&u.cfg, 0),
					      ORC_FORMAT_V1, offs, 4), 2);
	ck_assert_uint_eq(offs[0], 1);
	ck_assert_uint_eq(offs[1], 2);
	ck_assert_uint_eq(orc_site_extra_entries(&u.cfg, reconcile_entry_side(&u.cfg, 1),
					      ORC_FORMAT_V1, offs, 4), 0);

	/* And the table orc/gen.c builds from these states is the reference's. */
	ck_assert_int_eq(orc_generate(&u.cfg, ORC_FORMAT_V1, &t), 0);
	for (size_t i = 0; i < t.nr; i++) {
		struct orc_entry e;

		if (strcmp(t.entries[i].sec->name, ".text"))
			continue;
		ck_assert_uint_lt(n, 7);
		ck_assert_uint_eq(t.entries[i].offset, want_off[n]);
		orc_decode(ORC_FORMAT_V1, t.entries[i].raw, &e);
		ck_assert_int_eq(e.sp_offset, want_sp[n]);
		ck_assert_int_eq(e.sp_reg, n == 4 ? ORC_REG_BP : n == 6 ? ORC_REG_UNDEFINED : ORC_REG_SP);
		n++;
	}
	ck_assert_uint_eq(n, 7);
	orc_gen_free(&t);
	unit_cfg_close(&u);
}
END_TEST

/* rec_boundary.S: a state change at an original boundary is the original's row, not an extra. */
START_TEST(test_extra_orc_original_boundary)
{
	struct unit_cfg u;
	const struct alt_group *og;
	uint32_t offs[4];

	unit_cfg_open(&u, "rec_boundary", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	og = cfg_alt_group(unit_insn(&u, "f_rec", 0));
	ck_assert_uint_eq(og->len, 2);
	ck_cfa(og->states[0], REG_SP, 8);
	ck_cfa(og->states[1], REG_SP, 16);   /* recorded by the original's pop only */
	ck_assert_uint_eq(orc_site_extra_entries(&u.cfg, reconcile_entry_side(&u.cfg, 0),
					      ORC_FORMAT_V1, offs, 4), 0);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_conflict_6_1)
{
	struct unit_cfg u;
	const struct alt_group *og;

	unit_cfg_open(&u, "alt2_conflict", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 1);
	unit_expect_finding(&u, 0, "alternative-stack-conflict", "f_conflict+0x1",
			    "stack layout conflict in alternatives\n"
			    "  site f_conflict+0x0, offset +1: replacement 1 (feature 3*32+1; "
			    ".altinstructions entry 0) has cfa=rsp+8; original has cfa=rsp+16 rbx=cfa-16");
	ck_assert(findings_kind_in_reference("alternative-stack-conflict"));
	/* The replacement, walked first, owns offset 1. */
	og = cfg_alt_group(unit_insn(&u, "f_conflict", 0));
	ck_cfa(og->states[1], REG_SP, 8);
	ck_cfa(unit_insn(&u, "f_conflict", 1)->state, REG_SP, 16);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_conflict_6_12)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "alt2_conflict_612", UNIT_6_12);
	ck_assert_int_eq(unit_cfg_validate(&u), 1);
	unit_expect_finding(&u, 0, "alternative-stack-conflict", "f_conflict+0x0",
			    "stack layout conflict in alternatives: f_conflict+0x1\n"
			    "  site f_conflict+0x0, offset +1: ");
	ck_assert_uint_eq(u.fs.items[0].offset, 0);
	unit_cfg_close(&u);
}
END_TEST

/* Reconciliation alone: a state that disagrees with the recorded one is a conflict. */
START_TEST(test_conflict_on_visit)
{
	struct unit_cfg u;
	struct instr *orig;
	struct stack_state other;
	const struct stack_state *saved;

	unit_cfg_open(&u, "alt2_exit", UNIT_6_1);
	orig = unit_insn(&u, "f_exit", 0);   /* the original's only instruction */
	/* Not visited yet: the first state at offset 0 is recorded, then agreed with. */
	stack_state_func_entry(&other);
	orig->state = stack_pool_intern(u.cfg.states, &other);
	ck_assert_int_eq(reconcile_on_visit(&u.cfg, &u.fs, orig), 0);
	ck_assert_ptr_eq(cfg_alt_group(orig)->states[0], orig->state);
	ck_assert_int_eq(reconcile_on_visit(&u.cfg, &u.fs, orig), 0);
	ck_assert_uint_eq(u.fs.nr, 0);
	saved = orig->state;
	other.cfa.offset = 24;
	orig->state = stack_pool_intern(u.cfg.states, &other);
	ck_assert_int_eq(reconcile_on_visit(&u.cfg, &u.fs, orig), 1);
	ck_assert_uint_eq(u.fs.nr, 1);
	ck_assert_str_eq(u.fs.items[0].kind, "alternative-stack-conflict");
	ck_assert_ptr_eq(cfg_alt_group(orig)->states[0], saved);   /* the first one stays */
	/* Outside any site there is nothing to reconcile. */
	ck_assert_int_eq(reconcile_on_visit(&u.cfg, &u.fs, unit_insn(&u, "f_exit", 1)), 0);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_exit_state)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "alt2_exit", UNIT_6_1);
	/* Counted as the reference counts: altorc's own finding is not. */
	ck_assert_int_eq(unit_cfg_validate(&u), 1);
	ck_assert_uint_eq(u.fs.nr, 2);
	/* altorc's own line at the site, then the reference's where it notices. */
	unit_expect_finding(&u, 0, "alternative-exit-state", "f_exit+0x0",
			    "replacement 1 (feature 3*32+2; .altinstructions entry 0) leaves the "
			    "alternative site f_exit+0x0 with cfa=rsp+16, the original with cfa=rsp+8");
	ck_assert(!findings_kind_in_reference("alternative-exit-state"));
	unit_expect_finding(&u, 1, "return-modified-frame", "f_exit+0x1",
			    "return with modified stack frame");
	unit_cfg_close(&u);
}
END_TEST

UNIT_SUITE(reconcile_suite)
static Suite *reconcile_suite(void)
{
	Suite *s = suite_create("reconcile");
	TCase *tc = tcase_create("reconcile");

	tcase_add_test(tc, test_pushf_offsets);
	tcase_add_test(tc, test_pushf_side_steps);
	tcase_add_test(tc, test_pushf_extra_orc);
	tcase_add_test(tc, test_extra_orc_original_boundary);
	tcase_add_test(tc, test_conflict_6_1);
	tcase_add_test(tc, test_conflict_6_12);
	tcase_add_test(tc, test_conflict_on_visit);
	tcase_add_test(tc, test_exit_state);
	suite_add_tcase(s, tc);
	return s;
}
