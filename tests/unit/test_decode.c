// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the x86 decoder (arch/x86/decode/decode.c).
 *
 * Expected values were worked out by hand from arch_decode_instruction()
 * in the reference objtool (tools/objtool/arch/x86/decode.c of 6.1 and
 * 6.12): each table row names the objtool case it asserts.  Fixtures
 * tests/fixtures/decode_{stack,kinds}.S hold one instruction per row, in
 * order; odd encodings that an assembler will not produce are given as
 * bytes.  The corpus test decodes every code section of real kernel
 * objects and is skipped when the corpus cache is absent.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "objfile.h"
#include "unit.h"

/* ---- expectations ------------------------------------------------------- */

struct exp_op {
	uint8_t st, sr;
	int32_t so;
	uint8_t dt, dr;
	int32_t dof;
};

struct expect {
	const char *what;
	uint8_t kind;
	uint8_t flags;
	bool has_target;
	int64_t disp;
	bool check_imm;
	int64_t imm;
	uint8_t nr_ops;
	struct exp_op ops[INSN_MAX_OPS];
	/* objtool 6.1 differs: its ops (nr61 < 0: same as 6.12) */
	int8_t nr61;
	struct exp_op op61;
};

#define PUSH_REG(r)       { OP_SRC_REG, r, 0, OP_DEST_PUSH, 0, 0 }
#define PUSH_CONST        { OP_SRC_CONST, 0, 0, OP_DEST_PUSH, 0, 0 }
#define PUSHF_CONST       { OP_SRC_CONST, 0, 0, OP_DEST_PUSHF, 0, 0 }
#define POP_REG(r)        { OP_SRC_POP, 0, 0, OP_DEST_REG, r, 0 }
#define POP_MEM           { OP_SRC_POP, 0, 0, OP_DEST_MEM, 0, 0 }
#define POPF_MEM          { OP_SRC_POPF, 0, 0, OP_DEST_MEM, 0, 0 }
#define ADD(s, off, d)    { OP_SRC_ADD, s, off, OP_DEST_REG, d, 0 }
#define AND_SP(off)       { OP_SRC_AND, REG_SP, off, OP_DEST_REG, REG_SP, 0 }
#define MOV(s, d)         { OP_SRC_REG, s, 0, OP_DEST_REG, d, 0 }
#define STORE(s, d, off)  { OP_SRC_REG, s, 0, OP_DEST_REG_INDIRECT, d, off }
#define LOAD(s, off, d)   { OP_SRC_REG_INDIRECT, s, off, OP_DEST_REG, d, 0 }

/* Rows: no op / one op / two ops, and rows whose 6.1 reading differs. */
#define X0(w)             { .what = w, .nr61 = -1 }
#define X1(w, o)          { .what = w, .nr_ops = 1, .ops = { o }, .nr61 = -1 }
#define X2(w, a, b)       { .what = w, .nr_ops = 2, .ops = { a, b }, .nr61 = -1 }
#define X1_61NONE(w, o)   { .what = w, .nr_ops = 1, .ops = { o }, .nr61 = 0 }
#define X0_61(w, o)       { .what = w, .nr61 = 1, .op61 = o }
#define K(w, k)           { .what = w, .kind = k, .nr61 = -1 }
#define KF(w, k, f)       { .what = w, .kind = k, .flags = f, .nr61 = -1 }
#define KI(w, k, i)       { .what = w, .kind = k, .check_imm = true, .imm = i, .nr61 = -1 }
#define BR(w, k, d)       { .what = w, .kind = k, .has_target = true, .disp = d, .nr61 = -1 }

