// SPDX-License-Identifier: GPL-2.0
/*
 * --prefix=N (kernels 6.2+): the compiler pads each function with N bytes
 * of NOPs in front of it, which the kernel may patch at run time (call
 * depth tracking, FineIBT).  The reference names each such padding with a
 * symbol __pfx_<function>: same binding and type as the function, starting
 * N bytes before it, N bytes long.  A function gets one only when exactly
 * N bytes of NOPs precede it (validate/prefix.c gives those NOPs the function's
 * entry state for ORC under the same rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "sites_priv.h"

static bool has_nop_prefix(struct cfg *cfg, const struct objsym *func, unsigned prefix)
{
	struct code_section *cs = &cfg->csecs[func->sec->index];
	struct instr *insn = cfg_find(cfg, func->sec, func->offset);

	if (!insn)
		return false;
	while (insn > cs->insns) {
		uint64_t dist;

		insn--;
		if (insn->kind != INSN_NOP)
			return false;
		dist = func->offset - insn->offset;
		if (dist == prefix)
			return true;
		if (dist > prefix)
			return false;
	}
	return false;
}

static int add_prefix_sym(struct sites_out *out, const struct objsym *func, unsigned prefix,
			  struct ao_error *err)
{
	size_t len = strlen(func->name) + sizeof("__pfx_");
	char *name;

	if (AO_GROW(err, out->syms, out->cap_syms, out->nr_syms + 1, 256))
		return -1;
	name = ao_calloc(err, len, 1);
	if (!name)
		return -1;
	snprintf(name, len, "__pfx_%s", func->name);
	out->syms[out->nr_syms++] = (struct objf_new_sym){
		.name = name, .sec = func->sec, .value = func->offset - prefix, .size = prefix,
		.info = GELF_ST_INFO(func->bind, func->type), .other = 0,
	};
	return 0;
}

int sites_prefix_symbols(struct cfg *cfg, struct sites_out *out, struct ao_error *err)
{
	struct objfile *f = cfg->file;
	unsigned prefix = cfg->opts.prefix;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct objsec *sec = &f->secs[s];

		if (!sec->is_exec || !cfg->csecs[s].nr)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++) {
			struct objsym *func = sec->syms[i];

			if (func->type == STT_FUNC && func->offset >= prefix &&
			    has_nop_prefix(cfg, func, prefix) && add_prefix_sym(out, func, prefix, err))
				return -1;
		}
	}
	return 0;
}
