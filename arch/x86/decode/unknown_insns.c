// SPDX-License-Identifier: GPL-2.0
/*
 * What Zydis rejects in 64-bit mode but the kernel's own instruction
 * decoder (tools/arch/x86/lib/insn.c, the reference objtool's) still reads.
 * Consulted only after Zydis has failed, so a Zydis that learns one of these
 * simply never gets here.  Three kinds of bytes:
 *
 *  - newer instructions that kernel code spells as .byte because binutils
 *    lagged behind, and that Debian 12's Zydis 4.0.0 does not know either:
 *    the table unknown_rows[].  Each row was checked to fail in
 *    ZydisDecoderDecodeFull() (64-bit mode) and has a fixture
 *    (tests/fixtures/dec_*.S) whose ORC matches both reference objtools;
 *  - one-byte opcodes that exist only outside 64-bit mode (push %es, lcall
 *    and ljmp ptr16:32, aam...), found in 32-bit entry code assembled with
 *    .code32 into a 64-bit object (the PVH entry's far jump).  The kernel's
 *    decoder has no notion of "invalid in 64-bit mode": it measures them
 *    with their 32-bit operand sizes, which Zydis' 32-bit mode gives too;
 *  - the paravirt "emulate prefixes" (Xen's and KVM's ud2 followed by three
 *    letters), which the kernel's decoder reads as a prefix of the next
 *    instruction, where Zydis sees a ud2 and then letters as code.
 *
 * Anything else Zydis rejects stays undecodable: the caller's "can't
 * decode instruction" is the answer for bytes that are no instruction.
 */
#include <stdio.h>
#include <string.h>

#include "insn.h"
#include "decoder_internal.h"

#define MAX_INSN_LEN 15

bool x86_is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36:
	case 0x3e: case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

/* ---- the table of newer encodings --------------------------------------- */

/*
 * One encoding in the 0F map: 0F, `opcode`, then a ModRM byte that is either
 * fixed (`reg` < 0: `modrm` exactly) or a /r form with any operand (`reg`:
 * the ModRM.reg value).  The operand of a /r form is measured and printed
 * through its twin: the same bytes without the mandatory prefix and with
 * ModRM.reg = `twin_reg`, an older instruction Zydis knows whose operand has
 * the same shape, so ModRM, SIB and displacement are Zydis' to read.
 */
struct unknown_row {
	const char *name;    /* objdump's mnemonic */
	uint8_t prefix;      /* mandatory prefix (the last legacy prefix); 0: none of 66/F2/F3 */
	uint8_t opcode;      /* the byte after 0F */
	int8_t reg;          /* ModRM.reg of a /r form, -1 for a fixed ModRM */
	uint8_t modrm;       /* the fixed ModRM byte */
	uint8_t twin_reg;    /* /r forms: ModRM.reg of the twin */
	uint8_t kind;        /* objtool 6.12's reading, enum insn_kind */
	uint8_t kind_61;     /* objtool 6.1's */
};

static const struct unknown_row unknown_rows[] = {
	/*
	 * LKGS r/m16, F2 0F 00 /6: native_lkgs() (6.2+, the bytes of LKGS_DI;
	 * two sites in Debian's 6.12 vmlinux.o).  Twin: LLDT r/m16 (0F 00 /2).
	 * objtool has no case for 0F 00.
	 */
	{ "lkgs", 0xf2, 0x00, 6, 0, 2, INSN_OTHER, INSN_OTHER },
	/*
	 * FRED's returns, ERETU (F3) and ERETS (F2) 0F 01 CA, spelled as bytes
	 * in 6.9+ entry_64_fred.S.  objtool 6.12 ends the path there like any
	 * return from an exception (a context switch); objtool 6.1 looks only at
	 * the ModRM byte and reads them as CLAC.
	 */
	{ "eretu", 0xf3, 0x01, -1, 0xca, 0, INSN_CONTEXT_SWITCH, INSN_CLAC },
	{ "erets", 0xf2, 0x01, -1, 0xca, 0, INSN_CONTEXT_SWITCH, INSN_CLAC },
	/* WRMSRNS, 0F 01 C6: wrmsrns() (6.8+), bytes in an alternative.  No objtool case. */
	{ "wrmsrns", 0, 0x01, -1, 0xc6, 0, INSN_OTHER, INSN_OTHER },
};