/* tests/fixtures/decode_stack.S, in order. */
static const struct expect stack_cases[] = {
	X1("push %rbp: 50+r", PUSH_REG(REG_BP)),
	X1("push %r12: REX.B 50+r", PUSH_REG(REG_R12)),
	X1("push $imm8: 6a", PUSH_CONST),
	X1("push $imm32: 68", PUSH_CONST),
	X1("push mem: ff /6", PUSH_CONST),
	X1("pushf: 9c", PUSHF_CONST),
	X1("popf: 9d", POPF_MEM),
	X1("pop mem: 8f", POP_MEM),
	X1("pop %rbx: 58+r", POP_REG(REG_BX)),
	X1("pop %r15: REX.B 58+r", POP_REG(REG_R15)),
	X1("push %fs: 0f a0", PUSH_CONST),
	X1("push %gs: 0f a8", PUSH_CONST),
	X1("pop %fs: 0f a1", POP_MEM),
	X1("pop %gs: 0f a9", POP_MEM),
	X1("sub $0x18,%rsp: 83 /5, imm negated", ADD(REG_SP, -0x18, REG_SP)),
	X1("add $0x18,%rsp: 83 /0", ADD(REG_SP, 0x18, REG_SP)),
	X1("sub $0x1000,%rsp: 81 /5", ADD(REG_SP, -0x1000, REG_SP)),
	X1("add $-8,%rsp: imm8 sign-extended", ADD(REG_SP, -8, REG_SP)),
	X1("and $-16,%rsp: 83 /4", AND_SP(-16)),
	X0("sub $8,%esp: no REX.W"),
	X0("or $8,%rsp: /1 ignored"),
	X0("sub $8,%rax: not %rsp"),
	X1("add %rax,%rsp: 01", ADD(REG_AX, 0, REG_SP)),
	X1("sub %rcx,%rsp: 29, recorded as add", ADD(REG_CX, 0, REG_SP)),
	X0("add %rsp,%rax: r/m not %rsp"),
	X1("mov %rsp,%rbp", MOV(REG_SP, REG_BP)),
	X1("mov %rbp,%rsp", MOV(REG_BP, REG_SP)),
	X1("mov %rsp,%r10", MOV(REG_SP, REG_R10)),
	X1("mov %r10,%rsp", MOV(REG_R10, REG_SP)),
	X1_61NONE("mov %rax,%rbx: 6.12 any reg, 6.1 rsp only", MOV(REG_AX, REG_BX)),
	X0("mov %eax,%ebx: no REX.W"),
	X1("mov %rsp,8(%rax)", STORE(REG_SP, REG_AX, 8)),
	X1("mov %rsp,(%r12): SIB base", STORE(REG_SP, REG_R12, 0)),
	X0("mov %rsp,0x10(%rax,%rbx): index"),
	X0("mov %rsp,0(%rip): RIP-relative"),
	X1("mov %rbx,-8(%rbp)", STORE(REG_BX, REG_BP, -8)),
	X1("mov %r12,16(%rsp)", STORE(REG_R12, REG_SP, 16)),
	X0("mov %rbx,8(%rax): base not tracked"),
	X0("mov %rbx,8(%rsp,%rax): index"),
	X0("mov %ebx,-8(%rbp): no REX.W"),
	X1("mov -8(%rbp),%rbx", LOAD(REG_BP, -8, REG_BX)),
	X1("mov 16(%rsp),%r12", LOAD(REG_SP, 16, REG_R12)),
	X1("mov (%rsp),%rax", LOAD(REG_SP, 0, REG_AX)),
	X0("mov 8(%rax),%rbx: base not tracked"),
	X1("lea 8(%rsp),%r10: DRAP setup", ADD(REG_SP, 8, REG_R10)),
	X1("lea -8(%r10),%rsp: DRAP restore", ADD(REG_R10, -8, REG_SP)),
	X1("lea -0x10(%rbp),%rsp", ADD(REG_BP, -0x10, REG_SP)),
	X1("lea (%rsp),%rbp: disp 0 is a plain move", MOV(REG_SP, REG_BP)),
	X0("lea 8(%rax,%rbx),%rcx: index"),
	X0("lea 0(%rip),%rax: RIP-relative"),
	X0("lea 8(%rsp),%eax: no REX.W"),
	X2("leave: two ops", MOV(REG_BP, REG_SP), POP_REG(REG_BP)),
	{ .what = "call: CALL + push", .kind = INSN_CALL, .has_target = true, .disp = 0,
	  .nr_ops = 1, .ops = { PUSH_CONST }, .nr61 = -1 },
	X1("mov %rsp,%gs:abs: SIB without base is base field 5 = rbp", STORE(REG_SP, REG_BP, 0x1234)),
	X0_61("mov %rax,%gs:abs: 6.1 rm_is() took it for rbp", STORE(REG_AX, REG_BP, 0x1234)),
	X0_61("mov %gs:abs,%rax: 6.1 rm_is() took it for rbp", LOAD(REG_BP, 0x1234, REG_AX)),
	KF("movq $1,8(%rsp): c7, pv_ops scan", INSN_OTHER, INSN_F_MOV_IMM),
};

