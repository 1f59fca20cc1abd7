// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of .parainstructions (kernels before 6.8): struct
 * paravirt_patch_site { u8 *instr; u8 type; u8 len; }, padded to 16 bytes
 * by the pointer's alignment.  The pointer is an absolute R_X86_64_64.
 */
#include <stdlib.h>

#include "special.h"
#include "special_reloc.h"

#define PV_ENTRY_SIZE 16
#define PV_INSTR_FIELD 0
#define PV_TYPE_FIELD 8
#define PV_LEN_FIELD 9

static int pv_read_site(struct objsec *tab, size_t idx, struct pv_site *s,
			struct ao_error *err)
{
	uint64_t off = (uint64_t)idx * PV_ENTRY_SIZE;
	struct special_ptr instr = {
		.what = "paravirt site", .field = PV_INSTR_FIELD, .type = R_X86_64_64
	};

	s->index = idx;
	s->entry_offset = off;
	s->type = tab->data[off + PV_TYPE_FIELD];
	s->len = tab->data[off + PV_LEN_FIELD];
	if (special_resolve(tab, off, &instr, true, err) < 0 ||
	    special_check_range(tab, off, &instr, s->len, err) < 0)
		return -1;
	s->sec = instr.sec;
	s->off = (uint64_t)instr.off;
	return 0;
}

int special_read_paravirt(struct objfile *f, struct pv_table *out, struct ao_error *err)
{
	static const unsigned fields[] = { PV_INSTR_FIELD };
	struct objsec *tab;
	size_t nr;

	out->sites = NULL;
	out->nr = 0;
	if (special_open_table(f, ".parainstructions", PV_ENTRY_SIZE, &tab, err) < 0)
		return -1;
	if (!tab || !tab->size)
		return 0;
	if (special_check_stray(tab, PV_ENTRY_SIZE, fields, 1, err) < 0)
		return -1;

	nr = tab->size / PV_ENTRY_SIZE;
	out->sites = ao_calloc(err, nr, sizeof(*out->sites));
	if (!out->sites)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		if (pv_read_site(tab, i, &out->sites[i], err) < 0) {
			special_free_paravirt(out);
			return -1;
		}
	}
	out->nr = nr;
	return 0;
}

void special_free_paravirt(struct pv_table *t)
{
	free(t->sites);
	t->sites = NULL;
	t->nr = 0;
}
