/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control-flow model of one object: every instruction of every code
 * section (and of .altinstr_replacement), with its resolved branch target,
 * call destination, alternative branches and annotations.  Built by the
 * passes in objtool/cfg/ (their private interface: cfg_priv.h), walked by
 * objtool/validate/, turned into ORC by objtool/orc/.
 */
#ifndef ALTORC_CFG_H
#define ALTORC_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "insn.h"
#include "kernel.h"
#include "objfile.h"
#include "orc_types.h"
#include "special.h"
#include "stack_state.h"

struct instr;

/* One extra path from an instruction: an alternative, a jump label, a fixup. */
struct alt_branch {
	struct alt_branch *next;
	struct instr *first;       /* first instruction of the branch (NULL: empty) */
	bool skip_orig;            /* the original path is not taken when this one is */
	const struct alt_entry *entry;  /* for .altinstructions branches */
	uint32_t jtab;             /* a switch table's case: index + 1 into cfg->jtabs, else 0 */
	uint32_t jt_entry;         /* which entry of that table */
};

/* A switch jump table found for an indirect jump (objtool/cfg/jump_tables.c). */
struct jump_table {
	struct instr *jump;
	struct objsec *sec;             /* where the table is (.rodata, ...) */
	uint64_t offset;                /* its first entry */
	uint32_t nr_entries;            /* entries read */
	uint32_t nr_targets;            /* entries that became branches */
};

/*
 * The instructions of one side of an alternative site (the original range,
 * or one replacement), sharing a per-byte-offset state array with the
 * other sides so that states can be reconciled by offset.
 */
struct alt_group {
	struct alt_group *orig_group;   /* NULL for the original side */
	struct instr *first;            /* NULL for an empty replacement */
	struct instr *last;             /* last real instruction (NULL when empty) */
	struct instr *nop;              /* padding after a short replacement, or NULL */
	uint32_t len;                   /* of the original range */
	const struct stack_state **states;  /* [len], shared by all sides of a site */
	const struct alt_entry *entry;  /* the entry that created this side (NULL: original) */
};

enum instr_flag {
	IF_DEAD_END      = 1u << 0,   /* control does not continue past it */
	IF_IGNORE        = 1u << 1,   /* not validated (frame-non-standard, ...) */
	IF_HINT          = 1u << 2,   /* unwind hint sets the state here */
	IF_SAVE          = 1u << 3,
	IF_RESTORE       = 1u << 4,
	IF_IGNORE_ALTS   = 1u << 5,
	IF_FAKE_NOP      = 1u << 7,   /* padding after a short replacement */
	IF_VISITED       = 1u << 8,   /* validated with uaccess off */
	IF_VISITED_UA    = 1u << 9,   /* validated with uaccess on */
	IF_ENTRY         = 1u << 10,  /* an --unret walk starts here (by the kernel's rules) */
	IF_JUMP_TABLE    = 1u << 11,  /* indirect jump through a jump table */
	IF_HINT_IRET     = 1u << 13,  /* a REGS_PARTIAL hint (UNWIND_HINT_IRET_REGS) is here */
	IF_VISITED_UNRET = 1u << 14,  /* reached by an --unret walk (validate/unret.c) */
	IF_RELOC_READ    = 1u << 15,  /* --noinstr looked at this indirect call's relocation */
};

/*
 * One per instruction of every code section: about four million for a
 * whole vmlinux.o, so the layout is kept tight (48 bytes; see the
 * static_assert below).  Offsets fit 32 bits (the decoder refuses larger
 * sections), the next instruction of the section is the array neighbour
 * (has_next), and what only some instructions have is in struct
 * instr_extra.
 */
struct instr {
	struct objsec *sec;
	uint32_t offset;
	uint8_t len;
	uint8_t kind;                   /* enum insn_kind, after reclassification */
	uint8_t nr_ops;
	/*
	 * instrumentation_begin() (+1) and instrumentation_end() (-1) marks
	 * here: noinstr code may call out while their running sum is positive.
	 */
	int8_t instrumentation;
	uint16_t flags;                 /* enum instr_flag */
	bool has_target : 1;
	/* insn + 1 is the next instruction of the same section (cfg_insn_next()) */
	bool has_next : 1;
	/*
	 * Set while the CFG is built and never after, unlike flags, which
	 * validation updates: the sites (sites/) read these two on a thread of
	 * their own while validation runs (cmd/objtool.c).
	 */
	bool retpoline_safe : 1;        /* a thunk branch, a hack's RET, or annotated so */
	bool site_patched : 1;          /* rewritten by a kbuild hack (cfg/hacks.c, alternatives.c) */
	/*
	 * Which validation thread first touched it (0: none, or one thread):
	 * a second thread finding it taken makes the parallel walk fall back
	 * to the sequential one (validate/walk.c).
	 */
	uint8_t walker;
	uint32_t ops_index;             /* into cfg->ops when nr_ops */
	struct objsym *func;            /* containing function */
	const struct stack_state *state;  /* interned state before this insn */
	struct instr_extra *x;          /* NULL for most: read through cfg_call_dest() ... */
};