/* tests/fixtures/decode_kinds.S, in order. */
static const struct expect kind_cases[] = {
	BR("jz rel8: 70-7f", INSN_JUMP_COND, 1),
	K("nop: 90", INSN_NOP),
	BR("jnz rel32: 0f 80-8f", INSN_JUMP_COND, 0),
	BR("jmp rel8: eb", INSN_JUMP, 0),
	BR("jmp rel32: e9", INSN_JUMP, 0),
	BR("jmp to itself", INSN_JUMP, -2),
	{ .what = "call: e8 pushes", .kind = INSN_CALL, .has_target = true, .nr_ops = 1,
	  .ops = { PUSH_CONST }, .nr61 = -1 },
	BR("jrcxz: e3", INSN_JUMP_COND, 0),
	BR("loop: e2", INSN_JUMP_COND, 0),
	BR("loope: e1", INSN_JUMP_COND, 0),
	BR("loopne: e0", INSN_JUMP_COND, 0),
	K("jmp *%rax: ff /4", INSN_JUMP_INDIRECT),
	K("jmp *8(%rax): ff /4", INSN_JUMP_INDIRECT),
	KF("notrack jmp *%rax: objtool warns", INSN_JUMP_INDIRECT, INSN_F_NOTRACK),
	K("call *%rax: ff /2", INSN_CALL_INDIRECT),
	K("lcall *(%rax): ff /3 also dynamic call", INSN_CALL_INDIRECT),
	K("ljmp *(%rax): ff /5", INSN_CONTEXT_SWITCH),
	K("ret: c3", INSN_RETURN),
	KI("ret $8: c2", INSN_RETURN, 8),
	K("lret: cb", INSN_CONTEXT_SWITCH),
	K("lret $8: ca", INSN_CONTEXT_SWITCH),
	KF("iretq", INSN_CONTEXT_SWITCH, INSN_F_IRET),
	KF("iretl", INSN_CONTEXT_SWITCH, INSN_F_IRET),
	K("sysretq: 0f 07", INSN_CONTEXT_SWITCH),
	K("sysexit: 0f 35", INSN_CONTEXT_SWITCH),
	K("syscall: 0f 05", INSN_CONTEXT_SWITCH),
	K("sysenter: 0f 34", INSN_CONTEXT_SWITCH),
	K("ud2: 0f 0b", INSN_BUG),
	K("ud1: 0f b9", INSN_BUG),
	K("int3: cc", INSN_TRAP),
	KI("int $0x80: other, imm8 sign-extended", INSN_OTHER, -128),
	K("hlt: not special", INSN_OTHER),
	K("xchg %ax,%ax: 66 90", INSN_NOP),
	K("pause: f3 90", INSN_NOP),
	K("xchg %rax,%r8: 49 90 is opcode 90", INSN_NOP),
	K("nopl: 0f 1f", INSN_NOP),
	K("cs nopw: 0f 1f", INSN_NOP),
	K("prefetchw: 0f 0d", INSN_NOP),
	K("prefetcht0: 0f 18", INSN_OTHER),
	K("endbr64", INSN_ENDBR),
	K("endbr32", INSN_ENDBR),
	K("clac", INSN_CLAC),
	K("stac", INSN_STAC),
	K("std", INSN_STD),
	K("cld", INSN_CLD),
	KI("enter: no stack op", INSN_OTHER, 16),
	KI("mov $imm32,%eax", INSN_OTHER, 0x12345678),
	KI("vpshufd $1: VEX, objtool stops before the immediate", INSN_OTHER, 0),
	K("vmovdqu to stack: VEX, no op", INSN_OTHER),
};

/* ---- checking ----------------------------------------------------------- */

static void check_op(const char *what, int i, const struct stack_op *got, const struct exp_op *e)
{
	ck_assert_msg(got->src.type == e->st && got->src.reg == e->sr && got->src.offset == e->so &&
		      got->dest.type == e->dt && got->dest.reg == e->dr && got->dest.offset == e->dof,
		      "%s: op %d is src %u/%u/%d dest %u/%u/%d, expected src %u/%u/%d dest %u/%u/%d",
		      what, i, got->src.type, got->src.reg, got->src.offset,
		      got->dest.type, got->dest.reg, got->dest.offset,
		      e->st, e->sr, e->so, e->dt, e->dr, e->dof);
}

static void check_insn(const struct insn_decoded *d, const struct expect *e, bool v61)
{
	int nr = e->nr_ops;
	const struct exp_op *ops = e->ops;

	if (v61 && e->nr61 >= 0) {
		nr = e->nr61;
		ops = &e->op61;
	}
	ck_assert_msg(d->kind == e->kind, "%s: kind %u, expected %u", e->what, d->kind, e->kind);
	ck_assert_msg(d->flags == e->flags, "%s: flags %#x, expected %#x", e->what, d->flags, e->flags);
	ck_assert_msg(d->has_target == e->has_target, "%s: has_target %d", e->what, d->has_target);
	if (e->has_target)
		ck_assert_msg(d->disp == e->disp, "%s: disp %lld, expected %lld", e->what,
			      (long long)d->disp, (long long)e->disp);
	if (e->check_imm)
		ck_assert_msg(d->immediate == e->imm, "%s: immediate %lld, expected %lld", e->what,
			      (long long)d->immediate, (long long)e->imm);
	ck_assert_msg(d->nr_ops == nr, "%s: %u ops, expected %d", e->what, d->nr_ops, nr);
	for (int i = 0; i < nr; i++)
		check_op(e->what, i, &d->ops[i], &ops[i]);
}

/* Decode a fixture's .text and hold it against a table, row by row. */
static void check_fixture(const char *name, const struct expect *cases, size_t n, bool v61)
{
	const char *path = unit_assemble(name);
	struct arch_decoder *d = arch_decoder_new();
	struct ao_error err;
	struct objfile *f;
	struct objsec *text;
	uint64_t off = 0;
	size_t i = 0;

	ck_assert(d != NULL);
	if (v61)
		arch_decoder_set_version(d, ARCH_OBJTOOL_6_1);
	ck_assert_msg(objf_open(&f, path, &err) == 0, "%s", err.message);
	text = objf_sec_by_name(f, ".text");
	ck_assert(text != NULL && objf_sec_data(text, NULL) == 0);
	while (off < text->size) {
		struct insn_decoded insn;

		ck_assert_msg(i < n, "%s: more instructions than expectations", name);
		ck_assert_msg(arch_decode(d, text->data + off, text->size - off, &insn) == 0,
			      "%s: %s does not decode", name, cases[i].what);
		check_insn(&insn, &cases[i], v61);
		off += insn.len;
		i++;
	}
	ck_assert_msg(i == n, "%s: %zu instructions for %zu expectations", name, i, n);
	objf_close(f);
	arch_decoder_free(d);
}

