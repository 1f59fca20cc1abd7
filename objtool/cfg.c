// SPDX-License-Identifier: GPL-2.0
/*
 * Building the CFG: the passes in the order their results depend on each
 * other, plus the lookups every later pass uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch_decode.h"
#include "cfg.h"

size_t cfg_lower_bound(const struct code_section *cs, uint64_t off)
{
	size_t lo = 0, hi = cs->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->insns[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct instr *cfg_find(const struct cfg *cfg, const struct objsec *sec, uint64_t off)
{
	const struct code_section *cs;
	size_t i;

	if (!sec || sec->index >= cfg->file->nr_secs)
		return NULL;
	cs = &cfg->csecs[sec->index];
	i = cfg_lower_bound(cs, off);
	return i < cs->nr && cs->insns[i].offset == off ? &cs->insns[i] : NULL;
}

struct func_info *cfg_finfo(const struct cfg *cfg, const struct objsym *sym)
{
	return &cfg->finfo[sym->index];
}

int cfg_fail(struct cfg *cfg, const struct objsec *sec, uint64_t off, const char *fmt, ...)
{
	char loc[256], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	objf_format_loc(loc, sizeof(loc), (struct objsec *)sec, off);
	return ao_fail(cfg->err, AO_ERR_ANALYSIS, "%s: %s: %s", cfg->file->path, loc, msg);
}

int cfg_stop(struct cfg *cfg, const char *kind, struct objsec *sec, uint64_t off, const char *msg)
{
	cfg_fail(cfg, sec, off, "%s", msg);
	cfg->err->status = AO_ERR_STOPPED;
	cfg->stop.kind = kind;
	cfg->stop.sec = sec;
	cfg->stop.offset = off;
	cfg->stop.message = msg;
	return -1;
}

static int alloc_tables(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	cfg->csecs = ao_calloc(cfg->err, f->nr_secs, sizeof(*cfg->csecs));
	cfg->finfo = ao_calloc(cfg->err, f->nr_syms ? f->nr_syms : 1, sizeof(*cfg->finfo));
	cfg->states = stack_pool_new();
	cfg->decoder = arch_decoder_new();
	if (!cfg->csecs || !cfg->finfo)
		return -1;
	if (!cfg->states || !cfg->decoder)
		return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
	/* The two objtools read a few encodings differently: decode like the target's. */
	arch_decoder_set_version(cfg->decoder, cfg->opts.kernel_6_12 ? ARCH_OBJTOOL_6_12 : ARCH_OBJTOOL_6_1);
	return 0;
}

int cfg_build(struct cfg *cfg, struct objfile *f, const struct cfg_options *opts,
	      struct ao_error *err)
{
	cfg->file = f;
	cfg->opts = *opts;
	cfg->err = err;
	if (alloc_tables(cfg) || cfg_decode_sections(cfg))
		return -1;
	if (cfg_read_ignores(cfg))
		return -1;
	/* Before jumps: sibling-call detection needs replacements' functions. */
	if (cfg_add_special_branches(cfg))
		return -1;
	if (cfg_resolve_jumps(cfg))
		return -1;
	/* Before calls: it turns some calls into jumps. */
	if (cfg_read_intra_function_calls(cfg))
		return -1;
	if (cfg_resolve_calls(cfg))
		return -1;
	/* After calls, so that annotations override noreturn marks. */
	if (cfg_read_dead_ends(cfg))
		return -1;
	/* After dead ends, before hints, where the reference adds them. */
	if (cfg_add_jump_tables(cfg))
		return -1;
	return cfg_read_hints(cfg);
}

static void free_alt_branches(struct instr *insn)
{
	struct alt_branch *b = insn->alts;

	while (b) {
		struct alt_branch *next = b->next;
		free(b);
		b = next;
	}
}

/*
 * Every group is in cfg->groups (cfg_alternatives.c).  A replacement side
 * owns its padding NOP; the original side owns the state array that its
 * replacement sides share.
 */
static void free_groups(struct cfg *cfg)
{
	for (size_t k = 0; k < cfg->nr_groups; k++) {
		struct alt_group *g = cfg->groups[k];

		if (g->orig_group)
			free(g->nop);
		else
			free((void *)g->states);
		free(g);
	}
	free(cfg->groups);
	cfg->groups = NULL;
	cfg->nr_groups = cfg->cap_groups = 0;
}

void cfg_free(struct cfg *cfg)
{
	if (!cfg->file)
		return;
	free_groups(cfg);
	if (cfg->csecs) {
		for (size_t s = 0; s < cfg->file->nr_secs; s++) {
			for (size_t i = 0; i < cfg->csecs[s].nr; i++)
				free_alt_branches(&cfg->csecs[s].insns[i]);
			free(cfg->csecs[s].insns);
		}
	}
	free(cfg->csecs);
	free(cfg->jtabs);
	free(cfg->ops);
	free(cfg->finfo);
	stack_pool_free(cfg->states);
	arch_decoder_free(cfg->decoder);
	special_free_alternatives(&cfg->alts);
	special_free_paravirt(&cfg->pv);   /* read by --paravirt-native */
	cfg->file = NULL;
}
