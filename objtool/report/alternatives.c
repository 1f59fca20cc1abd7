// SPDX-License-Identifier: GPL-2.0
/*
 * The report `altorc alternatives` prints (include/alt_report.h): every
 * runtime-patch site with its original and replacement code, disassembled
 * like objdump, and, from the validated CFG, what each branch does to the
 * stack.  One renderer for people, one for tools, over the same data.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alt_report.h"
#include "insn_text.h"
#include "orc_gen.h"
#include "reconcile.h"

/* One disassembled instruction of a listed range. */
struct altrep_insn {
	uint64_t off;          /* in its section */
	uint8_t len;
	char bytes[48];        /* "ff 15 00 00 00 00" */
	char text[160];        /* "call   *0x0(%rip)", relocation target named */
};

/* ---- disassembly -------------------------------------------------------- */

/*
 * Disassemble [off, off+len) of sec into insns (at most max).  Returns how
 * many; bytes that do not decode end the listing with a "(bad)" line.
 */
static size_t altrep_disasm(const struct alt_report *c, struct objsec *sec, uint64_t off, uint64_t len,
			  struct altrep_insn *insns, size_t max)
{
	uint64_t end = off + len;
	size_t nr = 0;

	if (!sec || !len || objf_sec_data(sec, NULL) < 0 || !sec->data)
		return 0;
	while (off < end && nr < max) {
		struct altrep_insn *in = &insns[nr++];
		int l = insn_text(c->dec, sec, off, end, in->text, sizeof(in->text));
		size_t b = 0;

		in->off = off;
		if (l <= 0) {
			in->len = (uint8_t)(end - off > 15 ? 15 : end - off);
			snprintf(in->text, sizeof(in->text), "(bad)");
		} else {
			in->len = (uint8_t)l;
		}
		for (unsigned i = 0; i < in->len && b + 4 < sizeof(in->bytes); i++)
			b += (size_t)snprintf(in->bytes + b, sizeof(in->bytes) - b, "%s%02x",
					      i ? " " : "", sec->data[off + i]);
		if (l <= 0)
			break;
		off += (uint64_t)l;
	}
	return nr;
}

/* ---- per-branch stack effects -------------------------------------------- */

/*
 * What each branch of a site does to the stack, as validation saw it (the
 * CFG is built and validated once, like `altorc check`): for the original
 * and the replacement, the state after each instruction, so that "pushf;
 * pop %rax" shows its 8 extra bytes at +1 where the call it replaces has
 * none; then the offsets where ORC needed an entry that only a replacement
 * gives.  When the analysis fails the listing still comes out, with the
 * reason instead of the effects.
 */

#define ALT_REPORT_MAX_STEPS 64
#define ALT_REPORT_MAX_EXTRA 16

static void altrep_step_text(const struct alt_report *c, const struct side_step *s, char *buf, size_t size)
{
	const struct instr *i = s->insn;
	struct objsec *sec = i->sec;

	if (s->padding) {
		snprintf(buf, size, "nop padding (%u bytes)", i->len);
		return;
	}
	if (!sec || objf_sec_data(sec, NULL) < 0 ||
	    insn_text(c->dec, sec, i->offset, sec->size, buf, size) < 0)
		snprintf(buf, size, "(%u bytes)", i->len);
}

static void altrep_state_text(const struct side_step *s, char *buf, size_t size)
{
	if (s->reached)
		stack_state_format(&s->after, buf, size);
	else
		snprintf(buf, size, "not reached");
}

static void altrep_side_text(const struct alt_report *c, const char *name, const struct alt_group *g)
{
	struct side_step steps[ALT_REPORT_MAX_STEPS];
	size_t n = reconcile_side_steps(c->cfg, g, steps, ALT_REPORT_MAX_STEPS);
	char text[160], st[400];

	printf("    %s:\n", name);
	if (!n)
		printf("      (empty)\n");
	for (size_t k = 0; k < n; k++) {
		altrep_step_text(c, &steps[k], text, sizeof(text));
		altrep_state_text(&steps[k], st, sizeof(st));
		printf("      +%-3u %-32s %s\n", steps[k].off, text, st);
	}
}

static void altrep_entry_state(const struct alt_group *og, char *buf, size_t size)
{
	if (og->first && og->first->state)
		stack_state_format(og->first->state, buf, size);
	else
		snprintf(buf, size, "not reached");
}