START_TEST(test_stack_forms_612)
{
	check_fixture("decode_stack", stack_cases, sizeof(stack_cases) / sizeof(*stack_cases), false);
}
END_TEST

START_TEST(test_stack_forms_61)
{
	check_fixture("decode_stack", stack_cases, sizeof(stack_cases) / sizeof(*stack_cases), true);
}
END_TEST

START_TEST(test_kinds)
{
	check_fixture("decode_kinds", kind_cases, sizeof(kind_cases) / sizeof(*kind_cases), false);
	check_fixture("decode_kinds", kind_cases, sizeof(kind_cases) / sizeof(*kind_cases), true);
}
END_TEST

/* ---- encodings no assembler writes -------------------------------------- */

struct byte_case {
	uint8_t bytes[16];
	uint8_t n;
	uint8_t len;           /* expected length */
	struct expect e;
	uint8_t kind61;        /* objtool 6.1's kind */
};

#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct byte_case byte_cases[] = {
	/* 6.12: F3 0F 01 CA is ERETU, a context switch; 6.1 saw CLAC. Zydis 4.0 rejects it. */
	{ B(0xf3, 0x0f, 0x01, 0xca), 4, K("eretu", INSN_CONTEXT_SWITCH), INSN_CLAC },
	{ B(0xf2, 0x0f, 0x01, 0xca), 4, K("erets", INSN_CONTEXT_SWITCH), INSN_CLAC },
	/* REX.W on a byte op: objtool's "64-bit only" test is the REX.W bit. */
	{ B(0x48, 0x80, 0xe4, 0xf0), 4, X1("rex.w and $0xf0,%spl", AND_SP(-16)), 0 },
	/* sub of INT_MIN: the negation wraps in objtool's int offset. */
	{ B(0x48, 0x81, 0xec, 0x00, 0x00, 0x00, 0x80), 7,
	  X1("sub $-2^31,%rsp", ADD(REG_SP, INT32_MIN, REG_SP)), 0 },
	/* push %ax: objtool still records a push of the register. */
	{ B(0x66, 0x50), 2, X1("push %ax", PUSH_REG(REG_AX)), 0 },
	/* ff /6 with a register operand: a push of a constant, not of the register. */
	{ B(0xff, 0xf0), 2, X1("push %rax via ff /6", PUSH_CONST), 0 },
	/* mov %rax,%rbx encoded as 8B /r: objtool only looks at 89 for register moves. */
	{ B(0x48, 0x8b, 0xd8), 3, X0("mov %rax,%rbx via 8b"), 0 },
	/* absolute store of %rsp under REX.B: base field 5 + 8 = r13. */
	{ B(0x49, 0x89, 0x24, 0x25, 0x34, 0x12, 0x00, 0x00), 8,
	  X1("mov %rsp,abs with REX.B", STORE(REG_SP, REG_R13, 0x1234)), 0 },
	/* mov %rsp,%rsp: any 89 register move. */
	{ B(0x48, 0x89, 0xe4), 3, X1("mov %rsp,%rsp", MOV(REG_SP, REG_SP)), 0 },
	/* 0x67 address size: objtool ignores it, %esp counts as %rsp. */
	{ B(0x67, 0x48, 0x89, 0x5c, 0x24, 0x08), 6,
	  X1("mov %rbx,8(%esp)", STORE(REG_BX, REG_SP, 8)), 0 },
	/* moffs and movabs immediates: the low 32 bits, sign-extended. */
	{ B(0x48, 0xa1, 0x88, 0x77, 0x66, 0x85, 0x44, 0x33, 0x22, 0x11), 10,
	  KI("movabs moffs,%rax", INSN_OTHER, (int32_t)0x85667788), 0 },
	{ B(0x48, 0xb8, 0x01, 0x00, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00), 10,
	  KI("movabs $imm64,%rax", INSN_OTHER, INT32_MIN + 1), 0 },
	/* ret $imm16: a 16-bit immediate, sign-extended. */
	{ B(0xc2, 0x00, 0x80), 3, KI("ret $0x8000", INSN_RETURN, -32768), INSN_RETURN },
	/* endbr64 behind another prefix: objtool wants F3 as the first prefix. */
	{ B(0x66, 0xf3, 0x0f, 0x1e, 0xfa), 5, K("66 endbr64", INSN_OTHER), 0 },
	/* ud0 is not a BUG. */
	{ B(0x0f, 0xff, 0xc0), 3, K("ud0", INSN_OTHER), 0 },
	/* backwards jcc rel32 */
	{ B(0x0f, 0x84, 0xfa, 0xff, 0xff, 0xff), 6, BR("je .-0", INSN_JUMP_COND, -6), INSN_JUMP_COND },

	/*
	 * arch/x86/decode/unknown_insns.c: what Zydis 4.0 rejects and the
	 * kernel's decoder reads.  Lengths as insn_decode() measures them; no
	 * objtool case for 0F 00 or for ModRM C6 under 0F 01.
	 */
	{ B(0xf2, 0x0f, 0x00, 0xf7), 4, K("lkgs %di", INSN_OTHER), INSN_OTHER },
	{ B(0xf2, 0x0f, 0x00, 0x30), 4, K("lkgs (%rax)", INSN_OTHER), INSN_OTHER },
	{ B(0xf2, 0x0f, 0x00, 0x74, 0x24, 0x08), 6, K("lkgs 0x8(%rsp): SIB + disp8", INSN_OTHER),
	  INSN_OTHER },
	{ B(0xf2, 0x41, 0x0f, 0x00, 0xb4, 0x24, 0x00, 0x01, 0x00, 0x00), 10,
	  K("lkgs 0x100(%r12): REX.B, SIB + disp32", INSN_OTHER), INSN_OTHER },
	{ B(0xf2, 0x0f, 0x00, 0x35, 0x00, 0x00, 0x00, 0x00), 8, K("lkgs 0x0(%rip)", INSN_OTHER),
	  INSN_OTHER },
	{ B(0x65, 0xf2, 0x0f, 0x00, 0xf7), 5, K("gs lkgs %di: F2 is still the last prefix", INSN_OTHER),
	  INSN_OTHER },
	{ B(0x0f, 0x01, 0xc6), 3, K("wrmsrns", INSN_OTHER), INSN_OTHER },
	/* One-byte opcodes invalid in 64-bit mode, measured with their 32-bit operands. */
	{ B(0x06), 1, K("push %es", INSN_OTHER), INSN_OTHER },
	{ B(0x1f), 1, K("pop %ds", INSN_OTHER), INSN_OTHER },
	{ B(0x61), 1, K("popa", INSN_OTHER), INSN_OTHER },
	{ B(0xd4, 0x0a), 2, K("aam $10", INSN_OTHER), INSN_OTHER },
	{ B(0x82, 0xc0, 0x01), 3, K("82 /0 ib, register", INSN_OTHER), INSN_OTHER },
	{ B(0x82, 0x44, 0x24, 0x08, 0x01), 5, K("82 /0 ib, SIB + disp8", INSN_OTHER), INSN_OTHER },
	{ B(0x9a, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00), 7, K("lcall ptr16:32: not a call", INSN_OTHER),
	  INSN_OTHER },
	{ B(0xea, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00), 7, K("ljmp ptr16:32: not a jump", INSN_OTHER),
	  INSN_OTHER },
	{ B(0x66, 0xea, 0x00, 0x10, 0x10, 0x00), 6, K("ljmpw ptr16:16", INSN_OTHER), INSN_OTHER },
	/* Emulate prefixes: part of the next instruction, which gives the kind. */
	{ B(0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2), 7, K("xen prefix + cpuid: not ud2", INSN_OTHER),
	  INSN_OTHER },
	{ B(0x0f, 0x0b, 0x6b, 0x76, 0x6d, 0x75, 0x02), 7,
	  BR("kvm prefix + jne: disp from the end of all 7 bytes", INSN_JUMP_COND, 2), INSN_JUMP_COND },
	{ B(0x0f, 0x0b, 0x78, 0x65, 0x6e, 0xe8, 0x10, 0x00, 0x00, 0x00), 10,
	  { .what = "xen prefix + call: CALL + push", .kind = INSN_CALL, .has_target = true,
	    .disp = 16, .nr_ops = 1, .ops = { PUSH_CONST }, .nr61 = -1 }, INSN_CALL },
	{ B(0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0x0b), 7, K("xen prefix + ud2: a BUG all the same", INSN_BUG),
	  INSN_BUG },
};

