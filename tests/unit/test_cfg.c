// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the CFG passes (objtool/cfg_*.c) through include/cfg.h:
 * the decode pass, branch resolution, the annotation sections and
 * alternatives as extra branches.  Fixtures tests/fixtures/cfg_*.S and
 * alt2_*.S; every offset below is in the fixture's header comment, worked
 * out from the encodings (and checked with objdump -dr).  Where the
 * reference objtool shows the same fact (a warning, a clean run), the
 * fixture says what it printed.
 */
#include <string.h>

#include "unit.h"
#include "unit_cfg.h"

/* ---- decode pass ----------------------------------------------------- */

START_TEST(test_decode_arrays)
{
	static const uint64_t offs[] = { 0, 1, 4, 5, 6, 7, 8, 0xa, 0xb, 0xd, 0x13, 0x15 };
	static const uint8_t lens[] = { 1, 3, 1, 1, 1, 1, 2, 1, 2, 6, 2, 1 };
	struct unit_cfg u;
	struct code_section *cs;

	unit_cfg_open(&u, "cfg_decode", UNIT_6_1);
	cs = unit_csec(&u, ".text");
	ck_assert_uint_eq(cs->nr, 12);
	for (size_t i = 0; i < cs->nr; i++) {
		ck_assert_uint_eq(cs->insns[i].offset, offs[i]);
		ck_assert_uint_eq(cs->insns[i].len, lens[i]);
		ck_assert_ptr_eq(cfg_insn_next(&cs->insns[i]), i + 1 < cs->nr ? &cs->insns[i + 1] : NULL);
	}
	ck_assert_uint_eq(unit_csec(&u, ".text.unlikely")->nr, 2);
	ck_assert_uint_eq(unit_csec(&u, ".noinstr.text")->nr, 1);
	ck_assert_uint_eq(unit_csec(&u, ".altinstr_replacement")->nr, 1);
	ck_assert_uint_eq(u.cfg.nr_insns, 16);
	/* ORC is for real text only. */
	ck_assert(cs->is_text);
	ck_assert(!unit_csec(&u, ".altinstr_replacement")->is_text);

	/* Lookups by offset: exact starts only; lower bound past the middle. */
	ck_assert_ptr_null(cfg_find(&u.cfg, cs->sec, 2));
	ck_assert_uint_eq(cfg_lower_bound(cs, 2), 2);
	ck_assert_uint_eq(cfg_lower_bound(cs, 0x16), cs->nr);
	ck_assert_ptr_eq(cfg_find(&u.cfg, cs->sec, 0xd), &cs->insns[9]);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_decode_kinds)
{
	struct unit_cfg u;
	struct instr *push, *bug;
	const struct stack_op *op;

	unit_cfg_open(&u, "cfg_decode", UNIT_6_1);
	push = unit_insn(&u, "d_frame", 0);
	ck_assert_uint_eq(push->kind, INSN_OTHER);
	ck_assert_uint_eq(push->nr_ops, 1);
	op = cfg_ops(&u.cfg, push);
	ck_assert_uint_eq(op->dest.type, OP_DEST_PUSH);
	ck_assert_uint_eq(op->src.type, OP_SRC_REG);
	ck_assert_uint_eq(op->src.reg, REG_BP);
	ck_assert_uint_eq(unit_insn(&u, "d_frame", 5)->kind, INSN_RETURN);
	ck_assert_uint_eq(unit_insn(&u, ".text", 6)->kind, INSN_TRAP);
	ck_assert_uint_eq(unit_insn(&u, ".text", 6)->nr_ops, 0);
	/* ud2 ends its path unless annotated reachable. */
	bug = unit_insn(&u, "d_noinstr", 0);
	ck_assert_uint_eq(bug->kind, INSN_BUG);
	ck_assert(bug->flags & IF_DEAD_END);
	ck_assert(!(push->flags & IF_DEAD_END));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_decode_functions)
{
	struct unit_cfg u;
	struct objsym *frame, *leaf, *alias, *hot, *cold;
	struct instr *cold_first;

	unit_cfg_open(&u, "cfg_decode", UNIT_6_1);
	frame = unit_sym(&u, "d_frame");
	leaf = unit_sym(&u, "d_leaf");
	alias = unit_sym(&u, "d_leaf_alias");
	hot = unit_sym(&u, "d_hot");
	cold = unit_sym(&u, "d_hot.cold");

	for (uint64_t off = 0; off <= 5; off++)
		if (cfg_find(&u.cfg, frame->sec, off))   /* 0, 1, 4, 5 */
			ck_assert_ptr_eq(unit_insn(&u, ".text", off)->func, frame);
	/* The int3 padding between functions belongs to none. */
	ck_assert_ptr_null(unit_insn(&u, ".text", 6)->func);
	ck_assert_ptr_null(unit_insn(&u, ".text", 7)->func);
	/* Two symbols over one range: the later one in the table stands for both. */
	ck_assert_ptr_eq(cfg_finfo(&u.cfg, leaf)->alias, alias);
	ck_assert_ptr_eq(cfg_finfo(&u.cfg, alias)->alias, alias);
	ck_assert_ptr_eq(unit_insn(&u, ".text", 8)->func, alias);
	ck_assert_ptr_eq(unit_insn(&u, ".text", 0xa)->func, alias);

	/* foo.cold is part of foo: linked both ways, walked on from foo's end. */
	ck_assert_ptr_eq(cfg_finfo(&u.cfg, cold)->pfunc, hot);
	ck_assert_ptr_eq(cfg_finfo(&u.cfg, hot)->cfunc, cold);
	ck_assert_ptr_eq(cfg_finfo(&u.cfg, hot)->pfunc, hot);
	cold_first = unit_insn(&u, "d_hot.cold", 0);
	ck_assert_ptr_eq(cold_first->func, cold);
	ck_assert_ptr_eq(cfg_first_in_func(&u.cfg, hot), unit_insn(&u, ".text", 0xb));
	ck_assert_ptr_eq(cfg_next_same_func(&u.cfg, unit_insn(&u, "d_hot", 8)), unit_insn(&u, "d_hot", 0xa));
	ck_assert_ptr_eq(cfg_next_same_func(&u.cfg, unit_insn(&u, "d_hot", 0xa)), cold_first);
	ck_assert_ptr_null(cfg_next_same_func(&u.cfg, unit_insn(&u, "d_frame", 5)));
	/* The jump into the cold part is an ordinary jump, not a sibling call. */
	ck_assert_ptr_eq(cfg_jump_dest(unit_insn(&u, "d_hot", 2)), cold_first);
	ck_assert_ptr_null(cfg_call_dest(unit_insn(&u, "d_hot", 2)));
	ck_assert(!cfg_is_sibling_call(&u.cfg, unit_insn(&u, "d_hot", 2)));
	unit_cfg_close(&u);
}
END_TEST