static void altrep_stack_effects_text(const struct alt_report *c, const struct alt_entry *e)
{
	const struct alt_group *g;
	uint32_t offs[ALT_REPORT_MAX_EXTRA];
	char name[200], st[400];
	size_t n;

	if (!c->cfg) {
		printf("  stack effects: not available (%s)\n", c->why_no_cfg);
		return;
	}
	g = reconcile_entry_side(c->cfg, e->index);
	if (!g) {
		printf("  stack effects: none (the entry is not modelled: empty original range)\n");
		return;
	}
	altrep_entry_state(g->orig_group, st, sizeof(st));
	printf("  stack state after each instruction (site entry: %s):\n", st);
	altrep_side_text(c, "original", g->orig_group);
	reconcile_describe_side(c->cfg, g, name, sizeof(name));
	altrep_side_text(c, name, g);
	n = orc_site_extra_entries(c->cfg, g, c->orc_format, offs, ALT_REPORT_MAX_EXTRA);
	printf("  extra ORC entries: %s", n ? "" : "none");
	for (size_t k = 0; k < n && k < ALT_REPORT_MAX_EXTRA; k++) {
		stack_state_format(g->states[offs[k]], st, sizeof(st));
		printf("%s+%u (%s)", k ? ", " : "", offs[k], st);
	}
	printf("\n");
}

static void altrep_side_json(const struct alt_report *c, const char *name, const struct alt_group *g)
{
	struct side_step steps[ALT_REPORT_MAX_STEPS];
	size_t n = reconcile_side_steps(c->cfg, g, steps, ALT_REPORT_MAX_STEPS);
	char text[160], st[400];

	json_begin_object(c->json);
	json_kv_string(c->json, "name", name);
	json_key(c->json, "steps");
	json_begin_array(c->json);
	for (size_t k = 0; k < n; k++) {
		json_begin_object(c->json);
		json_kv_uint(c->json, "offset", steps[k].off);
		altrep_step_text(c, &steps[k], text, sizeof(text));
		json_kv_string(c->json, "text", text);
		json_kv_bool(c->json, "padding", steps[k].padding);
		json_kv_bool(c->json, "reached", steps[k].reached);
		if (steps[k].reached) {
			stack_state_format(&steps[k].before, st, sizeof(st));
			json_kv_string(c->json, "state_before", st);
			stack_state_format(&steps[k].after, st, sizeof(st));
			json_kv_string(c->json, "state_after", st);
		}
		json_end_object(c->json);
	}
	json_end_array(c->json);
	json_end_object(c->json);
}

static void altrep_stack_effects_json(const struct alt_report *c, const struct alt_entry *e)
{
	const struct alt_group *g = c->cfg ? reconcile_entry_side(c->cfg, e->index) : NULL;
	uint32_t offs[ALT_REPORT_MAX_EXTRA];
	char name[200];
	size_t n;

	json_key(c->json, "branches");
	if (!g) {
		json_null(c->json);
		json_kv_string(c->json, "branches_unavailable",
			       c->cfg ? "entry not modelled" : c->why_no_cfg);
		return;
	}
	json_begin_array(c->json);
	altrep_side_json(c, "original", g->orig_group);
	reconcile_describe_side(c->cfg, g, name, sizeof(name));
	altrep_side_json(c, name, g);
	json_end_array(c->json);
	n = orc_site_extra_entries(c->cfg, g, c->orc_format, offs, ALT_REPORT_MAX_EXTRA);
	json_kv_bool(c->json, "needs_extra_orc", n > 0);
	json_key(c->json, "extra_orc_offsets");
	json_begin_array(c->json);
	for (size_t k = 0; k < n && k < ALT_REPORT_MAX_EXTRA; k++)
		json_uint(c->json, offs[k]);
	json_end_array(c->json);
}

/*
 * A paravirt site of 6.1 becomes a direct call (5 bytes) plus NOPs, or
 * NOPs only: both keep the entry state, so each boundary of theirs has it.
 */
