// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the walk (objtool/validate*.c) through include/validate.h:
 * the state recorded before chosen instructions, joins, and the findings a
 * broken function gives.  States are worked out by hand in each fixture's
 * header (tests/fixtures/val_walk.S, cfg_hints.S, cfg_annot.S,
 * cfg_branches.S) and agree with the reference objtool 6.1's --dump=orc;
 * warning texts are the ones both reference objtools print for
 * warn_stack_mismatch.S, warn_reg_mismatch.S and warn_unreachable.S
 * (tests/scripts/fixture-warnings.sh checks them against the binaries).
 */
#include <string.h>

#include "unit.h"
#include "unit_cfg.h"

/* push %rbp; mov %rsp,%rbp; push %rbx; sub $0x10,%rsp ... pop %rbx; pop %rbp; ret */
START_TEST(test_walk_frame_pointer)
{
	struct unit_cfg u;
	struct stack_state entry;

	unit_cfg_open(&u, "val_walk", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	ck_state_cfa(unit_insn(&u, "v_frame", 0), REG_SP, 8);
	ck_state_reg(unit_insn(&u, "v_frame", 0), REG_RA, REG_CFA, -8);
	ck_state_cfa(unit_insn(&u, "v_frame", 1), REG_SP, 16);
	ck_state_reg(unit_insn(&u, "v_frame", 1), REG_BP, REG_CFA, -16);
	/* Once rbp holds the frame, the CFA follows it and no longer moves with rsp. */
	for (uint64_t off = 4; off <= 0x11; off++) {
		struct instr *i = cfg_find(&u.cfg, unit_sym(&u, "v_frame")->sec, off);

		if (!i)
			continue;
		ck_state_cfa(i, REG_BP, 16);
		ck_state_reg(i, REG_BP, REG_CFA, -16);
	}
	ck_state_reg(unit_insn(&u, "v_frame", 4), REG_BX, REG_UNDEFINED, 0);
	ck_state_reg(unit_insn(&u, "v_frame", 5), REG_BX, REG_CFA, -24);
	ck_state_reg(unit_insn(&u, "v_frame", 0x10), REG_BX, REG_CFA, -24);
	ck_state_reg(unit_insn(&u, "v_frame", 0x11), REG_BX, REG_UNDEFINED, 0);
	/* The epilogue gives back exactly the entry state. */
	stack_state_func_entry(&entry);
	ck_assert(stack_state_equal(unit_insn(&u, "v_frame", 0x12)->state, &entry));
	ck_assert(stack_state_equal(unit_insn(&u, "v_frame", 0)->state, &entry));
	unit_cfg_close(&u);
}
END_TEST

/* push %rbx; sub $0x18,%rsp; ... add $0x18,%rsp; pop %rbx; ret */
START_TEST(test_walk_frameless)
{
	static const struct { uint64_t off; int cfa; } want[] = {
		{ 0, 8 }, { 1, 16 }, { 5, 40 }, { 8, 40 }, { 0xc, 16 }, { 0xd, 8 },
	};
	struct unit_cfg u;

	unit_cfg_open(&u, "val_walk", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(*want); k++)
		ck_state_cfa(unit_insn(&u, "v_noframe", want[k].off), REG_SP, want[k].cfa);
	ck_state_reg(unit_insn(&u, "v_noframe", 1), REG_BX, REG_CFA, -16);
	ck_state_reg(unit_insn(&u, "v_noframe", 0xc), REG_BX, REG_CFA, -16);
	ck_state_reg(unit_insn(&u, "v_noframe", 0xd), REG_BX, REG_UNDEFINED, 0);
	unit_cfg_close(&u);
}
END_TEST

/* Both sides of the if meet at +0xb with rbx pushed: one interned state, no finding. */
START_TEST(test_walk_join_agrees)
{
	struct unit_cfg u;
	const struct stack_state *body;

	unit_cfg_open(&u, "val_walk", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	body = unit_insn(&u, "v_join", 1)->state;
	ck_state_cfa(unit_insn(&u, "v_join", 1), REG_SP, 16);
	ck_state_reg(unit_insn(&u, "v_join", 1), REG_BX, REG_CFA, -16);
	ck_assert_ptr_eq(unit_insn(&u, "v_join", 5)->state, body);   /* fall-through side */
	ck_assert_ptr_eq(unit_insn(&u, "v_join", 9)->state, body);   /* jump side */
	ck_assert_ptr_eq(unit_insn(&u, "v_join", 0xb)->state, body); /* the join */
	ck_state_cfa(unit_insn(&u, "v_join", 0xe), REG_SP, 8);
	ck_assert(unit_insn(&u, "v_join", 0xb)->flags & IF_VISITED);
	unit_cfg_close(&u);
}
END_TEST

/*
 * warn_stack_mismatch.S: the jump side reaches joins+0x8 first with
 * rsp+8; the fall-through brings rsp+16 (rbx pushed).  Registers in the
 * reference's numbering: rsp is 4.
 */
START_TEST(test_walk_cfa_mismatch)
{
	struct unit_cfg u;

	for (int k = UNIT_6_1; k <= UNIT_6_12; k++) {
		unit_cfg_open(&u, "warn_stack_mismatch", (enum unit_kernel)k);
		ck_assert_int_eq(unit_cfg_validate(&u), 1);
		unit_expect_finding(&u, 0, "stack-state-mismatch", "joins+0x8",
				    "stack state mismatch: cfa1=4+8 cfa2=4+16");
		ck_assert_str_eq(u.fs.items[0].function, "joins");
		/* The first path's state stays; the conflicting one got as far as the jmp. */
		ck_state_cfa(unit_insn(&u, "joins", 8), REG_SP, 8);
		ck_state_cfa(unit_insn(&u, "joins", 5), REG_SP, 16);
		unit_cfg_close(&u);
	}
}
END_TEST

/* warn_reg_mismatch.S: same depth, but rbx (reference number 3) saved on one side only. */
START_TEST(test_walk_reg_mismatch)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "warn_reg_mismatch", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 1);
	unit_expect_finding(&u, 0, "stack-state-mismatch", "swaps+0xa",
			    "stack state mismatch: reg1[3]=-2-16 reg2[3]=-1+0");
	ck_state_cfa(unit_insn(&u, "swaps", 0xa), REG_SP, 16);
	ck_state_reg(unit_insn(&u, "swaps", 0xa), REG_BX, REG_CFA, -16);
	unit_cfg_close(&u);
}
END_TEST

