// SPDX-License-Identifier: GPL-2.0
/*
 * JSON rendering: the stack-state and ORC-entry objects every command
 * shares, and `altorc check --format=json`.  One vocabulary everywhere:
 * ORC registers and types are named as the reference dump names them, so a
 * JSON consumer can compare with `objtool --dump=orc` output directly.
 */
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "cfg.h"
#include "insn_text.h"
#include "report.h"
#include "version.h"

const char *report_orc_reg_name(unsigned reg)
{
	static const char *const names[] = {
		[ORC_REG_UNDEFINED] = "undefined", [ORC_REG_PREV_SP] = "prevsp",
		[ORC_REG_DX] = "dx", [ORC_REG_DI] = "di", [ORC_REG_BP] = "bp",
		[ORC_REG_SP] = "sp", [ORC_REG_R10] = "r10", [ORC_REG_R13] = "r13",
		[ORC_REG_BP_INDIRECT] = "bp(ind)", [ORC_REG_SP_INDIRECT] = "sp(ind)",
	};

	return reg < sizeof(names) / sizeof(names[0]) ? names[reg] : "?";
}

const char *report_orc_type_name(enum orc_format fmt, const struct orc_entry *e)
{
	switch (e->type) {
	case ORC_T_UNDEFINED:     return "undefined";
	case ORC_T_END_OF_STACK:  return "end";
	case ORC_T_CALL:          return "call";
	case ORC_T_REGS:          return "regs";
	case ORC_T_REGS_PARTIAL:  return "regs (partial)";
	default:                  return "?";
	}
}

const char *report_base_name(int base)
{
	switch (base) {
	case REG_UNDEFINED:   return "undefined";
	case REG_SP_INDIRECT: return "rsp-indirect";
	case REG_BP_INDIRECT: return "rbp-indirect";
	default:              return arch_reg_name((unsigned)base);
	}
}

void report_insn_text(const struct arch_decoder *dec, const struct instr *i, char *buf,
		      size_t size)
{
	if (i->flags & IF_FAKE_NOP) {
		snprintf(buf, size, "(nop padding, %u bytes)", i->len);
		return;
	}
	if (insn_text(dec, i->sec, i->offset, i->sec->size, buf, size) < 0)
		snprintf(buf, size, "(undecodable)");
}

