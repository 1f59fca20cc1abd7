/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One function's basic blocks and the edges between them (objtool/cfg/blocks.c),
 * for `altorc cfg` and anything else that draws or walks a function as a graph.
 *
 * Blocks are cut at every jump target, after every jump, return or dead
 * end, and around every instruction that carries extra branches
 * (alternative sites, static branches, exception fixups), so each extra
 * branch leaves from the start of a block.  Every replacement of an
 * alternative site is its own block, with an edge in (CFG_EDGE_ALT) and an
 * edge out to where execution resumes after the original range.  A jump
 * through a switch table has an edge to each case (CFG_EDGE_CASE).
 */
#ifndef ALTORC_CFG_BLOCKS_H
#define ALTORC_CFG_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

struct cfg_block {
	const struct instr **insns;
	size_t nr, cap;
	const struct alt_entry *alt;     /* replacement block: its entry */
};

enum cfg_edge_kind {
	CFG_EDGE_FALL,        /* falls through into the next block */
	CFG_EDGE_JUMP,        /* unconditional jump */
	CFG_EDGE_TAKEN,       /* conditional jump, taken */
	CFG_EDGE_NOT_TAKEN,   /* conditional jump, not taken */
	CFG_EDGE_ALT,         /* into an alternative replacement (alt says which) */
	CFG_EDGE_ALT_BACK,    /* out of a replacement, after the original range */
	CFG_EDGE_SPECIAL,     /* a static branch or an exception fixup */
	CFG_EDGE_CALL,        /* a sibling call out of the function (external names it) */
	CFG_EDGE_CASE,        /* a switch table's entry (table and entry say which) */
};

struct cfg_edge {
	size_t from, to;                 /* block indexes; to == SIZE_MAX: external */
	enum cfg_edge_kind kind;
	const struct alt_entry *alt;
	const char *external;            /* sibling-call target name */
	const struct jump_table *table;  /* CFG_EDGE_CASE: the switch table */
	uint32_t entry;                  /* CFG_EDGE_CASE: its entry */
};

struct cfg_insn_block {
	const struct instr *insn;
	size_t block;
};

struct cfg_graph {
	const struct cfg *cfg;
	const struct objsym *func;
	struct cfg_block *blocks;
	size_t nr_blocks, cap_blocks;
	struct cfg_edge *edges;
	size_t nr_edges, cap_edges;
	struct cfg_insn_block *map;          /* sorted by instruction address */
	size_t nr_map, cap_map;
	bool oom;
};

/* Cut func (its .cold part included) into blocks; -1 when out of memory. */
int cfg_blocks_build(struct cfg_graph *g, const struct cfg *cfg, const struct objsym *func);
void cfg_blocks_free(struct cfg_graph *g);
/* The block holding instruction i, or SIZE_MAX. */
size_t cfg_blocks_block_of(const struct cfg_graph *g, const struct instr *i);

#endif