/*
 * warn_unreachable.S: ret; int3 (padding, expected); mov; ret (dead code).
 * 6.1 stops at the first unreachable instruction; 6.12 goes on and counts
 * the ret too, but prints one warning per function (its WARN_INSN).
 */
START_TEST(test_walk_unreachable)
{
	struct unit_cfg u;

	for (int k = UNIT_6_1; k <= UNIT_6_12; k++) {
		unit_cfg_open(&u, "warn_unreachable", (enum unit_kernel)k);
		ck_assert_int_eq(unit_cfg_validate(&u), k == UNIT_6_12 ? 2 : 1);
		ck_assert_uint_eq(u.fs.nr, 1);
		unit_expect_finding(&u, 0, "unreachable", "dead+0x4", "unreachable instruction");
		ck_assert_uint_eq(u.fs.items[0].offset, 4);
		ck_assert_ptr_null(unit_insn(&u, "dead", 3)->state);
		ck_assert(!(unit_insn(&u, "dead", 3)->flags & (IF_VISITED | IF_VISITED_UA)));
		ck_assert_ptr_null(unit_insn(&u, "dead", 4)->state);
		ck_state_cfa(unit_insn(&u, "dead", 2), REG_SP, 8);
		unit_cfg_close(&u);
	}
}
END_TEST

