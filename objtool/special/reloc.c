// SPDX-License-Identifier: GPL-2.0
/* Shared checks of the special-section readers: see special_priv.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "arch/elf.h"
#include "special_priv.h"

int special_open_table(struct objfile *f, const char *name, uint64_t stride,
		       struct objsec **tab, struct ao_error *err)
{
	struct objsec *sec = objf_sec_by_name(f, name);

	*tab = NULL;
	if (!sec)
		return 0;
	if (sec->shdr.sh_type == SHT_NOBITS)
		return objf_fail(f, err, sec, 0, "section has no contents (SHT_NOBITS)");
	if (objf_sec_data(sec, err) < 0 || objf_sec_rels(sec, err) < 0)
		return -1;
	/* e.g. SHT_NULL: libelf hands out no bytes for it (fuzz find: entries read from NULL). */
	if (sec->size && !sec->data)
		return objf_fail(f, err, sec, 0, "section has no contents (type %u)", sec->shdr.sh_type);
	if (stride && sec->size % stride)
		return objf_fail(f, err, sec, 0,
				 "section size 0x%" PRIx64 " is not a multiple of the %" PRIu64
				 "-byte entry", sec->size, stride);
	*tab = sec;
	return 0;
}

int special_read_entries(struct objsec *tab, const struct special_table *t, void **entries,
			 size_t *nr, struct ao_error *err)
{
	size_t n = tab->size / t->stride;
	char *v;

	*entries = NULL;
	*nr = 0;
	if (special_check_stray(tab, t->stride, t->fields, t->nr_fields, err) < 0)
		return -1;
	v = ao_calloc(err, n, t->entry_size);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (t->read_entry(tab, i, v + i * t->entry_size, t->ctx, err) < 0) {
			free(v);
			return -1;
		}
	}
	*entries = v;
	*nr = n;
	return 0;
}

int special_read_table(struct objfile *f, const char *name, const struct special_table *t,
		       void **entries, size_t *nr, struct ao_error *err)
{
	struct objsec *tab;

	*entries = NULL;
	*nr = 0;
	if (special_open_table(f, name, t->stride, &tab, err) < 0)
		return -1;
	if (!tab || !tab->size)
		return 0;
	return special_read_entries(tab, t, entries, nr, err);
}

const char *special_rel_name(uint32_t type, char *buf, size_t size)
{
	const char *name = arch_reloc_name(type);

	if (name)
		return name;
	snprintf(buf, size, "relocation type %" PRIu32, type);
	return buf;
}

/* Why a symbol gives no address inside a section, for error messages. */
static const char *special_sym_problem(const struct objsym *sym)
{
	if (sym->shndx == SHN_UNDEF)
		return "undefined";
	if (sym->shndx == SHN_ABS)
		return "absolute";
	if (sym->shndx == SHN_COMMON)
		return "common";
	return "section-less";
}

int special_resolve(struct objsec *tab, uint64_t entry_off, struct special_ptr *p,
		    bool required, struct ao_error *err)
{
	struct objfile *f = tab->file;
	const struct objrel *rel = objf_rel_at(tab, entry_off + p->field);
	char want[32], got[32];

	p->rel = rel;
	p->sec = NULL;
	p->off = 0;
	/* special_open_table() loaded the relocations, so NULL means none. */
	if (!rel) {
		if (!required)
			return 0;
		return objf_fail(f, err, tab, entry_off,
				 "no relocation for the %s (expected %s at entry+0x%x)", p->what,
				 special_rel_name(p->type, want, sizeof(want)), p->field);
	}
	if (rel->type != p->type)
		return objf_fail(f, err, tab, entry_off,
				 "relocation for the %s has type %s, expected %s", p->what,
				 special_rel_name(rel->type, got, sizeof(got)),
				 special_rel_name(p->type, want, sizeof(want)));
	if (!objf_rel_target(rel, &p->sec, &p->off) || !p->sec)
		return objf_fail(f, err, tab, entry_off,
				 "relocation for the %s refers to %s symbol '%s'", p->what,
				 special_sym_problem(rel->sym),
				 rel->sym->name ? rel->sym->name : "");
	return 0;
}

int special_check_range(struct objsec *tab, uint64_t entry_off,
			const struct special_ptr *p, uint64_t len, struct ao_error *err)
{
	uint64_t size = p->sec->size;
	bool neg = p->off < 0;
	uint64_t mag = neg ? (uint64_t)0 - (uint64_t)p->off : (uint64_t)p->off;

	/* A site may start at the end only when it covers no bytes. */
	if (neg || mag > size || (mag == size && len))
		return objf_fail(tab->file, err, tab, entry_off,
				 "%s %s%s0x%" PRIx64 " lies outside its section (size 0x%" PRIx64 ")",
				 p->what, p->sec->name, neg ? "-" : "+", mag, size);
	if (len > size - mag)
		return objf_fail(tab->file, err, tab, entry_off,
				 "%s %s+0x%" PRIx64 " length %" PRIu64
				 " runs past the section end (0x%" PRIx64 ")",
				 p->what, p->sec->name, mag, len, size);
	return 0;
}

/* Is off (relative to its entry) one of the pointer fields? */
static bool special_is_field(uint64_t off, const unsigned *fields, size_t nr_fields)
{
	for (size_t i = 0; i < nr_fields; i++)
		if (off == fields[i])
			return true;
	return false;
}

int special_check_stray(struct objsec *tab, uint64_t stride, const unsigned *fields,
			size_t nr_fields, struct ao_error *err)
{
	for (size_t i = 0; i < tab->nr_rels; i++) {
		uint64_t off = tab->rels[i].offset;

		if (off >= tab->size)
			return objf_fail(tab->file, err, tab, off,
					 "relocation lies past the section end (0x%" PRIx64 ")",
					 tab->size);
		if (!special_is_field(off % stride, fields, nr_fields))
			return objf_fail(tab->file, err, tab, off - off % stride,
					 "unexpected relocation at entry+0x%" PRIx64
					 " (not a pointer field)", off % stride);
	}
	return 0;
}
