// SPDX-License-Identifier: GPL-2.0
/*
 * altorc orc: look at an object's or a linked image's (vmlinux) ORC table.
 *
 *   altorc orc dump [--orc-format=v1|v2] FILE
 *       print it line for line as the reference `objtool --dump=orc FILE` of
 *       the matching kernel does
 *   altorc orc diff [--orc-format=v1|v2] [--pv-extras PRE.o] A B
 *       the differences an unwinder would see between two objects' ORC
 *
 * The diff has the semantics of the corpus' orc-compare script: per code
 * section (by name), at every offset where either table starts an entry,
 * the entry a lookup finds (greatest ip at or below the offset) must have
 * the same six bytes.  Table order and repeated offsets do not matter; of
 * several entries at one offset the one later in the table wins, as a
 * stable sort followed by an upper-bound search picks it.  Each difference
 * is named as orc-compare names it, by A's function symbols ("section+0xoff
 * (func+0xoff)"), and the closing line is orc-compare's too:
 * "N of M points differ[, K pv extras]".  A linked image's differences also
 * carry the address; an image against an object compares at the image's
 * addresses (objtool/orc/place.c).
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "orc.h"
#include "orc_diff.h"

struct orc_opts {
	const char *sub;          /* "dump" or "diff" */
	enum orc_format fmt;      /* AUTO unless forced */
	const char *pv_pre;       /* --pv-extras PRE.o */
	const char *files[2];
	int nr_files;
};

static void orc_usage(FILE *out)
{
	fprintf(out,
		"usage: altorc orc dump [--orc-format=v1|v2] FILE\n"
		"       altorc orc diff [--orc-format=v1|v2] [--pv-extras PRE.o] A B\n"
		"\n"
		"dump: print FILE's ORC as `objtool --dump=orc` of the matching kernel does\n"
		"      (v1: 6.1 and older, v2: 6.3 and newer; detected unless forced).\n"
		"diff: compare what an unwinder finds in A and B at every entry offset;\n"
		"      exit 0 equal, 1 different, 2 unusable input.  --pv-extras PRE.o skips\n"
		"      (and counts) offsets strictly inside PRE.o's .parainstructions sites.\n"
		"FILE, A and B may be linked images (vmlinux): their entries are addresses.\n"
		"A linked image against an object (vmlinux against vmlinux.o) compares at the\n"
		"image's addresses: each object section is placed where its functions are.\n");
}

static int orc_usage_error(const char *msg)
{
	ao_report_error(msg);
	orc_usage(stderr);
	return EXIT_UNUSABLE;
}

/* Returns -1 to go on, else the exit status (help or a usage error). */
static int orc_parse(int argc, char **argv, struct orc_opts *o)
{
	char msg[256];

	memset(o, 0, sizeof(*o));
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		orc_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_UNUSABLE : 0;
	}
	o->sub = argv[1];
	if (strcmp(o->sub, "dump") && strcmp(o->sub, "diff")) {
		snprintf(msg, sizeof(msg), "orc: unknown sub-command '%s'", o->sub);
		return orc_usage_error(msg);
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			orc_usage(stdout);
			return 0;
		} else if (!strncmp(a, "--orc-format=", 13) || !strcmp(a, "--orc-format")) {
			const char *v = a[12] == '=' ? a + 13 : (i + 1 < argc ? argv[++i] : "");

			if (!orc_format_parse(v, &o->fmt)) {
				snprintf(msg, sizeof(msg), "orc: --orc-format takes v1 or v2, not '%s'", v);
				return orc_usage_error(msg);
			}
		} else if (!strncmp(a, "--pv-extras=", 12)) {
			o->pv_pre = a + 12;
		} else if (!strcmp(a, "--pv-extras")) {
			if (i + 1 >= argc)
				return orc_usage_error("orc: --pv-extras needs PRE.o");
			o->pv_pre = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			snprintf(msg, sizeof(msg), "orc: unknown option '%s'", a);
			return orc_usage_error(msg);
		} else if (o->nr_files < 2) {
			o->files[o->nr_files++] = a;
		} else {
			return orc_usage_error("orc: too many files");
		}
	}
	if (!strcmp(o->sub, "dump") && (o->nr_files != 1 || o->pv_pre))
		return orc_usage_error("orc dump takes one FILE (and no --pv-extras)");
	if (!strcmp(o->sub, "diff") && o->nr_files != 2)
		return orc_usage_error("orc diff takes two files, A and B");
	return -1;
}

