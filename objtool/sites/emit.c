// SPDX-License-Identifier: GPL-2.0
/*
 * Site lists and their sections: each builder of this folder collects the
 * addresses of one kind of site, and sites_emit() turns a list into a new
 * section with one relocation per entry.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "sites_priv.h"

int site_add(struct site_list *l, struct objsec *sec, uint64_t offset, struct objsym *key,
	     int64_t key_addend, struct ao_error *err)
{
	if (AO_GROW(err, l->v, l->cap, l->nr + 1, 64))
		return -1;
	l->v[l->nr++] = (struct site){ sec, offset, key, key_addend };
	return 0;
}

void site_list_free(struct site_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int add_key_rel(struct sites_out *out, const char *name, uint64_t offset, uint32_t type,
		       struct objsym *key, int64_t addend, struct ao_error *err)
{
	if (AO_GROW(err, out->sym_rels, out->cap_sym_rels, out->nr_sym_rels + 1, 64))
		return -1;
	out->sym_rels[out->nr_sym_rels++] = (struct objf_sym_rel){ .sec_name = name,
		.offset = offset, .type = type, .sym = key, .addend = addend };
	return 0;
}

/*
 * One section of entsize-byte zeroed entries, each with a relocation to its
 * site (and, for static calls, a second one to the key at +4).
 */
int sites_emit(struct sites_out *out, const char *name, uint64_t flags, uint64_t align,
	       uint64_t entsize, uint32_t rel_type, const struct site_list *l, struct ao_error *err)
{
	struct objf_new_rel *rels;
	uint8_t *data;

	if (out->nr_secs == sizeof(out->secs) / sizeof(*out->secs))
		return ao_fail(err, AO_ERR_ANALYSIS, "too many annotation sections");
	data = ao_calloc(err, l->nr ? l->nr : 1, entsize);
	rels = ao_calloc(err, l->nr + 1, sizeof(*rels));
	if (!data || !rels) {
		free(data);
		free(rels);
		return -1;
	}
	out->secs[out->nr_secs++] = (struct objf_new_sec){ .name = name, .type = SHT_PROGBITS,
		.flags = SHF_ALLOC | flags, .align = align, .entsize = entsize, .data = data,
		.size = l->nr * entsize, .rels = rels, .nr_rels = l->nr };
	for (size_t i = 0; i < l->nr; i++) {
		const struct site *s = &l->v[i];

		rels[i] = (struct objf_new_rel){ .offset = i * entsize, .type = rel_type,
			.target = s->sec, .target_offset = s->offset };
		if (s->key && add_key_rel(out, name, i * entsize + 4, rel_type, s->key,
					  s->key_addend, err))
			return -1;
	}
	return 0;
}