static void altrep_pv_effects_text(const struct alt_report *c, const struct pv_site *s)
{
	const struct instr *i = c->cfg ? cfg_find(c->cfg, s->sec, s->off) : NULL;
	char st[400], pad[64];

	if (!c->cfg) {
		printf("  stack effects: not available (%s)\n", c->why_no_cfg);
		return;
	}
	if (!i || !i->state) {
		printf("  stack effects: the site is not reached by validation\n");
		return;
	}
	stack_state_format(i->state, st, sizeof(st));
	printf("  stack state per branch (site entry: %s):\n", st);
	if (s->len >= 5) {
		printf("    patched direct call:\n      +0   %-32s %s\n", "call (5 bytes)", st);
		snprintf(pad, sizeof(pad), "nop padding (%u bytes)", s->len - 5u);
		if (s->len > 5)
			printf("      +5   %-32s %s\n", pad, st);
	}
	snprintf(pad, sizeof(pad), "nop padding (%u bytes)", s->len);
	printf("    patched NOPs:\n      +0   %-32s %s\n", pad, st);
	printf("  extra ORC entries: none (stack-neutral; checked against the original)\n");
}

static void altrep_pv_effects_json(const struct alt_report *c, const struct pv_site *s)
{
	const struct instr *i = c->cfg ? cfg_find(c->cfg, s->sec, s->off) : NULL;
	char st[400];

	json_key(c->json, "branches");
	if (!i || !i->state) {
		json_null(c->json);
		return;
	}
	stack_state_format(i->state, st, sizeof(st));
	json_begin_array(c->json);
	for (int k = s->len >= 5 ? 0 : 1; k < 2; k++) {
		json_begin_object(c->json);
		json_kv_string(c->json, "name", k ? "patched NOPs" : "patched direct call");
		json_key(c->json, "steps");
		json_begin_array(c->json);
		json_begin_object(c->json);
		json_kv_uint(c->json, "offset", 0);
		json_kv_string(c->json, "text", k ? "nop padding" : "call");
		json_kv_string(c->json, "state_after", st);
		json_end_object(c->json);
		json_end_array(c->json);
		json_end_object(c->json);
	}
	json_end_array(c->json);
	json_kv_bool(c->json, "needs_extra_orc", false);
}

/* ---- text -------------------------------------------------------------------- */

#define ALT_REPORT_MAX_INSNS 64

static void altrep_print_insns(const struct alt_report *c, struct objsec *sec, uint64_t off,
			     uint64_t len, const char *indent)
{
	struct altrep_insn insns[ALT_REPORT_MAX_INSNS];
	size_t nr = altrep_disasm(c, sec, off, len, insns, ALT_REPORT_MAX_INSNS);

	for (size_t i = 0; i < nr; i++)
		printf("%s%s+0x%" PRIx64 ":  %-24s %s\n", indent, sec->name, insns[i].off,
		       insns[i].bytes, insns[i].text);
}

static void altrep_print_site(struct objsec *sec, uint64_t off)
{
	char loc[256];

	objf_format_loc(loc, sizeof(loc), sec, off);
	if (objf_func_at(sec, off))
		printf("%s (%s+0x%" PRIx64 ")", loc, sec->name, off);
	else
		printf("%s", loc);
}

static void altrep_text_alt(const struct alt_report *c, const struct alt_entry *e)
{
	printf(".altinstructions+0x%" PRIx64 ": alternative at ", e->entry_offset);
	altrep_print_site(e->orig_sec, e->orig_off);
	printf("\n  feature %u (%u*32+%u)%s%s\n", e->feature, e->feature / 32, e->feature % 32,
	       (e->flags & ALT_FLAG_NOT) ? " not" : "",
	       (e->flags & ALT_FLAG_DIRECT_CALL) ? " direct_call" : "");
	printf("  original (%u bytes):\n", e->orig_len);
	altrep_print_insns(c, e->orig_sec, e->orig_off, e->orig_len, "    ");
	if (!e->repl_len) {
		printf("  replacement: empty (the original becomes NOPs)\n");
	} else {
		printf("  replacement (%u bytes):\n", e->repl_len);
		altrep_print_insns(c, e->repl_sec, e->repl_off, e->repl_len, "    ");
	}
	altrep_stack_effects_text(c, e);
}

static void altrep_text_pv(const struct alt_report *c, const struct pv_site *s)
{
	printf(".parainstructions+0x%" PRIx64 ": paravirt at ", s->entry_offset);
	altrep_print_site(s->sec, s->off);
	printf("\n  type %u, length %u\n  original:\n", s->type, s->len);
	altrep_print_insns(c, s->sec, s->off, s->len, "    ");
	altrep_pv_effects_text(c, s);
}

