// SPDX-License-Identifier: GPL-2.0
/*
 * Writing generated ORC into the object: .orc_unwind (6-byte entries),
 * .orc_unwind_ip (one PC32 slot per entry) and its relocations, with the
 * section attributes the reference objtool gives them.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/elf.h"
#include "orc_gen.h"


int orc_write(struct objfile *f, const struct orc_gen_table *t, const struct objf_patch *patches,
	      size_t nr_patches, struct ao_error *err)
{
	struct objf_new_sec secs[2];
	struct objf_new_rel *rels = NULL;
	uint8_t *unwind = NULL, *ip = NULL;
	size_t n = t->nr, nsecs = 0;
	int ret = -1;

	if (objf_sec_by_name(f, ".orc_unwind") || objf_sec_by_name(f, ".orc_unwind_ip"))
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: file already has .orc_unwind section, not writing another",
			       f->path);
	if (n) {
		unwind = ao_calloc(err, n, 6);
		ip = ao_calloc(err, n, 4);
		rels = ao_calloc(err, n, sizeof(*rels));
		if (!unwind || !ip || !rels)
			goto out;
		for (size_t i = 0; i < n; i++) {
			memcpy(unwind + 6 * i, t->entries[i].raw, 6);
			rels[i].offset = 4 * i;
			rels[i].type = ARCH_RELOC_PC32;
			rels[i].target = t->entries[i].sec;
			rels[i].target_offset = t->entries[i].offset;
		}
		secs[nsecs++] = (struct objf_new_sec){ .name = ".orc_unwind", .type = SHT_PROGBITS,
			.flags = SHF_ALLOC, .align = 1, .entsize = 6, .data = unwind, .size = 6 * n };
		secs[nsecs++] = (struct objf_new_sec){ .name = ".orc_unwind_ip", .type = SHT_PROGBITS,
			.flags = SHF_ALLOC, .align = 1, .entsize = 4, .data = ip, .size = 4 * n,
			.rels = rels, .nr_rels = n };
	}
	if (!nsecs && !nr_patches) {
		ret = 0;
		goto out;
	}
	ret = objf_write(f, secs, nsecs, patches, nr_patches, err);
out:
	free(unwind);
	free(ip);
	free(rels);
	return ret;
}
