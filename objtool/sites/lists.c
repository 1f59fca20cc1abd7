// SPDX-License-Identifier: GPL-2.0
/*
 * The call-site sections: .static_call_sites, .retpoline_sites,
 * .return_sites, .call_sites (--hacks=skylake), .cfi_sites and
 * __mcount_loc.
 *
 * The reference files a site at the moment it resolves a destination: first
 * while resolving jumps (every code section in order, by offset), then
 * while resolving calls.  So each list is its jump sites in address order
 * followed by its call sites in address order.  collect() rebuilds that
 * from the finished CFG in one pass over the instructions (a vmlinux.o
 * has 4 million): jump sites and call sites go to lists of their own, and
 * the call sites are appended once all are seen.  Replacement code in
 * .altinstr_replacement is only a template and gets no call-site entries
 * (return-thunk jumps excepted: the reference files those unconditionally).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "sites_priv.h"


#define STATIC_CALL_SITE_TAIL 1   /* key addend bit: the site is a tail call */

/* One pass's sites: the jump pass never files calls, the call pass never returns. */
struct lists {
	struct site_list static_calls, retpolines, returns, calls, mcount;
	struct objsym *last_tramp, *last_key;   /* one-entry cache of the key lookup */
};

static struct objsym *rel_sym(const struct instr *insn)
{
	const struct objrel *rel = objf_rel_in(insn->sec, insn->offset, insn->offset + insn->len);

	return rel ? rel->sym : NULL;
}

static bool in_replacement(const struct instr *insn)
{
	return !strcmp(insn->sec->name, ".altinstr_replacement");
}

/* __SCT__name's key is __SCK__name; a module may only see the trampoline. */
static struct objsym *static_call_key(struct cfg *cfg, struct lists *l, struct objsym *tramp,
				      bool module, struct ao_error *err)
{
	struct objfile *f = cfg->file;
	char name[512];

	if (l->last_tramp == tramp)
		return l->last_key;
	if (snprintf(name, sizeof(name), "__SCK__%s", tramp->name + 7) >= (int)sizeof(name)) {
		ao_fail(err, AO_ERR_UNSUPPORTED, "%s: static call name too long: %s", f->path,
			tramp->name);
		return NULL;
	}
	l->last_tramp = tramp;
	l->last_key = objf_sym_by_name(f, name);
	if (!l->last_key && module)
		l->last_key = tramp;   /* the module loader fixes it up */
	/*
	 * Outside a module the key must be here.  The reference warns, stops
	 * making sections and exits 0; the command does the same, leaving the
	 * object untouched (the message is the reference's, without a location).
	 */
	if (!l->last_key)
		ao_fail(err, AO_ERR_STOPPED, "static_call: can't find static_call_key symbol: %s",
			name);
	return l->last_key;
}

static int add_static_call(struct cfg *cfg, struct lists *l, const struct sites_options *o,
			   struct instr *insn, bool tail, struct ao_error *err)
{
	struct objsym *key;

	/* Without --static-call no list is written, and a missing key is no error. */
	if (!o->static_call)
		return 0;
	key = static_call_key(cfg, l, cfg_call_dest(insn), o->module, err);
	if (!key)
		return -1;
	return site_add(&l->static_calls, insn->sec, insn->offset, key,
			tail ? STATIC_CALL_SITE_TAIL : 0, err);
}

/* An __fentry__ call, whether still a call or already a NOP. */
static bool is_fentry_site(const struct cfg *cfg, const struct instr *insn)
{
	return cfg->opts.mcount && cfg_call_dest(insn) && arch_is_fentry(cfg_call_dest(insn));
}

/* The byte the compiler wrote (the rewrites are not applied in memory). */
static bool was_call(struct instr *insn)
{
	if (objf_sec_data(insn->sec, NULL) || !insn->sec->data)
		return false;
	return arch_is_direct_call(insn->sec->data + insn->offset, insn->sec->size - insn->offset);
}

/* What the reference files while resolving jumps. */
static int jump_site(struct cfg *cfg, struct lists *l, const struct sites_options *o,
		     struct instr *insn, struct ao_error *err)
{
	struct objsym *rs;

