// SPDX-License-Identifier: GPL-2.0
/*
 * altorc cfg FILE FUNC [--dot]: one function's control-flow graph, as text
 * or as Graphviz DOT.
 *
 * Basic blocks are cut at every jump target, after every jump, return or
 * dead end, and around every instruction that carries extra branches
 * (alternative sites, static branches, exception fixups), so each extra
 * branch leaves from the start of a block.  Every replacement of an
 * alternative site is its own block, drawn in a dashed cluster named by
 * its CPU feature, with a dashed edge in (labelled with the feature) and
 * an edge out to where execution resumes after the original range.  Each
 * block shows its entry stack state, the state validation recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "arch_decode.h"
#include "cmd_priv.h"
#include "commands.h"
#include "report.h"

struct block {
	const struct instr **insns;
	size_t nr, cap;
	const struct alt_entry *alt;     /* replacement block: its entry */
};

enum edge_kind { E_FALL, E_JUMP, E_TAKEN, E_NOT_TAKEN, E_ALT, E_ALT_BACK, E_SPECIAL, E_CALL };

struct edge {
	size_t from, to;                 /* block indexes; to == SIZE_MAX: external */
	enum edge_kind kind;
	const struct alt_entry *alt;
	const char *external;            /* sibling-call target name */
};

struct insn_block {
	const struct instr *insn;
	size_t block;
};

struct graph {
	struct analysis *an;
	const struct objsym *func;
	struct block *blocks;
	size_t nr_blocks, cap_blocks;
	struct edge *edges;
	size_t nr_edges, cap_edges;
	struct insn_block *map;          /* sorted by instruction address */
	size_t nr_map, cap_map;
	bool oom;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc cfg [--dot] [--kernel=6.1|6.12] [--alt-layout=v1|v2] [--uaccess]\n"
		"                  FILE FUNC\n"
		"  FUNC's basic blocks (its .cold part included) with their instructions and\n"
		"  entry stack state.  Alternative replacements are blocks of their own in a\n"
		"  dashed cluster; the edge into each is labelled with its CPU feature.\n"
		"  --dot prints Graphviz DOT (render with: dot -Tsvg -o FUNC.svg).\n"
		"  Exit status: 0, or 2 for bad usage or an unusable input.\n");
}

static void *grow(struct graph *g, void *p, size_t *cap, size_t nr, size_t size)
{
	size_t c;
	void *n;

	if (nr < *cap)
		return p;
	c = *cap ? *cap * 2 : 32;
	n = reallocarray(p, c, size);
	if (!n) {
		g->oom = true;
		return NULL;
	}
	*cap = c;
	return n;
}

static size_t new_block(struct graph *g, const struct alt_entry *alt)
{
	struct block *b = grow(g, g->blocks, &g->cap_blocks, g->nr_blocks, sizeof(*b));

	if (!b)
		return SIZE_MAX;
	g->blocks = b;
	memset(&b[g->nr_blocks], 0, sizeof(*b));
	b[g->nr_blocks].alt = alt;
	return g->nr_blocks++;
}

static void block_add(struct graph *g, size_t bi, const struct instr *i)
{
	struct block *b = &g->blocks[bi];
	const struct instr **v = grow(g, b->insns, &b->cap, b->nr, sizeof(*v));
	struct insn_block *m;

	if (!v)
		return;
	b->insns = v;
	v[b->nr++] = i;
	m = grow(g, g->map, &g->cap_map, g->nr_map, sizeof(*m));
	if (!m)
		return;
	g->map = m;
	m[g->nr_map++] = (struct insn_block){ i, bi };
}

static int map_cmp(const void *a, const void *b)
{
	const struct instr *x = ((const struct insn_block *)a)->insn;
	const struct instr *y = ((const struct insn_block *)b)->insn;

	return x < y ? -1 : x > y;
}

static size_t block_of(const struct graph *g, const struct instr *i)
{
	struct insn_block key = { i, 0 }, *hit;

	if (!i)
		return SIZE_MAX;
	hit = bsearch(&key, g->map, g->nr_map, sizeof(key), map_cmp);
	return hit ? hit->block : SIZE_MAX;
}

