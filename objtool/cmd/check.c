// SPDX-License-Identifier: GPL-2.0
/*
 * altorc check [OPTIONS] FILE...: validation only, nothing is written.
 *
 * Findings come out in objtool's shape on stderr (--format=text), or as
 * one JSON or SARIF 2.1.0 document on stdout.  Files are analysed by -j N
 * worker threads, but always reported in argument order: a text report is
 * printed as soon as every earlier file's is, so output never depends on
 * scheduling.  --cfi adds the cross-check against the compiler's DWARF CFI.
 * Exit 0 clean, 1 findings, 2 unusable input.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "ao_threads.h"
#include "cfi_check.h"
#include "cmd_priv.h"
#include "commands.h"
#include "dwarf_lines.h"
#include "report.h"

enum check_format { FMT_TEXT, FMT_JSON, FMT_SARIF };

struct check_opts {
	struct analyze_options a;
	enum check_format format;
	unsigned jobs;
	bool cfi;
};

struct check_run {
	const struct check_opts *o;
	struct report_file *files;
	size_t nr;
	pthread_mutex_t lock;
	bool *done;
	size_t next_print;           /* text: first file not yet printed */
	size_t completed;
	bool progress;               /* stderr is a terminal */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc check [--format=text|json|sarif] [-j N] [--cfi] [--uaccess]\n"
		"                    [--stackval] [--kernel=6.1|6.12] [--alt-layout=v1|v2]\n"
		"                    [--sls] [--retpoline [--rethunk] [--module]]\n"
		"                    [--ibt --link] [--noinstr --unret --link] FILE...\n"
		"  Validate stack state along every path (alternatives included).\n"
		"  --sls, --retpoline, --rethunk, --module, --ibt: objtool's mitigation checks\n"
		"                  (int3 after ret/indirect jump; no bare indirect branch or\n"
		"                  ret; code addresses taken only of ENDBR)\n"
		"  --noinstr, --unret  on a linked object (vmlinux.o, with --link): noinstr\n"
		"                  code calls no instrumentable code; entry paths untrain the\n"
		"                  return predictor before any RET or indirect branch\n"
		"  --format=text   findings on stderr as objtool prints them (default)\n"
		"  --format=json   one document on stdout: tool, version, commit, files,\n"
		"                  findings [{file, section, offset, location, function,\n"
		"                  kind, message, source}]\n"
		"  --format=sarif  SARIF 2.1.0 on stdout, one rule per kind of finding (ids\n"
		"                  AO1001...); results point at the DWARF source line when the\n"
		"                  object has one\n"
		"  -j N, --jobs=N  analyse N files at once (output stays in argument order;\n"
		"                  a progress line on stderr when it is a terminal)\n"
		"  --cfi           also compare the CFA at every instruction with the compiler's\n"
		"                  DWARF CFI (.debug_frame or .eh_frame): findings of kind\n"
		"                  cfi-mismatch and a summary (instructions compared, agreeing,\n"
		"                  each class of disagreement)\n"
		"  --paravirt-native [--pv-dwarf=FILE]  also patch pre-5.13 native paravirt\n"
		"                  templates (pushf; pop %%rax ...) into .parainstructions sites,\n"
		"                  types from the DWARF of each object or of FILE\n"
		"  Exit status: 0 clean, 1 findings, 2 unusable input.\n");
}

/* ---- one file ------------------------------------------------------------------ */

static void add_sources(struct report_file *rf, struct objfile *f)
{
	struct dwarf_lines *lines = NULL;
	struct ao_error err = { 0 };

	if (!rf->fs.nr || dwarf_lines_load(f, &lines, &err) || !lines)
		return;   /* no line: the SARIF location falls back to the object */
	rf->sources = calloc(rf->fs.nr, sizeof(*rf->sources));
	for (size_t k = 0; rf->sources && k < rf->fs.nr; k++) {
		const struct finding *fi = &rf->fs.items[k];
		struct objsec *sec = fi->section ? objf_sec_by_name(f, fi->section) : NULL;
		const char *file;
		unsigned line;

		if (sec && dwarf_lines_find(lines, sec, fi->offset, &file, &line)) {
			rf->sources[k].file = strdup(file);
			rf->sources[k].line = line;
		}
	}
	dwarf_lines_free(lines);
}

