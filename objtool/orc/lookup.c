// SPDX-License-Identifier: GPL-2.0
/*
 * Where the kernel's unwinder finds an ORC entry in a linked image
 * (include/orc_lookup.h).
 *
 * At build time sorttable sorts .orc_unwind_ip/.orc_unwind by address, a
 * section terminator (the weak entry) before a real entry at the same
 * address.  .orc_lookup is only reserved by the linker script, one u32 per
 * 256 bytes of _stext.._etext plus one; the kernel fills it at boot
 * (unwind_init): slot i holds the entry a whole-table search finds for
 * _stext + 256 * i, the last slot the one for _etext.  A lookup of ip in
 * _stext.._etext then searches only the entries from slot[ip's block] to
 * slot[block + 1] inclusive; .init.text is searched whole; anything else is
 * not vmlinux's (modules, BPF, ftrace trampolines).
 *
 * The search itself finds the last entry whose address is at or below ip,
 * and when there is none the first entry of the range: the kernel's
 * binary search starts with that as its answer.
 */
#include <stdlib.h>
#include <string.h>

#include "orc_lookup.h"

bool orc_entry_is_weak(enum orc_format fmt, const struct orc_entry *e)
{
	if (fmt == ORC_FORMAT_V1)
		return e->sp_reg == ORC_REG_UNDEFINED && !e->end;
	return e->type == ORC_T_UNDEFINED;
}

/* Rows [first, first + nr): the last with addr <= ip, else first. */
static size_t search(const struct orc_table *t, size_t first, size_t nr, uint64_t ip,
		     bool *below_all)
{
	size_t lo = first, hi = first + nr, found = first;

	*below_all = true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].addr <= ip) {
			found = mid;
			*below_all = false;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return found;
}

/* A symbol's address, or false when the image has no such symbol in a section. */
static bool sym_addr(struct objfile *f, const char *name, uint64_t *addr)
{
	for (struct objsym *s = objf_sym_by_name(f, name); s; s = objf_sym_next_same_name(f, s)) {
		if (s->sec) {
			*addr = s->sec->shdr.sh_addr + s->offset;
			return true;
		}
	}
	return false;
}

static void check_sorted(struct orc_image *img)
{
	img->sorted = true;
	for (size_t i = 1; i < img->t.nr; i++) {
		if (img->t.rows[i].addr < img->t.rows[i - 1].addr) {
			img->sorted = false;
			img->first_unsorted = i;
			return;
		}
	}
}

/*
 * The slots the linker script reserved: orc_lookup..orc_lookup_end when
 * those symbols exist, else the section's size.  Fewer than _stext.._etext
 * needs means a cut-down section: name where it ends.
 */
static int lookup_size(struct orc_image *img, struct objsec *sec, struct ao_error *err)
{
	uint64_t start, end, bytes = sec->shdr.sh_size;
	uint64_t need = (img->text_end - img->text_start + ORC_LOOKUP_BLOCK - 1) /
			ORC_LOOKUP_BLOCK + 1;

	if (sym_addr(img->f, "orc_lookup", &start) && sym_addr(img->f, "orc_lookup_end", &end) &&
	    end >= start && end - start <= bytes)
		bytes = end - start;
	img->nr_blocks = bytes / 4;
	if (img->nr_blocks < need)
		return objf_fail(img->f, err, sec, img->nr_blocks * 4,
				 "truncated: %zu slots, _stext.._etext (0x%llx bytes) needs %llu",
				 img->nr_blocks, (unsigned long long)(img->text_end - img->text_start),
				 (unsigned long long)need);
	return 0;
}

