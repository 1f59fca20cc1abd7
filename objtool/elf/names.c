// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol lookup by name.  A prelinked 6.12 module has tens of thousands of
 * symbols and some passes ask for names per call site (static call keys,
 * .cold parents): a hash index replaces a scan of the whole table each time.
 * Chains keep symbol-table order, so duplicates (static functions of the
 * same name from different files) come back first-defined first.
 */
#include <stdlib.h>
#include <string.h>

#include "objfile.h"
#include "elf_priv.h"

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static int build_index(struct objfile *f)
{
	struct objf_impl *impl = objf_impl(f);
	size_t nb = 64;

	while (nb < f->nr_syms)
		nb <<= 1;
	impl->name_heads = ao_calloc(NULL, nb, sizeof(*impl->name_heads));
	impl->name_next = ao_calloc(NULL, f->nr_syms ? f->nr_syms : 1, sizeof(*impl->name_next));
	if (!impl->name_heads || !impl->name_next) {
		/* both or neither: a lookup takes name_heads as the sign of a whole index */
		free(impl->name_heads);
		free(impl->name_next);
		impl->name_heads = NULL;
		impl->name_next = NULL;
		return -1;
	}
	impl->nr_name_buckets = nb;
	/* Insert last to first at the heads: each chain then runs in table order. */
	for (size_t i = f->nr_syms; i-- > 1;) {
		size_t b = name_hash(f->syms[i].name) & (nb - 1);

		impl->name_next[i] = impl->name_heads[b];
		impl->name_heads[b] = (uint32_t)i + 1;
	}
	return 0;
}

static struct objsym *first_from(struct objfile *f, uint32_t link, const char *name)
{
	struct objf_impl *impl = objf_impl(f);

	for (; link; link = impl->name_next[link - 1])
		if (!strcmp(f->syms[link - 1].name, name))
			return &f->syms[link - 1];
	return NULL;
}

int objf_index_names(struct objfile *f)
{
	if (!f->nr_syms || objf_impl(f)->name_heads)
		return 0;
	return build_index(f);
}

struct objsym *objf_sym_by_name(struct objfile *f, const char *name)
{
	struct objf_impl *impl = objf_impl(f);

	if (!f->nr_syms || (!impl->name_heads && build_index(f)))
		return NULL;
	return first_from(f, impl->name_heads[name_hash(name) & (impl->nr_name_buckets - 1)], name);
}

struct objsym *objf_sym_next_same_name(struct objfile *f, const struct objsym *sym)
{
	struct objf_impl *impl = objf_impl(f);

	if (!impl->name_heads)
		return NULL;
	return first_from(f, impl->name_next[sym->index], sym->name);
}
