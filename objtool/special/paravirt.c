// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of .parainstructions (kernels before 6.8): struct
 * paravirt_patch_site { u8 *instr; u8 type; u8 len; }, padded to 16 bytes
 * by the pointer's alignment.  The pointer is an absolute R_X86_64_64.
 */
#include <stdlib.h>

#include "arch/elf.h"
#include "special.h"
#include "special_priv.h"

#define PV_ENTRY_SIZE 16
#define PV_INSTR_FIELD 0
#define PV_TYPE_FIELD 8
#define PV_LEN_FIELD 9

static int pv_read_site(struct objsec *tab, size_t idx, void *entry, const void *ctx,
			struct ao_error *err)
{
	struct pv_site *s = entry;
	uint64_t off = (uint64_t)idx * PV_ENTRY_SIZE;
	struct special_ptr instr = {
		.what = "paravirt site", .field = PV_INSTR_FIELD, .type = ARCH_RELOC_ABS64
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
	static const struct special_table table = {
		.stride = PV_ENTRY_SIZE, .fields = fields, .nr_fields = 1,
		.entry_size = sizeof(struct pv_site), .read_entry = pv_read_site,
	};
	void *sites;
	int ret = special_read_table(f, ".parainstructions", &table, &sites, &out->nr, err);

	out->sites = sites;
	return ret;
}

void special_free_paravirt(struct pv_table *t)
{
	free(t->sites);
	t->sites = NULL;
	t->nr = 0;
}