/* cfg_hints.S: code outside functions walked from its hints, and a save/restore pair. */
START_TEST(test_walk_hints)
{
	struct unit_cfg u;
	const struct stack_state *s;

	unit_cfg_open(&u, "cfg_hints", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	ck_state_cfa(unit_insn(&u, ".text.asm", 0), REG_SP, 160);
	s = unit_insn(&u, ".text.asm", 1)->state;
	ck_state_cfa(unit_insn(&u, ".text.asm", 1), REG_SP, 168);
	ck_assert_uint_eq(s->type, UNWIND_REGS);   /* the type flows on from the hint */
	ck_state_cfa(unit_insn(&u, ".text.asm", 2), REG_SP, 8);
	ck_assert_uint_eq(unit_insn(&u, ".text.asm", 2)->state->type, UNWIND_CALL);
	ck_state_cfa(unit_insn(&u, ".text.asm", 3), REG_UNDEFINED, 0);

	ck_state_cfa(unit_insn(&u, "h_func", 4), REG_SP, 24);
	ck_state_cfa(unit_insn(&u, "h_func", 6), REG_SP, 24);
	/* The restore takes the save's state, not the rsp+24 the jump brought. */
	ck_assert_ptr_eq(unit_insn(&u, "h_func", 7)->state, unit_insn(&u, "h_func", 1)->state);
	ck_state_cfa(unit_insn(&u, "h_func", 7), REG_SP, 16);
	ck_state_cfa(unit_insn(&u, "h_func", 8), REG_SP, 8);
	unit_cfg_close(&u);
}
END_TEST

/*
 * cfg_annot.S: the ignored functions are never walked; the intra-function
 * call keeps its push; the annotated dead end leaves live code unreachable
 * on 6.1 only (both references: 6.1 warns, 6.12 is clean).
 */
START_TEST(test_walk_annotations)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "cfg_annot", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 1);
	unit_expect_finding(&u, 0, "unreachable", "r_func+0xc", "unreachable instruction");
	ck_assert_ptr_null(unit_insn(&u, "n_global", 1)->state);
	ck_assert_ptr_null(unit_insn(&u, "n_local", 1)->state);
	unit_cfg_close(&u);

	unit_cfg_open(&u, "cfg_annot", UNIT_6_12);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	/* panic's call was annotated reachable: the pop after it is walked. */
	ck_state_cfa(unit_insn(&u, "r_func", 6), REG_SP, 16);
	ck_state_cfa(unit_insn(&u, "r_func", 0xc), REG_SP, 8);
	ck_state_cfa(unit_insn(&u, "i_func", 6), REG_SP, 16);
	ck_state_reg(unit_insn(&u, "i_func", 6), REG_RA, REG_CFA, -8);
	ck_state_cfa(unit_insn(&u, "i_func", 0xa), REG_SP, 8);
	ck_assert_ptr_null(unit_insn(&u, "i_func", 5)->state);   /* the int3 after the call */
	ck_assert_ptr_null(unit_insn(&u, "n_global", 0)->state);
	unit_cfg_close(&u);
}
END_TEST

/* cfg_branches.S: paths end at noreturn calls and go on after the others. */
START_TEST(test_walk_calls)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "cfg_branches", UNIT_6_1);
	ck_assert_int_eq(unit_cfg_validate(&u), 0);
	/* Calls leave the stack as they found it. */
	ck_state_cfa(unit_insn(&u, "b_main", 0xc), REG_SP, 16);
	ck_state_cfa(unit_insn(&u, "b_main", 0x1b), REG_SP, 16);
	ck_state_cfa(unit_insn(&u, "b_main", 0x1c), REG_SP, 8);
	ck_state_cfa(unit_insn(&u, "b_main", 0x24), REG_SP, 16);
	ck_state_cfa(unit_insn(&u, "b_local", 0), REG_SP, 8);
	unit_cfg_close(&u);
}
END_TEST

UNIT_SUITE(validate_suite)
static Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, test_walk_frame_pointer);
	tcase_add_test(tc, test_walk_frameless);
	tcase_add_test(tc, test_walk_join_agrees);
	tcase_add_test(tc, test_walk_cfa_mismatch);
	tcase_add_test(tc, test_walk_reg_mismatch);
	tcase_add_test(tc, test_walk_unreachable);
	tcase_add_test(tc, test_walk_hints);
	tcase_add_test(tc, test_walk_annotations);
	tcase_add_test(tc, test_walk_calls);
	suite_add_tcase(s, tc);
	return s;
}
