// SPDX-License-Identifier: GPL-2.0
/*
 * Building the CFG: the passes of this folder in the order their results
 * depend on each other.  The passes call only the model (cfg.c) and the
 * passes before them, never back into this driver.
 */
#include "ao_phases.h"
#include "arch_decode.h"
#include "cfg_priv.h"
#include "paravirt_native.h"

static int alloc_tables(struct cfg *cfg)
{
	struct objfile *f = cfg->file;

	cfg->csecs = ao_calloc(cfg->err, f->nr_secs, sizeof(*cfg->csecs));
	cfg->finfo = ao_calloc(cfg->err, f->nr_syms ? f->nr_syms : 1, sizeof(*cfg->finfo));
	cfg->states = stack_pool_new();
	cfg->decoder = arch_decoder_new();
	if (!cfg->csecs || !cfg->finfo)
		return -1;
	if (!cfg->states || !cfg->decoder)
		return ao_fail(cfg->err, AO_ERR_NOMEM, "out of memory");
	/* The two objtools read a few encodings differently: decode like the target's. */
	arch_decoder_set_version(cfg->decoder, cfg->opts.kernel->decoder);
	return 0;
}

int cfg_build(struct cfg *cfg, struct objfile *f, const struct cfg_options *opts,
	      struct ao_error *err)
{
	cfg->file = f;
	cfg->opts = *opts;
	if (!cfg->opts.kernel)
		cfg->opts.kernel = kernel_rules_default();
	cfg->err = err;
	if (alloc_tables(cfg) || cfg_decode_sections(cfg))
		return -1;
	ao_phase_end("decode");
	if (cfg_read_ignores(cfg))
		return -1;
	/* Before alternatives: an ignored site's replacement is claimed as ignored. */
	if (cfg_read_ignore_alts(cfg))
		return -1;
	/* Before jumps: sibling-call detection needs replacements' functions. */
	if (cfg_add_alternatives(cfg))
		return -1;
	if (cfg->opts.paravirt_native && pv_native_add_branches(cfg))
		return -1;
	if (cfg_add_patch_branches(cfg))
		return -1;
	if (cfg_resolve_jumps(cfg))
		return -1;
	/* Before calls: it turns some calls into jumps. */
	if (cfg_read_intra_function_calls(cfg))
		return -1;
	if (cfg_resolve_calls(cfg))
		return -1;
	/* After calls, so that annotations override noreturn marks. */
	if (cfg_read_dead_ends(cfg))
		return -1;
	/* After dead ends, before hints, where the reference adds them. */
	if (cfg_add_jump_tables(cfg))
		return -1;
	if (cfg_read_hints(cfg))
		return -1;
	/*
	 * After the hints, in the reference's order (its messages on a bad entry
	 * come in it).  Here rather than in validation: the sites read these
	 * marks on a thread of their own while validation runs.
	 */
	if (cfg_read_retpoline_safe(cfg))
		return -1;
	if (cfg_read_instrumentation(cfg))
		return -1;
	return cfg_read_unret_begins(cfg);
}
