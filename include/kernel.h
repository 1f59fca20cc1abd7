/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What altorc knows about the kernel an object is built for, apart from
 * the instruction set (arch.h): section roles, and the rules that differ
 * between kernel versions.
 */
#ifndef ALTORC_KERNEL_H
#define ALTORC_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "arch_decode.h"
#include "objfile.h"

/*
 * Is name a data section whose references to code are bookkeeping (ORC,
 * alternatives, exception tables, DWARF...), not indirect-branch targets?
 * (--ibt: the .ibt_endbr_seal builder and the warnings share it.)
 */
bool kernel_ibt_metadata_section(const char *name);

struct kernel_rules;
/*
 * Is name a section of code that must not be instrumented (noinstr, entry,
 * the x86 thunks; under some kernels' rules cpuidle too)?
 */
bool kernel_noinstr_section(const struct kernel_rules *k, const char *name);
/*
 * The sections --noinstr alone (no --orc, --stackval or --uaccess) walks,
 * in the order the reference walks them: the i-th name, or NULL past the
 * last.  The x86 thunk sections are noinstr text but not walked on their own.
 */
const char *kernel_noinstr_walked_section(const struct kernel_rules *k, size_t i);

/* A sorted list of symbol names (looked up with bsearch). */
struct kernel_name_list {
	const char *const *names;
	size_t nr;
};

/*
 * Everything that differs between the objtools of two kernel versions, as
 * named behaviours.  One row per supported kernel (kernel/rules.c); an
 * object is given one row before its analysis starts, and the stages ask
 * the row, never which kernel it is.  Supporting another kernel is adding
 * a row (and any list it needs).
 */
struct kernel_rules {
	const char *name;                     /* as --kernel= takes it: "6.1" */
	unsigned major, minor;                /* the kernel series the row is for */
	/*
	 * The unwind ABI, changed in 6.3: 1 is ORC v1 (type:2 end:1) with the
	 * old unwind-hint numbers; 2 is ORC v2 (type:3 signal:1, UNDEFINED and
	 * END_OF_STACK types) with hints renumbered and a signal flag.
	 */
	unsigned unwind_abi;
	enum arch_objtool_version decoder;    /* that objtool's decoding quirks */
	const struct kernel_name_list *noreturn;  /* global functions that never return */
	bool noreturn_weak;                   /* weak functions are looked up there too */
	const struct kernel_name_list *uaccess_safe; /* callable with user access on */
	bool nested_alternatives;             /* 6.10+: entries over one site share its longest range */
	bool alternatives_last_first;         /* a site's branches are walked latest entry first
						 (6.12 files each before the others); 6.1: in
						 table order */
	bool cpuidle_noinstr;                 /* .cpuidle.text is noinstr text (--hacks=noinstr,
						 --noinstr) */
	bool mcount_nop_needs_mnop;           /* --mcount NOPs __fentry__ calls only with --mnop */
	unsigned mcount_loc_align;            /* sh_addralign of __mcount_loc */
	bool reads_unreachable_annotations;   /* .discard.unreachable marks dead ends (6.12's objtool
						 reads only .discard.reachable: its kernel emits no other) */
	bool warn_once_per_function;          /* at most one warning per function */
	bool restore_waits_for_save;          /* a CFI restore reached before its save is left to
						 the straight-line path */
	bool sibling_frame_check_in_func;     /* "modified stack frame" only for jumps in a function */
	bool sibling_from_code_symbol;        /* a jump from asm code inside a sized STT_NOTYPE symbol
						 (SYM_CODE_START/END) to a function's first instruction
						 is a sibling call; 6.1: only jumps from functions are */
	bool pfx_is_padding;                  /* running into a __pfx_ symbol is no fall-through */
	bool conflict_at_site;                /* an alternatives conflict is reported at the site's
						 original instruction, naming the conflicting one */
	bool unreachable_per_function;        /* each function's unreachable code, not only the first */
	bool ibt_same_parent;                 /* IBT: a reference from the same parent (its .cold part
						 too) is no address-taking; 6.1: the same function */
	bool ibt_range_end;                   /* IBT: the end of a range that starts with ENDBR is fine */
	/* Switch jump tables (objtool/cfg/jump_tables.c): */
	const char *c_jump_table_section;     /* where computed gotos' annotated tables are */
	bool jump_tables_in_data_rel_ro;      /* .data.rel.ro* may hold tables too */
	bool jump_table_ends_at_next_of_func; /* a table ends at the function's next table; 6.1: at
						 any table found so far */
	bool jump_table_skips_func_end;       /* entries pointing just past the function (clang's
						 unreachable cases) are skipped, not the end */
	bool jump_table_cases_first;          /* cases are walked before other branches, last entry
						 first; 6.1: after them, in table order */
	/* --noinstr and --unret (objtool/validate/noinstr.c, unret.c): */
	bool noinstr_trusts_static_calls;     /* noinstr code may call a static-call trampoline */
	bool call_names_pv_slot;              /* an indirect call is named "pv_ops[N]" in messages once
						 objtool has read its relocation; 6.12: "{dynamic}" */
	bool unret_begin_annotated;           /* --unret walks start at .discard.validate_unret; 6.1:
						 at UNWIND_HINT_ENTRY and at UNWIND_HINT_IRET_REGS
						 on a global symbol */
	bool unret_context_switch_ends;       /* outside functions a context switch ends the walk */
	bool unret_failure_fails_run;         /* "Failed UNRET validation" fails objtool (exit 255);
						 6.12 exits 0, writing nothing either */
	const char *retpoline_option;         /* the config option the --retpoline messages name */
	const char *rethunk_option;           /* and the --rethunk ones */
};

