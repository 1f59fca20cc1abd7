// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through everything altorc does with an
 * object.  Each input is written to a scratch file (the ELF layer and the
 * commands take paths) and then goes through
 *   - the ELF layer: every section's bytes and relocations, locations;
 *   - the readers: .parainstructions, __jump_table, __ex_table,
 *     .altinstructions (both layouts), ORC (both formats, and detection);
 *   - the analysis of analyze_file() (analyze_open(): decode, CFG,
 *     validation, paravirt checks, prefix states), then orc_generate() in
 *     memory;
 *   - the commands: for one input in four `altorc objtool` with kbuild's
 *     arguments (ORC and site sections written back into the scratch file),
 *     then `altorc alternatives [--json]` and `altorc orc dump`.
 * Bad input must come back as an error, never a crash, a sanitizer report,
 * a leak or a hang.  Which options a run uses (kernel rules, uaccess,
 * layouts, ORC format, writing) comes from a hash of the input, so a saved
 * crash input replays with the same options.
 *
 * Built and run by tests/scripts/fuzz.sh (`make fuzz`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "analyze.h"
#include "commands.h"
#include "orc_gen.h"
#include "prefix.h"
#include "special.h"

static char scratch_dir[256];
static char scratch[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch_dir, sizeof(scratch_dir), "%s/altorc-fuzz.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch_dir)) {
		perror("altorc fuzz: mkdtemp");
		exit(1);
	}
	snprintf(scratch, sizeof(scratch), "%s/input.o", scratch_dir);
	/*
	 * No output file may grow past 64 MiB: a write beyond it raises SIGXFSZ
	 * and is reported as a crash, instead of filling the disk (a 2^43
	 * section alignment once made the writer emit 53 GB of padding).
	 */
	if (setrlimit(RLIMIT_FSIZE, &(struct rlimit){ 64 << 20, 64 << 20 }))
		perror("altorc fuzz: setrlimit");
	setenv("ALTORC_QUIET_PENDING", "1", 1);
	/* The commands list sites and ORC on stdout: not of interest here. */
	if (!freopen("/dev/null", "w", stdout))
		exit(1);
	return 0;
}

/* main.c's, which the fuzzer replaces. */
void ao_report_error(const char *msg)
{
	fprintf(stderr, "altorc: %s\n", msg);
}

/* FNV-1a: deterministic, so a crash input replays with its options. */
static uint32_t input_hash(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

struct run {
	uint32_t h;
	struct analyze_options opts;
	enum orc_format fmt;
	bool write;
};

static void pick_options(struct run *r)
{
	uint32_t h = r->h;

	memset(&r->opts, 0, sizeof(r->opts));
	r->opts.cfg.kernel = kernel_rules_find(h & 1 ? "6.12" : "6.1");
	r->opts.cfg.uaccess = r->opts.validate.uaccess = h & 2;
	r->opts.validate.stackval = h & 4;
	r->opts.cfg.alt_layout = (enum alt_layout)((h >> 3) % 3);
	r->opts.cfg.link = h & 32;
	r->opts.cfg.hack_jump_label = h & 64;
	r->opts.cfg.prefix = (h & 128) ? 16 : 0;
	r->fmt = (h & 256) ? ORC_FORMAT_V2 : ORC_FORMAT_V1;
	r->write = (h & 0x600) == 0x600;   /* one input in four also writes */
}

/* Every section's bytes and relocations, as any pass might ask for them. */
static void touch_sections(struct objfile *f)
{
	char loc[256];

	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *s = &f->secs[i];

		objf_sec_data(s, NULL);
		if (objf_sec_rels(s, NULL) == 0 && s->nr_rels) {
			const struct objrel *r = &s->rels[s->nr_rels - 1];
			struct objsec *ts;
			int64_t toff;

			objf_rel_in(s, 0, s->size);
			if (objf_rel_target(r, &ts, &toff) && toff >= 0)
				objf_format_loc(loc, sizeof(loc), ts, (uint64_t)toff);
		}
		objf_format_loc(loc, sizeof(loc), s, s->size / 2);
	}
}