static void analyse_one(const struct check_opts *o, struct report_file *rf)
{
	struct ao_error err = { 0 };
	struct analysis an;

	findings_init(&rf->fs, rf->path, 0);
	rf->fs.tool_name = "altorc";
	rf->result = analyze_open(rf->path, &o->a, &rf->fs, &an, &err);
	if (rf->result < 0 && (err.status == AO_ERR_STOPPED || err.status == AO_ERR_GAVE_UP)) {
		/* The reference's last word is a warning (in rf->fs): report it as one. */
		rf->result = (int)rf->fs.nr;
		return;
	}
	if (rf->result >= 0 && o->cfi) {
		rf->cfi = calloc(1, sizeof(*rf->cfi));
		if (!rf->cfi || cfi_check(&an.cfg, &rf->fs, rf->cfi, &err) < 0)
			rf->result = -1;
		else
			rf->result = (int)rf->fs.nr;
	}
	if (rf->result >= 0 && o->format != FMT_TEXT)
		add_sources(rf, an.file);
	if (rf->result < 0)
		rf->error = strdup(err.message[0] ? err.message : "out of memory");
	if (an.file || rf->result >= 0)
		analyze_close(&an);
}

/* ---- text output -------------------------------------------------------------- */

static void print_cfi(const char *what, const struct cfi_summary *c)
{
	printf("%s: cfi (%s): %llu FDEs, %llu instructions compared, %llu agree", what,
	       c->frame_section ? c->frame_section : "none", (unsigned long long)c->fdes,
	       (unsigned long long)c->compared, (unsigned long long)c->by_class[CFI_AGREE]);
	for (int k = CFI_AGREE + 1; k < CFI_NR_CLASSES; k++)
		if (c->by_class[k])
			printf(", %s %llu", cfi_class_name((enum cfi_class)k),
			       (unsigned long long)c->by_class[k]);
	printf("; not reached %llu, outside FDEs %llu\n", (unsigned long long)c->unreached,
	       (unsigned long long)c->uncovered);
}

static void print_file_text(const struct report_file *rf)
{
	if (rf->result < 0) {
		ao_report_error(rf->error);
		return;
	}
	for (size_t k = 0; k < rf->fs.nr; k++)
		findings_print_text(&rf->fs, &rf->fs.items[k], stderr);
	if (rf->cfi) {
		fflush(stderr);
		print_cfi(rf->path, rf->cfi);
		fflush(stdout);
	}
}

/* ---- the worker pool ------------------------------------------------------------ */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void job_done(struct check_run *r, size_t i)
{
	pthread_mutex_lock(&r->lock);
	r->done[i] = true;
	r->completed++;
	if (r->progress)
		fprintf(stderr, "\r\033[K");
	if (r->o->format == FMT_TEXT)
		while (r->next_print < r->nr && r->done[r->next_print])
			print_file_text(&r->files[r->next_print++]);
	if (r->progress && r->completed < r->nr)
		fprintf(stderr, "[%zu/%zu] %s", r->completed, r->nr, base_name(r->files[i].path));
	fflush(stderr);
	pthread_mutex_unlock(&r->lock);
}

static void job(void *ctx, size_t i)
{
	struct check_run *r = ctx;

	analyse_one(r->o, &r->files[i]);
	job_done(r, i);
}

/* ---- options ------------------------------------------------------------------- */

static int parse_jobs(const char *s, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (!*s || *end || n == 0 || n > 256)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "altorc check: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return EXIT_UNUSABLE;
}

