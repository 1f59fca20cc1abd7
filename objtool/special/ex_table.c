// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of __ex_table: 12-byte entries { s32 insn; s32 fixup; s32 data; },
 * the first two PC-relative to a faulting instruction and the code that
 * handles its fault, the third a handler type without relocation.
 */
#include <stdlib.h>

#include "arch/elf.h"
#include "special.h"
#include "special_priv.h"

#define EX_ENTRY_SIZE 12
#define EX_INSN_FIELD 0
#define EX_FIXUP_FIELD 4
#define EX_DATA_FIELD 8

/*
 * Old kernels' _ASM_EXTABLE_EX biased the fixup by 0x7ffffff0 to mark the
 * entry; the reference objtool strips the bias before using the target,
 * so do the same.
 */
#define EX_FIXUP_BIAS 0x7ffffff0

static int ex_read_entry(struct objsec *tab, size_t idx, void *entry, const void *ctx,
			 struct ao_error *err)
{
	struct ex_entry *e = entry;
	uint64_t off = (uint64_t)idx * EX_ENTRY_SIZE;
	struct special_ptr insn = {
		.what = "faulting instruction", .field = EX_INSN_FIELD, .type = ARCH_RELOC_PC32
	};
	struct special_ptr fixup = {
		.what = "fixup", .field = EX_FIXUP_FIELD, .type = ARCH_RELOC_PC32
	};

	e->entry_offset = off;
	e->data = (int32_t)special_le32(tab->data + off + EX_DATA_FIELD);
	if (special_resolve(tab, off, &insn, true, err) < 0 ||
	    special_check_range(tab, off, &insn, 1, err) < 0 ||
	    special_resolve(tab, off, &fixup, true, err) < 0)
		return -1;
	if (fixup.off >= EX_FIXUP_BIAS)
		fixup.off -= EX_FIXUP_BIAS;
	if (special_check_range(tab, off, &fixup, 0, err) < 0)
		return -1;
	e->insn_sec = insn.sec;
	e->insn_off = (uint64_t)insn.off;
	e->fixup_sec = fixup.sec;
	e->fixup_off = (uint64_t)fixup.off;
	return 0;
}

int special_read_ex_table(struct objfile *f, struct ex_table *out, struct ao_error *err)
{
	static const unsigned fields[] = { EX_INSN_FIELD, EX_FIXUP_FIELD };
	static const struct special_table table = {
		.stride = EX_ENTRY_SIZE, .fields = fields, .nr_fields = 2,
		.entry_size = sizeof(struct ex_entry), .read_entry = ex_read_entry,
	};
	void *entries;
	int ret = special_read_table(f, "__ex_table", &table, &entries, &out->nr, err);

	out->entries = entries;
	return ret;
}

void special_free_ex_table(struct ex_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->nr = 0;
}
