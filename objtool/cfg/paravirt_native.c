// SPDX-License-Identifier: GPL-2.0
/*
 * Paravirt patch sites as branches: see include/paravirt_native.h.
 *
 * The templates below are what x86-64 native_patch() wrote over a site
 * before 5.13 (arch/x86/kernel/paravirt_patch.c of 5.10-5.12), when the
 * op was the native one and the template fit in the site:
 *
 *   irq.irq_disable          fa            cli
 *   irq.irq_enable           fb            sti
 *   irq.save_fl              9c 58         pushf; pop %rax     (stack +8 at RIP+1)
 *   irq.restore_fl           57 9d         push %rdi; popf     (stack +8 at RIP+1)
 *   mmu.read_cr2             0f 20 d0      mov %cr2,%rax
 *   mmu.read_cr3             0f 20 d8      mov %cr3,%rax
 *   mmu.write_cr3            0f 22 df      mov %rdi,%cr3
 *   cpu.wbinvd               0f 09         wbinvd
 *   lock.queued_spin_unlock  c6 07 00      movb $0,(%rdi)      (native spinlocks only)
 *   lock.vcpu_is_preempted   31 c0         xor %eax,%eax       (native spinlocks only)
 *
 * Anything else was patched into a direct call plus NOPs, as 6.1 does for
 * every site.  Only the two flag templates change the stack, but all are
 * modelled: each is checked like any alternative.  A member the kernel's
 * struct does not have (restore_fl is gone in 6.1) simply maps to no type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "arch.h"
#include "cfg_priv.h"
#include "dwarf_paravirt.h"
#include "paravirt_native.h"

/* slots[i]: the type number of template i of arch_pv_templates(), -1 when unknown. */
static int read_slots(struct cfg *cfg, int *slots)
{
	const char *members[ARCH_PV_TEMPLATES_MAX];
	const char *path = cfg->opts.pv_dwarf ? cfg->opts.pv_dwarf : cfg->file->path;
	size_t nr;
	const struct arch_pv_template *templates = arch_pv_templates(&nr);
	int r;

	for (size_t i = 0; i < nr; i++)
		members[i] = templates[i].member;
	r = dwarf_pv_slots(path, members, nr, slots, cfg->err);
	if (r < 0)
		return -1;
	if (!r)
		fprintf(stderr, "altorc: %s: --paravirt-native: no struct paravirt_patch_template in the "
			"DWARF of %s (give a -g object or vmlinux with --pv-dwarf=FILE); paravirt sites "
			"are treated as calls\n", cfg->file->path, path);
	return r;
}

static const struct arch_pv_template *template_for(const int *slots, uint8_t type)
{
	size_t nr;
	const struct arch_pv_template *templates = arch_pv_templates(&nr);

	for (size_t i = 0; i < nr; i++)
		if (slots[i] == type)
			return &templates[i];
	return NULL;
}

/*
 * The template's instructions and padding, placed at the site's own
 * addresses (they are what would run there).  One block: the padding NOP
 * first, as the replacement side owns and frees its nop (cfg_free()).
 */
static int build_side(struct cfg *cfg, const struct arch_pv_template *t, struct instr *orig,
		      struct alt_group *og, struct alt_group *ng)
{
	struct instr *blk = ao_calloc(cfg->err, 1 + t->len, sizeof(*blk));
	size_t n = 0;

	if (!blk)
		return -1;
	ng->nop = &blk[0];
	for (uint8_t off = 0; off < t->len; n++) {
		struct instr *i = &blk[1 + n];
		struct insn_decoded d;

		if (arch_decode(cfg->decoder, t->bytes + off, t->len - off, &d))
			return cfg_fail(cfg, orig->sec, orig->offset, "can't decode paravirt template");
		i->sec = orig->sec;
		i->offset = orig->offset + off;
		i->len = d.len;
		i->kind = d.kind;
		i->func = orig->func;
		if (!cfg_extra(cfg, i))
			return -1;
		i->x->alt_group = ng;
		if (cfg_store_ops(cfg, i, &d))
			return -1;
		if (n)
			blk[n].has_next = true;   /* blk[n + 1] is i */
		off += d.len;
	}
	ng->first = &blk[1];
	ng->last = &blk[n];
	blk[0].sec = orig->sec;
	blk[0].offset = orig->offset + t->len;
	blk[0].len = (uint8_t)(og->len - t->len);
	blk[0].kind = INSN_NOP;
	blk[0].func = orig->func;
	if (!cfg_extra(cfg, &blk[0]))
		return -1;
	blk[0].x->alt_group = ng;
	blk[0].flags = IF_FAKE_NOP;
	return 0;
}

static int add_site(struct cfg *cfg, const struct pv_site *s, const struct arch_pv_template *t)
{
	struct instr *orig = cfg_find(cfg, s->sec, s->off);
	struct alt_group *og, *ng;

	if (!orig || !s->len)
		return 0;   /* not an instruction boundary: the kernel would not patch it sanely */
	if (alt_site_group(cfg, orig, s->len, &og))
		return -1;
	if (!og || t->len >= og->len)
		return 0;
	ng = alt_new_side(cfg, og);
	if (!ng || build_side(cfg, t, orig, og, ng))
		return -1;
	return alt_add_branch(cfg, orig, ng->first);
}

int pv_native_add_branches(struct cfg *cfg)
{
	int slots[ARCH_PV_TEMPLATES_MAX];
	int r;

	if (special_read_paravirt(cfg->file, &cfg->pv, cfg->err))
		return -1;
	if (!cfg->pv.nr)
		return 0;
	r = read_slots(cfg, slots);
	if (r <= 0)
		return r;
	for (size_t k = 0; k < cfg->pv.nr; k++) {
		const struct arch_pv_template *t = template_for(slots, cfg->pv.sites[k].type);

		if (t && add_site(cfg, &cfg->pv.sites[k], t))
			return -1;
	}
	return 0;
}

static const struct pv_site *site_at(const struct pv_table *pv, const struct instr *insn)
{
	for (size_t k = 0; k < pv->nr; k++)
		if (pv->sites[k].sec == insn->sec && pv->sites[k].off == insn->offset)
			return &pv->sites[k];
	return NULL;
}

void pv_native_describe(const struct cfg *cfg, const struct instr *site, char *buf, size_t size)
{
	const struct pv_site *s = site_at(&cfg->pv, site);

	if (s)
		snprintf(buf, size, "paravirt native template for type %u (.parainstructions entry %zu)",
			 s->type, s->index);
	else
		snprintf(buf, size, "paravirt native template");
}