/*
 * What only branches, alternative sites and unwind hints have, apart so
 * that the other instructions (most of them) do not pay for it.  Allocated by
 * cfg_extra() while the CFG is built (every IF_HINT instruction has one,
 * so that validation can set a restore's hint_state without allocating).
 */
struct instr_extra {
	struct objsym *call_dest;       /* call target, or sibling-call target */
	struct instr *jump_dest;
	struct alt_branch *alts;
	struct alt_group *alt_group;
	const struct stack_state *hint_state;  /* for IF_HINT */
	int32_t disp;                   /* direct branch displacement (rel8/rel32) */
};

_Static_assert(sizeof(struct instr) <= 48, "struct instr: a vmlinux.o has four million of them");

/* The next instruction in the same section, or NULL after its last. */
static inline struct instr *cfg_insn_next(const struct instr *i)
{
	return i->has_next ? (struct instr *)i + 1 : NULL;
}

static inline struct objsym *cfg_call_dest(const struct instr *i)
{
	return i->x ? i->x->call_dest : NULL;
}

static inline int32_t cfg_disp(const struct instr *i)
{
	return i->x ? i->x->disp : 0;
}

static inline struct instr *cfg_jump_dest(const struct instr *i)
{
	return i->x ? i->x->jump_dest : NULL;
}

static inline struct alt_branch *cfg_alts(const struct instr *i)
{
	return i->x ? i->x->alts : NULL;
}

static inline struct alt_group *cfg_alt_group(const struct instr *i)
{
	return i->x ? i->x->alt_group : NULL;
}

static inline const struct stack_state *cfg_hint_state(const struct instr *i)
{
	return i->x ? i->x->hint_state : NULL;
}

/* Per-section instruction arrays, sorted by offset. */
struct code_section {
	struct objsec *sec;
	struct instr *insns;
	size_t nr;
	bool is_text;                   /* ORC is generated for it */
	/*
	 * block_first[b]: index of the first instruction at or after byte
	 * b * CFG_BLOCK, so that a lookup by offset scans a few instructions
	 * instead of binary-searching an array much larger than the caches.
	 */
	uint32_t *block_first;
	size_t nr_blocks;
};

#define CFG_BLOCK_SHIFT 6

/* Options that change the model the way objtool's flags do. */
struct cfg_options {
	bool uaccess;                   /* --uaccess */
	bool ibt;                       /* --ibt */
	bool link;                      /* --link */
	bool hack_jump_label;
	bool hack_noinstr;              /* --hacks=noinstr: NOP profiling calls in noinstr text */
	bool mcount;                    /* --mcount: __fentry__ calls become __mcount_loc entries */
	bool mnop;                      /* --mnop (6.12; 6.1 always NOPs them under --mcount) */
	bool rethunk;
	const struct kernel_rules *kernel;  /* whose objtool to follow (NULL: kernel_rules_default()) */
	enum alt_layout alt_layout;
	unsigned prefix;                /* --prefix=N (0: none) */
	/*
	 * --paravirt-native: also patch pre-5.13 native templates (pushf; pop
	 * %rax ...) into .parainstructions sites; their type numbers come from
	 * struct paravirt_patch_template in the DWARF of pv_dwarf, or of the
	 * object itself when pv_dwarf is NULL (cfg/paravirt_native.c).
	 */
	bool paravirt_native;
	const char *pv_dwarf;
	/* threads decoding sections (0: automatic; the result does not depend on it) */
	unsigned threads;
	bool verbose;                   /* say on stderr how decoding was split */
};

/* Per-function data the passes need (indexed like the symbol table). */
struct func_info {
	struct objsym *pfunc;           /* parent of a .cold part (or itself) */
	struct objsym *cfunc;           /* cold child (or itself) */
	struct objsym *alias;           /* last symbol with the same range */
	uint8_t noreturn;               /* 0 unknown, 1 returns, 2 never returns */
	bool uaccess_safe;
	bool ignore;                    /* STACK_FRAME_NON_STANDARD */
};

