// SPDX-License-Identifier: GPL-2.0
/*
 * The stack model's transfer function (objtool/stack/state.c) on hand-built
 * op sequences, as the decoder would emit them for gcc's prologues and
 * epilogues.  Every expected state below was worked out by hand from the
 * x86-64 calling convention: at entry the CFA is rsp+8 and the return
 * address sits at CFA-8; each push moves rsp down 8 and saves the register
 * at CFA-(bytes pushed so far, return address included).
 */
#include <check.h>

#include "stack_state.h"
#include "unit.h"

static const struct stack_op_ctx in_func = { .in_func = true };

static struct stack_op push_reg(int reg)
{
	return (struct stack_op){ .dest = { OP_DEST_PUSH, 0, 0 }, .src = { OP_SRC_REG, (uint8_t)reg, 0 } };
}

static struct stack_op pop_reg(int reg)
{
	return (struct stack_op){ .dest = { OP_DEST_REG, (uint8_t)reg, 0 }, .src = { OP_SRC_POP, 0, 0 } };
}

/* add/sub/lea: dest = src + off */
static struct stack_op add_to(int dest, int src, int off)
{
	return (struct stack_op){ .dest = { OP_DEST_REG, (uint8_t)dest, 0 }, .src = { OP_SRC_ADD, (uint8_t)src, off } };
}

static struct stack_op mov_reg(int dest, int src)
{
	return (struct stack_op){ .dest = { OP_DEST_REG, (uint8_t)dest, 0 }, .src = { OP_SRC_REG, (uint8_t)src, 0 } };
}

static struct stack_op and_sp(void)
{
	return (struct stack_op){ .dest = { OP_DEST_REG, REG_SP, 0 }, .src = { OP_SRC_AND, REG_SP, -16 } };
}

/* mov %src, off(%dest) */
static struct stack_op store(int dest, int off, int src)
{
	return (struct stack_op){ .dest = { OP_DEST_REG_INDIRECT, (uint8_t)dest, off }, .src = { OP_SRC_REG, (uint8_t)src, 0 } };
}

static void apply_ok(struct stack_state *s, struct stack_op op)
{
	ck_assert_int_eq(stack_apply_op(s, &op, &in_func), STACK_OK);
}

#define ck_cfa(s, b, o) do { ck_assert_int_eq((s)->cfa.base, (b)); ck_assert_int_eq((s)->cfa.offset, (o)); } while (0)
#define ck_reg(s, r, b, o) do { ck_assert_int_eq((s)->regs[r].base, (b)); ck_assert_int_eq((s)->regs[r].offset, (o)); } while (0)

START_TEST(entry_state)
{
	struct stack_state s;

	stack_state_func_entry(&s);
	ck_cfa(&s, REG_SP, 8);
	ck_reg(&s, REG_RA, REG_CFA, -8);
	ck_reg(&s, REG_BX, REG_UNDEFINED, 0);
	ck_assert(!stack_has_modified_frame(&s));
	ck_assert(!stack_has_valid_frame(&s));
}
END_TEST

/* push %rbx; push %r12; sub $16,%rsp ... add $16,%rsp; pop %r12; pop %rbx */
START_TEST(push_pop_frame)
{
	struct stack_state s, entry;

	stack_state_func_entry(&s);
	entry = s;
	apply_ok(&s, push_reg(REG_BX));
	ck_cfa(&s, REG_SP, 16);
	ck_reg(&s, REG_BX, REG_CFA, -16);
	apply_ok(&s, push_reg(REG_R12));
	ck_cfa(&s, REG_SP, 24);
	ck_reg(&s, REG_R12, REG_CFA, -24);
	apply_ok(&s, add_to(REG_SP, REG_SP, -16));
	ck_cfa(&s, REG_SP, 40);
	ck_assert_int_eq(s.stack_size, 40);
	ck_assert(stack_has_modified_frame(&s));

	apply_ok(&s, add_to(REG_SP, REG_SP, 16));
	ck_cfa(&s, REG_SP, 24);
	apply_ok(&s, pop_reg(REG_R12));
	ck_cfa(&s, REG_SP, 16);
	ck_reg(&s, REG_R12, REG_UNDEFINED, 0);
	ck_assert(stack_has_modified_frame(&s));   /* rbx still saved */
	apply_ok(&s, pop_reg(REG_BX));
	ck_assert(stack_state_equal(&s, &entry));
	ck_assert(!stack_has_modified_frame(&s));
}
END_TEST