START_TEST(test_byte_cases)
{
	for (int v = 0; v < 2; v++) {
		struct arch_decoder *d = arch_decoder_new();

		ck_assert(d != NULL);
		if (v)
			arch_decoder_set_version(d, ARCH_OBJTOOL_6_1);
		for (size_t i = 0; i < sizeof(byte_cases) / sizeof(*byte_cases); i++) {
			const struct byte_case *c = &byte_cases[i];
			struct expect e = c->e;
			struct insn_decoded insn;

			ck_assert_msg(arch_decode(d, c->bytes, c->n, &insn) == 0, "%s: undecodable", e.what);
			ck_assert_msg(insn.len == c->len, "%s: length %u", e.what, insn.len);
			if (v)
				e.kind = c->kind61;
			check_insn(&insn, &e, v);
		}
		arch_decoder_free(d);
	}
}
END_TEST

/* What objtool's decoder cannot decode either: we return -1. */
START_TEST(test_undecodable)
{
	static const struct { uint8_t b[8]; size_t n; const char *what; } bad[] = {
		{ { 0xe8, 0x01, 0x02 }, 3, "call cut short by the section end" },
		{ { 0x0f }, 1, "lone escape byte" },
		{ { 0x48 }, 1, "lone REX prefix" },
		/* what neither Zydis nor the fallback table (unknown_insns.c) reads */
		{ { 0x0f, 0x04 }, 2, "0f 04: no instruction" },
		{ { 0xf2, 0x0f, 0x01, 0xc6 }, 4, "rdmsrlist: not in the table (no kernel use)" },
		{ { 0xf2, 0x0f, 0x00, 0xf7 }, 3, "lkgs cut short" },
		{ { 0xf2, 0x0f, 0x00, 0x74 }, 4, "lkgs without its SIB byte" },
		{ { 0xf3, 0x0f, 0x01 }, 3, "eretu without its ModRM" },
		{ { 0x48, 0xea, 0x01, 0x02 }, 4, "REX.W ljmp: no ptr16:64 (the kernel refuses it too)" },
		{ { 0x41, 0x06 }, 2, "REX before push %es: 32-bit mode would read inc" },
		{ { 0x67, 0x82, 0xc0, 0x01 }, 4, "67 82: 32-bit mode would address in 16 bits" },
		{ { 0xea, 0x00, 0x10, 0x00 }, 4, "ljmp cut short" },
		{ { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f }, 6, "xen prefix + lone escape byte" },
	};
	struct arch_decoder *d = arch_decoder_new();
	struct insn_decoded insn;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(arch_decode(d, bad[i].b, bad[i].n, &insn) == -1, "%s decoded", bad[i].what);
	/* the xen prefix cut short is no prefix: a ud2, then letters */
	ck_assert(arch_decode(d, (const uint8_t[]){ 0x0f, 0x0b, 0x78, 0x65 }, 4, &insn) == 0);
	ck_assert(insn.len == 2 && insn.kind == INSN_BUG);
	/* an empty buffer too */
	ck_assert(arch_decode(d, bad[0].b, 0, &insn) == -1);
	arch_decoder_free(d);
}
END_TEST

