// SPDX-License-Identifier: GPL-2.0
/*
 * altorc explain [--json] FILE LOCATION: why the unwinder sees what it sees
 * at one address.
 *
 * The CFG keeps one state per instruction.  An address inside an
 * alternative site is also reached by every replacement that can be patched
 * over it: by the replacement instruction at the same site offset, whose
 * state the kernel's unwinder needs once the patch is applied.  So the
 * "branches" reaching an address are the original instruction covering it
 * and, at a site, every replacement instruction covering the same offset,
 * each with its own validated state.  An address in the straight-line code
 * that starts at a switch case names the jump table(s) and entries that lead
 * there.  Then the ORC entry a lookup finds there (in the file, and as altorc
 * generates it) and the DWARF source line.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "arch_decode.h"
#include "cmd_priv.h"
#include "commands.h"
#include "dwarf_lines.h"
#include "orc_gen.h"
#include "report.h"

struct branch {
	const struct instr *insn;
	const struct alt_entry *entry;   /* NULL for the original */
	bool boundary;                   /* an instruction starts at the address */
};

#define MAX_BRANCHES 64
#define MAX_CASES 16

/* A switch table entry that leads to the case block holding the address. */
struct case_ref {
	const struct jump_table *table;
	uint32_t entry;
	const struct instr *start;       /* the case's first instruction */
};

struct explain {
	struct analysis *an;
	struct objsec *sec;
	uint64_t off;
	const struct instr *insn;        /* the instruction covering sec+off */
	const struct instr *site;        /* first original instruction of its site, or NULL */
	uint64_t site_off;               /* off - site offset */
	const struct stack_state *site_state;  /* shared per-offset state, or NULL */
	struct branch br[MAX_BRANCHES];
	int nr;
	struct case_ref cases[MAX_CASES];
	int nr_cases;
	bool has_file_orc, has_gen_orc;
	struct orc_entry file_orc, gen_orc;
	enum orc_format file_fmt;
	uint64_t file_orc_ip, gen_orc_ip;
	struct dwarf_lines *lines;
	const char *src_file;
	unsigned src_line;
	char len_note[320];              /* the oops' /0xLEN against the symbol, or "" */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc explain [--json] [--kernel=6.1|6.12] [--alt-layout=v1|v2] [--uaccess]\n"
		"                      [--object OBJ] [--return-address] FILE LOCATION\n"
		"  LOCATION is FUNC+0xOFF, an oops' FUNC+0xOFF/0xLEN (the length is checked\n"
		"  against FUNC's size; \"RIP: 0010:\" before it and \" [module]\" after it are\n"
		"  ignored), SECTION+0xOFF, or a hex number: an offset into .text of an object,\n"
		"  an address (0xffffffff81234567) in a linked image.\n"
		"  FILE may be a linked image (vmlinux): then the ORC entry the kernel's\n"
		"  unwinder finds there is shown (through .orc_lookup as the kernel fills it\n"
		"  at boot, else a binary search of the whole table; entry index and address),\n"
		"  and what it means for the caller's frame.  --return-address: LOCATION is a\n"
		"  return address from a call trace, looked up at LOCATION-1 as the unwinder\n"
		"  does (for an object, a module, LOCATION-1 is explained).  --object OBJ: the object the image was linked from (vmlinux.o): the\n"
		"  address is carried to OBJ through the symbol holding it and OBJ is explained\n"
		"  there as below (with --json, a second JSON document follows).\n"
		"  For an object:\n"
		"  Shows the instruction there, its function, the stack state (CFA, saved\n"
		"  registers) on the original path and on every alternative replacement that\n"
		"  reaches the same site offset (with its feature and not-flag), the switch\n"
		"  table entries whose case block holds the address, the ORC entry\n"
		"  an unwinder looks up there (from the file when it has .orc_unwind, and as\n"
		"  altorc generates it) and the DWARF source line when the object has one.\n"
		"  --json prints one object: location, section, offset, function, instruction,\n"
		"  source, site, branches[{branch, feature, not, state}], switch_cases[{table,\n"
		"  table_offset, entry, jump, case}], orc, orc_in_file,\n"
		"  orc_generated.  Exit status: 0, or 2 for bad usage or an unusable input.\n");
}