/* ---- branches -------------------------------------------------------- */

START_TEST(test_branch_jumps)
{
	struct unit_cfg u;
	struct instr *i;

	unit_cfg_open(&u, "cfg_branches", UNIT_6_1);
	ck_assert_ptr_eq(cfg_jump_dest(unit_insn(&u, "b_main", 3)), unit_insn(&u, "b_main", 0x24));
	ck_assert_ptr_eq(cfg_jump_dest(unit_insn(&u, "b_main", 5)), unit_insn(&u, "b_main", 0x21));
	ck_assert(!cfg_is_sibling_call(&u.cfg, unit_insn(&u, "b_main", 3)));

	/* Into another function's first instruction, with or without a relocation: tail calls. */
	i = unit_insn(&u, "b_main", 0x22);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_local"));
	ck_assert_ptr_null(cfg_jump_dest(i));
	ck_assert(cfg_is_sibling_call(&u.cfg, i));
	i = unit_insn(&u, "b_tail_only", 0);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_die"));
	ck_assert(cfg_is_sibling_call(&u.cfg, i));
	i = unit_insn(&u, "b_sib", 0);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_ext"));
	ck_assert_ptr_null(cfg_call_dest(i)->sec);   /* undefined */
	ck_assert(cfg_is_sibling_call(&u.cfg, i));

	/* A jump to the return thunk is a return. */
	i = unit_insn(&u, "b_main", 0x1c);
	ck_assert_uint_eq(i->kind, INSN_RETURN);
	ck_assert(i->retpoline_safe);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_branch_calls)
{
	struct unit_cfg u;
	struct instr *i;

	unit_cfg_open(&u, "cfg_branches", UNIT_6_1);
	i = unit_insn(&u, "b_main", 7);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_ext"));
	ck_assert_uint_eq(i->kind, INSN_CALL);
	/* The callee's return undoes the call's push: no stack op is left. */
	ck_assert_uint_eq(i->nr_ops, 0);
	ck_assert(!(i->flags & IF_DEAD_END));
	i = unit_insn(&u, "b_main", 0xc);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_local"));
	ck_assert(!(i->flags & IF_DEAD_END));

	/* A retpoline thunk call is an indirect call, and a safe one. */
	i = unit_insn(&u, "b_main", 0x11);
	ck_assert_uint_eq(i->kind, INSN_CALL_INDIRECT);
	ck_assert(i->retpoline_safe);
	ck_assert_ptr_null(cfg_call_dest(i));

	/*
	 * b_tail_only has no ret, but its tail call makes it "returns" (the
	 * reference cannot follow a sibling call's target); b_die has neither.
	 */
	i = unit_insn(&u, "b_main", 0x16);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_tail_only"));
	ck_assert(!(i->flags & IF_DEAD_END));
	ck_assert(!cfg_func_noreturn(&u.cfg, unit_sym(&u, "b_tail_only")));
	i = unit_insn(&u, "b_main", 0x24);
	ck_assert_ptr_eq(cfg_call_dest(i), unit_sym(&u, "b_die"));
	ck_assert(i->flags & IF_DEAD_END);
	ck_assert(cfg_func_noreturn(&u.cfg, unit_sym(&u, "b_die")));
	ck_assert(!cfg_func_noreturn(&u.cfg, unit_sym(&u, "b_local")));
	ck_assert(unit_insn(&u, "b_panic", 0)->flags & IF_DEAD_END);
	unit_cfg_close(&u);
}
END_TEST