/*
 * How the fallback encodings print: as objdump prints them (LKGS as
 * binutils 2.41+ names it; the 32-bit-only opcodes as `objdump -M i386`,
 * checked on tests/fixtures/dec_i64.S), the emulate prefix as the source
 * spells it.
 */
START_TEST(test_format_unknown)
{
	static const struct {
		uint8_t b[12];
		size_t n;
		const char *text;
	} cases[] = {
		{ { 0xf2, 0x0f, 0x00, 0xf7 }, 4, "lkgs   %di" },
		{ { 0xf2, 0x0f, 0x00, 0x74, 0x24, 0x08 }, 6, "lkgs   0x8(%rsp)" },
		{ { 0xf2, 0x41, 0x0f, 0x00, 0xb4, 0x24, 0x00, 0x01, 0x00, 0x00 }, 10,
		  "lkgs   0x100(%r12)" },
		{ { 0xf2, 0x41, 0x0f, 0x00, 0xf7 }, 5, "lkgs   %r15w" },
		{ { 0xf3, 0x0f, 0x01, 0xca }, 4, "eretu" },
		{ { 0xf2, 0x0f, 0x01, 0xca }, 4, "erets" },
		{ { 0x0f, 0x01, 0xc6 }, 3, "wrmsrns" },
		{ { 0x06 }, 1, "push   %es" },
		{ { 0x60 }, 1, "pusha" },
		{ { 0x82, 0x44, 0x24, 0x08, 0x01 }, 5, "addb   $0x1,0x8(%esp)" },
		{ { 0xea, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00 }, 7, "ljmp   $0x10,$0x1000" },
		{ { 0x66, 0x9a, 0x01, 0x02, 0x03, 0x04 }, 6, "lcallw $0x403,$0x201" },
		{ { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2 }, 7, "ud2; .ascii \"xen\"; cpuid" },
		{ { 0x0f, 0x0b, 0x6b, 0x76, 0x6d, 0x75, 0x02 }, 7, "ud2; .ascii \"kvm\"; jne    0x1009" },
	};
	struct arch_decoder *d = arch_decoder_new();
	char text[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int len = arch_format(d, cases[i].b, cases[i].n, 0x1000, text, sizeof(text));

		ck_assert_msg(len == (int)cases[i].n, "%s: length %d", cases[i].text, len);
		ck_assert_str_eq(text, cases[i].text);
	}
	ck_assert_int_eq(arch_format(d, (const uint8_t[]){ 0x0f, 0x04 }, 2, 0, text, sizeof(text)), -1);
	arch_decoder_free(d);
}
END_TEST

