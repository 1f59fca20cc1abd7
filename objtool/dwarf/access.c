// SPDX-License-Identifier: GPL-2.0
/*
 * libdwarf over an objfile: see include/dwarf_lines.h for why the sections
 * are handed over relocated against a synthetic layout.  libdwarf reads the
 * sections through the object-access interface, so all ELF reading stays in
 * objfile (libelf).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_lines.h"

/* Allocated sections are laid out from here, a page apart, so no two share an address. */
#define DWO_FIRST_BASE 0x10000000ull
#define DWO_GAP        0x1000ull

/* x86-64 relocation types DWARF sections use. */
#define DWO_R_64    1
#define DWO_R_PC32  2
#define DWO_R_32    10
#define DWO_R_32S   11
#define DWO_R_PC64  24

struct dwarf_obj {
	struct objfile *file;
	uint64_t *base;          /* per section index; 0 for sections without an address */
	uint8_t **copies;        /* relocated section copies handed to libdwarf */
	Dwarf_Obj_Access_Interface iface;
	Dwarf_Debug dbg;
};

static bool dwo_allocated(const struct objsec *s)
{
	return s->index && (s->shdr.sh_flags & SHF_ALLOC) && s->shdr.sh_type != SHT_NOBITS;
}

static void dwo_layout(struct dwarf_obj *d)
{
	uint64_t next = DWO_FIRST_BASE;

	for (size_t i = 1; i < d->file->nr_secs; i++) {
		struct objsec *s = &d->file->secs[i];
		uint64_t align = s->shdr.sh_addralign > 16 ? s->shdr.sh_addralign : 16;

		if (!dwo_allocated(s))
			continue;
		next = (next + align - 1) & ~(align - 1);
		d->base[i] = next;
		next += s->shdr.sh_size + DWO_GAP;
	}
}

uint64_t dwarf_obj_addr(const struct dwarf_obj *d, const struct objsec *sec, uint64_t off)
{
	return d->base[sec->index] + off;
}

bool dwarf_obj_locate(const struct dwarf_obj *d, uint64_t addr, struct objsec **sec,
		      uint64_t *off)
{
	for (size_t i = 1; i < d->file->nr_secs; i++) {
		struct objsec *s = &d->file->secs[i];

		/* The end address belongs to the section too: a sequence ends there. */
		if (d->base[i] && addr >= d->base[i] && addr <= d->base[i] + s->shdr.sh_size) {
			*sec = s;
			*off = addr - d->base[i];
			return true;
		}
	}
	return false;
}