/* Returns -1 to go on, else an exit status; files[] gets the file arguments. */
static int parse(int argc, char **argv, struct check_opts *o, const char **files, size_t *nr)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(s, "--orc")) {
			;   /* ORC states are always computed; nothing is written by check */
		} else if (!strcmp(s, "--cfi")) {
			o->cfi = true;
		} else if (cmd_analysis_option(s, &o->a)) {
			;   /* --uaccess, --kernel=..., --alt-layout=... */
		} else if (!strcmp(s, "--stackval")) {
			o->a.validate.stackval = true;
		} else if (!strcmp(s, "--sls")) {
			o->a.validate.sls = true;
		} else if (!strcmp(s, "--retpoline")) {
			o->a.validate.retpoline = true;
		} else if (!strcmp(s, "--rethunk")) {
			o->a.validate.rethunk = o->a.cfg.rethunk = true;
		} else if (!strcmp(s, "--ibt")) {
			o->a.validate.ibt = o->a.cfg.ibt = true;
		} else if (!strcmp(s, "--noinstr")) {
			o->a.validate.noinstr = true;
		} else if (!strcmp(s, "--unret")) {
			o->a.validate.unret = true;
		} else if (!strcmp(s, "--link")) {
			o->a.cfg.link = true;   /* the reference takes --ibt only with it */
		} else if (!strcmp(s, "--module")) {
			o->a.validate.module = true;
		} else if (!strcmp(s, "--paravirt-native")) {
			o->a.cfg.paravirt_native = true;   /* pre-5.13 pv templates: cfg/paravirt_native.c */
		} else if (!strncmp(s, "--pv-dwarf=", 11)) {
			o->a.cfg.pv_dwarf = s + 11;
		} else if (!strncmp(s, "--format=", 9)) {
			if (!strcmp(s + 9, "text"))
				o->format = FMT_TEXT;
			else if (!strcmp(s + 9, "json"))
				o->format = FMT_JSON;
			else if (!strcmp(s + 9, "sarif"))
				o->format = FMT_SARIF;
			else
				return bad_usage("--format takes text, json or sarif, not '%s'", s + 9);
		} else if (!strcmp(s, "-j") || !strcmp(s, "--jobs")) {
			if (i + 1 >= argc || parse_jobs(argv[++i], &o->jobs))
				return bad_usage("%s takes a number of jobs (1-256)", s);
		} else if (!strncmp(s, "-j", 2) || !strncmp(s, "--jobs=", 7)) {
			if (parse_jobs(s + (s[1] == 'j' ? 2 : 7), &o->jobs))
				return bad_usage("bad job count in '%s'", s);
		} else if (s[0] == '-' && s[1]) {
			return bad_usage("unknown option '%s'", s);
		} else {
			files[(*nr)++] = s;
		}
	}
	if (!*nr)
		return bad_usage("%s", "no FILE given");
	/* As the reference: these only mean something on a whole linked kernel. */
	if ((o->a.validate.noinstr || o->a.validate.unret) && !o->a.cfg.link)
		return bad_usage("%s", "--noinstr and --unret need --link");
	return -1;
}

static int exit_status(const struct report_file *files, size_t nr)
{
	int status = 0;

	for (size_t i = 0; i < nr; i++) {
		if (files[i].result < 0)
			return EXIT_UNUSABLE;
		if (files[i].result > 0)
			status = EXIT_FINDINGS;
	}
	return status;
}

static void print_cfi_total(const struct report_file *files, size_t nr)
{
	struct cfi_summary total = { 0 };
	size_t with = 0;

	for (size_t i = 0; i < nr; i++)
		if (files[i].cfi) {
			cfi_summary_add(&total, files[i].cfi);
			with++;
		}
	if (with > 1)
		print_cfi("total", &total);
}

int cmd_check(int argc, char **argv)
{
	/* Read-only: evidence decides the kernel rules, else the default row (no refusal). */
	struct check_opts o = { .jobs = 1, .a.kernel.build_dir = true };
	struct check_run r = { .o = &o };
	const char **paths = calloc((size_t)argc, sizeof(*paths));
	int status;

	if (!paths)
		return EXIT_UNUSABLE;
	status = parse(argc, argv, &o, paths, &r.nr);
	r.files = status < 0 ? calloc(r.nr, sizeof(*r.files)) : NULL;
	r.done = status < 0 ? calloc(r.nr, sizeof(*r.done)) : NULL;
	if (status < 0 && (!r.files || !r.done)) {
		ao_report_error("out of memory");
		status = EXIT_UNUSABLE;
	}
	if (status >= 0)
		goto out;
	for (size_t i = 0; i < r.nr; i++)
		r.files[i].path = paths[i];
	r.progress = isatty(STDERR_FILENO);
	pthread_mutex_init(&r.lock, NULL);
	ao_run_jobs(o.jobs, AO_DEEP_STACK, r.nr, job, &r);   /* deep: each job walks */
	pthread_mutex_destroy(&r.lock);
	if (o.format == FMT_TEXT)
		print_cfi_total(r.files, r.nr);
	else if ((o.format == FMT_JSON ? report_json : report_sarif)(stdout, r.files, r.nr))
		ao_report_error("could not write the report to stdout");
	status = exit_status(r.files, r.nr);
	for (size_t i = 0; i < r.nr; i++)
		report_file_free(&r.files[i]);
out:
	free(r.files);
	free(r.done);
	free(paths);
	return status;
}