/* Popping into the wrong register leaves rbx "saved": the frame is modified. */
START_TEST(pop_wrong_register)
{
	struct stack_state s;

	stack_state_func_entry(&s);
	apply_ok(&s, push_reg(REG_BX));
	apply_ok(&s, pop_reg(REG_R12));
	ck_cfa(&s, REG_SP, 8);
	ck_reg(&s, REG_BX, REG_CFA, -16);
	ck_assert(stack_has_modified_frame(&s));
}
END_TEST

/* push %rbp; mov %rsp,%rbp; sub $8,%rsp ... leave */
START_TEST(frame_pointer)
{
	struct stack_state s, entry;

	stack_state_func_entry(&s);
	entry = s;
	apply_ok(&s, push_reg(REG_BP));
	ck_cfa(&s, REG_SP, 16);
	ck_reg(&s, REG_BP, REG_CFA, -16);
	ck_assert(!stack_has_valid_frame(&s));
	apply_ok(&s, mov_reg(REG_BP, REG_SP));
	ck_cfa(&s, REG_BP, 16);
	ck_assert(stack_has_valid_frame(&s));
	apply_ok(&s, add_to(REG_SP, REG_SP, -8));
	ck_cfa(&s, REG_BP, 16);          /* rsp moves, the rbp-based CFA does not */
	ck_assert_int_eq(s.stack_size, 24);

	/* leave = mov %rbp,%rsp; pop %rbp */
	apply_ok(&s, mov_reg(REG_SP, REG_BP));
	ck_assert_int_eq(s.stack_size, 16);
	apply_ok(&s, pop_reg(REG_BP));
	ck_assert(stack_state_equal(&s, &entry));
}
END_TEST

/* With stack validation on, pushing rbp outside a frame marks it scratch. */
START_TEST(bp_scratch)
{
	struct stack_op_ctx ctx = { .in_func = true, .track_bp_scratch = true };
	struct stack_op push_bp = push_reg(REG_BP), mov_bp = mov_reg(REG_BP, REG_SP);
	struct stack_state s;

	stack_state_func_entry(&s);
	ck_assert_int_eq(stack_apply_op(&s, &push_bp, &ctx), STACK_OK);
	ck_assert(s.bp_scratch);
	ck_assert_int_eq(stack_apply_op(&s, &mov_bp, &ctx), STACK_OK);
	ck_assert(!s.bp_scratch);   /* it was a frame pointer after all */
}
END_TEST

/*
 * gcc's DRAP prologue for a realigned frame:
 *   lea 0x8(%rsp),%r10; and $-16,%rsp; push -0x8(%r10); push %rbp;
 *   mov %rsp,%rbp; push %r10; push %rbx
 * and its epilogue:
 *   lea -0x10(%rbp),%rsp; pop %rbx; pop %r10; pop %rbp; lea -0x8(%r10),%rsp
 */