START_TEST(test_iret_in_func)
{
	static const uint8_t iretq[] = { 0x48, 0xcf };
	static const struct expect e = X1("iretq in a function: add $40,%rsp",
					  ADD(REG_SP, 40, REG_SP));
	struct arch_decoder *d = arch_decoder_new();
	struct insn_decoded insn;

	ck_assert(arch_decode(d, iretq, sizeof(iretq), &insn) == 0);
	ck_assert(insn.flags & INSN_F_IRET);
	arch_decode_iret_in_func(&insn);
	insn.flags = 0;
	check_insn(&insn, &e, false);
	arch_decoder_free(d);
}
END_TEST

/* ---- real objects ------------------------------------------------------- */

static const char *corpus_dir(void)
{
	static const char *const candidates[] = { "../../corpus-cache", "/work/corpus-cache" };
	const char *env = getenv("CORPUS_DIR");
	static char found[512];

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++) {
		snprintf(found, sizeof(found), "%s/6.1/net_key/af_key.pre.o", candidates[i]);
		FILE *fp = fopen(found, "rb");

		if (fp) {
			fclose(fp);
			return candidates[i];
		}
	}
	return NULL;
}

/* Decode every code section of one object; returns the instruction count. */
static size_t decode_object(struct arch_decoder *d, const char *path)
{
	struct ao_error err;
	struct objfile *f;
	size_t count = 0;

	ck_assert_msg(objf_open(&f, path, &err) == 0, "%s", err.message);
	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (!sec->is_exec || sec->shdr.sh_type == SHT_NOBITS)
			continue;
		ck_assert(objf_sec_data(sec, NULL) == 0);
		for (uint64_t off = 0; off < sec->size; count++) {
			struct insn_decoded insn;

			ck_assert_msg(arch_decode(d, sec->data + off, sec->size - off, &insn) == 0,
				      "%s: can't decode instruction at %s:0x%llx", path, sec->name,
				      (unsigned long long)off);
			off += insn.len;
		}
	}
	objf_close(f);
	return count;
}

START_TEST(test_corpus_decodes)
{
	const char *top = corpus_dir();
	struct arch_decoder *d;
	char path[1024];
	size_t objects = 0, insns = 0;
	DIR *dir;
	struct dirent *de;

	if (!top) {
		fprintf(stderr, "test_decode: no corpus cache, corpus decode skipped\n");
		return;
	}
	d = arch_decoder_new();
	snprintf(path, sizeof(path), "%s/6.1/net_key/af_key.pre.o", top);
	insns += decode_object(d, path);
	objects++;
	snprintf(path, sizeof(path), "%s/6.1/drivers_md", top);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 6, ".pre.o"))
			continue;
		snprintf(path, sizeof(path), "%s/6.1/drivers_md/%s", top, de->d_name);
		insns += decode_object(d, path);
		objects++;
	}
	if (dir)
		closedir(dir);
	ck_assert_msg(insns > 10000, "only %zu instructions in %zu objects", insns, objects);
	arch_decoder_free(d);
}
END_TEST

/*
 * The decode memo (arch/x86/decode/cache.c) must give what a fresh decode
 * gives: a stream of encodings that share first bytes (48 89 44 24 with
 * different displacements, 48 8b 05 with and without a following 90), short
 * ones followed by varying bytes, encodings that differ only in a
 * displacement or immediate (the shape memo rereads those, signed and
 * unsigned, 8 to 64 bits), and the same stream again under 6.1's rules
 * (48 89 c3 differs) with the memo of the 6.12 pass.
 */
static void same_decode(const struct insn_decoded *a, const struct insn_decoded *b, size_t off)
{
	ck_assert_msg(a->len == b->len && a->kind == b->kind && a->nr_ops == b->nr_ops &&
		      a->has_target == b->has_target && a->flags == b->flags &&
		      a->disp == b->disp && a->immediate == b->immediate,
		      "memo result differs at offset %zu", off);
	/* field by field: struct op_operand has padding */
	for (unsigned k = 0; k < a->nr_ops; k++)
		ck_assert_msg(a->ops[k].src.type == b->ops[k].src.type &&
			      a->ops[k].src.reg == b->ops[k].src.reg &&
			      a->ops[k].src.offset == b->ops[k].src.offset &&
			      a->ops[k].dest.type == b->ops[k].dest.type &&
			      a->ops[k].dest.reg == b->ops[k].dest.reg &&
			      a->ops[k].dest.offset == b->ops[k].dest.offset,
			      "memo stack op %u differs at offset %zu", k, off);
}