/* Both references are clean on it (checked with --orc on 6.1 and 6.12). */
START_TEST(test_branch_noreturn_per_kernel)
{
	struct unit_cfg u;

	for (int k = UNIT_6_1; k <= UNIT_6_12; k++) {
		unit_cfg_open(&u, "cfg_branches", (enum unit_kernel)k);
		ck_assert(unit_insn(&u, "b_panic", 0)->flags & IF_DEAD_END);
		ck_assert_int_eq(unit_cfg_validate(&u), 0);
		unit_cfg_close(&u);
	}
}
END_TEST

START_TEST(test_branch_bad_dest)
{
	struct unit_cfg u;
	const char *msg = unit_cfg_refused(&u, "cfg_bad_jump", UNIT_6_1);

	ck_assert_msg(strstr(msg, ": bad_jump+0x0: can't find jump dest instruction at .text+0x3") != NULL,
		      "%s", msg);
	/* The reference gives up there without failing the build: a stop, not an error. */
	ck_assert_int_eq(u.err.status, AO_ERR_STOPPED);
	ck_assert_str_eq(u.cfg.stop.kind, "branch-target");
	unit_cfg_close(&u);
}
END_TEST

/* ---- annotations ----------------------------------------------------- */

START_TEST(test_annot_ignores)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "cfg_annot", UNIT_6_1);
	/* By symbol (global) and by section + offset (local). */
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "n_local" : "n_global";

		ck_assert(cfg_finfo(&u.cfg, unit_sym(&u, name))->ignore);
		ck_assert(unit_insn(&u, name, 0)->flags & IF_IGNORE);
		ck_assert(unit_insn(&u, name, 1)->flags & IF_IGNORE);
	}
	ck_assert(!cfg_finfo(&u.cfg, unit_sym(&u, "r_func"))->ignore);
	ck_assert(!(unit_insn(&u, "r_func", 0)->flags & IF_IGNORE));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_annot_dead_ends)
{
	struct unit_cfg u;

	unit_cfg_open(&u, "cfg_annot", UNIT_6_1);
	/* .discard.reachable after "call panic" overrides the noreturn list... */
	ck_assert_ptr_eq(cfg_call_dest(unit_insn(&u, "r_func", 1)), unit_sym(&u, "panic"));
	ck_assert(!(unit_insn(&u, "r_func", 1)->flags & IF_DEAD_END));
	/* ...and .discard.unreachable makes an ordinary call end its path (6.1 only). */
	ck_assert(unit_insn(&u, "r_func", 7)->flags & IF_DEAD_END);
	unit_cfg_close(&u);

	unit_cfg_open(&u, "cfg_annot", UNIT_6_12);
	ck_assert(!(unit_insn(&u, "r_func", 1)->flags & IF_DEAD_END));
	ck_assert(!(unit_insn(&u, "r_func", 7)->flags & IF_DEAD_END));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_annot_intra_function_call)
{
	struct unit_cfg u;
	struct instr *call;
	const struct stack_op *op;

	unit_cfg_open(&u, "cfg_annot", UNIT_6_1);
	call = unit_insn(&u, "i_func", 0);
	/* A jump to 1f that keeps the call's push of the return address. */
	ck_assert_uint_eq(call->kind, INSN_JUMP);
	ck_assert_ptr_eq(cfg_jump_dest(call), unit_insn(&u, "i_func", 6));
	ck_assert_ptr_null(cfg_call_dest(call));
	ck_assert(!cfg_is_sibling_call(&u.cfg, call));
	ck_assert_uint_eq(call->nr_ops, 1);
	op = cfg_ops(&u.cfg, call);
	ck_assert_uint_eq(op->dest.type, OP_DEST_PUSH);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_annot_hints)
{
	struct unit_cfg u;
	struct instr *i;
	const struct stack_state *h;

	unit_cfg_open(&u, "cfg_hints", UNIT_6_1);
	i = unit_insn(&u, ".text.asm", 0);
	ck_assert(i->flags & IF_HINT);
	h = cfg_hint_state(i);
	ck_assert(h != NULL);
	ck_assert_int_eq(h->cfa.base, REG_SP);
	ck_assert_int_eq(h->cfa.offset, 160);
	ck_assert_uint_eq(h->type, UNWIND_REGS);
	ck_assert(!h->end);
	ck_assert(!(unit_insn(&u, ".text.asm", 1)->flags & IF_HINT));
	/* FUNC: a function's entry state. */
	h = cfg_hint_state(unit_insn(&u, ".text.asm", 2));
	ck_assert(h != NULL);
	ck_assert_int_eq(h->cfa.base, REG_SP);
	ck_assert_int_eq(h->cfa.offset, 8);
	ck_assert_int_eq(h->regs[REG_RA].base, REG_CFA);
	ck_assert_int_eq(h->regs[REG_RA].offset, -8);
	ck_assert_uint_eq(h->type, UNWIND_CALL);
	/* 6.1's UNWIND_HINT_EMPTY: no CFA, end of the stack. */
	h = cfg_hint_state(unit_insn(&u, ".text.asm", 3));
	ck_assert(h != NULL);
	ck_assert_int_eq(h->cfa.base, REG_UNDEFINED);
	ck_assert(h->end);
	/* SAVE marks only; RESTORE is a hint whose state comes from the walk. */
	i = unit_insn(&u, "h_func", 1);
	ck_assert((i->flags & (IF_SAVE | IF_HINT)) == IF_SAVE);
	i = unit_insn(&u, "h_func", 7);
	ck_assert((i->flags & (IF_RESTORE | IF_HINT)) == (IF_RESTORE | IF_HINT));
	ck_assert_ptr_null(cfg_hint_state(i));
	unit_cfg_close(&u);

	/* 6.12 numbers the types differently: 1 is END_OF_STACK, and the byte is "signal". */
	unit_cfg_open(&u, "cfg_hints", UNIT_6_12);
	ck_assert_uint_eq(cfg_hint_state(unit_insn(&u, ".text.asm", 0))->type, UNWIND_END_OF_STACK);
	h = cfg_hint_state(unit_insn(&u, ".text.asm", 3));
	ck_assert_uint_eq(h->type, UNWIND_UNDEFINED);
	ck_assert(h->signal && !h->end);
	unit_cfg_close(&u);
}
END_TEST