/* ---- resolving LOCATION --------------------------------------------------- */

/*
 * FUNC+0xOFF, SECTION+0xOFF, FUNC, or a bare hex offset into .text; an
 * oops' FUNC+0xOFF/0xLEN too, whose length is checked against FUNC.
 */
static int resolve(struct explain *x, const char *arg, struct ao_error *err)
{
	struct objfile *f = x->an->file;
	struct cmd_location loc;
	struct objsym *sym;

	if (cmd_location_parse(arg, &loc, err))
		return objf_fail(f, err, NULL, 0, "%s", err->message);
	if (!loc.name[0]) {
		x->sec = objf_sec_by_name(f, ".text");
		x->off = loc.off;
		if (!x->sec)
			return objf_fail(f, err, NULL, 0, "no .text section for offset '%s'", arg);
		return 0;
	}
	sym = cmd_analysis_symbol(f, loc.name, false);
	if (sym) {
		x->sec = sym->sec;
		x->off = sym->offset + loc.off;
		if (loc.has_len)
			cmd_length_note(sym, loc.len, x->len_note, sizeof(x->len_note));
	} else if ((x->sec = objf_sec_by_name(f, loc.name))) {
		x->off = loc.off;
	} else {
		return objf_fail(f, err, NULL, 0, "no symbol or section named '%s'", loc.name);
	}
	return 0;
}

/* The instruction whose bytes hold sec+off. */
static const struct instr *covering(const struct cfg *cfg, const struct objsec *sec, uint64_t off)
{
	const struct code_section *cs = &cfg->csecs[sec->index];
	size_t lo = 0, hi = cs->nr;

	if (!cs->sec)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->insns[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || off >= cs->insns[lo - 1].offset + cs->insns[lo - 1].len)
		return NULL;
	return &cs->insns[lo - 1];
}

/* ---- branches --------------------------------------------------------------- */

static void add_branch(struct explain *x, const struct instr *i, const struct alt_entry *e,
		       bool boundary)
{
	if (x->nr < MAX_BRANCHES)
		x->br[x->nr++] = (struct branch){ i, e, boundary };
}

/* The replacement instruction of branch b that covers site offset rel. */
static void add_replacement(struct explain *x, const struct alt_branch *b, uint64_t rel)
{
	const struct alt_group *g = b->first ? cfg_alt_group(b->first) : NULL;

	if (!g || !b->entry)
		return;
	for (const struct instr *i = g->first; i; i = cfg_group_next(g, i)) {
		uint64_t start = i->offset - b->entry->repl_off;

		if (rel >= start && rel < start + i->len) {
			add_branch(x, i, b->entry, rel == start);
			return;
		}
	}
}

static void collect_branches(struct explain *x)
{
	const struct instr *i = x->insn;
	const struct alt_group *g = cfg_alt_group(i);

	if (g && g->orig_group) {
		/* Inside a replacement: its own state; the site is the original range. */
		add_branch(x, i, g->entry, x->off == i->offset);
		x->site = g->orig_group->first;
		return;
	}
	add_branch(x, i, NULL, x->off == i->offset);
	if (!g)
		return;
	x->site = g->first;
	x->site_off = x->off - g->first->offset;
	if (x->site_off < g->len)
		x->site_state = g->states[x->site_off];
	for (const struct alt_branch *b = cfg_alts(g->first); b; b = b->next)
		add_replacement(x, b, x->site_off);
}

/* ---- switch cases ------------------------------------------------------------ */

