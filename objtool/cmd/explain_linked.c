// SPDX-License-Identifier: GPL-2.0
/*
 * altorc explain on a linked image (vmlinux, ET_EXEC): there is no CFG to
 * build (relocations are resolved, annotations discarded), but the image
 * holds what the kernel's unwinder reads.  So: resolve LOCATION to an
 * address, name the symbol an oops would print for it (and check the
 * oops' /0xLEN), find the ORC entry the kernel's orc_find() finds there
 * (objtool/orc/lookup.c), and say what unwind_next_frame() makes of it.
 * With --object FILE (the vmlinux.o or object the image was linked from)
 * the address is carried over to FILE through the symbol that holds it,
 * and the usual explain of FILE follows: the stack state on every branch.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "commands.h"
#include "orc_lookup.h"
#include "report.h"

struct linked {
	struct objfile *f;
	const struct cmd_inspect_args *args;
	const struct explain_linked_opts *o;
	struct cmd_location loc;
	uint64_t addr, ip;           /* ip: where the lookup is made */
	struct objsec *sec;
	uint64_t off;                /* addr in sec */
	struct objsym *sym;          /* the symbol holding addr, or NULL */
	char note[320];              /* the /0xLEN verdict, or "" */
	bool len_ok;
	struct orc_image img;
	struct orc_lookup_result r;
	char objloc[300];            /* SECTION+0xOFF in --object, or "" */
	char objnote[320];
	size_t nr_named;             /* symbols called like LOCATION's name (counted until one fits /0xLEN) */
};

static uint64_t sym_addr(const struct objsym *s)
{
	return s->sec->shdr.sh_addr + s->offset;
}

/*
 * NAME: a function of that name first; of several (static functions share
 * names), the one whose size or kallsyms size is the oops' /0xLEN.
 */
static struct objsym *pick_symbol(struct linked *x)
{
	struct objsym *best = NULL;

	x->nr_named = 0;
	for (struct objsym *s = objf_sym_by_name(x->f, x->loc.name); s;
	     s = objf_sym_next_same_name(x->f, s)) {
		if (!cmd_kallsyms_symbol(s))
			continue;
		x->nr_named++;
		if (x->loc.has_len && (s->size == x->loc.len || cmd_kallsyms_size(s) == x->loc.len))
			return s;
		if (!best || (best->type != STT_FUNC && s->type == STT_FUNC))
			best = s;
	}
	return best;
}

static int resolve_addr(struct linked *x, struct ao_error *err)
{
	struct objsym *s;
	struct objsec *sec;

	if (!x->loc.name[0]) {
		x->addr = x->loc.off;
		return 0;
	}
	s = pick_symbol(x);
	if (s) {
		x->addr = sym_addr(s) + x->loc.off;
		return 0;
	}
	sec = objf_sec_by_name(x->f, x->loc.name);
	if (!sec || !(sec->shdr.sh_flags & SHF_ALLOC))
		return objf_fail(x->f, err, NULL, 0, "no symbol or section named '%s'",
				 x->loc.name);
	x->addr = sec->shdr.sh_addr + x->loc.off;
	return 0;
}

/* The function holding off, else the last named symbol at or before it (asm code). */
static struct objsym *holder(struct objsec *sec, uint64_t off)
{
	struct objsym *fn = objf_func_at(sec, off), *last = NULL;

	if (fn)
		return fn;
	for (size_t i = 0; i < sec->nr_syms && sec->syms[i]->offset <= off; i++)
		if (cmd_kallsyms_symbol(sec->syms[i]))
			last = sec->syms[i];
	return last;
}

/* How many symbols share sym's name, and which of them (0-based) sym is. */
static size_t name_rank(struct objfile *f, const struct objsym *sym, size_t *count)
{
	size_t rank = 0;

	*count = 0;
	for (struct objsym *s = objf_sym_by_name(f, sym->name); s; s = objf_sym_next_same_name(f, s)) {
		if (!cmd_kallsyms_symbol(s) || s->type != sym->type)
			continue;
		if (s == sym)
			rank = *count;
		(*count)++;
	}
	return rank;
}

