/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the kernel's runtime-patching and extra-edge metadata:
 * .altinstructions (+ .altinstr_replacement), .parainstructions,
 * __jump_table and __ex_table.  Each reader validates every entry and
 * fails with one error naming file, section and entry offset.
 * Layouts: ../shared/docs/FORMATS.md, Documentation/design.md.
 */
#ifndef ALTORC_SPECIAL_H
#define ALTORC_SPECIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "objfile.h"

enum alt_layout {
	ALT_LAYOUT_AUTO = 0,   /* detect from the object */
	ALT_LAYOUT_V1,         /* 12-byte entries, u16 feature (kernels up to 6.2) */
	ALT_LAYOUT_V2,         /* 14-byte entries, u32 feature + flags (6.3 and later) */
};

#define ALT_FLAG_NOT         (1u << 0)
#define ALT_FLAG_DIRECT_CALL (1u << 1)

struct alt_entry {
	size_t index;              /* entry number in .altinstructions */
	uint64_t entry_offset;     /* byte offset of the entry in .altinstructions */
	struct objsec *orig_sec;
	uint64_t orig_off;
	uint8_t orig_len;
	struct objsec *repl_sec;   /* NULL when repl_len == 0 and no relocation */
	uint64_t repl_off;
	uint8_t repl_len;
	uint16_t feature;          /* cpuid bit number, flags removed */
	uint16_t flags;            /* ALT_FLAG_* (v1: bit 15 of feature maps to ALT_FLAG_NOT) */
};

struct alt_table {
	enum alt_layout layout;    /* the layout actually used */
	struct alt_entry *entries; /* in section order */
	size_t nr;
};

/* Read .altinstructions; an object without it gives an empty table. */
int special_read_alternatives(struct objfile *f, enum alt_layout layout,
			      struct alt_table *out, struct ao_error *err);
void special_free_alternatives(struct alt_table *t);
/*
 * The .altinstructions entry layout f shows, without reading the entries:
 * ALT_LAYOUT_AUTO when f has no (non-empty) table.  -1 with err set when the
 * table fits neither layout.
 */
int special_alt_layout(struct objfile *f, enum alt_layout *out, struct ao_error *err);

struct pv_site {
	size_t index;
	uint64_t entry_offset;     /* in .parainstructions */
	struct objsec *sec;
	uint64_t off;
	uint8_t type;              /* slot in struct paravirt_patch_template */
	uint8_t len;
};

struct pv_table {
	struct pv_site *sites;
	size_t nr;
};

int special_read_paravirt(struct objfile *f, struct pv_table *out, struct ao_error *err);
void special_free_paravirt(struct pv_table *t);

struct jump_label {
	uint64_t entry_offset;     /* in __jump_table */
	struct objsec *code_sec;
	uint64_t code_off;
	struct objsec *target_sec;
	uint64_t target_off;
	struct objsym *key;        /* the static key symbol */
	int64_t key_addend;        /* low bits are flags: bit 0 branch, bit 1 init */
};

struct jump_label_table {
	struct jump_label *entries;
	size_t nr;
};

int special_read_jump_labels(struct objfile *f, struct jump_label_table *out, struct ao_error *err);
void special_free_jump_labels(struct jump_label_table *t);

struct ex_entry {
	uint64_t entry_offset;     /* in __ex_table */
	struct objsec *insn_sec;
	uint64_t insn_off;
	struct objsec *fixup_sec;
	uint64_t fixup_off;
	int32_t data;
};

struct ex_table {
	struct ex_entry *entries;
	size_t nr;
};

int special_read_ex_table(struct objfile *f, struct ex_table *out, struct ao_error *err);
void special_free_ex_table(struct ex_table *t);

#endif