static void add_edge(struct graph *g, size_t from, size_t to, enum edge_kind k,
		     const struct alt_entry *alt, const char *external)
{
	struct edge *e;

	if (from == SIZE_MAX || (to == SIZE_MAX && !external))
		return;
	e = grow(g, g->edges, &g->cap_edges, g->nr_edges, sizeof(*e));
	if (!e)
		return;
	g->edges = e;
	e[g->nr_edges++] = (struct edge){ from, to, k, alt, external };
}

/* ---- building --------------------------------------------------------------- */

static bool ends_flow(const struct instr *i)
{
	switch (i->kind) {
	case INSN_JUMP:
	case INSN_JUMP_INDIRECT:
	case INSN_RETURN:
	case INSN_CONTEXT_SWITCH:
	case INSN_TRAP:
		return true;
	default:
		return (i->flags & IF_DEAD_END) != 0;
	}
}

static bool is_branch(const struct instr *i)
{
	return i->kind == INSN_JUMP || i->kind == INSN_JUMP_COND || ends_flow(i);
}

/* The instructions of the function and its .cold part, in address order. */
static const struct instr **func_insns(struct graph *g, size_t *nr)
{
	const struct instr **v = NULL;
	size_t cap = 0;

	*nr = 0;
	for (struct instr *i = cfg_first_in_func(&g->an->cfg, g->func); i;
	     i = cfg_next_same_func(&g->an->cfg, i)) {
		v = grow(g, v, &cap, *nr, sizeof(*v));
		if (!v)
			return NULL;
		v[(*nr)++] = i;
	}
	return v;
}

/* Does instruction k start a block? */
static bool leader(const struct instr **v, size_t nr, size_t k)
{
	const struct instr *i = v[k], *p = k ? v[k - 1] : NULL;

	if (!p || p->func != i->func || p->next != i || i->alts || is_branch(p) || p->alts)
		return true;
	if (p->alt_group && !p->alt_group->orig_group && p == p->alt_group->last)
		return true;   /* the end of an alternative site's original range */
	for (size_t j = 0; j < nr; j++)
		if (v[j]->jump_dest == i)
			return true;
	for (size_t j = 0; j < nr; j++)
		for (const struct alt_branch *b = v[j]->alts; b; b = b->next)
			if (!b->entry && b->first == i)
				return true;
	return false;
}

static void add_replacements(struct graph *g, const struct instr **v, size_t nr)
{
	for (size_t k = 0; k < nr; k++)
		for (const struct alt_branch *b = v[k]->alts; b; b = b->next) {
			const struct alt_group *grp = b->first ? b->first->alt_group : NULL;
			size_t bi;

			if (!b->entry || !grp || block_of(g, b->first) != SIZE_MAX)
				continue;
			bi = new_block(g, b->entry);
			if (bi == SIZE_MAX)
				return;
			for (const struct instr *i = grp->first; i; i = cmd_analysis_group_next(grp, i))
				block_add(g, bi, i);
			qsort(g->map, g->nr_map, sizeof(*g->map), map_cmp);
		}
}

static void block_edges(struct graph *g, size_t bi)
{
	const struct block *b = &g->blocks[bi];
	const struct instr *first = b->insns[0], *last = b->insns[b->nr - 1];
	const struct instr *after = b->alt ? cfg_validate_next(last) : last->next;

	for (const struct alt_branch *a = first->alts; a; a = a->next)
		add_edge(g, bi, block_of(g, a->first), a->entry ? E_ALT : E_SPECIAL, a->entry, NULL);
	if (last->kind == INSN_JUMP || last->kind == INSN_JUMP_COND) {
		size_t to = block_of(g, last->jump_dest);

		if (to == SIZE_MAX && last->call_dest)
			add_edge(g, bi, to, E_CALL, NULL, last->call_dest->name);
		else
			add_edge(g, bi, to, last->kind == INSN_JUMP ? E_JUMP : E_TAKEN, NULL, NULL);
	} else if (last->kind == INSN_JUMP_INDIRECT && last->call_dest) {
		add_edge(g, bi, SIZE_MAX, E_CALL, NULL, last->call_dest->name);
	}
	if (ends_flow(last))
		return;
	add_edge(g, bi, block_of(g, after),
		 b->alt ? E_ALT_BACK : last->kind == INSN_JUMP_COND ? E_NOT_TAKEN : E_FALL,
		 b->alt, NULL);
}