/* Where the prefixes of the bytes at buf end, and which they were. */
struct prefix_view {
	size_t opcode_at;    /* first byte after the legacy prefixes and a REX */
	size_t last_at;      /* index of the last legacy prefix */
	uint8_t last;        /* the last legacy prefix, 0 when none */
	bool has_rex;
	bool has_67;
	bool has_size_or_rep; /* any of 66, F2, F3 */
};

static void scan_prefixes(const uint8_t *buf, size_t avail, struct prefix_view *v)
{
	size_t i = 0;

	memset(v, 0, sizeof(*v));
	while (i < avail && i < MAX_INSN_LEN && x86_is_legacy_prefix(buf[i])) {
		v->last = buf[i];
		v->last_at = i;
		v->has_67 |= buf[i] == 0x67;
		v->has_size_or_rep |= buf[i] == 0x66 || buf[i] == 0xf2 || buf[i] == 0xf3;
		i++;
	}
	if (i < avail && (buf[i] & 0xf0) == 0x40) {
		v->has_rex = true;
		i++;
	}
	v->opcode_at = i;
}

static const struct unknown_row *match_row(const uint8_t *buf, size_t avail,
					   const struct prefix_view *v)
{
	size_t op = v->opcode_at;

	if (op + 3 > avail || buf[op] != 0x0f)
		return NULL;
	for (size_t i = 0; i < sizeof(unknown_rows) / sizeof(unknown_rows[0]); i++) {
		const struct unknown_row *r = &unknown_rows[i];
		uint8_t modrm = buf[op + 2];

		if (buf[op + 1] != r->opcode)
			continue;
		if (r->prefix ? v->last != r->prefix : v->has_size_or_rep)
			continue;
		if (r->reg < 0 ? modrm != r->modrm : ((modrm >> 3) & 7) != r->reg)
			continue;
		return r;
	}
	return NULL;
}

/* The twin of a /r row: the mandatory prefix dropped, ModRM.reg replaced. */
static size_t make_twin(const uint8_t *buf, size_t avail, const struct prefix_view *v,
			const struct unknown_row *r, uint8_t *twin)
{
	size_t n = 0;

	for (size_t i = 0; i < avail && i < MAX_INSN_LEN; i++)
		if (!r->prefix || i != v->last_at)
			twin[n++] = buf[i];
	/* the ModRM byte follows 0F and the opcode; one byte earlier without the prefix */
	twin[v->opcode_at + 2 - (r->prefix ? 1 : 0)] &= (uint8_t)~0x38;
	twin[v->opcode_at + 2 - (r->prefix ? 1 : 0)] |= (uint8_t)(r->twin_reg << 3);
	return n;
}

/* Length of a table row's instruction at buf, or -1. */
static int row_length(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		      const struct prefix_view *v, const struct unknown_row *r)
{
	uint8_t twin[MAX_INSN_LEN];
	ZydisDecoderContext ctx;
	ZydisDecodedInstruction zi;
	size_t n;

	if (r->reg < 0)
		return (int)v->opcode_at + 3;
	n = make_twin(buf, avail, v, r, twin);
	if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&d->decoder, &ctx, twin, n, &zi)))
		return -1;
	return zi.length + (r->prefix ? 1 : 0);
}

/* ---- 32-bit leftovers ------------------------------------------------------ */

/*
 * One-byte opcodes the opcode map marks invalid in 64-bit mode, (i64), and
 * that 64-bit mode does not reuse for something else (40-4F are REX, 62
 * EVEX, 63 MOVSXD, C4/C5 VEX; those Zydis decodes).  objtool has a case for
 * none of them (82 only under REX.W, which is not accepted here): all are
 * plain instructions to it.
 */
static bool invalid_in_64(uint8_t op)
{
	switch (op) {
	case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17:   /* push/pop %es %cs %ss */
	case 0x1e: case 0x1f:                                     /* push/pop %ds */
	case 0x27: case 0x2f: case 0x37: case 0x3f:               /* daa das aaa aas */
	case 0x60: case 0x61:                                     /* pusha popa */
	case 0x82:                                                /* group 1, byte, imm8 */
	case 0x9a: case 0xea:                                     /* lcall ljmp ptr16:32 */
	case 0xce:                                                /* into */
	case 0xd4: case 0xd5:                                     /* aam aad */
		return true;
	default:
		return false;
	}
}