struct cfg {
	struct objfile *file;
	struct cfg_options opts;
	struct code_section *csecs;     /* indexed by section index (sparse) */
	struct stack_op *ops;           /* pool for instr->ops_index */
	size_t nr_ops, cap_ops;
	struct func_info *finfo;        /* indexed by symbol index */
	struct alt_table alts;
	struct pv_table pv;
	struct stack_state_pool *states;
	struct arch_decoder *decoder;
	size_t nr_insns;
	struct ao_error *err;
	/* Where cfg_extra() takes struct instr_extra from (cfg.c). */
	struct extra_chunk *extras;
	/* Every alt_group allocated, so cfg_free() can free each exactly once. */
	struct alt_group **groups;
	size_t nr_groups, cap_groups;
	struct jump_table *jtabs;
	size_t nr_jtabs, cap_jtabs;
	/* A table reached PC-relatively: the reference stops reporting unreachable code. */
	bool ignore_unreachables;
	/*
	 * With AO_ERR_STOPPED: the warning the reference ends with (a finding
	 * kind, where, and the message), for the command to report.
	 */
	struct {
		const char *kind;
		struct objsec *sec;
		uint64_t offset;
		const char *message;
		char text[200];   /* message's storage when cfg_stop() formatted it */
	} stop;
};

/* Build the whole model; -1 with err set on unusable input. */
int cfg_build(struct cfg *cfg, struct objfile *f, const struct cfg_options *opts,
	      struct ao_error *err);
void cfg_free(struct cfg *cfg);

/* Is insn a jump that leaves its function as a call would (a sibling call)? */
bool cfg_is_sibling_call(const struct cfg *cfg, const struct instr *insn);
/* Does func never return (noreturn lists of the kernel, or every path ends)? */
bool cfg_func_noreturn(struct cfg *cfg, struct objsym *func);
/* Where validation goes after insn: replacements continue after the original range. */
struct instr *cfg_validate_next(const struct instr *insn);

/*
 * The first symbol (no section symbol, and not of size 0) that starts at off
 * in sec, as the reference finds it.
 */
const struct objsym *cfg_symbol_starting_at(const struct objsec *sec, uint64_t off);

/* Switch jump tables (jump_tables.c): counts, and the table a branch is a case of (or NULL). */
struct jump_table_counts {
	size_t tables;                  /* found (one per indirect jump) */
	size_t targets;                 /* entries that became branches */
	size_t validated;               /* of those, targets validation reached */
};
void cfg_count_jump_tables(const struct cfg *cfg, struct jump_table_counts *c);
const struct jump_table *cfg_jump_table(const struct cfg *cfg, const struct alt_branch *b);

/* insn's struct instr_extra, allocated on first use; NULL (cfg->err set) when out of memory. */
struct instr_extra *cfg_extra(struct cfg *cfg, struct instr *insn);

/* Lookups. */
/* Index of the first instruction of cs at or after off (cs->nr when none). */
size_t cfg_lower_bound(const struct code_section *cs, uint64_t off);
struct instr *cfg_find(const struct cfg *cfg, const struct objsec *sec, uint64_t off);
struct instr *cfg_first_in_func(const struct cfg *cfg, const struct objsym *func);
struct instr *cfg_next_same_func(const struct cfg *cfg, const struct instr *insn);
static inline const struct stack_op *cfg_ops(const struct cfg *cfg, const struct instr *i)
{
	/* No pointer arithmetic on a NULL pool (an object without stack ops): UB, found by fuzzing. */
	return i->nr_ops ? &cfg->ops[i->ops_index] : NULL;
}
struct func_info *cfg_finfo(const struct cfg *cfg, const struct objsym *sym);
/* Does control never go on to the next instruction after i (jump, return, trap, dead end)? */
bool cfg_ends_flow(const struct instr *i);
/*
 * Is a relocation inside i a branch target rather than an address taken
 * (calls, jumps, returns, NOPs)?  The IBT checks and .ibt_endbr_seal ask.
 */
bool cfg_insn_takes_no_address(const struct instr *i);

/* The relocations that lie inside cs's instructions, in address order. */
struct cfg_insn_rels {
	const struct code_section *cs;
	size_t i, r;              /* first instruction after the last relocation, next relocation */
};
/*
 * The next such relocation, with *insn its instruction; NULL at the end.
 * The section's relocations must be loaded (objf_sec_rels()).
 */
const struct objrel *cfg_next_insn_rel(struct cfg_insn_rels *it, const struct instr **insn);
/* The next instruction of one side of an alternative site, its NOP padding last; NULL at its end. */
struct instr *cfg_group_next(const struct alt_group *g, const struct instr *i);

/*
 * Stop as the reference does where its decoding gives up (a fatal warning, then exit 0
 * with the object untouched): the warning at sec+off, AO_ERR_STOPPED, -1.
 */
int cfg_stop(struct cfg *cfg, const char *kind, struct objsec *sec, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Recording a warning/format error that names the instruction. */
int cfg_fail(struct cfg *cfg, const struct objsec *sec, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