static int orc_fail_exit(const struct ao_error *err)
{
	ao_report_error(err->message);
	return EXIT_UNUSABLE;
}

static void orc_warn_guessed(const struct objfile *f);

/*
 * The format to print f's entries in (orc_choose_format()); when the entries
 * cannot tell (see Documentation/orc-format-detection.md) say so, since
 * only entries the two formats share are then present.
 */
static enum orc_format orc_pick_format(struct objfile *f, enum orc_format forced)
{
	bool guessed;
	enum orc_format fmt = orc_choose_format(f, forced, &guessed);

	if (guessed)
		orc_warn_guessed(f);
	return fmt;
}

static void orc_warn_guessed(const struct objfile *f)
{
	fprintf(stderr, "altorc: warning: %s: cannot tell the ORC format (v1 or v2) "
		"from its entries; printing as v2 (force with --orc-format=v1|v2)\n", f->path);
}

static int orc_cmd_dump(const struct orc_opts *o)
{
	struct ao_error err = { 0 };
	struct objfile *f;
	int ret;

	if (objf_open_image(&f, o->files[0], &err) < 0)
		return orc_fail_exit(&err);
	ret = orc_dump(f, orc_pick_format(f, o->fmt), stdout, &err);
	fflush(stdout);
	objf_close(f);
	return ret < 0 ? orc_fail_exit(&err) : 0;
}

/* One difference, as orc-compare prints it. */
static void orc_print_difference(void *ctx, const struct orc_difference *x)
{
	char addr[32] = "";

	if (x->addr)
		snprintf(addr, sizeof(addr), " [0x%llx]", (unsigned long long)x->addr);
	printf("%s+0x%llx%s%s: A %s / B %s\n", x->sec, (unsigned long long)x->offset, x->func,
	       addr, x->a, x->b);
}

static int orc_cmd_diff(const struct orc_opts *o)
{
	struct ao_error err = { 0 };
	struct orc_diff d;
	bool differ;
	int ret;

	orc_diff_init(&d);
	ret = orc_diff_open_side(&d, 0, o->files[0], o->fmt, &err);
	if (!ret && d.a.guessed)
		orc_warn_guessed(d.a.f);
	if (!ret)
		ret = orc_diff_open_side(&d, 1, o->files[1], o->fmt, &err);
	if (!ret && d.b.guessed)
		orc_warn_guessed(d.b.f);
	if (!ret && o->pv_pre)
		ret = orc_diff_read_pv(&d, o->pv_pre, &err);
	if (!ret)
		ret = orc_diff_run(&d, orc_print_difference, NULL, &err);
	if (!ret)
		printf("%zu of %zu points differ", d.mismatches, d.points);
	if (!ret && d.extras)
		printf(", %zu pv extras", d.extras);
	if (!ret && d.unplaced)
		printf(", %zu object entries in sections the image does not hold", d.unplaced);
	if (!ret)
		printf("\n");
	differ = d.mismatches != 0;
	orc_diff_free(&d);
	if (ret)
		return orc_fail_exit(&err);
	return differ ? EXIT_FINDINGS : 0;
}

int cmd_orc(int argc, char **argv)
{
	struct orc_opts o;
	int ret = orc_parse(argc, argv, &o);

	if (ret >= 0)
		return ret;
	if (!strcmp(o.sub, "dump"))
		return orc_cmd_dump(&o);
	return orc_cmd_diff(&o);
}
