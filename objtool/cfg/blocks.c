// SPDX-License-Identifier: GPL-2.0
/* A function's basic blocks and edges: see include/cfg_blocks.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "cfg_blocks.h"

/* Arrays start at 32 elements; a failure to grow is kept in g->oom. */
#define GROW(g, v, cap, need) (AO_GROW(NULL, v, cap, need, 32) ? ((g)->oom = true, -1) : 0)

static size_t new_block(struct cfg_graph *g, const struct alt_entry *alt)
{
	if (GROW(g, g->blocks, g->cap_blocks, g->nr_blocks + 1))
		return SIZE_MAX;
	memset(&g->blocks[g->nr_blocks], 0, sizeof(*g->blocks));
	g->blocks[g->nr_blocks].alt = alt;
	return g->nr_blocks++;
}

static void block_add(struct cfg_graph *g, size_t bi, const struct instr *i)
{
	struct cfg_block *b = &g->blocks[bi];

	if (GROW(g, b->insns, b->cap, b->nr + 1))
		return;
	b->insns[b->nr++] = i;
	if (GROW(g, g->map, g->cap_map, g->nr_map + 1))
		return;
	g->map[g->nr_map++] = (struct cfg_insn_block){ i, bi };
}

static int map_cmp(const void *a, const void *b)
{
	const struct instr *x = ((const struct cfg_insn_block *)a)->insn;
	const struct instr *y = ((const struct cfg_insn_block *)b)->insn;

	return x < y ? -1 : x > y;
}

size_t cfg_blocks_block_of(const struct cfg_graph *g, const struct instr *i)
{
	struct cfg_insn_block key = { i, 0 }, *hit;

	if (!i)
		return SIZE_MAX;
	hit = bsearch(&key, g->map, g->nr_map, sizeof(key), map_cmp);
	return hit ? hit->block : SIZE_MAX;
}

static void add_edge(struct cfg_graph *g, size_t from, size_t to, enum cfg_edge_kind k,
		     const struct alt_entry *alt, const char *external)
{
	if (from == SIZE_MAX || (to == SIZE_MAX && !external))
		return;
	if (GROW(g, g->edges, g->cap_edges, g->nr_edges + 1))
		return;
	g->edges[g->nr_edges++] = (struct cfg_edge){ from, to, k, alt, external, NULL, 0 };
}

static void add_case_edge(struct cfg_graph *g, size_t from, const struct alt_branch *a)
{
	size_t before = g->nr_edges;

	add_edge(g, from, cfg_blocks_block_of(g, a->first), CFG_EDGE_CASE, NULL, NULL);
	if (g->nr_edges > before) {
		g->edges[before].table = cfg_jump_table(g->cfg, a);
		g->edges[before].entry = a->jt_entry;
	}
}

static bool is_branch(const struct instr *i)
{
	return i->kind == INSN_JUMP || i->kind == INSN_JUMP_COND || cfg_ends_flow(i);
}

/* The instructions of the function and its .cold part, in address order. */
static const struct instr **func_insns(struct cfg_graph *g, size_t *nr)
{
	const struct instr **v = NULL;
	size_t cap = 0;

	*nr = 0;
	for (struct instr *i = cfg_first_in_func(g->cfg, g->func); i;
	     i = cfg_next_same_func(g->cfg, i)) {
		if (GROW(g, v, cap, *nr + 1)) {
			free(v);
			return NULL;
		}
		v[(*nr)++] = i;
	}
	return v;
}

/* Does instruction k start a block? */
static bool leader(const struct instr **v, size_t nr, size_t k)
{
	const struct instr *i = v[k], *p = k ? v[k - 1] : NULL;

	if (!p || p->func != i->func || cfg_insn_next(p) != i || cfg_alts(i) || is_branch(p) || cfg_alts(p))
		return true;
	if (cfg_alt_group(p) && !cfg_alt_group(p)->orig_group && p == cfg_alt_group(p)->last)
		return true;   /* the end of an alternative site's original range */
	for (size_t j = 0; j < nr; j++)
		if (cfg_jump_dest(v[j]) == i)
			return true;
	for (size_t j = 0; j < nr; j++)
		for (const struct alt_branch *b = cfg_alts(v[j]); b; b = b->next)
			if (!b->entry && b->first == i)
				return true;
	return false;
}