static int locate(struct linked *x, struct ao_error *err)
{
	if (resolve_addr(x, err))
		return -1;
	x->sec = objf_sec_at_addr(x->f, x->addr, &x->off);
	if (!x->sec)
		return objf_fail(x->f, err, NULL, 0, "address 0x%llx is in no section",
				 (unsigned long long)x->addr);
	x->sym = holder(x->sec, x->off);
	if (x->loc.has_len && x->sym)
		x->len_ok = cmd_length_note(x->sym, x->loc.len, x->note, sizeof(x->note));
	else if (x->loc.has_len)
		snprintf(x->note, sizeof(x->note), "0x%llx cannot be checked: no symbol here",
			 (unsigned long long)x->loc.len);
	x->ip = x->addr - (x->o->return_address ? 1 : 0);
	return 0;
}

/* ---- the object the image came from ------------------------------------ */

/*
 * The same symbol in obj: the rank-th of that name and type (ld keeps
 * the input's symbol order), checked by size; else the only one of that
 * size.  Returns NULL with objnote saying why.
 */
static struct objsym *object_symbol(struct linked *x, struct objfile *obj)
{
	size_t count, rank = name_rank(x->f, x->sym, &count), n = 0, nsize = 0;
	struct objsym *at_rank = NULL, *by_size = NULL;

	for (struct objsym *s = objf_sym_by_name(obj, x->sym->name); s;
	     s = objf_sym_next_same_name(obj, s)) {
		if (!cmd_kallsyms_symbol(s) || s->type != x->sym->type)
			continue;
		if (n++ == rank)
			at_rank = s;
		if (s->size == x->sym->size) {
			by_size = s;
			nsize++;
		}
	}
	if (at_rank && at_rank->size == x->sym->size)
		return at_rank;
	if (nsize == 1)
		return by_size;
	snprintf(x->objnote, sizeof(x->objnote),
		 "%s: %zu symbols named %s (the image has %zu), none clearly the same",
		 obj->path, n, x->sym->name, count);
	return NULL;
}

static int map_to_object(struct linked *x, struct ao_error *err)
{
	struct objfile *obj;
	struct objsym *s;

	if (!x->sym) {
		snprintf(x->objnote, sizeof(x->objnote), "no symbol holds the address");
		return 0;
	}
	if (objf_open(&obj, x->o->object, err))
		return -1;
	s = object_symbol(x, obj);
	if (s)
		snprintf(x->objloc, sizeof(x->objloc), "%s+0x%llx", s->sec->name,
			 (unsigned long long)(s->offset + (x->off - x->sym->offset)));
	objf_close(obj);
	return 0;
}

/* ---- output ---------------------------------------------------------------- */

/* An entry's address, named as an oops names it (asm code has no STT_FUNC). */
static void entry_loc(const struct orc_row *row, char *buf, size_t size)
{
	const struct objsym *s = holder(row->sec, row->offset);

	if (s)
		snprintf(buf, size, "0x%llx (%.160s+0x%llx)", (unsigned long long)row->addr,
			 s->name, (unsigned long long)(row->offset - s->offset));
	else
		snprintf(buf, size, "0x%llx (%.160s+0x%llx)", (unsigned long long)row->addr,
			 row->sec->name, (unsigned long long)row->offset);
}

static void print_lookup(const struct linked *x)
{
	const struct orc_lookup_result *r = &x->r;

	switch (r->path) {
	case ORC_LOOKUP_FAST:
		printf("%-15s .orc_lookup block %zu (_stext+0x%llx), entries %zu..%zu\n", "orc lookup",
		       r->block, (unsigned long long)(r->block * ORC_LOOKUP_BLOCK), r->start,
		       r->stop - 1);
		break;
	case ORC_LOOKUP_FULL:
		printf("%-15s whole table, entries 0..%zu (%s)\n", "orc lookup", r->stop - 1,
		       x->img.has_lookup ? "init text" : "the image has no .orc_lookup");
		break;
	case ORC_LOOKUP_BAD_BLOCK:
		printf("%-15s block %zu is past .orc_lookup's %zu slots: the kernel warns "
		       "\"bad lookup idx\" and finds nothing\n", "orc lookup", r->block,
		       x->img.nr_blocks);
		break;
	case ORC_LOOKUP_NONE:
		printf("%-15s none: outside _stext.._etext and init text, the kernel looks in "
		       "modules and ftrace trampolines, else guesses a frame-pointer frame "
		       "(unreliable)\n", "orc lookup");
		break;
	}
}