static void dwo_put(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned b = 0; b < width; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

/* Apply sec's relocations to buf (a copy of its bytes); unknown types are left alone. */
static int dwo_relocate(struct dwarf_obj *d, struct objsec *sec, uint8_t *buf)
{
	if (!sec->rela)
		return 0;
	if (objf_sec_rels(sec, NULL))
		return -1;
	for (size_t k = 0; k < sec->nr_rels; k++) {
		const struct objrel *r = &sec->rels[k];
		uint64_t s = 0, p = d->base[sec->index] + r->offset;
		unsigned width;
		uint64_t v;

		if (r->sym && r->sym->sec)
			s = d->base[r->sym->sec->index] + r->sym->offset;
		switch (r->type) {
		case DWO_R_64:   width = 8; v = s + (uint64_t)r->addend; break;
		case DWO_R_32:
		case DWO_R_32S:  width = 4; v = s + (uint64_t)r->addend; break;
		case DWO_R_PC32: width = 4; v = s + (uint64_t)r->addend - p; break;
		case DWO_R_PC64: width = 8; v = s + (uint64_t)r->addend - p; break;
		default:         continue;
		}
		if (r->offset + width > sec->size)
			continue;   /* objfile validated offsets; be safe anyway */
		dwo_put(buf + r->offset, v, width);
	}
	return 0;
}

static int dwo_section_info(void *obj, Dwarf_Half idx, Dwarf_Obj_Access_Section *out, int *error)
{
	struct dwarf_obj *d = obj;
	struct objsec *s;

	if (idx >= d->file->nr_secs)
		return DW_DLV_NO_ENTRY;
	s = &d->file->secs[idx];
	memset(out, 0, sizeof(*out));
	out->name = s->name ? s->name : "";
	out->type = s->shdr.sh_type;
	out->size = s->shdr.sh_type == SHT_NOBITS ? 0 : s->shdr.sh_size;
	out->addr = d->base[idx];
	out->link = s->shdr.sh_link;
	out->info = s->shdr.sh_info;
	out->entrysize = s->shdr.sh_entsize;
	return DW_DLV_OK;
}

static Dwarf_Endianness dwo_byte_order(void *obj)
{
	return DW_OBJECT_LSB;
}

static Dwarf_Small dwo_length_size(void *obj)
{
	return 4;
}

static Dwarf_Small dwo_pointer_size(void *obj)
{
	return 8;
}

static Dwarf_Unsigned dwo_section_count(void *obj)
{
	return ((struct dwarf_obj *)obj)->file->nr_secs;
}

static int dwo_load_section(void *obj, Dwarf_Half idx, Dwarf_Small **data, int *error)
{
	struct dwarf_obj *d = obj;
	struct objsec *s;

	if (idx == 0 || idx >= d->file->nr_secs)
		return DW_DLV_NO_ENTRY;
	s = &d->file->secs[idx];
	if (!d->copies[idx]) {
		if (objf_sec_data(s, NULL) || !s->data || !s->size)
			return DW_DLV_NO_ENTRY;
		d->copies[idx] = malloc(s->size);
		if (!d->copies[idx]) {
			*error = DW_DLE_MAF;
			return DW_DLV_ERROR;
		}
		memcpy(d->copies[idx], s->data, s->size);
		if (dwo_relocate(d, s, d->copies[idx])) {
			*error = DW_DLE_RELOC_SECTION_RELOC_TARGET_SIZE_UNKNOWN;
			return DW_DLV_ERROR;
		}
	}
	*data = d->copies[idx];
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods dwo_methods = {
	.get_section_info = dwo_section_info,
	.get_byte_order = dwo_byte_order,
	.get_length_size = dwo_length_size,
	.get_pointer_size = dwo_pointer_size,
	.get_section_count = dwo_section_count,
	.load_section = dwo_load_section,
	.relocate_a_section = NULL,   /* load_section hands out relocated copies */
};

static void dwo_free(struct dwarf_obj *d)
{
	if (!d)
		return;
	if (d->copies)
		for (size_t i = 0; i < d->file->nr_secs; i++)
			free(d->copies[i]);
	free(d->copies);
	free(d->base);
	free(d);
}

int dwarf_obj_fail(const struct dwarf_obj *d, Dwarf_Error e, struct ao_error *err,
		   const char *what)
{
	objf_fail(d->file, err, NULL, 0, "DWARF: %s: %s", what, e ? dwarf_errmsg(e) : "failed");
	if (e)
		dwarf_dealloc(d->dbg, e, DW_DLA_ERROR);
	return -1;
}

int dwarf_obj_open(struct objfile *f, struct dwarf_obj **out, struct ao_error *err)
{
	struct dwarf_obj *d = calloc(1, sizeof(*d));
	Dwarf_Error e = NULL;
	int ret;

	*out = NULL;
	if (d) {
		d->file = f;
		d->base = calloc(f->nr_secs, sizeof(*d->base));
		d->copies = calloc(f->nr_secs, sizeof(*d->copies));
	}
	if (!d || !d->base || !d->copies) {
		dwo_free(d);
		return objf_fail(f, err, NULL, 0, "out of memory reading DWARF");
	}
	dwo_layout(d);
	d->iface.object = d;
	d->iface.methods = &dwo_methods;
	ret = dwarf_object_init_b(&d->iface, NULL, NULL, DW_GROUPNUMBER_ANY, &d->dbg, &e);
	if (ret == DW_DLV_NO_ENTRY) {
		dwo_free(d);
		return 1;
	}
	if (ret != DW_DLV_OK) {
		objf_fail(f, err, NULL, 0, "DWARF: %s", e ? dwarf_errmsg(e) : "unreadable");
		dwo_free(d);   /* e belongs to no Dwarf_Debug; libdwarf frees it at exit */
		return -1;
	}
	*out = d;
	return 0;
}

Dwarf_Debug dwarf_obj_debug(const struct dwarf_obj *d)
{
	return d->dbg;
}

void dwarf_obj_close(struct dwarf_obj *d)
{
	if (!d)
		return;
	dwarf_object_finish(d->dbg, NULL);
	dwo_free(d);
}