/* Row i of the table (0 .. kernel_rules_count() - 1), oldest kernel first. */
const struct kernel_rules *kernel_rules_at(size_t i);
size_t kernel_rules_count(void);
/* The row named name ("6.1", "6.12"), or NULL. */
const struct kernel_rules *kernel_rules_find(const char *name);
/* The rules an object gets when nothing says otherwise (6.1's). */
const struct kernel_rules *kernel_rules_default(void);
/*
 * Choosing the row for an object (kernel/detect.c).  Evidence, strongest
 * first: --kernel=NAME; the kernel build kbuild runs objtool in (the
 * environment's KERNELRELEASE, or VERSION and PATCHLEVEL, which the
 * kernel's Makefile exports, and include/config/kernel.release in the
 * working directory); then what only some kernels' objects or objtool
 * arguments show (.altinstructions entry size, .orc_header, the export
 * table sections, --prefix and --hacks=skylake).  Evidence that disagrees
 * is refused, never outvoted.
 */
struct kernel_hints {
	const char *forced;        /* --kernel=NAME, or NULL */
	bool prefix;               /* --prefix=N was given (objtool 6.2+) */
	bool skylake;              /* --hacks=skylake was given (6.2+) */
	unsigned orc_version;      /* --orc-format=v1|v2 forced that encoding (0: no) */
	bool build_dir;            /* read the environment and working directory as kbuild's */
	bool must_decide;          /* no evidence is an error (the object will be written);
				      otherwise the default row is taken */
};

struct kernel_choice {
	const struct kernel_rules *rules;
	char reason[768];          /* which evidence decided, for --verbose */
};

/*
 * Choose f's row.  -1 with err naming the file and the evidence when the
 * evidence conflicts, names an unsupported kernel, or (must_decide) says
 * nothing.
 */
int kernel_choose(struct objfile *f, const struct kernel_hints *h, struct kernel_choice *out,
		  struct ao_error *err);

/* Is name on list? (NULL name: no.) */
bool kernel_name_listed(const struct kernel_name_list *list, const char *name);

#endif
