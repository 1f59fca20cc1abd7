// SPDX-License-Identifier: GPL-2.0
/*
 * altorc objtool ARGS... FILE.o: the kbuild-compatible entry point.  Takes
 * every argument the 6.1 and 6.12 kbuilds pass to objtool, validates the
 * stack, and rewrites the object as the reference does: ORC, the call-site
 * and ENDBR annotation sections, __pfx_ symbols and the --hacks rewrites
 * (include/sites.h), all in one atomic write.  An object that already has
 * what we would add is refused (exit 2) and left untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze.h"
#include "ao_phases.h"
#include "ao_sanitize.h"
#include "commands.h"
#include "objfile.h"
#include "orc_gen.h"
#include "sites.h"

struct objtool_args {
	struct analyze_options a;
	struct sites_options sites;
	const char *file;
	bool noinstr, unret;   /* validation that wants --link (check_link()) */
	bool stats;
	bool dry_run;          /* --dry-run: everything but the write, as the reference */
};

/* Flags that change nothing we produce (validation-only or reporting options). */
static const char *const ignored_flags[] = {
	"--backtrace", "--no-unreachable", "--sec-address",
};

static int parse_hacks(struct objtool_args *o, const char *list)
{
	char buf[128];

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (char *save = NULL, *h = strtok_r(buf, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		if (!strcmp(h, "jump_label"))
			o->a.cfg.hack_jump_label = true;
		else if (!strcmp(h, "noinstr"))
			o->a.cfg.hack_noinstr = true;
		else if (!strcmp(h, "skylake"))
			o->sites.skylake = o->a.kernel.skylake = true;
		else
			return -1;
	}
	return 0;
}

/* N for --threads=N or ALTORC_THREADS: 1-64, or 0 for the automatic choice. */
static int parse_threads(const char *s, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (!*s || *end || n > 64)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int parse_version_flag(struct objtool_args *o, const char *arg)
{
	if (!strncmp(arg, "--prefix=", 9)) {
		/* objtool 6.2 added --prefix: evidence for kernel_choose() */
		o->a.cfg.prefix = (unsigned)strtoul(arg + 9, NULL, 10);
		o->a.kernel.prefix = true;
	} else if (!strcmp(arg, "--orc-format=v1")) {
		o->a.orc_format = ORC_FORMAT_V1;
		o->a.kernel.orc_version = 1;
	} else if (!strcmp(arg, "--orc-format=v2")) {
		o->a.orc_format = ORC_FORMAT_V2;
		o->a.kernel.orc_version = 2;
	} else if (!strcmp(arg, "--alt-layout=v1"))
		o->a.cfg.alt_layout = ALT_LAYOUT_V1;
	else if (!strcmp(arg, "--alt-layout=v2"))
		o->a.cfg.alt_layout = ALT_LAYOUT_V2;
	else if (!strncmp(arg, "--kernel=", 9) && kernel_rules_find(arg + 9))
		o->a.kernel.forced = arg + 9;
	else if (!strcmp(arg, "--paravirt-native"))
		o->a.cfg.paravirt_native = true;
	else if (!strncmp(arg, "--pv-dwarf=", 11))
		o->a.cfg.pv_dwarf = arg + 11;
	else
		return -1;
	return 0;
}

static int parse_flag(struct objtool_args *o, const char *arg)
{
	for (size_t i = 0; i < sizeof(ignored_flags) / sizeof(*ignored_flags); i++)
		if (!strcmp(arg, ignored_flags[i]))
			return 0;
	if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v"))
		o->a.verbose = true;
	else if (!strcmp(arg, "--dry-run"))
		o->dry_run = true;
	else if (!strcmp(arg, "--noinstr"))
		o->noinstr = true;
	else if (!strcmp(arg, "--unret"))
		o->unret = true;
	else if (!strcmp(arg, "--orc"))
		o->a.write_orc = o->sites.orc = true;
	else if (!strcmp(arg, "--uaccess"))
		o->a.validate.uaccess = o->a.cfg.uaccess = true;
	else if (!strcmp(arg, "--stackval"))
		o->a.validate.stackval = true;
	else if (!strcmp(arg, "--retpoline"))
		o->sites.retpoline = o->a.validate.retpoline = true;
	else if (!strcmp(arg, "--rethunk"))
		o->sites.rethunk = o->a.cfg.rethunk = o->a.validate.rethunk = true;
	else if (!strcmp(arg, "--sls"))
		o->a.validate.sls = true;
	else if (!strcmp(arg, "--static-call"))
		o->sites.static_call = true;
	else if (!strcmp(arg, "--cfi"))
		o->sites.cfi = true;
	else if (!strcmp(arg, "--mcount"))
		o->a.cfg.mcount = true;
	else if (!strcmp(arg, "--mnop"))
		o->a.cfg.mnop = true;
	else if (!strcmp(arg, "--module"))
		o->sites.module = o->a.validate.module = true;
	else if (!strcmp(arg, "--ibt"))
		o->a.cfg.ibt = o->sites.ibt = o->a.validate.ibt = true;
	else if (!strcmp(arg, "--link"))
		o->a.cfg.link = true;
	else if (!strcmp(arg, "--stats"))
		o->stats = true;
	else if (!strncmp(arg, "--hacks=", 8))
		return parse_hacks(o, arg + 8);
	else if (!strncmp(arg, "--threads=", 10))
		return parse_threads(arg + 10, &o->a.validate.threads);
	else
		return parse_version_flag(o, arg);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: altorc objtool [OBJTOOL FLAGS] FILE.o\n"
		"  Accepts the flags kbuild passes to objtool (6.1 and 6.12): --orc, --uaccess,\n"
		"  --retpoline, --rethunk, --sls, --static-call, --ibt, --link, --module,\n"
		"  --prefix=N, --hacks=jump_label,noinstr,skylake, --mcount, --mnop, --cfi,\n"
		"  --stackval, ...  Each adds what the reference objtool adds (ORC, .*_sites,\n"
		"  .ibt_endbr_seal, __mcount_loc, __pfx_ symbols, NOP rewrites); an object\n"
		"  that already has them is refused (exit 2) and left as it was.\n"
		"  --noinstr, --ibt and --unret need --link unless the object was linked from\n"
		"  several files (then --link is forced), as the reference checks (exit 1).\n"
		"  --noinstr: noinstr code calls no instrumentable code (alone, without --orc,\n"
		"  --stackval or --uaccess, only the noinstr sections are walked); --unret:\n"
		"  entry paths untrain the return predictor before any RET (vmlinux.o with\n"
		"  CONFIG_DEBUG_ENTRY).\n"
		"  Kernel rules (ORC layout, noreturn lists, warning shapes): from kbuild's\n"
		"  build folder (KERNELRELEASE or VERSION/PATCHLEVEL in the environment,\n"
		"  include/config/kernel.release here), checked against what the object and\n"
		"  the flags show; conflicting or missing evidence is refused (exit 2).\n"
		"  --kernel=6.1|6.12 chooses; --verbose says which rules and why.\n"
		"  --orc-format=v1|v2 forces the ORC layout, --alt-layout=v1|v2 the\n"
		"  .altinstructions layout.\n"
		"  --threads=N decodes and validates on N threads (0: automatic, the default:\n"
		"  one per CPU, up to 8, for objects of a million instructions or more, such\n"
		"  as vmlinux.o; else 1); also ALTORC_THREADS=N.  With more than one, the\n"
		"  sites are collected beside validation.  The output is the same whatever N.\n"
		"  --stats: counts on stdout (switch jump tables found, their entries followed,\n"
		"  the case targets validation reached).\n"
		"  --paravirt-native [--pv-dwarf=FILE]: also model pre-5.13 native paravirt\n"
		"  templates (pushf; pop %%rax ...) at .parainstructions sites; type numbers\n"
		"  from the DWARF of FILE.o, or of FILE.\n");
}

/* ORC and the staged site edits, in one write. */
static int write_all(struct analysis *an, const struct objtool_args *o, struct ao_error *err)
{
	static const struct objf_edits none;
	struct orc_gen_table t = { 0 };
	int ret = 0;

	if (o->a.write_orc) {
		ret = orc_generate(&an->cfg, an->orc_format, &t);
		if (ret && !err->message[0])
			ao_fail(err, AO_ERR_ANALYSIS, "%s: ORC generation failed", o->file);
	}
	/*
	 * Nothing from here on reads the CFG: its instruction arrays (about
	 * 270 MB for a vmlinux.o) go before libelf maps and writes the
	 * output, so that the two do not add up in the peak.
	 */
	ao_phase_end("orc");
	cfg_free(&an->cfg);
	if (o->a.write_orc) {
		if (!ret)
			ret = orc_write(an->file, &t, NULL, 0, err);
		orc_gen_free(&t);
	}
	/* No ORC to write (or none asked for): the site edits still go out. */
	if (!ret && an->file->staged)
		ret = objf_write_edits(an->file, &none, err);
	return ret;
}

static bool has_edits(const struct objf_edits *e)
{
	return e->nr_secs || e->nr_patches || e->nr_syms || e->nr_rel_types || e->nr_sym_rels;
}

/*
 * The reference's checks of --link, made once the object is open (6.1 and
 * 6.12 alike): an object linked from several files (more than one STT_FILE
 * symbol) gets --link, with a message; otherwise --noinstr, --ibt and
 * --unret, in that order, each need it, and the first found without it ends
 * the run with exit 1 before anything is written.  Returns 1 for that.
 */
static int check_link(struct objtool_args *o, const struct objfile *f)
{
	const char *flag = o->noinstr ? "--noinstr" : o->a.cfg.ibt ? "--ibt" : o->unret ? "--unret" : NULL;
	size_t files = 0;

	if (o->a.cfg.link)
		return 0;
	for (size_t i = 0; i < f->nr_syms; i++)
		files += f->syms[i].type == STT_FILE;
	if (files > 1) {
		fprintf(stderr, "error: objtool: Linked object detected, forcing --link\n");
		o->a.cfg.link = true;
		return 0;
	}
	if (!flag)
		return 0;
	fprintf(stderr, "error: objtool: %s requires --link\n", flag);
	return 1;
}

/*
 * Before analysing the object open at f: the --link checks, then that a
 * second run would not add a second copy of anything.  -1 on error, 1 when
 * the flags are refused.
 */
static int check_before_analysis(struct objtool_args *o, struct objfile *f, struct ao_error *err)
{
	int r = check_link(o, f);

	if (!r)
		r = sites_check_fresh(f, &o->sites, o->a.cfg.prefix, err);
	return r;
}

/*
 * --noinstr and --unret, now that --link is settled.  --noinstr alone (no
 * --orc, --stackval or --uaccess) walks only the noinstr sections.
 */
static void set_noinstr_options(struct objtool_args *o)
{
	struct validate_options *v = &o->a.validate;

	v->noinstr = o->noinstr && o->a.cfg.link;
	v->noinstr_only = v->noinstr && !o->a.write_orc && !v->stackval && !v->uaccess;
	v->unret = o->unret && o->a.cfg.link;
}

static void print_stats(const char *file, const struct cfg *cfg)
{
	struct jump_table_counts c;

	cfg_count_jump_tables(cfg, &c);
	printf("%s: jump tables: %zu found, %zu entries followed, %zu case targets validated\n",
	       file, c.tables, c.targets, c.validated);
}

/*
 * The early copy pays where one object is the whole job, a vmlinux.o,
 * whose write would otherwise wait for 840 MB to be copied and flushed.
 * For a module, kbuild runs objtools side by side, and writing the copy
 * back early (then again for the pages the edit dirties) only costs CPU:
 * 13 ms more system time on 6.12's xfs.o.  ALTORC_EARLY_COPY=1 or =0
 * forces it either way (the write-safety tests use it).
 */
#define EARLY_COPY_MIN_BYTES ((off_t)64 << 20)

static bool wants_early_copy(const struct objtool_args *o, const struct objfile *f)
{
	const char *env = getenv("ALTORC_EARLY_COPY");
	struct stat st;

	if (!o->a.write_orc || o->dry_run)
		return false;
	if (env && *env)
		return strcmp(env, "0") != 0;
	return !fstat(f->fd, &st) && st.st_size >= EARLY_COPY_MIN_BYTES;
}

/*
 * With --orc the object will be written unless the analysis fails: for a
 * large object, copy it for that write now, while the analysis runs
 * (objf_copy_start()).  When the copy cannot even start, the write tries
 * again and reports the error in its usual place, after the warnings.
 */
static struct objf_copy *start_copy(const struct objtool_args *o, const struct objfile *f)
{
	struct ao_error err = { 0 };
	struct objf_copy *copy = NULL;

	if (wants_early_copy(o, f))
		(void)objf_copy_start(&copy, o->file, &err);
	return copy;
}

/*
 * The analysis, with the sites collected into out beside validation when it
 * runs on threads (sites_job_start()); *job is NULL when they are to be
 * built after it.  The same result, findings and outcome as analyze_opened().
 */
static int analyze_with_sites(struct objtool_args *o, struct objfile *f, struct findings *fs,
			      struct analysis *an, struct sites_job **job, struct sites_out *out,
			      struct ao_error *err)
{
	int r = analyze_build(f, &o->a, fs, an, err);

	*job = NULL;
	if (r)
		return r;
	if (validate_auto_threads(&an->cfg, &o->a.validate) > 1)
		*job = sites_job_start(&an->cfg, &o->sites, out);
	if (*job && o->a.verbose)
		fprintf(stderr, "altorc: %s: sites collected on a thread beside validation\n", o->file);
	r = analyze_validate(an, &o->a, fs, err);
	if (r < 0) {
		if (*job) {
			struct ao_error ignored;

			(void)sites_job_finish(*job, &ignored);
			sites_free(out);
			*job = NULL;
		}
		analyze_close(an);
	}
	return r;
}

/*
 * The end of the run, after which the process exits.  Freeing the
 * analysis block by block and unmapping the object is work the kernel does
 * at exit anyway (the close phase took 0.019 s of CPU over the 78 6.12
 * modules; the saving left after exit's share is within the bench's noise),
 * so only the unused early copy, which exit would leave behind, is ended
 * here.  Under AddressSanitizer everything is freed, for its leak check.
 */
static void leave(struct analysis *an, struct sites_out *out)
{
	if (AO_ASAN) {
		sites_free(out);
		analyze_close(an);
	} else {
		objf_close_for_exit(an->file);
	}
}

static int run(void *p)
{
	struct objtool_args *o = p;
	struct objfile *f;
	struct findings fs;
	struct analysis an;
	struct sites_out out = { 0 };
	struct ao_error err = { 0 };
	struct objf_copy *copy;
	struct sites_job *job;
	bool stopped;
	int r;

	if (objf_open(&f, o->file, &err)) {
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	ao_phase_end("open");
	r = check_before_analysis(o, f, &err);
	if (r) {
		objf_close(f);
		if (r > 0)
			return EXIT_FINDINGS;   /* the reference's exit status for refused flags */
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	set_noinstr_options(o);
	copy = start_copy(o, f);
	findings_init(&fs, o->file, 1);
	fs.reference_only = 1;   /* kbuild logs: exactly the reference's lines */
	/* one open for the checks and the analysis: a whole kernel's symbols are read once */
	r = analyze_with_sites(o, f, &fs, &an, &job, &out, &err);
	if (r < 0)
		objf_copy_discard(copy);
	else
		objf_copy_attach(an.file, copy);
	if (r < 0) {
		findings_free(&fs);
		if (err.status == AO_ERR_STOPPED)
			return 0;   /* as the reference: its warning (printed), the object untouched */
		if (err.status == AO_ERR_GAVE_UP)
			return 255; /* the same, where the reference's check() fails (6.1 --unret) */
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	if (o->stats)
		print_stats(o->file, &an.cfg);
	r = job ? sites_job_finish(job, &err) : sites_build(&an.cfg, &o->sites, &out, &err);
	ao_phase_end("sites");
	/*
	 * The call-site lists stop only where the reference stops: a static
	 * call outside a module whose key the object lacks.  Its last warning,
	 * then exit 0 with the object as it was.
	 */
	stopped = r < 0 && err.status == AO_ERR_STOPPED;
	if (stopped) {
		findings_add(&fs, "static-call-key", NULL, 0, "%s", err.message);
		r = 0;
	}
	findings_free(&fs);
	if (!r && !stopped && has_edits(&out.edits))
		objf_stage(an.file, &out.edits);
	/* a dry run checks and builds everything, and leaves the object as it was */
	if (!r && !stopped && !o->dry_run)
		r = write_all(&an, o, &err);
	ao_phase_end("write");
	leave(&an, &out);
	ao_phase_end("close");
	if (r < 0) {
		ao_report_error(err.message);
		return EXIT_UNUSABLE;
	}
	/* Like the reference, warnings do not fail the build. */
	return 0;
}

int cmd_objtool(int argc, char **argv)
{
	/* kbuild runs objtool in the kernel build, and the object is written: no guessing */
	struct objtool_args o = { .a.kernel = { .build_dir = true, .must_decide = true } };
	const char *threads = getenv("ALTORC_THREADS");

	/* kbuild passes objtool's flags only: the environment chooses threads there */
	if (threads && parse_threads(threads, &o.a.validate.threads)) {
		fprintf(stderr, "altorc objtool: ALTORC_THREADS='%s' is not a number of threads (0-64)\n",
			threads);
		return EXIT_UNUSABLE;
	}

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (argv[i][0] != '-') {
			if (o.file) {
				fprintf(stderr, "altorc objtool: one object at a time ('%s' and '%s')\n", o.file, argv[i]);
				return EXIT_UNUSABLE;
			}
			o.file = argv[i];
		} else if (parse_flag(&o, argv[i])) {
			fprintf(stderr, "altorc objtool: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_UNUSABLE;
		}
	}
	if (!o.file) {
		usage(stderr);
		return EXIT_UNUSABLE;
	}
	return analyze_on_big_stack(run, &o);
}