static void print_frame(const struct linked *x, const struct orc_entry *e)
{
	struct orc_frame_text t;

	orc_frame_describe(x->img.fmt, e, &t);
	printf("%-15s %s\n", "caller's frame", t.verdict);
	if (t.cfa[0])
		printf("%-15s %s\n", "  CFA", t.cfa);
	if (t.ip[0])
		printf("%-15s %s\n", "  rip, rsp", t.ip);
	if (t.bp[0])
		printf("%-15s %s\n", "  rbp", t.bp);
	if (t.next[0])
		printf("%-15s %s\n", "  next lookup", t.next);
}

static void print_text(const struct linked *x)
{
	char loc[256], text[160];

	printf("%s: 0x%llx (%s+0x%llx)\n", x->f->path, (unsigned long long)x->addr, x->sec->name,
	       (unsigned long long)x->off);
	if (x->sym)
		printf("%-15s %s+0x%llx/0x%llx (st_size 0x%llx)\n", "symbol", x->sym->name,
		       (unsigned long long)(x->off - x->sym->offset),
		       (unsigned long long)cmd_kallsyms_size(x->sym),
		       (unsigned long long)x->sym->size);
	if (x->note[0])
		printf("%-15s %s\n", "length", x->note);
	if (x->nr_named > 1 && !x->len_ok)
		printf("%-15s several symbols are called %s; this is the first function of them "
		       "(give the oops' /0xLEN or an address to choose)\n", "note", x->loc.name);
	printf("%-15s 0x%llx (%s)\n", "lookup ip", (unsigned long long)x->ip,
	       x->o->return_address ? "the return address - 1, as for a call frame"
				    : "the address itself, as for an interrupted rip");
	if (!x->img.sorted)
		printf("%-15s not sorted: entry %zu is below entry %zu (sorttable did not run); "
		       "the kernel's binary search cannot be trusted here\n", "orc table",
		       x->img.first_unsorted, x->img.first_unsorted - 1);
	print_lookup(x);
	if (x->r.path == ORC_LOOKUP_FAST || x->r.path == ORC_LOOKUP_FULL) {
		const struct orc_row *row = &x->img.t.rows[x->r.index];

		entry_loc(row, loc, sizeof(loc));
		orc_format_entry(x->img.fmt, &row->entry, text, sizeof(text));
		printf("%-15s #%zu at %s%s\n", "orc entry", x->r.index, loc,
		       x->r.below_all ? " (no entry at or below the ip: the range's first)" : "");
		printf("%-15s %s  (%s)\n", "", text, orc_format_name(x->img.fmt));
		print_frame(x, &row->entry);
	}
	if (x->o->object)
		printf("%-15s %s %s\n", "object", x->o->object, x->objloc[0] ? x->objloc : x->objnote);
}

static void json_frame(struct json_writer *w, const struct linked *x, const struct orc_entry *e)
{
	struct orc_frame_text t;

	orc_frame_describe(x->img.fmt, e, &t);
	json_key(w, "frame");
	json_begin_object(w);
	json_kv_string(w, "verdict", t.verdict);
	json_kv_string(w, "cfa", t.cfa[0] ? t.cfa : NULL);
	json_kv_string(w, "ip_sp", t.ip[0] ? t.ip : NULL);
	json_kv_string(w, "bp", t.bp[0] ? t.bp : NULL);
	json_kv_string(w, "next_lookup", t.next[0] ? t.next : NULL);
	json_end_object(w);
}

/*
 * Addresses as "0x..." strings: kernel addresses pass 2^53, beyond what
 * JSON readers that hold numbers as doubles (jq, JavaScript) keep exact.
 */
static void json_kv_addr(struct json_writer *w, const char *key, uint64_t addr)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	json_kv_string(w, key, buf);
}

static const char *path_name(enum orc_lookup_path p)
{
	switch (p) {
	case ORC_LOOKUP_FAST: return "orc_lookup";
	case ORC_LOOKUP_FULL: return "whole_table";
	case ORC_LOOKUP_BAD_BLOCK: return "bad_block";
	case ORC_LOOKUP_NONE: break;
	}
	return "none";
}