/* Every table entry that targets i. */
static void add_cases_at(struct explain *x, const struct instr *i)
{
	const struct cfg *cfg = &x->an->cfg;

	for (size_t t = 0; t < cfg->nr_jtabs; t++)
		for (const struct alt_branch *b = cfg_alts(cfg->jtabs[t].jump); b; b = b->next)
			if (b->jtab == t + 1 && b->first == i && x->nr_cases < MAX_CASES)
				x->cases[x->nr_cases++] = (struct case_ref){ &cfg->jtabs[t], b->jt_entry, i };
}

/*
 * Back from the address through straight-line code of its function to the
 * first instruction that a table entry targets: the case block it is in.
 */
static void collect_cases(struct explain *x)
{
	const struct cfg *cfg = &x->an->cfg;
	const struct code_section *cs = &cfg->csecs[x->insn->sec->index];
	const struct instr *i = x->insn;

	if (!cfg->nr_jtabs || !i->func)
		return;
	for (;;) {
		add_cases_at(x, i);
		if (x->nr_cases || i == cs->insns || i[-1].func != i->func || cfg_ends_flow(&i[-1]))
			return;
		i--;
	}
}

/* ---- ORC lookups ----------------------------------------------------------- */

/* Greatest ip <= off in sec; of equal ips the later row, as a stable sort + search gives. */
static bool lookup_file_orc(struct explain *x, struct ao_error *err)
{
	struct orc_table t = { 0 };
	bool found = false;

	if (!objf_sec_by_name(x->an->file, ".orc_unwind"))
		return true;
	x->file_fmt = orc_detect_format(x->an->file);
	if (x->file_fmt == ORC_FORMAT_AUTO)
		x->file_fmt = x->an->orc_format;
	if (orc_read_table(x->an->file, x->file_fmt, &t, err))
		return false;
	for (size_t k = 0; k < t.nr; k++) {
		const struct orc_row *r = &t.rows[k];

		if (r->sec == x->sec && r->offset <= x->off && (!found || r->offset >= x->file_orc_ip)) {
			found = true;
			x->file_orc_ip = r->offset;
			x->file_orc = r->entry;
		}
	}
	x->has_file_orc = found;
	orc_free_table(&t);
	return true;
}

static bool lookup_gen_orc(struct explain *x)
{
	struct orc_gen_table t;
	bool found = false;

	if (orc_generate(&x->an->cfg, x->an->orc_format, &t)) {
		orc_gen_free(&t);
		return false;
	}
	for (size_t k = 0; k < t.nr; k++) {
		const struct orc_gen_entry *g = &t.entries[k];

		if (g->sec == x->sec && g->offset <= x->off && (!found || g->offset >= x->gen_orc_ip)) {
			found = true;
			x->gen_orc_ip = g->offset;
			orc_decode(t.format, g->raw, &x->gen_orc);
		}
	}
	x->has_gen_orc = found;
	orc_gen_free(&t);
	return true;
}

/* ---- output ------------------------------------------------------------------ */

static void insn_text(const struct explain *x, const struct instr *i, char *buf, size_t size)
{
	report_insn_text(x->an->cfg.decoder, i, buf, size);
}

static void feature_text(const struct alt_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "feature %u (%u*32+%u)%s", e->feature, e->feature / 32u,
		 e->feature % 32u, (e->flags & ALT_FLAG_NOT) ? " not" : "");
}

static void print_orc(const char *label, enum orc_format fmt, bool has, const struct orc_entry *e,
		      const struct objsec *sec, uint64_t ip)
{
	char text[128];

	if (!has) {
		printf("%-15s none\n", label);
		return;
	}
	orc_format_entry(fmt, e, text, sizeof(text));
	printf("%-15s %s+0x%llx  %s  (%s)\n", label, sec->name, (unsigned long long)ip, text,
	       orc_format_name(fmt));
}