/* ---- alternatives ---------------------------------------------------- */

START_TEST(test_alt_replacement_branch)
{
	struct unit_cfg u;
	struct instr *orig, *repl, *pop, *ret;
	struct alt_branch *b;
	struct alt_group *og, *rg;

	unit_cfg_open(&u, "alt2_pushf", UNIT_6_1);
	orig = unit_insn(&u, "f_pushf", 0);
	ret = unit_insn(&u, "f_pushf", 6);
	repl = unit_insn(&u, ".altinstr_replacement", 0);
	pop = unit_insn(&u, ".altinstr_replacement", 1);

	b = cfg_alts(orig);
	ck_assert(b != NULL && b->next == NULL);
	ck_assert_ptr_eq(b->first, repl);
	ck_assert(!b->skip_orig);
	ck_assert(b->entry != NULL && b->entry->index == 0);

	og = cfg_alt_group(orig);
	ck_assert(og != NULL);
	ck_assert_ptr_null(og->orig_group);
	ck_assert_uint_eq(og->len, 6);
	ck_assert_ptr_eq(og->first, orig);
	ck_assert_ptr_eq(og->last, orig);
	ck_assert_ptr_null(cfg_alt_group(ret));

	rg = cfg_alt_group(repl);
	ck_assert(rg != NULL && rg != og);
	ck_assert_ptr_eq(rg->orig_group, og);
	ck_assert_ptr_eq(rg->states, og->states);
	ck_assert_ptr_eq(rg->first, repl);
	ck_assert_ptr_eq(rg->last, pop);
	/* Replacement code runs as part of the function it is patched into. */
	ck_assert_ptr_eq(repl->func, unit_sym(&u, "f_pushf"));
	ck_assert_ptr_eq(cfg_alt_group(pop), rg);

	/* 2 bytes in place of 6: 4 bytes of NOP padding, then after the site. */
	ck_assert(rg->nop != NULL);
	ck_assert_uint_eq(rg->nop->offset, 2);
	ck_assert_uint_eq(rg->nop->len, 4);
	ck_assert_uint_eq(rg->nop->kind, INSN_NOP);
	ck_assert(rg->nop->flags & IF_FAKE_NOP);
	ck_assert_ptr_eq(rg->nop->func, unit_sym(&u, "f_pushf"));
	ck_assert_ptr_eq(cfg_validate_next(repl), pop);
	ck_assert_ptr_eq(cfg_validate_next(pop), rg->nop);
	ck_assert_ptr_eq(cfg_validate_next(rg->nop), ret);
	ck_assert_ptr_eq(cfg_validate_next(orig), ret);

	/* The second site's replacement starts at 2 and is padded from 4. */
	rg = cfg_alt_group(unit_insn(&u, ".altinstr_replacement", 2));
	ck_assert_ptr_eq(rg->orig_group, cfg_alt_group(unit_insn(&u, "f_pushf_framed", 5)));
	ck_assert_uint_eq(rg->nop->offset, 4);
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_alt_empty_replacement)
{
	struct unit_cfg u;
	struct instr *orig;
	struct alt_group *rg;

	unit_cfg_open(&u, "alt2_empty", UNIT_6_1);
	orig = unit_insn(&u, "f_empty", 4);
	ck_assert(cfg_alts(orig) != NULL);
	/* Nothing but padding: the branch starts at the NOP covering the whole site. */
	rg = cfg_alt_group(cfg_alts(orig)->first);
	ck_assert_ptr_eq(cfg_alts(orig)->first, rg->nop);
	ck_assert_ptr_eq(rg->first, rg->nop);
	ck_assert_ptr_null(rg->last);
	ck_assert_uint_eq(rg->nop->len, 5);
	ck_assert_ptr_eq(cfg_validate_next(rg->nop), unit_insn(&u, "f_empty", 9));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_alt_jump_out)
{
	struct unit_cfg u;
	struct instr *jmp;

	unit_cfg_open(&u, "alt2_jumpout", UNIT_6_1);
	jmp = unit_insn(&u, ".altinstr_replacement", 0);
	/* Through .rela.altinstr_replacement to .text+0xb, inside the same function. */
	ck_assert_ptr_eq(cfg_jump_dest(jmp), unit_insn(&u, "f_jumpout", 0xb));
	ck_assert_ptr_eq(jmp->func, unit_sym(&u, "f_jumpout"));
	ck_assert_ptr_null(cfg_call_dest(jmp));
	ck_assert(!cfg_is_sibling_call(&u.cfg, jmp));
	unit_cfg_close(&u);
}
END_TEST