	switch (insn->kind) {
	case INSN_JUMP:
	case INSN_JUMP_COND:
		if (!cfg_call_dest(insn) || in_replacement(insn))
			return 0;
		if (arch_is_static_call_tramp(cfg_call_dest(insn)))
			return add_static_call(cfg, l, o, insn, true, err);
		if (is_fentry_site(cfg, insn))
			return site_add(&l->mcount, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	case INSN_JUMP_INDIRECT:
	case INSN_JUMP_INDIRECT_COND:
		rs = rel_sym(insn);
		if (insn->retpoline_safe && rs && arch_is_retpoline_thunk(rs) &&
		    !in_replacement(insn))
			return site_add(&l->retpolines, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	case INSN_RETURN:
		rs = rel_sym(insn);
		if (insn->retpoline_safe && rs && arch_is_return_thunk(rs))
			return site_add(&l->returns, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	case INSN_NOP:
		if (insn->site_patched && is_fentry_site(cfg, insn) && !was_call(insn))
			return site_add(&l->mcount, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	default:
		return 0;
	}
}

/* .init.text of the kernel proper runs before user space: no call sites there. */
static bool wants_call_site(const struct instr *insn, const struct sites_options *o)
{
	return o->module || strcmp(insn->sec->name, ".init.text");
}

/* What the reference files while resolving calls (not in replacements). */
static int call_site(struct cfg *cfg, struct lists *l, const struct sites_options *o,
		     struct instr *insn, struct ao_error *err)
{
	struct objsym *rs;

	switch (insn->kind) {
	case INSN_CALL:
		if (!cfg_call_dest(insn))
			return 0;
		if (arch_is_static_call_tramp(cfg_call_dest(insn)))
			return add_static_call(cfg, l, o, insn, false, err);
		if (is_fentry_site(cfg, insn))
			return site_add(&l->mcount, insn->sec, insn->offset, NULL, 0, err);
		if (wants_call_site(insn, o))
			return site_add(&l->calls, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	case INSN_CALL_INDIRECT:
		rs = rel_sym(insn);
		if (insn->retpoline_safe && rs && arch_is_retpoline_thunk(rs))
			return site_add(&l->retpolines, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	case INSN_NOP:
		if (insn->site_patched && is_fentry_site(cfg, insn) && was_call(insn))
			return site_add(&l->mcount, insn->sec, insn->offset, NULL, 0, err);
		return 0;
	default:
		return 0;
	}
}

/*
 * The kinds either switch looks at; NOPs only count when they were patched
 * sites.  Most instructions are none of them and cost one test here.
 */
#define SITE_KINDS (1u << INSN_JUMP | 1u << INSN_JUMP_COND | 1u << INSN_JUMP_INDIRECT | \
		    1u << INSN_JUMP_INDIRECT_COND | 1u << INSN_RETURN | 1u << INSN_CALL | \
		    1u << INSN_CALL_INDIRECT | 1u << INSN_NOP)
_Static_assert(INSN_KIND_MAX <= 32, "SITE_KINDS is a 32-bit mask");

static bool never_a_site(const struct instr *insn)
{
	if (!(SITE_KINDS & 1u << insn->kind))
		return true;
	return insn->kind == INSN_NOP && !insn->site_patched;
}

static int append_list(struct site_list *to, const struct site_list *from, struct ao_error *err)
{
	if (!from->nr)
		return 0;
	if (AO_GROW(err, to->v, to->cap, to->nr + from->nr, 64))
		return -1;
	memcpy(to->v + to->nr, from->v, from->nr * sizeof(*from->v));
	to->nr += from->nr;
	return 0;
}

/* The call sites after the jump sites, list by list. */
static int append_calls(struct lists *l, const struct lists *calls, struct ao_error *err)
{
	if (append_list(&l->static_calls, &calls->static_calls, err) ||
	    append_list(&l->retpolines, &calls->retpolines, err) ||
	    append_list(&l->calls, &calls->calls, err) ||
	    append_list(&l->mcount, &calls->mcount, err))
		return -1;
	return 0;
}

static void lists_free(struct lists *l)
{
	site_list_free(&l->static_calls);
	site_list_free(&l->retpolines);
	site_list_free(&l->returns);
	site_list_free(&l->calls);
	site_list_free(&l->mcount);
}

/*
 * Jump and call sites in one pass.  The reference would meet any failing
 * jump site before any failing call site, so a call site's error waits
 * (in call_err, call sites stop there) until no jump site failed.
 */
static int collect(struct cfg *cfg, struct lists *l, const struct sites_options *o,
		   struct ao_error *err)
{
	struct objfile *f = cfg->file;
	struct lists calls = { 0 };
	struct ao_error call_err = { 0 };
	bool call_failed = false;
	int ret = -1;

	for (size_t s = 1; s < f->nr_secs; s++) {
		struct code_section *cs = &cfg->csecs[s];
		/* no call sites in replacement code: asked once a section, not per instruction */
		bool want_calls = !call_failed && !(cs->nr && in_replacement(&cs->insns[0]));

		for (size_t i = 0; i < cs->nr; i++) {
			struct instr *insn = &cs->insns[i];

			if (never_a_site(insn))
				continue;
			if (jump_site(cfg, l, o, insn, err))
				goto out;
			if (want_calls && call_site(cfg, &calls, o, insn, &call_err)) {
				call_failed = true;
				want_calls = false;
			}
		}
	}
	if (call_failed)
		*err = call_err;
	else
		ret = append_calls(l, &calls, err);
out:
	lists_free(&calls);
	return ret;
}

/*
 * .cfi_sites: every __cfi_ preamble symbol (even none), in the order the
 * reference walks symbols: by section, then by address (its per-section
 * lists), not symbol-table order (locals come first there).
 */
static int cfi_list(struct cfg *cfg, struct site_list *cfi, struct ao_error *err)
{
	struct objfile *f = cfg->file;

	for (size_t n = 1; n < f->nr_secs; n++)
		for (size_t i = 0; i < f->secs[n].nr_syms; i++) {
			struct objsym *s = f->secs[n].syms[i];

			if (s->type == STT_FUNC && !strncmp(s->name, "__cfi_", 6) &&
			    site_add(cfi, s->sec, s->offset, NULL, 0, err))
				return -1;
		}
	return 0;
}

static int emit_mcount(struct cfg *cfg, struct sites_out *out, const struct site_list *l,
		       struct ao_error *err)
{
	if (!l->nr)
		return 0;
	if (objf_sec_by_name(cfg->file, "__mcount_loc")) {
		/* Compiler-made (-mrecord-mcount): the reference keeps it and says so. */
		fprintf(stderr, "%s: warning: objtool: file already has __mcount_loc section, skipping\n",
			cfg->file->path);
		return 0;
	}
	/* 6.12 aligns the address table; 6.1 left it byte-aligned. */
	return sites_emit(out, "__mcount_loc", 0, cfg->opts.kernel->mcount_loc_align, 8, ARCH_RELOC_ABS64,
			  l, err);
}

static int emit_all(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
		    struct lists *l, struct site_list *cfi, struct ao_error *err)
{
	/* Same order as the reference adds them. */
	if (o->static_call && l->static_calls.nr &&
	    sites_emit(out, ".static_call_sites", SHF_WRITE, 1, 8, ARCH_RELOC_PC32, &l->static_calls, err))
		return -1;
	if (o->retpoline && l->retpolines.nr &&
	    sites_emit(out, ".retpoline_sites", 0, 1, 4, ARCH_RELOC_PC32, &l->retpolines, err))
		return -1;
	if (o->cfi && sites_emit(out, ".cfi_sites", 0, 1, 4, ARCH_RELOC_PC32, cfi, err))
		return -1;
	if (o->rethunk && l->returns.nr &&
	    sites_emit(out, ".return_sites", 0, 1, 4, ARCH_RELOC_PC32, &l->returns, err))
		return -1;
	if (o->rethunk && o->skylake && l->calls.nr &&
	    sites_emit(out, ".call_sites", 0, 1, 4, ARCH_RELOC_PC32, &l->calls, err))
		return -1;
	if (cfg->opts.mcount && emit_mcount(cfg, out, &l->mcount, err))
		return -1;
	return 0;
}

int sites_call_sections(struct cfg *cfg, const struct sites_options *o, struct sites_out *out,
			struct ao_error *err)
{
	struct lists l = { 0 };
	struct site_list cfi = { 0 };
	int ret;

	ret = collect(cfg, &l, o, err);
	if (!ret && o->cfi)
		ret = cfi_list(cfg, &cfi, err);
	if (!ret)
		ret = emit_all(cfg, o, out, &l, &cfi, err);
	lists_free(&l);
	site_list_free(&cfi);
	return ret;
}
