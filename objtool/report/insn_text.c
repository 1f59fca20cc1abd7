// SPDX-License-Identifier: GPL-2.0
/* Instructions as text, relocation targets named; see include/insn_text.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch/elf.h"
#include "insn_text.h"

static bool rel_is_pcrel(uint32_t type)
{
	return type == ARCH_RELOC_PC32 || type == ARCH_RELOC_PLT32 || type == ARCH_RELOC_PC64;
}

/*
 * A PC-relative field counts from the end of the instruction, so its addend
 * is off by the distance from the field to that end (the usual -4): add it
 * back to name what the instruction really refers to.
 */
void insn_text_rel_target(const struct objrel *rel, uint64_t insn_end, char *buf, size_t size)
{
	int64_t val = rel->addend;
	struct objsym *sym = rel->sym;

	if (rel_is_pcrel(rel->type))
		val += (int64_t)(insn_end - rel->offset);
	if (sym->type == STT_SECTION && sym->sec && val >= 0) {
		objf_format_loc(buf, size, sym->sec, sym->offset + (uint64_t)val);
		return;
	}
	if (!val)
		snprintf(buf, size, "%s", sym->name);
	else
		snprintf(buf, size, "%s%s0x%" PRIx64, sym->name, val < 0 ? "-" : "+",
			 val < 0 ? (uint64_t)0 - (uint64_t)val : (uint64_t)val);
}

/* Direct call/jump text ends in its target, which the relocation names better. */
static char *direct_branch_operand(char *text)
{
	char *ops = strchr(text, ' ');

	if (!ops || (strncmp(text, "call", 4) && text[0] != 'j'))
		return NULL;
	while (*ops == ' ')
		ops++;
	return *ops == '*' ? NULL : ops;
}

int insn_text(const struct arch_decoder *dec, struct objsec *sec, uint64_t off, uint64_t end,
	      char *buf, size_t size)
{
	const struct objrel *rel;
	char name[160];
	char *ops;
	int len;

	if (!sec->data || off >= end || end > sec->size)
		return -1;
	len = arch_format(dec, sec->data + off, end - off, off, buf, size);
	if (len <= 0)
		return -1;
	rel = objf_rel_in(sec, off, off + (uint64_t)len);
	if (!rel || !rel->sym)
		return len;
	insn_text_rel_target(rel, off + (uint64_t)len, name, sizeof(name));
	ops = direct_branch_operand(buf);
	if (ops) {
		snprintf(ops, size - (size_t)(ops - buf), "%s", name);
	} else {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, "  # %s", name);
	}
	return len;
}