static const char *unwind_type_name(uint8_t t)
{
	static const char *const names[] = {
		[UNWIND_CALL] = "call", [UNWIND_REGS] = "regs",
		[UNWIND_REGS_PARTIAL] = "regs (partial)", [UNWIND_UNDEFINED] = "undefined",
		[UNWIND_END_OF_STACK] = "end",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void report_json_state(struct json_writer *w, const struct stack_state *s)
{
	char text[512];

	if (!s) {
		json_null(w);
		return;
	}
	json_begin_object(w);
	json_kv_string(w, "cfa_base", report_base_name(s->cfa.base));
	json_kv_int(w, "cfa_offset", s->cfa.offset);
	/* Callee-saved registers stored relative to the CFA, as DWARF would say. */
	json_key(w, "saved");
	json_begin_object(w);
	for (int r = 0; r < REG_RA; r++)
		if (s->regs[r].base == REG_CFA)
			json_kv_int(w, arch_reg_name((unsigned)r), s->regs[r].offset);
	json_end_object(w);
	json_kv_string(w, "type", unwind_type_name(s->type));
	if (s->drap)
		json_kv_string(w, "drap", report_base_name(s->drap_reg));
	stack_state_format(s, text, sizeof(text));
	json_kv_string(w, "text", text);
	json_end_object(w);
}

void report_json_orc(struct json_writer *w, enum orc_format fmt, const struct orc_entry *e)
{
	char text[128];

	if (!e) {
		json_null(w);
		return;
	}
	json_begin_object(w);
	json_kv_string(w, "format", orc_format_name(fmt));
	json_kv_string(w, "type", report_orc_type_name(fmt, e));
	json_kv_string(w, "sp_reg", report_orc_reg_name(e->sp_reg));
	json_kv_int(w, "sp_offset", e->sp_offset);
	json_kv_string(w, "bp_reg", report_orc_reg_name(e->bp_reg));
	json_kv_int(w, "bp_offset", e->bp_offset);
	if (fmt == ORC_FORMAT_V1)
		json_kv_bool(w, "end", e->end);
	else
		json_kv_bool(w, "signal", e->signal);
	orc_format_entry(fmt, e, text, sizeof(text));
	json_kv_string(w, "text", text);
	json_end_object(w);
}

void report_file_free(struct report_file *rf)
{
	if (rf->sources)
		for (size_t i = 0; i < rf->fs.nr; i++)
			free(rf->sources[i].file);
	free(rf->sources);
	rf->sources = NULL;
	findings_free(&rf->fs);
	free(rf->error);
	rf->error = NULL;
	free(rf->cfi);
	rf->cfi = NULL;
}

static void json_cfi(struct json_writer *w, const struct cfi_summary *c)
{
	json_begin_object(w);
	json_kv_string(w, "frame_section", c->frame_section);
	json_kv_uint(w, "fdes", c->fdes);
	json_kv_uint(w, "compared", c->compared);
	json_kv_uint(w, "unreached", c->unreached);
	json_kv_uint(w, "uncovered", c->uncovered);
	json_key(w, "classes");
	json_begin_object(w);
	for (int k = 0; k < CFI_NR_CLASSES; k++)
		json_kv_uint(w, cfi_class_name((enum cfi_class)k), c->by_class[k]);
	json_end_object(w);
	json_end_object(w);
}

static void json_file(struct json_writer *w, const struct report_file *rf)
{
	json_begin_object(w);
	json_kv_string(w, "file", rf->path);
	json_kv_string(w, "status", rf->result < 0 ? "unusable" : rf->result ? "findings" : "clean");
	json_kv_string(w, "error", rf->error);
	if (rf->cfi) {
		json_key(w, "cfi");
		json_cfi(w, rf->cfi);
	}
	json_end_object(w);
}

static void json_finding(struct json_writer *w, const struct report_file *rf, size_t i)
{
	const struct finding *f = &rf->fs.items[i];
	const struct report_source *src = rf->sources ? &rf->sources[i] : NULL;

	json_begin_object(w);
	json_kv_string(w, "file", rf->path);
	json_kv_string(w, "section", f->section);
	if (f->section)
		json_kv_uint(w, "offset", f->offset);
	else
		json_kv_string(w, "offset", NULL);
	json_kv_string(w, "location", f->location);
	json_kv_string(w, "function", f->function);
	json_kv_string(w, "kind", f->kind);
	json_kv_string(w, "message", f->message);
	json_key(w, "source");
	if (src && src->file) {
		json_begin_object(w);
		json_kv_string(w, "file", src->file);
		json_kv_uint(w, "line", src->line);
		json_end_object(w);
	} else {
		json_null(w);
	}
	json_end_object(w);
}

int report_json(FILE *out, const struct report_file *files, size_t nr)
{
	struct json_writer w;
	struct cfi_summary total = { 0 };
	bool any_cfi = false;

	json_init(&w, out);
	json_begin_object(&w);
	json_kv_string(&w, "tool", "altorc");
	json_kv_string(&w, "version", altorc_version());
	json_kv_string(&w, "commit", altorc_commit());
	json_key(&w, "files");
	json_begin_array(&w);
	for (size_t i = 0; i < nr; i++)
		json_file(&w, &files[i]);
	json_end_array(&w);
	json_key(&w, "findings");
	json_begin_array(&w);
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < files[i].fs.nr; k++)
			json_finding(&w, &files[i], k);
	json_end_array(&w);
	for (size_t i = 0; i < nr; i++)
		if (files[i].cfi) {
			cfi_summary_add(&total, files[i].cfi);
			any_cfi = true;
		}
	if (any_cfi) {
		json_key(&w, "cfi_total");
		json_cfi(&w, &total);
	}
	json_end_object(&w);
	return json_finish(&w);
}