/* unwind_init()'s loop: every slot from a whole-table search. */
static int fill_lookup(struct orc_image *img, struct ao_error *err)
{
	struct objsec *sec = objf_sec_by_name(img->f, ".orc_lookup");
	bool below;

	if (!sec || !sym_addr(img->f, "_stext", &img->text_start) ||
	    !sym_addr(img->f, "_etext", &img->text_end) || img->text_end < img->text_start)
		return 0;
	if (lookup_size(img, sec, err))
		return -1;
	img->lookup = ao_calloc(err, img->nr_blocks, sizeof(*img->lookup));
	if (!img->lookup)
		return -1;
	for (size_t i = 0; i + 1 < img->nr_blocks; i++)
		img->lookup[i] = (uint32_t)search(&img->t, 0, img->t.nr,
						  img->text_start + ORC_LOOKUP_BLOCK * i, &below);
	img->lookup[img->nr_blocks - 1] = (uint32_t)search(&img->t, 0, img->t.nr, img->text_end,
							   &below);
	img->has_lookup = true;
	return 0;
}

int orc_image_open(struct orc_image *img, struct objfile *f, enum orc_format fmt,
		   struct ao_error *err)
{
	memset(img, 0, sizeof(*img));
	img->f = f;
	img->fmt = fmt;
	if (orc_read_table(f, fmt, &img->t, err))
		return -1;
	check_sorted(img);
	img->has_inittext = sym_addr(f, "_sinittext", &img->init_start) &&
			    sym_addr(f, "_einittext", &img->init_end);
	if (img->t.nr && fill_lookup(img, err)) {
		orc_image_free(img);
		return -1;
	}
	return 0;
}

void orc_image_free(struct orc_image *img)
{
	orc_free_table(&img->t);
	free(img->lookup);
	img->lookup = NULL;
}

/* orc_find() for vmlinux, after its ip == 0 special case. */
void orc_image_find(const struct orc_image *img, uint64_t ip, struct orc_lookup_result *r)
{
	memset(r, 0, sizeof(*r));
	r->path = ORC_LOOKUP_NONE;
	if (!img->t.nr)
		return;
	if (img->has_lookup && ip >= img->text_start && ip < img->text_end) {
		r->block = (ip - img->text_start) / ORC_LOOKUP_BLOCK;
		if (r->block + 1 >= img->nr_blocks) {
			r->path = ORC_LOOKUP_BAD_BLOCK;
			return;
		}
		r->path = ORC_LOOKUP_FAST;
		r->start = img->lookup[r->block];
		r->stop = (size_t)img->lookup[r->block + 1] + 1;
	} else if (!img->has_lookup ||
		   (img->has_inittext && ip >= img->init_start && ip < img->init_end)) {
		r->path = ORC_LOOKUP_FULL;
		r->start = 0;
		r->stop = img->t.nr;
	} else {
		return;
	}
	r->index = search(&img->t, r->start, r->stop - r->start, ip, &r->below_all);
}

/* ---- what the unwinder does with an entry -------------------------------- */

/* pt_regs on x86-64: ip is slot 16, sp slot 19; an IRET frame is ip, cs, flags, sp, ss. */
#define PT_REGS_IP 0x80
#define PT_REGS_SP 0x98
#define IRET_SP 0x18

static const char *const reg_words[] = {
	[ORC_REG_DX] = "rdx", [ORC_REG_DI] = "rdi", [ORC_REG_R10] = "r10",
	[ORC_REG_R13] = "r13",
};

/* The CFA, from sp_reg: the stack pointer the caller had before its call. */
static void describe_cfa(const struct orc_entry *e, struct orc_frame_text *o)
{
	switch (e->sp_reg) {
	case ORC_REG_SP:
		snprintf(o->cfa, sizeof(o->cfa), "rsp%+d", e->sp_offset);
		break;
	case ORC_REG_BP:
		snprintf(o->cfa, sizeof(o->cfa), "rbp%+d", e->sp_offset);
		break;
	case ORC_REG_SP_INDIRECT:
		snprintf(o->cfa, sizeof(o->cfa), "[rsp]%+d (the word at rsp, plus the offset)",
			 e->sp_offset);
		break;
	case ORC_REG_BP_INDIRECT:
		snprintf(o->cfa, sizeof(o->cfa), "[rbp%+d] (the word there)", e->sp_offset);
		break;
	case ORC_REG_DX: case ORC_REG_DI: case ORC_REG_R10: case ORC_REG_R13:
		snprintf(o->cfa, sizeof(o->cfa),
			 "%s as saved in the pt_regs of the frame below (only known when that "
			 "frame had pt_regs; the offset is not added)", reg_words[e->sp_reg]);
		break;
	default:
		snprintf(o->cfa, sizeof(o->cfa), "unknown register %u: the unwinder stops",
			 e->sp_reg);
	}
}