static void print_text(const struct explain *x)
{
	char loc[256], buf[256], st[512];
	const struct objsym *fn = x->insn->func;

	objf_format_loc(loc, sizeof(loc), x->sec, x->off);
	printf("%s: %s+0x%llx (%s)\n", x->an->file->path, x->sec->name,
	       (unsigned long long)x->off, loc);
	printf("%-15s %s\n", "function", fn ? fn->name : "(none)");
	if (x->len_note[0])
		printf("%-15s %s\n", "length", x->len_note);
	if (x->src_file)
		printf("%-15s %s:%u\n", "source", x->src_file, x->src_line);
	if (x->site) {
		objf_format_loc(loc, sizeof(loc), x->site->sec, x->site->offset);
		printf("%-15s %s (+%llu into the site)\n", "alternative", loc,
		       (unsigned long long)x->site_off);
	}
	for (int k = 0; k < x->nr; k++) {
		const struct branch *b = &x->br[k];

		insn_text(x, b->insn, buf, sizeof(buf));
		if (b->insn->state)
			stack_state_format(b->insn->state, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "(not reached by validation)");
		printf("%-15s %s+0x%llx%s  %s\n", b->entry ? "replacement" : "original",
		       b->insn->sec->name, (unsigned long long)b->insn->offset,
		       b->boundary ? "" : " (covers)", buf);
		if (b->entry) {
			feature_text(b->entry, buf, sizeof(buf));
			printf("%-15s %s\n", "", buf);
		}
		printf("%-15s %s\n", "", st);
	}
	if (x->site_state) {
		stack_state_format(x->site_state, st, sizeof(st));
		printf("%-15s %s\n", "site state", st);
	}
	for (int k = 0; k < x->nr_cases; k++) {
		const struct case_ref *c = &x->cases[k];
		char jump[256];

		objf_format_loc(jump, sizeof(jump), c->table->jump->sec, c->table->jump->offset);
		objf_format_loc(loc, sizeof(loc), c->start->sec, c->start->offset);
		printf("%-15s %s+0x%llx entry %u (the jump at %s; case starts at %s)\n",
		       "switch case", c->table->sec->name, (unsigned long long)c->table->offset,
		       c->entry, jump, loc);
	}
	print_orc("orc in file", x->file_fmt, x->has_file_orc, &x->file_orc, x->sec, x->file_orc_ip);
	print_orc("orc generated", x->an->orc_format, x->has_gen_orc, &x->gen_orc, x->sec,
		  x->gen_orc_ip);
}

static void json_branch(struct json_writer *w, const struct explain *x, const struct branch *b)
{
	char buf[256];

	json_begin_object(w);
	json_kv_string(w, "branch", b->entry ? "replacement" : "original");
	if (b->entry) {
		json_kv_uint(w, "feature", b->entry->feature);
		json_kv_bool(w, "not", b->entry->flags & ALT_FLAG_NOT);
	} else {
		json_kv_string(w, "feature", NULL);
		json_kv_bool(w, "not", false);
	}
	json_kv_string(w, "section", b->insn->sec->name);
	json_kv_uint(w, "offset", b->insn->offset);
	json_kv_bool(w, "boundary", b->boundary);
	insn_text(x, b->insn, buf, sizeof(buf));
	json_kv_string(w, "instruction", buf);
	json_key(w, "state");
	report_json_state(w, b->insn->state);
	json_end_object(w);
}

static void json_orc_at(struct json_writer *w, const char *key, enum orc_format fmt, bool has,
			const struct orc_entry *e, uint64_t ip)
{
	json_key(w, key);
	if (!has) {
		json_null(w);
		return;
	}
	report_json_orc(w, fmt, e);
	(void)ip;
}