static int build(struct graph *g)
{
	size_t nr, bi = SIZE_MAX;
	const struct instr **v = func_insns(g, &nr);

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

static void graph_free(struct graph *g)
{
	for (size_t b = 0; b < g->nr_blocks; b++)
		free(g->blocks[b].insns);
	free(g->blocks);
	free(g->edges);
	free(g->map);
}

/* ---- output ------------------------------------------------------------------ */

static void insn_text(const struct graph *x, const struct instr *i, char *buf, size_t size)
{
	report_insn_text(x->an->cfg.decoder, i, buf, size);
}

static void state_text(const struct instr *i, char *buf, size_t size)
{
	if (i->state)
		stack_state_format(i->state, buf, size);
	else
		snprintf(buf, size, "(not reached)");
}

static void feature_label(const struct alt_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "%sfeature %u (%u*32+%u)", (e->flags & ALT_FLAG_NOT) ? "not " : "",
		 e->feature, e->feature / 32u, e->feature % 32u);
}

static const char *edge_name(const struct edge *e)
{
	static const char *const names[] = {
		[E_FALL] = "fallthrough", [E_JUMP] = "jump", [E_TAKEN] = "taken",
		[E_NOT_TAKEN] = "not taken", [E_ALT] = "alternative", [E_ALT_BACK] = "after site",
		[E_SPECIAL] = "static branch / fixup", [E_CALL] = "sibling call",
	};

	return names[e->kind];
}

static void print_text(const struct graph *g)
{
	char buf[256], st[512];

	printf("%s: %s: %zu blocks, %zu edges\n", g->an->file->path, g->func->name, g->nr_blocks,
	       g->nr_edges);
	for (size_t b = 0; b < g->nr_blocks; b++) {
		const struct block *blk = &g->blocks[b];

		state_text(blk->insns[0], st, sizeof(st));
		printf("\nblock %zu  %s+0x%llx", b, blk->insns[0]->sec->name,
		       (unsigned long long)blk->insns[0]->offset);
		if (blk->alt) {
			feature_label(blk->alt, buf, sizeof(buf));
			printf("  replacement, %s", buf);
		}
		printf("\n  entry: %s\n", st);
		for (size_t k = 0; k < blk->nr; k++) {
			insn_text(g, blk->insns[k], buf, sizeof(buf));
			printf("  %6llx  %s\n", (unsigned long long)blk->insns[k]->offset, buf);
		}
		for (size_t e = 0; e < g->nr_edges; e++) {
			const struct edge *ed = &g->edges[e];

			if (ed->from != b)
				continue;
			if (ed->external)
				printf("  -> %s (%s)\n", ed->external, edge_name(ed));
			else if (ed->alt && ed->kind == E_ALT) {
				feature_label(ed->alt, buf, sizeof(buf));
				printf("  -> block %zu (alternative, %s)\n", ed->to, buf);
			} else
				printf("  -> block %zu (%s)\n", ed->to, edge_name(ed));
		}
	}
}

/* Text inside a DOT double-quoted label; \l ends left-justified lines. */
static void dot_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '{' || *s == '}' || *s == '<' || *s == '>' ||
		    *s == '|')
			putchar('\\');
		putchar(*s);
	}
}