/* Where the caller's ip and rsp come from, by entry type. */
static void describe_ip(enum orc_format fmt, const struct orc_entry *e, struct orc_frame_text *o)
{
	switch (e->type) {
	case ORC_T_CALL:
		snprintf(o->ip, sizeof(o->ip),
			 "return address at CFA-8; the caller's rsp is the CFA");
		break;
	case ORC_T_REGS:
		snprintf(o->ip, sizeof(o->ip),
			 "a full pt_regs starts at the CFA: rip from CFA+0x%x, rsp from CFA+0x%x",
			 PT_REGS_IP, PT_REGS_SP);
		break;
	case ORC_T_REGS_PARTIAL:
		snprintf(o->ip, sizeof(o->ip),
			 "an IRET frame starts at the CFA: rip from CFA+0x0, rsp from CFA+0x%x",
			 IRET_SP);
		break;
	default:
		snprintf(o->ip, sizeof(o->ip), "unknown type: the unwinder stops");
	}
}

static void describe_bp(const struct orc_entry *e, struct orc_frame_text *o)
{
	switch (e->bp_reg) {
	case ORC_REG_UNDEFINED:
		snprintf(o->bp, sizeof(o->bp),
			 "not saved here: unchanged (or from pt_regs when the frame has them)");
		break;
	case ORC_REG_PREV_SP:
		snprintf(o->bp, sizeof(o->bp), "saved at CFA%+d", e->bp_offset);
		break;
	case ORC_REG_BP:
		snprintf(o->bp, sizeof(o->bp), "saved at rbp%+d", e->bp_offset);
		break;
	default:
		snprintf(o->bp, sizeof(o->bp), "unknown register %u: the unwinder stops",
			 e->bp_reg);
	}
}

/*
 * 6.1 (v1) knows "no CFA" only through sp_reg: with the end bit it is the
 * bottom of the stack, without it an error.  v2 has its own types for both.
 */
void orc_frame_describe(enum orc_format fmt, const struct orc_entry *e,
			struct orc_frame_text *out)
{
	bool v1 = fmt == ORC_FORMAT_V1;

	memset(out, 0, sizeof(*out));
	if ((v1 && e->sp_reg == ORC_REG_UNDEFINED && e->end) ||
	    (!v1 && e->type == ORC_T_END_OF_STACK)) {
		snprintf(out->verdict, sizeof(out->verdict),
			 "stops: end of the stack (a normal end, the trace is reliable)");
		return;
	}
	if ((v1 && e->sp_reg == ORC_REG_UNDEFINED) || (!v1 && e->type == ORC_T_UNDEFINED)) {
		snprintf(out->verdict, sizeof(out->verdict),
			 "stops: undefined entry (the trace is marked unreliable)");
		return;
	}
	snprintf(out->verdict, sizeof(out->verdict), "continues to the caller");
	describe_cfa(e, out);
	describe_ip(fmt, e, out);
	describe_bp(e, out);
	/* 6.1 decides by type; 6.3+ by the entry's signal bit. */
	if (v1 ? e->type == ORC_T_REGS || e->type == ORC_T_REGS_PARTIAL : e->signal)
		snprintf(out->next, sizeof(out->next),
			 "the caller's entry is looked up at its rip itself (an interrupted frame)");
	else
		snprintf(out->next, sizeof(out->next),
			 "the caller's entry is looked up at the return address - 1");
}