static void json_case(struct json_writer *w, const struct case_ref *c)
{
	char loc[256];

	json_begin_object(w);
	json_kv_string(w, "table", c->table->sec->name);
	json_kv_uint(w, "table_offset", c->table->offset);
	json_kv_uint(w, "entry", c->entry);
	json_kv_string(w, "jump", objf_format_loc(loc, sizeof(loc), c->table->jump->sec,
						  c->table->jump->offset));
	json_kv_string(w, "case", objf_format_loc(loc, sizeof(loc), c->start->sec, c->start->offset));
	json_end_object(w);
}

static int print_json(const struct explain *x)
{
	struct json_writer w;
	char loc[256], buf[256];
	const struct objsym *fn = x->insn->func;

	json_init(&w, stdout);
	json_begin_object(&w);
	json_kv_string(&w, "file", x->an->file->path);
	json_kv_string(&w, "location", objf_format_loc(loc, sizeof(loc), x->sec, x->off));
	json_kv_string(&w, "section", x->sec->name);
	json_kv_uint(&w, "offset", x->off);
	json_kv_string(&w, "function", fn ? fn->name : NULL);
	json_kv_string(&w, "length_note", x->len_note[0] ? x->len_note : NULL);
	insn_text(x, x->insn, buf, sizeof(buf));
	json_key(&w, "instruction");
	json_begin_object(&w);
	json_kv_uint(&w, "offset", x->insn->offset);
	json_kv_uint(&w, "length", x->insn->len);
	json_kv_string(&w, "text", buf);
	json_end_object(&w);
	json_key(&w, "source");
	if (x->src_file) {
		json_begin_object(&w);
		json_kv_string(&w, "file", x->src_file);
		json_kv_uint(&w, "line", x->src_line);
		json_end_object(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "site");
	if (x->site) {
		json_begin_object(&w);
		json_kv_string(&w, "section", x->site->sec->name);
		json_kv_uint(&w, "offset", x->site->offset);
		json_kv_uint(&w, "site_offset", x->site_off);
		json_key(&w, "state");
		report_json_state(&w, x->site_state);
		json_end_object(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "branches");
	json_begin_array(&w);
	for (int k = 0; k < x->nr; k++)
		json_branch(&w, x, &x->br[k]);
	json_end_array(&w);
	json_key(&w, "switch_cases");
	json_begin_array(&w);
	for (int k = 0; k < x->nr_cases; k++)
		json_case(&w, &x->cases[k]);
	json_end_array(&w);
	/* "orc" is what the unwinder uses: the file's table when it has one. */
	if (x->has_file_orc)
		json_orc_at(&w, "orc", x->file_fmt, true, &x->file_orc, x->file_orc_ip);
	else
		json_orc_at(&w, "orc", x->an->orc_format, x->has_gen_orc, &x->gen_orc, x->gen_orc_ip);
	json_orc_at(&w, "orc_in_file", x->file_fmt, x->has_file_orc, &x->file_orc, x->file_orc_ip);
	json_orc_at(&w, "orc_generated", x->an->orc_format, x->has_gen_orc, &x->gen_orc,
		    x->gen_orc_ip);
	json_end_object(&w);
	return json_finish(&w);
}

/* ---- the command ------------------------------------------------------------ */

static int explain_analysed(struct explain *x, const struct cmd_inspect_args *args,
			    struct ao_error *err)
{
	struct ao_error lerr = { 0 };

	if (resolve(x, args->arg, err))
		return -1;
	x->insn = covering(&x->an->cfg, x->sec, x->off);
	if (!x->insn)
		return objf_fail(x->an->file, err, x->sec, x->off, "no instruction here");
	collect_branches(x);
	collect_cases(x);
	if (!lookup_file_orc(x, err) || !lookup_gen_orc(x))
		return -1;
	/* Source lines are a bonus: unreadable DWARF is named but does not fail. */
	if (dwarf_lines_load(x->an->file, &x->lines, &lerr))
		fprintf(stderr, "altorc: warning: %s\n", lerr.message);
	else if (x->lines && !dwarf_lines_find(x->lines, x->sec, x->off, &x->src_file, &x->src_line))
		x->src_file = NULL;
	if (args->flag)
		return print_json(x);
	print_text(x);
	return 0;
}

static int explain_inspect(struct analysis *an, const struct cmd_inspect_args *args)
{
	struct ao_error err = { 0 };
	struct explain x = { .an = an };
	int status = 0;

	if (explain_analysed(&x, args, &err)) {
		ao_report_error(err.message);
		status = EXIT_UNUSABLE;
	}
	dwarf_lines_free(x.lines);
	return status;
}

/*
 * Take explain's own options out of argv (in place) before the shared
 * parser sees the rest.  Returns -1 to go on, else the exit status.
 */
static int take_linked_options(int *argc, char **argv, struct explain_linked_opts *o)
{
	int n = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--return-address")) {
			o->return_address = true;
		} else if (!strncmp(a, "--object=", 9)) {
			o->object = a + 9;
		} else if (!strcmp(a, "--object")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "altorc explain: --object needs FILE\n");
				usage(stderr);
				return EXIT_UNUSABLE;
			}
			o->object = argv[++i];
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return -1;
}