static void dot_block(const struct graph *g, size_t b)
{
	const struct block *blk = &g->blocks[b];
	char buf[256], st[512];

	state_text(blk->insns[0], st, sizeof(st));
	printf("    b%zu [label=\"", b);
	snprintf(buf, sizeof(buf), "%s+0x%llx", blk->insns[0]->sec->name,
		 (unsigned long long)blk->insns[0]->offset);
	dot_escaped(buf);
	printf("\\l");
	dot_escaped(st);
	printf("\\l\\l");
	for (size_t k = 0; k < blk->nr; k++) {
		char line[300];

		insn_text(g, blk->insns[k], buf, sizeof(buf));
		snprintf(line, sizeof(line), "%6llx  %s", (unsigned long long)blk->insns[k]->offset,
			 buf);
		dot_escaped(line);
		printf("\\l");
	}
	printf("\"%s];\n", blk->alt ? ", style=dashed" : "");
}

static void dot_edge(const struct edge *e)
{
	char buf[128];

	if (e->external) {
		printf("  b%zu -> \"ext_", e->from);
		dot_escaped(e->external);
		printf("\" [label=\"sibling call\"];\n");
		return;
	}
	printf("  b%zu -> b%zu [", e->from, e->to);
	switch (e->kind) {
	case E_ALT:
		feature_label(e->alt, buf, sizeof(buf));
		printf("style=dashed, color=blue, fontcolor=blue, label=\"");
		dot_escaped(buf);
		printf("\"");
		break;
	case E_ALT_BACK:
		printf("style=dashed, color=blue");
		break;
	case E_SPECIAL:
		printf("style=dotted, label=\"static branch / fixup\"");
		break;
	case E_TAKEN:
		printf("color=darkgreen, label=\"taken\"");
		break;
	case E_NOT_TAKEN:
		printf("color=red, label=\"not taken\"");
		break;
	default:
		printf("label=\"\"");
		break;
	}
	printf("];\n");
}

static void print_dot(const struct graph *g)
{
	char buf[128];

	printf("digraph \"");
	dot_escaped(g->func->name);
	printf("\" {\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
	       "  edge [fontname=\"sans-serif\", fontsize=9];\n  label=\"");
	dot_escaped(g->func->name);
	printf(" (%s)\";\n", g->an->file->path);
	for (size_t b = 0; b < g->nr_blocks; b++) {
		if (!g->blocks[b].alt) {
			dot_block(g, b);
			continue;
		}
		feature_label(g->blocks[b].alt, buf, sizeof(buf));
		printf("  subgraph cluster_alt%zu {\n    style=dashed; color=blue; label=\"", b);
		dot_escaped(buf);
		printf("\";\n");
		dot_block(g, b);
		printf("  }\n");
	}
	for (size_t e = 0; e < g->nr_edges; e++) {
		const struct edge *ed = &g->edges[e];

		if (ed->external) {
			printf("  \"ext_");
			dot_escaped(ed->external);
			printf("\" [shape=ellipse, label=\"");
			dot_escaped(ed->external);
			printf("\"];\n");
		}
		dot_edge(ed);
	}
	printf("}\n");
}

/* ---- the command ------------------------------------------------------------ */

static int cfg_inspect(struct analysis *an, const struct cmd_inspect_args *args)
{
	struct graph g = { .an = an };
	int status = 0;

	g.func = cmd_analysis_symbol(an->file, args->arg, true);
	if (!g.func || !cfg_first_in_func(&an->cfg, g.func)) {
		fprintf(stderr, "altorc: %s: no function '%s' with code\n", args->file, args->arg);
		status = EXIT_UNUSABLE;
	} else if (build(&g)) {
		fprintf(stderr, "altorc: %s: out of memory\n", args->file);
		status = EXIT_UNUSABLE;
	} else if (args->flag) {
		print_dot(&g);
	} else {
		print_text(&g);
	}
	graph_free(&g);
	return status;
}

int cmd_cfg(int argc, char **argv)
{
	static const struct cmd_inspect cfg = {
		.name = "cfg", .flag = "--dot", .arg_name = "FUNC",
		.usage = usage, .inspect = cfg_inspect,
	};

	return cmd_inspect_main(&cfg, argc, argv);
}