START_TEST(drap_realignment)
{
	struct stack_op push_ret = { .dest = { OP_DEST_PUSH, 0, 0 }, .src = { OP_SRC_REG_INDIRECT, REG_R10, -8 } };
	struct stack_state s;

	stack_state_func_entry(&s);
	apply_ok(&s, add_to(REG_R10, REG_SP, 8));
	ck_assert_int_eq(s.drap_reg, REG_R10);
	apply_ok(&s, and_sp());
	ck_assert(s.drap);
	ck_cfa(&s, REG_R10, 0);              /* r10 holds the old rsp+8 = the CFA */
	apply_ok(&s, push_ret);
	ck_cfa(&s, REG_R10, 0);
	apply_ok(&s, push_reg(REG_BP));
	ck_assert_int_eq(s.stack_size, 0);   /* the realigned frame starts at the pushed rbp */
	apply_ok(&s, mov_reg(REG_BP, REG_SP));
	ck_reg(&s, REG_BP, REG_BP, 0);
	ck_assert(stack_has_valid_frame(&s));
	apply_ok(&s, push_reg(REG_R10));
	ck_cfa(&s, REG_BP_INDIRECT, -8);     /* CFA = *(rbp-8) */
	ck_assert_int_eq(s.drap_offset, -8);
	apply_ok(&s, push_reg(REG_BX));
	ck_reg(&s, REG_BX, REG_BP, -16);

	apply_ok(&s, add_to(REG_SP, REG_BP, -16));
	ck_assert_int_eq(s.stack_size, 16);
	apply_ok(&s, pop_reg(REG_BX));
	ck_reg(&s, REG_BX, REG_UNDEFINED, 0);
	apply_ok(&s, pop_reg(REG_R10));
	ck_cfa(&s, REG_R10, 0);
	apply_ok(&s, pop_reg(REG_BP));
	ck_reg(&s, REG_BP, REG_UNDEFINED, 0);
	apply_ok(&s, add_to(REG_SP, REG_R10, -8));
	ck_cfa(&s, REG_SP, 8);
	ck_assert(!s.drap);
	ck_assert(!stack_has_modified_frame(&s));
}
END_TEST

/* mov %rsp,(%rdi); mov %rdi,%rsp ... pop %rsp: running on another stack. */
START_TEST(stack_swizzle)
{
	struct stack_state s;

	stack_state_func_entry(&s);
	apply_ok(&s, store(REG_DI, 0, REG_SP));
	apply_ok(&s, mov_reg(REG_SP, REG_DI));
	ck_cfa(&s, REG_SP_INDIRECT, 8);      /* CFA = *(rsp) + 8 */
	apply_ok(&s, pop_reg(REG_SP));
	ck_cfa(&s, REG_SP, 8);
	ck_assert(!stack_has_modified_frame(&s));
}
END_TEST

/* A copy of rsp moved back: mov %rsp,%rbx; push %rax; mov %rbx,%rsp. */
START_TEST(rsp_copy_restored)
{
	struct stack_state s;

	stack_state_func_entry(&s);
	apply_ok(&s, mov_reg(REG_BX, REG_SP));
	apply_ok(&s, push_reg(REG_AX));
	ck_cfa(&s, REG_SP, 16);
	apply_ok(&s, mov_reg(REG_SP, REG_BX));
	ck_cfa(&s, REG_SP, 8);
}
END_TEST

START_TEST(errors)
{
	struct stack_op mem_store = { .dest = { OP_DEST_MEM, 0, 0 }, .src = { OP_SRC_REG, REG_AX, 0 } };
	struct stack_op_ctx outside = { .in_func = false }, before_hint = { .in_func = true, .next_is_hint = true };
	struct stack_op op;
	struct stack_state s;

	/* and $-16,%rsp with neither frame pointer nor DRAP register */
	stack_state_func_entry(&s);
	op = and_sp();
	ck_assert_int_eq(stack_apply_op(&s, &op, &in_func), STACK_UNSUPPORTED_REALIGN);

	/* rsp loaded from a register holding no known stack address */
	stack_state_func_entry(&s);
	apply_ok(&s, mov_reg(REG_SP, REG_DI));
	ck_cfa(&s, REG_UNDEFINED, 0);
	op = push_reg(REG_AX);
	ck_assert_int_eq(stack_apply_op(&s, &op, &in_func), STACK_UNDEFINED_STATE);
	ck_assert_int_eq(stack_apply_op(&s, &op, &outside), STACK_OK);

	/* arithmetic on the frame base other than the recognised patterns */
	stack_state_func_entry(&s);
	apply_ok(&s, push_reg(REG_BP));
	apply_ok(&s, mov_reg(REG_BP, REG_SP));
	op = add_to(REG_BP, REG_BP, 8);
	ck_assert_int_eq(stack_apply_op(&s, &op, &in_func), STACK_UNSUPPORTED_MOD);
	ck_assert_int_eq(stack_apply_op(&s, &op, &before_hint), STACK_OK);

	stack_state_func_entry(&s);
	ck_assert_int_eq(stack_apply_op(&s, &mem_store, &in_func), STACK_UNKNOWN_MEM_OP);

	ck_assert_str_eq(stack_result_message(STACK_UNDEFINED_STATE), "undefined stack state");
	ck_assert_str_eq(stack_result_message(STACK_UNSUPPORTED_REALIGN),
			 "unsupported stack pointer realignment");
	ck_assert_str_eq(stack_result_message(STACK_UNSUPPORTED_MOD),
			 "unsupported stack register modification");
	ck_assert_str_eq(stack_result_message(STACK_UNKNOWN_MEM_OP),
			 "unknown stack-related memory operation");
	ck_assert_str_eq(stack_result_message(STACK_UNKNOWN_OP), "unknown stack-related instruction");
}
END_TEST