/*
 * Whether Zydis' 32-bit mode measures these bytes as the kernel's decoder
 * does in 64-bit mode: no REX (32-bit mode would read it as inc/dec), and no
 * address-size prefix on the one ModRM form (16-bit addressing there).
 */
static bool measurable_as_32bit(const uint8_t *buf, size_t avail, const struct prefix_view *v)
{
	uint8_t op;

	if (v->has_rex || v->opcode_at >= avail)
		return false;
	op = buf[v->opcode_at];
	return invalid_in_64(op) && !(op == 0x82 && v->has_67);
}

static int length_32bit(const struct arch_decoder *d, const uint8_t *buf, size_t avail)
{
	ZydisDecoderContext ctx;
	ZydisDecodedInstruction zi;

	if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&d->decoder32, &ctx, buf, avail, &zi)))
		return -1;
	return zi.length;
}

/* ---- entry points ------------------------------------------------------- */

int x86_unknown_decode(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		       struct x86_unknown *u)
{
	struct prefix_view v;
	const struct unknown_row *r;
	int len;

	scan_prefixes(buf, avail, &v);
	r = match_row(buf, avail, &v);
	if (r) {
		len = row_length(d, buf, avail, &v, r);
		u->kind = r->kind;
		u->kind_61 = r->kind_61;
	} else if (measurable_as_32bit(buf, avail, &v)) {
		len = length_32bit(d, buf, avail);
		u->kind = u->kind_61 = INSN_OTHER;
	} else {
		return -1;
	}
	if (len <= 0 || (size_t)len > avail)
		return -1;
	u->len = (uint8_t)len;
	return 0;
}

/* "lkgs   0x8(%rsp)": the twin's operands behind the row's name. */
static int format_row(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		      uint64_t addr, const struct prefix_view *v, const struct unknown_row *r,
		      char *text, size_t size)
{
	uint8_t twin[MAX_INSN_LEN];
	char twin_text[128];
	const char *ops;
	size_t n;
	int len;

	if (r->reg < 0) {
		snprintf(text, size, "%s", r->name);
		return (int)v->opcode_at + 3;
	}
	n = make_twin(buf, avail, v, r, twin);
	len = x86_format_with(d, &d->decoder, twin, n, addr, twin_text, sizeof(twin_text));
	if (len <= 0)
		return -1;
	ops = strchr(twin_text, ' ');
	while (ops && *ops == ' ')
		ops++;
	snprintf(text, size, "%-6s %s", r->name, ops ? ops : "");
	return len + (r->prefix ? 1 : 0);
}

int x86_unknown_format(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		       uint64_t addr, char *text, size_t size)
{
	struct prefix_view v;
	const struct unknown_row *r;

	scan_prefixes(buf, avail, &v);
	r = match_row(buf, avail, &v);
	if (r)
		return format_row(d, buf, avail, addr, &v, r, text, size);
	if (measurable_as_32bit(buf, avail, &v))
		return x86_format_with(d, &d->decoder32, buf, avail, addr, text, size);
	return -1;
}

/* ---- emulate prefixes ----------------------------------------------------- */

/*
 * ud2 and a name: a hypervisor that traps the ud2 sees the name and emulates
 * the instruction after it (XEN_EMULATE_PREFIX before cpuid in xen_cpuid();
 * KVM's forced emulation).  The kernel's decoder takes either as part of the
 * following instruction.
 */
static const struct {
	uint8_t bytes[5];
	const char *name;
} emulate_prefixes[] = {
	{ { 0x0f, 0x0b, 'x', 'e', 'n' }, "xen" },
	{ { 0x0f, 0x0b, 'k', 'v', 'm' }, "kvm" },
};

size_t x86_emulate_prefix(const uint8_t *buf, size_t avail, const char **name)
{
	/* asked before every instruction: most start with anything but ud2 */
	if (avail < 2 || buf[0] != 0x0f || buf[1] != 0x0b)
		return 0;
	for (size_t i = 0; i < sizeof(emulate_prefixes) / sizeof(emulate_prefixes[0]); i++) {
		size_t n = sizeof(emulate_prefixes[i].bytes);

		if (avail >= n && !memcmp(buf, emulate_prefixes[i].bytes, n)) {
			if (name)
				*name = emulate_prefixes[i].name;
			return n;
		}
	}
	return 0;
}
