// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of __jump_table: the static branches of asm goto.  Each 16-byte
 * entry holds the code site and the branch target (PC32 each) and the
 * static key as a 64-bit PC-relative reference whose addend's low two
 * bits are flags (bit 0: the branch's default, bit 1: objtool may turn the
 * JMP into a NOP).
 */
#include <stdlib.h>

#include "arch/elf.h"
#include "special.h"
#include "special_priv.h"

#define JL_ENTRY_SIZE 16
#define JL_CODE_FIELD 0
#define JL_TARGET_FIELD 4
#define JL_KEY_FIELD 8

static int jl_read_entry(struct objsec *tab, size_t idx, void *entry, const void *ctx,
			 struct ao_error *err)
{
	struct jump_label *j = entry;
	uint64_t off = (uint64_t)idx * JL_ENTRY_SIZE;
	struct special_ptr code = {
		.what = "jump label site", .field = JL_CODE_FIELD, .type = ARCH_RELOC_PC32
	};
	struct special_ptr target = {
		.what = "jump label target", .field = JL_TARGET_FIELD, .type = ARCH_RELOC_PC32
	};
	const struct objrel *key;
	char want[32], got[32];

	j->entry_offset = off;
	/* The site holds a 2- or 5-byte JMP/NOP: at least one byte must exist. */
	if (special_resolve(tab, off, &code, true, err) < 0 ||
	    special_check_range(tab, off, &code, 1, err) < 0 ||
	    special_resolve(tab, off, &target, true, err) < 0 ||
	    special_check_range(tab, off, &target, 0, err) < 0)
		return -1;
	j->code_sec = code.sec;
	j->code_off = (uint64_t)code.off;
	j->target_sec = target.sec;
	j->target_off = (uint64_t)target.off;

	/*
	 * The key is often defined in another object (an undefined symbol is
	 * fine here), and the assembler may refer to it through its section
	 * symbol: keep the symbol and the raw addend, as objtool does, so the
	 * flags are addend & 3 either way (keys are at least 8-byte aligned).
	 */
	key = objf_rel_at(tab, off + JL_KEY_FIELD);
	if (!key)
		return objf_fail(tab->file, err, tab, off,
				 "no relocation for the static key (expected R_X86_64_PC64 "
				 "at entry+0x%x)", JL_KEY_FIELD);
	if (key->type != ARCH_RELOC_PC64)
		return objf_fail(tab->file, err, tab, off,
				 "relocation for the static key has type %s, expected %s",
				 special_rel_name(key->type, got, sizeof(got)),
				 special_rel_name(ARCH_RELOC_PC64, want, sizeof(want)));
	j->key = key->sym;
	j->key_addend = key->addend;
	return 0;
}

int special_read_jump_labels(struct objfile *f, struct jump_label_table *out,
			     struct ao_error *err)
{
	static const unsigned fields[] = { JL_CODE_FIELD, JL_TARGET_FIELD, JL_KEY_FIELD };
	static const struct special_table table = {
		.stride = JL_ENTRY_SIZE, .fields = fields, .nr_fields = 3,
		.entry_size = sizeof(struct jump_label), .read_entry = jl_read_entry,
	};
	void *entries;
	int ret = special_read_table(f, "__jump_table", &table, &entries, &out->nr, err);

	out->entries = entries;
	return ret;
}

void special_free_jump_labels(struct jump_label_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->nr = 0;
}
