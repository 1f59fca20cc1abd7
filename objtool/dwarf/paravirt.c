// SPDX-License-Identifier: GPL-2.0
/*
 * The layout of struct paravirt_patch_template from DWARF (libdwarf,
 * 20210528 API): see include/dwarf_paravirt.h.
 *
 * The struct is a list of op groups (cpu, irq, mmu, lock), each a struct of
 * function pointers or one-pointer wrappers (struct paravirt_callee_save),
 * so a member "irq.save_fl" sits at the group's data_member_location plus
 * the op's.  Only the first complete definition found is read: every unit
 * built against one kernel's headers has the same layout.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>

#include "dwarf_paravirt.h"

#define PV_STRUCT "paravirt_patch_template"

struct dw {
	Dwarf_Debug dbg;
	Dwarf_Error derr;
};

static bool die_named(struct dw *d, Dwarf_Die die, const char *name)
{
	char *n = NULL;
	bool same;

	if (dwarf_diename(die, &n, &d->derr) != DW_DLV_OK)
		return false;
	same = !strcmp(n, name);
	dwarf_dealloc(d->dbg, n, DW_DLA_STRING);
	return same;
}

static bool die_flag(struct dw *d, Dwarf_Die die, Dwarf_Half attr)
{
	Dwarf_Bool has = 0;

	return dwarf_hasattr(die, attr, &has, &d->derr) == DW_DLV_OK && has;
}

/* A constant data_member_location (DWARF 3+); location expressions are not used by gcc here. */
static bool member_offset(struct dw *d, Dwarf_Die die, Dwarf_Unsigned *off)
{
	Dwarf_Attribute a;
	bool ok;

	if (dwarf_attr(die, DW_AT_data_member_location, &a, &d->derr) != DW_DLV_OK)
		return false;
	ok = dwarf_formudata(a, off, &d->derr) == DW_DLV_OK;
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	return ok;
}

/* The DIE DW_AT_type points at, through typedefs and qualifiers. */
static Dwarf_Die type_of(struct dw *d, Dwarf_Die die)
{
	for (int depth = 0; depth < 16; depth++) {
		Dwarf_Attribute a;
		Dwarf_Off off;
		Dwarf_Die t = NULL;
		Dwarf_Half tag;
		int r;

		if (dwarf_attr(die, DW_AT_type, &a, &d->derr) != DW_DLV_OK)
			return NULL;
		r = dwarf_global_formref(a, &off, &d->derr);
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		if (r != DW_DLV_OK || dwarf_offdie_b(d->dbg, off, 1, &t, &d->derr) != DW_DLV_OK)
			return NULL;
		if (depth)
			dwarf_dealloc_die(die);
		die = t;
		if (dwarf_tag(die, &tag, &d->derr) != DW_DLV_OK)
			break;
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			return die;
	}
	return NULL;
}

/* Offset of the member called name (len bytes) of struct die; false when absent. */
static bool find_member(struct dw *d, Dwarf_Die st, const char *name, size_t len,
			Dwarf_Unsigned *off, Dwarf_Die *member)
{
	Dwarf_Die c = NULL, next;
	char buf[128];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = 0;
	if (dwarf_child(st, &c, &d->derr) != DW_DLV_OK)
		return false;
	for (;;) {
		Dwarf_Half tag;

		if (dwarf_tag(c, &tag, &d->derr) == DW_DLV_OK && tag == DW_TAG_member &&
		    die_named(d, c, buf) && member_offset(d, c, off)) {
			*member = c;
			return true;
		}
		if (dwarf_siblingof_b(d->dbg, c, 1, &next, &d->derr) != DW_DLV_OK) {
			dwarf_dealloc_die(c);
			return false;
		}
		dwarf_dealloc_die(c);
		c = next;
	}
}

/* "irq.save_fl" inside struct st: the sum of the offsets along the path. */
static int slot_of(struct dw *d, Dwarf_Die st, const char *path)
{
	Dwarf_Unsigned total = 0;
	Dwarf_Die cur = st;
	int slot = -1;

	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		Dwarf_Unsigned off;
		Dwarf_Die m, t;

		if (!find_member(d, cur, path, len, &off, &m))
			break;
		total += off;
		if (!dot) {
			dwarf_dealloc_die(m);
			slot = total % 8 ? -1 : (int)(total / 8);
			break;
		}
		t = type_of(d, m);
		dwarf_dealloc_die(m);
		if (cur != st)
			dwarf_dealloc_die(cur);
		cur = t;
		if (!cur)
			return -1;
		path = dot + 1;
	}
	if (cur != st)
		dwarf_dealloc_die(cur);
	return slot;
}

static bool is_template(struct dw *d, Dwarf_Die die)
{
	Dwarf_Half tag;

	return dwarf_tag(die, &tag, &d->derr) == DW_DLV_OK && tag == DW_TAG_structure_type &&
	       !die_flag(d, die, DW_AT_declaration) && die_named(d, die, PV_STRUCT);
}

/* The struct's definition among the top-level DIEs of the current unit, or NULL. */
static Dwarf_Die find_in_unit(struct dw *d, Dwarf_Die cu)
{
	Dwarf_Die c = NULL, next;

	if (dwarf_child(cu, &c, &d->derr) != DW_DLV_OK)
		return NULL;
	for (;;) {
		if (is_template(d, c))
			return c;
		if (dwarf_siblingof_b(d->dbg, c, 1, &next, &d->derr) != DW_DLV_OK) {
			dwarf_dealloc_die(c);
			return NULL;
		}
		dwarf_dealloc_die(c);
		c = next;
	}
}

static Dwarf_Die find_template(struct dw *d)
{
	Dwarf_Unsigned next_cu;
	Dwarf_Die found = NULL;

	/* Every unit must be walked to the end for libdwarf's iterator to reset. */
	while (dwarf_next_cu_header_d(d->dbg, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
				      &next_cu, NULL, &d->derr) == DW_DLV_OK) {
		Dwarf_Die cu = NULL;

		if (found || dwarf_siblingof_b(d->dbg, NULL, 1, &cu, &d->derr) != DW_DLV_OK)
			continue;
		found = find_in_unit(d, cu);
		dwarf_dealloc_die(cu);
	}
	return found;
}

int dwarf_pv_slots(const char *path, const char *const *members, size_t n, int *slots,
		   struct ao_error *err)
{
	struct dw d = { 0 };
	Dwarf_Die st;
	int r;

	for (size_t i = 0; i < n; i++)
		slots[i] = -1;
	r = dwarf_init_path(path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &d.dbg,
			    NULL, 0, NULL, &d.derr);
	if (r == DW_DLV_NO_ENTRY)
		return 0;   /* no debug sections */
	if (r != DW_DLV_OK) {
		ao_fail(err, AO_ERR_FORMAT, "%s: can't read DWARF: %s", path,
			d.derr ? dwarf_errmsg(d.derr) : "libdwarf failed");
		if (d.derr)
			dwarf_dealloc(NULL, d.derr, DW_DLA_ERROR);
		return -1;
	}
	st = find_template(&d);
	if (st) {
		for (size_t i = 0; i < n; i++)
			slots[i] = slot_of(&d, st, members[i]);
		dwarf_dealloc_die(st);
	}
	dwarf_finish(d.dbg, &d.derr);
	return st ? 1 : 0;
}
