/* SPDX-License-Identifier: GPL-2.0 */
/* Private to objtool/sites/: the builders sites_build() runs, and their shared list type. */
#ifndef ALTORC_SITES_PRIV_H
#define ALTORC_SITES_PRIV_H

#include "arch.h"
#include "arch/elf.h"
#include "sites.h"

int site_add(struct site_list *l, struct objsec *sec, uint64_t offset, struct objsym *key,
	     int64_t key_addend, struct ao_error *err);
void site_list_free(struct site_list *l);

/* Sections from the call-site lists (lists.c). */
int sites_call_sections(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
			struct ao_error *err);
/* .ibt_endbr_seal (ibt.c). */
int sites_ibt_section(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/* Does it read this non-code section's relocations (data, not metadata tables)? Code: always. */
bool sites_ibt_scans(const struct objsec *sec);
/* __pfx_ symbols (validate/prefix.c). */
int sites_prefix_symbols(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/* Byte and relocation rewrites (rewrite.c). */
int sites_rewrites(struct cfg *cfg, struct sites_out *out, struct ao_error *err);
/* Turn a site list into one new section (+ relocations) in out (emit.c). */
int sites_emit(struct sites_out *out, const char *name, uint64_t flags, uint64_t align,
	       uint64_t entsize, uint32_t rel_type, const struct site_list *l, struct ao_error *err);

#endif