/*
 * Pools of validation threads (stack_pool_new_child): a child finds what its
 * parent holds, keeps what it adds to itself, and stack_pool_canon() brings
 * any state back to one pointer per distinct state in the parent.
 */
START_TEST(child_pools)
{
	struct stack_state_pool *top = stack_pool_new(), *a, *b;
	struct stack_state entry, pushed;
	const struct stack_state *t_entry, *a_entry, *a_pushed, *b_pushed;
	struct stack_op op = push_reg(REG_BP);

	ck_assert_ptr_nonnull(top);
	stack_state_func_entry(&entry);
	pushed = entry;
	ck_assert_int_eq(stack_apply_op(&pushed, &op, &in_func), STACK_OK);
	t_entry = stack_pool_intern(top, &entry);
	a = stack_pool_new_child(top);
	b = stack_pool_new_child(top);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);

	/* what the parent holds is found there, not copied */
	a_entry = stack_pool_intern(a, &entry);
	ck_assert_ptr_eq(a_entry, t_entry);
	ck_assert_uint_eq(stack_pool_count(a), 0);

	/* a new state stays in its child: two children, two copies */
	a_pushed = stack_pool_intern(a, &pushed);
	b_pushed = stack_pool_intern(b, &pushed);
	ck_assert_ptr_ne(a_pushed, b_pushed);
	ck_assert_ptr_eq(stack_pool_intern(a, &pushed), a_pushed);
	ck_assert_uint_eq(stack_pool_count(top), 1);

	/* canonical: one pointer in the parent for both, and the parent's own unchanged */
	ck_assert_ptr_eq(stack_pool_canon(top, a_pushed), stack_pool_canon(top, b_pushed));
	ck_assert(stack_state_equal(stack_pool_canon(top, a_pushed), &pushed));
	ck_assert_ptr_eq(stack_pool_canon(top, t_entry), t_entry);
	ck_assert_ptr_eq(stack_pool_canon(top, a_pushed), stack_pool_intern(top, &pushed));
	ck_assert_uint_eq(stack_pool_count(top), 2);
	ck_assert_ptr_null(stack_pool_canon(top, NULL));

	stack_pool_free(a);
	stack_pool_free(b);
	stack_pool_free(top);
}
END_TEST

UNIT_SUITE(stack_state_suite)

static Suite *stack_state_suite(void)
{
	Suite *s = suite_create("stack_state");
	TCase *tc = tcase_create("transfer");

	tcase_add_test(tc, entry_state);
	tcase_add_test(tc, push_pop_frame);
	tcase_add_test(tc, pop_wrong_register);
	tcase_add_test(tc, frame_pointer);
	tcase_add_test(tc, bp_scratch);
	tcase_add_test(tc, drap_realignment);
	tcase_add_test(tc, stack_swizzle);
	tcase_add_test(tc, rsp_copy_restored);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, child_pools);
	suite_add_tcase(s, tc);
	return s;
}
