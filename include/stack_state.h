/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack model: where the canonical frame address (CFA) is, where each
 * callee-saved register was stored, and the bookkeeping needed to follow
 * gcc's frame-pointer and DRAP (stack realignment) patterns.  The transfer
 * function applies one stack_op.  States are interned in a pool so that the
 * millions of instructions of a large object share a few thousand states.
 */
#ifndef ALTORC_STACK_STATE_H
#define ALTORC_STACK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

struct reg_loc {
	int16_t base;       /* enum cfi_reg value (REG_SP, REG_CFA, REG_UNDEFINED...) */
	int32_t offset;
};

/* Unwind types, format-neutral (mapped to hint numbers / ORC types at the edges). */
enum unwind_type {
	UNWIND_CALL = 0,
	UNWIND_REGS,
	UNWIND_REGS_PARTIAL,
	UNWIND_UNDEFINED,      /* 6.12 hint */
	UNWIND_END_OF_STACK,   /* 6.12 hint */
};

/*
 * Every field takes part in equality (interning, join checks, ORC
 * deduplication): keep padding zeroed by always starting from
 * stack_state_init() or a copy.
 */
struct stack_state {
	struct reg_loc cfa;
	struct reg_loc regs[NR_CFI_REGS];   /* where each register's caller value lives */
	struct reg_loc vals[NR_CFI_REGS];   /* what each register holds (rsp copies) */
	int32_t stack_size;
	int16_t drap_reg;
	int32_t drap_offset;
	uint8_t type;                       /* enum unwind_type */
	bool bp_scratch;
	bool drap;
	bool end;                           /* v1 end bit / hint end */
	bool signal;                        /* v2 signal bit */
};

/* All registers undefined, CFA undefined. */
void stack_state_init(struct stack_state *s);
/* The state at a function's first instruction: CFA = rsp + 8, RA at CFA - 8. */
void stack_state_func_entry(struct stack_state *s);
bool stack_state_equal(const struct stack_state *a, const struct stack_state *b);

/* Outcome of applying an op. */
enum stack_result {
	STACK_OK = 0,
	STACK_UNDEFINED_STATE,       /* stack op with undefined CFA inside a function */
	STACK_UNSUPPORTED_MOD,       /* unsupported stack register modification */
	STACK_UNSUPPORTED_REALIGN,   /* unsupported stack pointer realignment */
	STACK_UNKNOWN_MEM_OP,        /* unknown stack-related memory operation */
	STACK_UNKNOWN_OP,            /* unknown stack-related instruction */
};

struct stack_op_ctx {
	bool in_func;                /* the instruction belongs to a function */
	bool next_is_hint;           /* the next instruction carries an unwind hint */
	bool track_bp_scratch;       /* stack validation on */
};

enum stack_result stack_apply_op(struct stack_state *s, const struct stack_op *op,
				 const struct stack_op_ctx *ctx);
const char *stack_result_message(enum stack_result r);

/* Frame checks used by validation. */
bool stack_has_modified_frame(const struct stack_state *s);
bool stack_has_valid_frame(const struct stack_state *s);

/* Interning. */
struct stack_state_pool;
struct stack_state_pool *stack_pool_new(void);
void stack_pool_free(struct stack_state_pool *p);
/* The pool's copy of s (added when new); NULL only when out of memory. */
const struct stack_state *stack_pool_intern(struct stack_state_pool *p, const struct stack_state *s);
size_t stack_pool_count(const struct stack_state_pool *p);
/*
 * A pool that finds what its parent holds and adds the rest to itself: one
 * per validation thread over the shared, then read-only, pool.
 */
struct stack_state_pool *stack_pool_new_child(const struct stack_state_pool *parent);
/*
 * s (from top or one of its children) as interned in top; NULL only when
 * out of memory.  Once every pointer is canonical, equal states are equal
 * pointers again, as if one pool had held them all.
 */
const struct stack_state *stack_pool_canon(struct stack_state_pool *top, const struct stack_state *s);

/* "cfa=rsp+16 rbp=cfa-16 ..." for reports. */
void stack_state_format(const struct stack_state *s, char *buf, size_t size);

#endif