static void read_specials(struct objfile *f)
{
	struct ao_error err = { 0 };
	struct pv_table pv = { 0 };
	struct jump_label_table jl = { 0 };
	struct ex_table ex = { 0 };
	struct alt_table alts = { 0 };
	struct orc_table orc = { 0 };

	special_read_paravirt(f, &pv, &err);
	special_free_paravirt(&pv);
	special_read_jump_labels(f, &jl, &err);
	special_free_jump_labels(&jl);
	special_read_ex_table(f, &ex, &err);
	special_free_ex_table(&ex);
	for (int l = ALT_LAYOUT_V1; l <= ALT_LAYOUT_V2; l++) {
		special_read_alternatives(f, (enum alt_layout)l, &alts, &err);
		special_free_alternatives(&alts);
	}
	orc_detect_format(f);
	for (int fmt = ORC_FORMAT_V1; fmt <= ORC_FORMAT_V2; fmt++) {
		orc_read_table(f, (enum orc_format)fmt, &orc, &err);
		orc_free_table(&orc);
	}
}

/*
 * What analyze_file() does with write_orc=false (analyze_open(): decode,
 * CFG, validation, paravirt checks, prefix states), then orc_generate() in
 * memory; before that, the readers on their own open of the object.
 */
static int pipeline(void *p)
{
	struct run *r = p;
	struct ao_error err = { 0 };
	struct objfile *f = NULL;
	struct analysis an;
	struct findings fs;
	struct orc_gen_table t = { 0 };

	if (objf_open(&f, scratch, &err))
		return 0;
	touch_sections(f);
	read_specials(f);
	objf_close(f);

	findings_init(&fs, scratch, 0);
	if (analyze_open(scratch, &r->opts, &fs, &an, &err) >= 0) {
		orc_generate(&an.cfg, r->fmt, &t);
		orc_gen_free(&t);
		analyze_close(&an);
	}
	findings_free(&fs);
	return 0;
}

/*
 * The commands as kbuild and users run them.  For one input in four,
 * `altorc objtool` with the 6.1 or 6.12 kbuild arguments rewrites the
 * scratch file first (ORC, call-site sections, NOP rewrites), so the
 * listing and the ORC dump then read altorc's own output.
 */
static void run_commands(const struct run *r)
{
	char *k61[] = { "objtool", "--hacks=jump_label", "--hacks=noinstr", "--orc", "--retpoline",
			"--rethunk", "--sls", "--static-call", "--uaccess", "--module", scratch, NULL };
	char *k612[] = { "objtool", "--hacks=jump_label", "--hacks=noinstr", "--hacks=skylake", "--ibt",
			 "--orc", "--retpoline", "--rethunk", "--sls", "--static-call", "--uaccess",
			 "--prefix=16", "--link", "--module", scratch, NULL };
	char *alts[] = { "alternatives", (r->h & 0x800) ? "--json" : "--layout=auto", scratch, NULL };
	char *dump[] = { "orc", "dump", scratch, NULL };

	if (r->write) {
		if (r->opts.cfg.kernel->unwind_abi >= 2)
			cmd_objtool(sizeof(k612) / sizeof(*k612) - 1, k612);
		else
			cmd_objtool(sizeof(k61) / sizeof(*k61) - 1, k61);
	}
	cmd_alternatives(3, alts);
	cmd_orc(3, dump);
}

static int write_input(const uint8_t *data, size_t size)
{
	FILE *out = fopen(scratch, "wb");
	int ok;

	if (!out)
		return -1;
	ok = fwrite(data, 1, size, out) == size;
	return (fclose(out) == 0 && ok) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { .h = input_hash(data, size) };

	pick_options(&r);
	if (write_input(data, size)) {
		/* The environment, not the input (disk full, scratch folder removed). */
		perror("altorc fuzz: writing the scratch file");
		exit(1);
	}
	/* The real commands run the analysis on a 512 MiB stack (deep paths). */
	analyze_on_big_stack(pipeline, &r);
	run_commands(&r);
	return 0;
}