static void add_replacements(struct cfg_graph *g, const struct instr **v, size_t nr)
{
	for (size_t k = 0; k < nr; k++)
		for (const struct alt_branch *b = cfg_alts(v[k]); b; b = b->next) {
			const struct alt_group *grp = b->first ? cfg_alt_group(b->first) : NULL;
			size_t bi;

			if (!b->entry || !grp || cfg_blocks_block_of(g, b->first) != SIZE_MAX)
				continue;
			bi = new_block(g, b->entry);
			if (bi == SIZE_MAX)
				return;
			for (const struct instr *i = grp->first; i; i = cfg_group_next(grp, i))
				block_add(g, bi, i);
			qsort(g->map, g->nr_map, sizeof(*g->map), map_cmp);
		}
}

static void block_edges(struct cfg_graph *g, size_t bi)
{
	const struct cfg_block *b = &g->blocks[bi];
	const struct instr *first = b->insns[0], *last = b->insns[b->nr - 1];
	const struct instr *after = b->alt ? cfg_validate_next(last) : cfg_insn_next(last);

	for (const struct alt_branch *a = cfg_alts(first); a; a = a->next)
		if (a->jtab)
			add_case_edge(g, bi, a);
		else
			add_edge(g, bi, cfg_blocks_block_of(g, a->first),
				 a->entry ? CFG_EDGE_ALT : CFG_EDGE_SPECIAL, a->entry, NULL);
	if (last->kind == INSN_JUMP || last->kind == INSN_JUMP_COND) {
		size_t to = cfg_blocks_block_of(g, cfg_jump_dest(last));

		if (to == SIZE_MAX && cfg_call_dest(last))
			add_edge(g, bi, to, CFG_EDGE_CALL, NULL, cfg_call_dest(last)->name);
		else
			add_edge(g, bi, to, last->kind == INSN_JUMP ? CFG_EDGE_JUMP : CFG_EDGE_TAKEN, NULL, NULL);
	} else if (last->kind == INSN_JUMP_INDIRECT && cfg_call_dest(last)) {
		add_edge(g, bi, SIZE_MAX, CFG_EDGE_CALL, NULL, cfg_call_dest(last)->name);
	}
	if (cfg_ends_flow(last))
		return;
	add_edge(g, bi, cfg_blocks_block_of(g, after),
		 b->alt ? CFG_EDGE_ALT_BACK : last->kind == INSN_JUMP_COND ? CFG_EDGE_NOT_TAKEN : CFG_EDGE_FALL,
		 b->alt, NULL);
}

int cfg_blocks_build(struct cfg_graph *g, const struct cfg *cfg, const struct objsym *func)
{
	size_t nr, bi = SIZE_MAX;
	const struct instr **v;

	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->func = func;
	v = func_insns(g, &nr);

	if (!v)
		return -1;
	for (size_t k = 0; k < nr && !g->oom; k++) {
		if (leader(v, nr, k))
			bi = new_block(g, NULL);
		if (bi != SIZE_MAX)
			block_add(g, bi, v[k]);
	}
	qsort(g->map, g->nr_map, sizeof(*g->map), map_cmp);
	add_replacements(g, v, nr);
	for (size_t b = 0; b < g->nr_blocks && !g->oom; b++)
		block_edges(g, b);
	free(v);
	return g->oom ? -1 : 0;
}

void cfg_blocks_free(struct cfg_graph *g)
{
	for (size_t b = 0; b < g->nr_blocks; b++)
		free(g->blocks[b].insns);
	free(g->blocks);
	free(g->edges);
	free(g->map);
}
