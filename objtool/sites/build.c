// SPDX-License-Identifier: GPL-2.0
/*
 * Assembling the non-ORC output of `altorc objtool` (see include/sites.h):
 * the already-processed check, turning site lists into sections, and the
 * order in which the reference adds them.
 */
#include <stdlib.h>
#include <string.h>

#include "sites_priv.h"

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