/*
 * A module's call trace line (func+0x1c/0x80 [mod]) is a return address
 * too: the unwinder looks up the byte before it, so explain that byte.
 * LOCATION is rewritten one byte back in buf, keeping its /0xLEN.
 */
static int explain_object_return(const struct cmd_inspect *c, struct cmd_inspect_args *args,
				 char *buf, size_t size)
{
	struct ao_error err = { 0 };
	struct cmd_location loc;

	if (cmd_location_parse(args->arg, &loc, &err)) {
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	if (!loc.off) {
		fprintf(stderr, "altorc explain: %s: a return address is never a function's "
			"first byte\n", args->arg);
		return EXIT_UNUSABLE;
	}
	snprintf(buf, size, "%s%s0x%llx", loc.name, loc.name[0] ? "+" : "",
		 (unsigned long long)(loc.off - 1));
	if (loc.has_len)
		snprintf(buf + strlen(buf), size - strlen(buf), "/0x%llx",
			 (unsigned long long)loc.len);
	if (!args->flag)
		printf("return address %s: the unwinder looks up %s\n", args->arg, buf);
	fflush(stdout);
	args->arg = buf;
	return cmd_inspect_exec(c, args);
}

/*
 * A linked image (vmlinux) is explained from its tables (explain_linked.c);
 * an object is analysed.  Returns -1 when args->file is not a linked image.
 */
static int explain_image(const struct cmd_inspect_args *args, const struct explain_linked_opts *o)
{
	struct ao_error err = { 0 };
	struct objfile *f;
	int status;

	if (objf_open_image(&f, args->file, &err))
		return -1;       /* the analysis reports what is wrong with it */
	if (!f->linked) {
		objf_close(f);
		return -1;
	}
	status = explain_linked(f, args, o);
	objf_close(f);
	return status;
}

int cmd_explain(int argc, char **argv)
{
	static const struct cmd_inspect explain = {
		.name = "explain", .flag = "--json", .arg_name = "LOCATION",
		.usage = usage, .inspect = explain_inspect,
	};
	struct explain_linked_opts o = { .object_cmd = &explain };
	struct cmd_inspect_args args = { .a.kernel.build_dir = true };
	char back[300];
	int status = take_linked_options(&argc, argv, &o);

	if (status < 0)
		status = cmd_inspect_parse(&explain, argc, argv, &args);
	if (status >= 0)
		return status;
	status = explain_image(&args, &o);
	if (status >= 0)
		return status;
	if (o.object) {
		fprintf(stderr, "altorc explain: --object is for a linked image (vmlinux); "
			"%s is an object\n", args.file);
		return EXIT_UNUSABLE;
	}
	if (o.return_address)
		return explain_object_return(&explain, &args, back, sizeof(back));
	return cmd_inspect_exec(&explain, &args);
}