static void json_lookup(struct json_writer *w, const struct linked *x)
{
	bool found = x->r.path == ORC_LOOKUP_FAST || x->r.path == ORC_LOOKUP_FULL;
	const struct orc_row *row = found ? &x->img.t.rows[x->r.index] : NULL;

	json_key(w, "lookup");
	json_begin_object(w);
	json_kv_string(w, "path", path_name(x->r.path));
	json_kv_addr(w, "ip", x->ip);
	json_kv_bool(w, "return_address", x->o->return_address);
	if (x->r.path == ORC_LOOKUP_FAST || x->r.path == ORC_LOOKUP_BAD_BLOCK)
		json_kv_uint(w, "block", x->r.block);
	if (found) {
		json_kv_uint(w, "first", x->r.start);
		json_kv_uint(w, "last", x->r.stop - 1);
		json_kv_uint(w, "index", x->r.index);
		json_kv_addr(w, "entry_address", row->addr);
	}
	json_kv_bool(w, "table_sorted", x->img.sorted);
	json_end_object(w);
	json_key(w, "orc");
	if (found)
		report_json_orc(w, x->img.fmt, &row->entry);
	else
		json_null(w);
	if (found)
		json_frame(w, x, &row->entry);
}

static int print_json(const struct linked *x)
{
	struct json_writer w;

	json_init(&w, stdout);
	json_begin_object(&w);
	json_kv_string(&w, "file", x->f->path);
	json_kv_addr(&w, "address", x->addr);
	json_kv_string(&w, "section", x->sec->name);
	json_kv_uint(&w, "offset", x->off);
	json_key(&w, "symbol");
	if (x->sym) {
		json_begin_object(&w);
		json_kv_string(&w, "name", x->sym->name);
		json_kv_uint(&w, "offset", x->off - x->sym->offset);
		json_kv_uint(&w, "size", x->sym->size);
		json_kv_uint(&w, "kallsyms_size", cmd_kallsyms_size(x->sym));
		json_end_object(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "length");
	if (x->loc.has_len) {
		json_begin_object(&w);
		json_kv_uint(&w, "given", x->loc.len);
		json_kv_bool(&w, "matches", x->len_ok);
		json_kv_string(&w, "note", x->note);
		json_end_object(&w);
	} else {
		json_null(&w);
	}
	json_lookup(&w, x);
	json_kv_string(&w, "object", x->o->object);
	json_kv_string(&w, "object_location", x->objloc[0] ? x->objloc : NULL);
	json_end_object(&w);
	return json_finish(&w);
}

/* ---- the command ------------------------------------------------------------ */

static int run_object(const struct linked *x)
{
	struct cmd_inspect_args oa = *x->args;

	if (!x->objloc[0]) {
		fprintf(stderr, "altorc: warning: --object: %s\n", x->objnote);
		return 0;
	}
	fflush(stdout);
	printf("\n");
	oa.file = x->o->object;
	oa.arg = x->objloc;
	return cmd_inspect_exec(x->o->object_cmd, &oa);
}

static int linked_run(struct linked *x, struct ao_error *err)
{
	bool guessed;

	if (cmd_location_parse(x->args->arg, &x->loc, err) || locate(x, err))
		return -1;
	if (orc_image_open(&x->img, x->f, orc_choose_format(x->f, ORC_FORMAT_AUTO, &guessed), err))
		return -1;
	orc_image_find(&x->img, x->ip, &x->r);
	if (x->o->object && map_to_object(x, err))
		return -1;
	if (!x->args->flag) {
		print_text(x);
		return 0;
	}
	if (print_json(x))
		return ao_fail(err, AO_ERR_IO, "writing the JSON output failed");
	return 0;
}

int explain_linked(struct objfile *f, const struct cmd_inspect_args *args,
		   const struct explain_linked_opts *o)
{
	struct ao_error err = { 0 };
	struct linked x = { .f = f, .args = args, .o = o };
	int status = 0;

	if (linked_run(&x, &err)) {
		ao_report_error(err.message);
		status = EXIT_UNUSABLE;
	} else if (o->object) {
		status = run_object(&x);
	}
	orc_image_free(&x.img);
	return status;
}
