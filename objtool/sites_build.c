// SPDX-License-Identifier: GPL-2.0
/*
 * Assembling the non-ORC output of `altorc objtool` (see include/sites.h):
 * the already-processed check, turning site lists into sections, and the
 * order in which the reference adds them.
 */
#include <stdlib.h>
#include <string.h>

#include "sites.h"

int site_add(struct site_list *l, struct objsec *sec, uint64_t offset, struct objsym *key,
	     int64_t key_addend, struct ao_error *err)
{
	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct site *v = ao_reallocarray(err, l->v, cap, sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->nr++] = (struct site){ sec, offset, key, key_addend };
	return 0;
}

void site_list_free(struct site_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool sites_is_static_call_tramp(const struct objsym *s)
{
	return s->bind == STB_GLOBAL && !strncmp(s->name, "__SCT__", 7);
}

bool sites_is_retpoline_thunk(const struct objsym *s)
{
	return s->bind == STB_GLOBAL && !strncmp(s->name, "__x86_indirect_", 15);
}

bool sites_is_return_thunk(const struct objsym *s)
{
	return s->bind == STB_GLOBAL && !strcmp(s->name, "__x86_return_thunk");
}

bool sites_is_fentry(const struct objsym *s)
{
	return s->bind == STB_GLOBAL && !strcmp(s->name, "__fentry__");
}

static int add_key_rel(struct sites_out *out, const char *name, uint64_t offset, uint32_t type,
		       struct objsym *key, int64_t addend, struct ao_error *err)
{
	if (out->nr_sym_rels == out->cap_sym_rels) {
		size_t cap = out->cap_sym_rels ? 2 * out->cap_sym_rels : 64;
		struct objf_sym_rel *v = ao_reallocarray(err, out->sym_rels, cap, sizeof(*v));

		if (!v)
			return -1;
		out->sym_rels = v;
		out->cap_sym_rels = cap;
	}
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

static const char *existing_output(struct objfile *f, const struct sites_options *o,
				   unsigned prefix)
{	const struct { bool on; const char *name; } outs[] = {
		{ o->orc, ".orc_unwind" },
		{ o->orc, ".orc_unwind_ip" },
		{ o->static_call, ".static_call_sites" },
		{ o->retpoline, ".retpoline_sites" },
		{ o->rethunk, ".return_sites" },
		{ o->rethunk && o->skylake, ".call_sites" },
		{ o->cfi, ".cfi_sites" },
		{ o->ibt, ".ibt_endbr_seal" },
	};

	for (size_t i = 0; i < sizeof(outs) / sizeof(*outs); i++)
		if (outs[i].on && objf_sec_by_name(f, outs[i].name))
			return outs[i].name;
	if (prefix)
		for (size_t i = 1; i < f->nr_syms; i++)
			if (!strncmp(f->syms[i].name, "__pfx_", 6))
				return "__pfx_ symbols";
	return NULL;
}

int sites_check_fresh(struct objfile *f, const struct sites_options *o, unsigned prefix,
		      struct ao_error *err)
{
	const char *found = existing_output(f, o, prefix);

	if (!found)
		return 0;
	return ao_fail(err, AO_ERR_UNSUPPORTED,
		       "%s: already processed by objtool (it has %s); not writing anything",
		       f->path, found);
}

int sites_build(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
		struct ao_error *err)
{
	memset(out, 0, sizeof(*out));
	if (sites_rewrites(cfg, out, err) || sites_call_sections(cfg, o, out, err))
		return -1;
	/* The reference adds the prefix symbols, then seals ENDBRs, then writes ORC. */
	if (cfg->opts.prefix && sites_prefix_symbols(cfg, out, err))
		return -1;
	if (o->ibt && sites_ibt_section(cfg, out, err))
		return -1;
	out->edits = (struct objf_edits){
		.secs = out->secs, .nr_secs = out->nr_secs,
		.patches = out->patches, .nr_patches = out->nr_patches,
		.syms = out->syms, .nr_syms = out->nr_syms,
		.rel_types = out->rel_types, .nr_rel_types = out->nr_rel_types,
		.sym_rels = out->sym_rels, .nr_sym_rels = out->nr_sym_rels,
	};
	return 0;
}

void sites_free(struct sites_out *out)
{
	for (size_t i = 0; i < out->nr_secs; i++) {
		free((void *)out->secs[i].data);
		free((void *)out->secs[i].rels);
	}
	for (size_t i = 0; i < out->nr_syms; i++)
		free((void *)out->syms[i].name);
	free(out->patches);
	free(out->rel_types);
	free(out->syms);
	free(out->sym_rels);
	memset(out, 0, sizeof(*out));
}
