// SPDX-License-Identifier: GPL-2.0
/*
 * altorc cfg FILE FUNC [--dot]: one function's control-flow graph
 * (include/cfg_blocks.h), as text or as Graphviz DOT.  Every replacement of
 * an alternative site is drawn in a dashed cluster named by its CPU feature,
 * with a dashed edge in labelled with the feature.  Each block shows its
 * entry stack state, the state validation recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "arch_decode.h"
#include "cfg_blocks.h"
#include "cmd_priv.h"
#include "commands.h"
#include "report.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc cfg [--dot] [--kernel=6.1|6.12] [--alt-layout=v1|v2] [--uaccess]\n"
		"                  FILE FUNC\n"
		"  FUNC's basic blocks (its .cold part included) with their instructions and\n"
		"  entry stack state.  Alternative replacements are blocks of their own in a\n"
		"  dashed cluster; the edge into each is labelled with its CPU feature.\n"
		"  A jump through a switch table has an edge to each case (table, entry).\n"
		"  --dot prints Graphviz DOT (render with: dot -Tsvg -o FUNC.svg).\n"
		"  Exit status: 0, or 2 for bad usage or an unusable input.\n");
}

/* ---- output ------------------------------------------------------------------ */

static void insn_text(const struct cfg_graph *x, const struct instr *i, char *buf, size_t size)
{
	report_insn_text(x->cfg->decoder, i, buf, size);
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

static const char *edge_name(const struct cfg_edge *e)
{
	static const char *const names[] = {
		[CFG_EDGE_FALL] = "fallthrough", [CFG_EDGE_JUMP] = "jump", [CFG_EDGE_TAKEN] = "taken",
		[CFG_EDGE_NOT_TAKEN] = "not taken", [CFG_EDGE_ALT] = "alternative", [CFG_EDGE_ALT_BACK] = "after site",
		[CFG_EDGE_SPECIAL] = "static branch / fixup", [CFG_EDGE_CALL] = "sibling call",
		[CFG_EDGE_CASE] = "case",
	};

	return names[e->kind];
}

static void print_text(const struct cfg_graph *g)
{
	char buf[256], st[512];

	printf("%s: %s: %zu blocks, %zu edges\n", g->cfg->file->path, g->func->name, g->nr_blocks,
	       g->nr_edges);
	for (size_t b = 0; b < g->nr_blocks; b++) {
		const struct cfg_block *blk = &g->blocks[b];

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
			const struct cfg_edge *ed = &g->edges[e];

			if (ed->from != b)
				continue;
			if (ed->external)
				printf("  -> %s (%s)\n", ed->external, edge_name(ed));
			else if (ed->alt && ed->kind == CFG_EDGE_ALT) {
				feature_label(ed->alt, buf, sizeof(buf));
				printf("  -> block %zu (alternative, %s)\n", ed->to, buf);
			} else if (ed->table)
				printf("  -> block %zu (case: %s+0x%llx entry %u)\n", ed->to,
				       ed->table->sec->name, (unsigned long long)ed->table->offset,
				       ed->entry);
			else
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

static void dot_block(const struct cfg_graph *g, size_t b)
{
	const struct cfg_block *blk = &g->blocks[b];
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

static void dot_edge(const struct cfg_edge *e)
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
	case CFG_EDGE_ALT:
		feature_label(e->alt, buf, sizeof(buf));
		printf("style=dashed, color=blue, fontcolor=blue, label=\"");
		dot_escaped(buf);
		printf("\"");
		break;
	case CFG_EDGE_ALT_BACK:
		printf("style=dashed, color=blue");
		break;
	case CFG_EDGE_SPECIAL:
		printf("style=dotted, label=\"static branch / fixup\"");
		break;
	case CFG_EDGE_TAKEN:
		printf("color=darkgreen, label=\"taken\"");
		break;
	case CFG_EDGE_NOT_TAKEN:
		printf("color=red, label=\"not taken\"");
		break;
	case CFG_EDGE_CASE:
		printf("color=purple, fontcolor=purple, label=\"case %u\"", e->entry);
		break;
	default:
		printf("label=\"\"");
		break;
	}
	printf("];\n");
}

static void print_dot(const struct cfg_graph *g)
{
	char buf[128];

	printf("digraph \"");
	dot_escaped(g->func->name);
	printf("\" {\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
	       "  edge [fontname=\"sans-serif\", fontsize=9];\n  label=\"");
	dot_escaped(g->func->name);
	printf(" (%s)\";\n", g->cfg->file->path);
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
		const struct cfg_edge *ed = &g->edges[e];

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
	const struct objsym *func = cmd_analysis_symbol(an->file, args->arg, true);
	struct cfg_graph g;
	int status = 0;

	if (!func || !cfg_first_in_func(&an->cfg, func)) {
		fprintf(stderr, "altorc: %s: no function '%s' with code\n", args->file, args->arg);
		return EXIT_UNUSABLE;
	}
	if (cfg_blocks_build(&g, &an->cfg, func)) {
		fprintf(stderr, "altorc: %s: out of memory\n", args->file);
		status = EXIT_UNUSABLE;
	} else if (args->flag) {
		print_dot(&g);
	} else {
		print_text(&g);
	}
	cfg_blocks_free(&g);
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