START_TEST(test_alt_jump_to_end)
{
	struct unit_cfg u;
	struct instr *jz, *last, *after;
	struct alt_group *rg;

	unit_cfg_open(&u, "cfg_alts", UNIT_6_1);
	jz = unit_insn(&u, ".altinstr_replacement", 2);
	last = unit_insn(&u, ".altinstr_replacement", 4);
	after = unit_insn(&u, "j_func", 9);
	/* The replacement's end is the end of the original range once patched. */
	ck_assert_ptr_eq(cfg_jump_dest(jz), after);
	rg = cfg_alt_group(jz);
	ck_assert_ptr_null(rg->nop);   /* as long as the original */
	ck_assert_ptr_eq(rg->last, last);
	ck_assert_ptr_eq(cfg_validate_next(last), after);
	ck_assert_ptr_eq(cfg_alts(unit_insn(&u, "j_func", 4))->first, unit_insn(&u, ".altinstr_replacement", 0));
	unit_cfg_close(&u);
}
END_TEST

UNIT_SUITE(cfg_suite)
static Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *dec = tcase_create("decode"), *br = tcase_create("branches");
	TCase *an = tcase_create("annotations"), *alt = tcase_create("alternatives");

	tcase_add_test(dec, test_decode_arrays);
	tcase_add_test(dec, test_decode_kinds);
	tcase_add_test(dec, test_decode_functions);
	tcase_add_test(br, test_branch_jumps);
	tcase_add_test(br, test_branch_calls);
	tcase_add_test(br, test_branch_noreturn_per_kernel);
	tcase_add_test(br, test_branch_bad_dest);
	tcase_add_test(an, test_annot_ignores);
	tcase_add_test(an, test_annot_dead_ends);
	tcase_add_test(an, test_annot_intra_function_call);
	tcase_add_test(an, test_annot_hints);
	tcase_add_test(alt, test_alt_replacement_branch);
	tcase_add_test(alt, test_alt_empty_replacement);
	tcase_add_test(alt, test_alt_jump_out);
	tcase_add_test(alt, test_alt_jump_to_end);
	suite_add_tcase(s, dec);
	suite_add_tcase(s, br);
	suite_add_tcase(s, an);
	suite_add_tcase(s, alt);
	return s;
}
