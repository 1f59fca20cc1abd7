// SPDX-License-Identifier: GPL-2.0
/*
 * arch_format(): an instruction as objdump prints it, from whichever source
 * knows it: Zydis (format.c), else the table of encodings Zydis lacks
 * (unknown_insns.c), after any hypervisor emulate prefix.
 */
#include <stdio.h>

#include "arch_decode.h"
#include "decoder_internal.h"

/* One instruction without an emulate prefix: Zydis, else the fallback table. */
static int fmt_one(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		   uint64_t addr, char *text, size_t size)
{
	int len;

	if (x86_format_special(buf, avail, text, size, &len))
		return len;
	len = x86_format_with(d, &d->decoder, buf, avail, addr, text, size);
	if (len < 0)
		len = x86_unknown_format(d, buf, avail, addr, text, size);
	return len;
}

/*
 * An emulate prefix is printed as the source spells it, before the
 * instruction it belongs to: `ud2; .ascii "xen"; cpuid`.
 */
int arch_format(const struct arch_decoder *d, const uint8_t *buf, size_t avail,
		uint64_t addr, char *text, size_t size)
{
	const char *name = NULL;
	size_t pfx;
	char inner[160];
	int len;

	if (!size)
		return -1;
	text[0] = '\0';
	pfx = x86_emulate_prefix(buf, avail, &name);
	if (!pfx)
		return fmt_one(d, buf, avail, addr, text, size);
	len = fmt_one(d, buf + pfx, avail - pfx, addr + pfx, inner, sizeof(inner));
	if (len < 0)
		return -1;
	snprintf(text, size, "ud2; .ascii \"%s\"; %s", name, inner);
	return len + (int)pfx;
}