void alt_report_text(const struct alt_report *c)
{
	for (size_t i = 0; i < c->alts.nr; i++)
		altrep_text_alt(c, &c->alts.entries[i]);
	for (size_t i = 0; i < c->pv.nr; i++)
		altrep_text_pv(c, &c->pv.sites[i]);
	printf("%zu alternative%s (%s layout), %zu paravirt site%s\n", c->alts.nr,
	       c->alts.nr == 1 ? "" : "s", c->alts.layout == ALT_LAYOUT_V1 ? "v1" : "v2",
	       c->pv.nr, c->pv.nr == 1 ? "" : "s");
}

/* ---- JSON -------------------------------------------------------------------- */

static void altrep_json_insns(const struct alt_report *c, const char *key, struct objsec *sec,
			    uint64_t off, uint64_t len)
{
	struct altrep_insn insns[ALT_REPORT_MAX_INSNS];
	size_t nr = altrep_disasm(c, sec, off, len, insns, ALT_REPORT_MAX_INSNS);

	json_key(c->json, key);
	json_begin_array(c->json);
	for (size_t i = 0; i < nr; i++) {
		json_begin_object(c->json);
		json_kv_uint(c->json, "offset", insns[i].off);
		json_kv_string(c->json, "bytes", insns[i].bytes);
		json_kv_string(c->json, "text", insns[i].text);
		json_end_object(c->json);
	}
	json_end_array(c->json);
}

/* Keys every site has: where it is and how long. */
static void altrep_json_site(const struct alt_report *c, const char *kind, const char *table,
			   uint64_t entry_offset, struct objsec *sec, uint64_t off, unsigned len)
{
	struct objsym *fn = objf_func_at(sec, off);

	json_kv_string(c->json, "kind", kind);
	json_kv_string(c->json, "table", table);
	json_kv_uint(c->json, "entry_offset", entry_offset);
	json_kv_string(c->json, "section", sec->name);
	json_kv_uint(c->json, "offset", off);
	json_kv_string(c->json, "function", fn ? fn->name : NULL);
	json_kv_uint(c->json, "function_offset", fn ? off - fn->offset : off);
	json_kv_uint(c->json, "length", len);
}

static void altrep_json_alt(const struct alt_report *c, const struct alt_entry *e)
{
	json_begin_object(c->json);
	altrep_json_site(c, "alternative", ".altinstructions", e->entry_offset, e->orig_sec,
		       e->orig_off, e->orig_len);
	json_kv_uint(c->json, "feature", e->feature);
	json_kv_uint(c->json, "feature_word", e->feature / 32);
	json_kv_uint(c->json, "feature_bit", e->feature % 32);
	json_kv_bool(c->json, "not", e->flags & ALT_FLAG_NOT);
	json_kv_bool(c->json, "direct_call", e->flags & ALT_FLAG_DIRECT_CALL);
	json_kv_uint(c->json, "flags", e->flags);
	json_kv_string(c->json, "replacement_section", e->repl_sec ? e->repl_sec->name : NULL);
	json_kv_uint(c->json, "replacement_offset", e->repl_off);
	json_kv_uint(c->json, "replacement_length", e->repl_len);
	altrep_json_insns(c, "original", e->orig_sec, e->orig_off, e->orig_len);
	altrep_json_insns(c, "replacement", e->repl_sec, e->repl_off, e->repl_len);
	altrep_stack_effects_json(c, e);
	json_end_object(c->json);
}

static void altrep_json_pv(const struct alt_report *c, const struct pv_site *s)
{
	json_begin_object(c->json);
	altrep_json_site(c, "paravirt", ".parainstructions", s->entry_offset, s->sec, s->off, s->len);
	json_kv_uint(c->json, "type", s->type);
	altrep_json_insns(c, "original", s->sec, s->off, s->len);
	altrep_pv_effects_json(c, s);
	json_end_object(c->json);
}

int alt_report_json(struct alt_report *c, FILE *out)
{
	struct json_writer w;
	int ret;

	c->json = &w;
	json_init(&w, out);
	json_begin_array(&w);
	for (size_t i = 0; i < c->alts.nr; i++)
		altrep_json_alt(c, &c->alts.entries[i]);
	for (size_t i = 0; i < c->pv.nr; i++)
		altrep_json_pv(c, &c->pv.sites[i]);
	json_end_array(&w);
	ret = json_finish(&w);
	c->json = NULL;
	return ret;
}