START_TEST(test_memo_same)
{
	static const struct { uint8_t b[12]; uint8_t n; } enc[] = {
		{ { 0x55 }, 1 }, { { 0x5d }, 1 }, { { 0xc3 }, 1 }, { { 0x41, 0x54 }, 2 },
		{ { 0x31, 0xc0 }, 2 }, { { 0x48, 0x89, 0xe5 }, 3 }, { { 0x48, 0x89, 0xc3 }, 3 },
		{ { 0x48, 0x89, 0x44, 0x24, 0x08 }, 5 }, { { 0x48, 0x89, 0x44, 0x24, 0x10 }, 5 },
		{ { 0x48, 0x83, 0xec, 0x18 }, 4 }, { { 0x48, 0x83, 0xc4, 0x18 }, 4 },
		{ { 0x48, 0x8b, 0x05, 0, 0, 0, 0 }, 7 }, { { 0x48, 0x8b, 0x05, 1, 0, 0, 0 }, 7 },
		{ { 0xe8, 0, 0, 0, 0 }, 5 }, { { 0xe8, 0x10, 0, 0, 0 }, 5 }, { { 0x74, 0x05 }, 2 },
		{ { 0x74, 0x07 }, 2 }, { { 0x0f, 0x0b }, 2 }, { { 0x90 }, 1 }, { { 0xc9 }, 1 },
		/* the shape memo: same fixed bytes, other displacements and immediates */
		{ { 0x48, 0x83, 0xec, 0x28 }, 4 }, { { 0x48, 0x81, 0xec, 0, 1, 0, 0 }, 7 },
		{ { 0x48, 0x81, 0xec, 0x80, 0, 0, 0 }, 7 }, { { 0x48, 0x8d, 0x65, 0xf0 }, 4 },
		{ { 0x48, 0x8d, 0x65, 0xd8 }, 4 }, { { 0x48, 0x83, 0xe4, 0xf0 }, 4 },
		{ { 0x48, 0x83, 0xe4, 0xc0 }, 4 }, { { 0x0f, 0x84, 0x10, 0, 0, 0 }, 6 },
		{ { 0x0f, 0x84, 0xf0, 0xff, 0xff, 0xff }, 6 }, { { 0xeb, 0xfe }, 2 },
		{ { 0xe9, 0, 1, 0, 0 }, 5 }, { { 0xe9, 0xfb, 0xff, 0xff, 0xff }, 5 },
		{ { 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 0x88 }, 10 },
		{ { 0x48, 0xa1, 8, 7, 6, 5, 4, 3, 2, 1 }, 10 },
		{ { 0xc8, 0x10, 0, 0 }, 4 }, { { 0xc8, 0x20, 0, 1 }, 4 },
		{ { 0x66, 0xc7, 0x44, 0x24, 0x08, 0x34, 0x12 }, 7 },
		{ { 0x66, 0xc7, 0x44, 0x24, 0xf8, 0xff, 0xff }, 7 },
		{ { 0x48, 0x89, 0x64, 0x24, 0xf8 }, 5 }, { { 0x48, 0x8b, 0x64, 0x24, 0x10 }, 5 },
		{ { 0x48, 0x8b, 0x64, 0x24, 0x18 }, 5 },
		{ { 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff }, 7 },
		{ { 0x48, 0xc7, 0xc0, 1, 0, 0, 0 }, 7 },
		{ { 0x48, 0x89, 0xac, 0x24, 0, 1, 0, 0 }, 8 },
		{ { 0x48, 0x89, 0xac, 0x24, 0xf0, 0xff, 0xff, 0xff }, 8 },
		{ { 0x6a, 0x08 }, 2 }, { { 0x6a, 0xf8 }, 2 }, { { 0x68, 0, 1, 0, 0 }, 5 },
		{ { 0x68, 0xff, 0xff, 0xff, 0xff }, 5 },
	};
	uint8_t buf[4096];
	size_t n = 0;
	uint32_t seed = 12345;
	struct arch_decoder *d = arch_decoder_new();
	struct arch_decode_cache *memo = arch_decode_cache_new(sizeof(buf));

	ck_assert(d && memo);
	while (n + 12 + 16 < sizeof(buf)) {
		unsigned k;

		seed = seed * 1103515245u + 12345u;
		k = (seed >> 16) % (sizeof(enc) / sizeof(*enc));
		memcpy(buf + n, enc[k].b, enc[k].n);
		n += enc[k].n;
	}
	memset(buf + n, 0x90, sizeof(buf) - n);
	for (int pass = 0; pass < 2; pass++) {
		arch_decoder_set_version(d, pass ? ARCH_OBJTOOL_6_1 : ARCH_OBJTOOL_6_12);
		for (size_t off = 0; off < n;) {
			struct insn_decoded fresh, memoized;

			ck_assert(arch_decode(d, buf + off, sizeof(buf) - off, &fresh) == 0);
			ck_assert(arch_decode_cached(d, memo, buf + off, sizeof(buf) - off,
						     &memoized) == 0);
			same_decode(&fresh, &memoized, off);
			off += fresh.len;
		}
	}
	arch_decode_cache_free(memo);
	arch_decoder_free(d);
}
END_TEST

UNIT_SUITE(decode_suite)
static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_stack_forms_612);
	tcase_add_test(tc, test_stack_forms_61);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_byte_cases);
	tcase_add_test(tc, test_undecodable);
	tcase_add_test(tc, test_format_unknown);
	tcase_add_test(tc, test_iret_in_func);
	tcase_add_test(tc, test_corpus_decodes);
	tcase_add_test(tc, test_memo_same);
	suite_add_tcase(s, tc);
	return s;
}
