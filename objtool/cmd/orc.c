// SPDX-License-Identifier: GPL-2.0
/*
 * altorc orc: look at an object's ORC table.
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
 * "N of M points differ[, K pv extras]".
 */
#include <stdlib.h>
#include <string.h>

#include "arch/elf.h"
#include "commands.h"
#include "orc.h"

#define ORC_ENTRY_SIZE 6

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
		"      (and counts) offsets strictly inside PRE.o's .parainstructions sites.\n");
}

/*
 * Like ao_report_error(), which lives in main.c: this file also links into
 * the unit tests, which call cmd_orc() without main.c.
 */
static void orc_error(const char *msg)
{
	fprintf(stderr, "altorc: %s\n", msg);
}

static int orc_usage_error(const char *msg)
{
	orc_error(msg);
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
	orc_error(err->message);
	return EXIT_UNUSABLE;
}

/*
 * The format to print f's entries in: forced, else detected; when the
 * entries cannot tell (see Documentation/orc-format-detection.md), v2 with a
 * warning, since only entries the two formats share are then present.
 */
static enum orc_format orc_pick_format(struct objfile *f, enum orc_format forced)
{
	struct objsec *un;
	enum orc_format fmt;

	if (forced != ORC_FORMAT_AUTO)
		return forced;
	fmt = orc_detect_format(f);
	if (fmt != ORC_FORMAT_AUTO)
		return fmt;
	un = objf_sec_by_name(f, ".orc_unwind");
	if (un && un->shdr.sh_size >= ORC_ENTRY_SIZE)
		fprintf(stderr, "altorc: warning: %s: cannot tell the ORC format (v1 or v2) "
			"from its entries; printing as v2 (force with --orc-format=v1|v2)\n",
			f->path);
	return ORC_FORMAT_V2;
}

static int orc_cmd_dump(const struct orc_opts *o)
{
	struct ao_error err = { 0 };
	struct objfile *f;
	int ret;

	if (objf_open(&f, o->files[0], &err) < 0)
		return orc_fail_exit(&err);
	ret = orc_dump(f, orc_pick_format(f, o->fmt), stdout, &err);
	fflush(stdout);
	objf_close(f);
	return ret < 0 ? orc_fail_exit(&err) : 0;
}

/* ---- diff ------------------------------------------------------------- */

/* One side of the comparison: the object, its table and the raw entries. */
struct orc_side {
	struct objfile *f;
	struct orc_table t;
	enum orc_format fmt;
	const uint8_t *raw;       /* .orc_unwind bytes: row i is raw + 6 * i */
};

/* An entry of one section of one side, for sorting by offset. */
struct orc_point {
	uint64_t offset;
	size_t row;
};

/* Paravirt site ranges of the --pv-extras object. */
struct orc_pv_site {
	const char *sec;
	uint64_t start;
	unsigned int len;
};

struct orc_diff {
	struct orc_side a, b;
	struct orc_pv_site *pv;
	size_t nr_pv;
	size_t mismatches, points, extras;
};

static int orc_side_open(struct orc_side *s, const char *path, enum orc_format forced,
			 struct ao_error *err)
{
	struct objsec *un;

	if (objf_open(&s->f, path, err) < 0)
		return -1;
	s->fmt = orc_pick_format(s->f, forced);
	if (orc_read_table(s->f, s->fmt, &s->t, err) < 0)
		return -1;
	un = objf_sec_by_name(s->f, ".orc_unwind");
	s->raw = s->t.nr ? un->data : NULL;
	return 0;
}

static void orc_side_close(struct orc_side *s)
{
	orc_free_table(&s->t);
	if (s->f)
		objf_close(s->f);
}

/*
 * .parainstructions of PRE.o, 16 bytes per site: an R_X86_64_64 pointer to
 * the site at +0 and its length byte at +9, as orc-compare reads them.
 */
static int orc_read_pv(struct orc_diff *d, const char *path, struct ao_error *err)
{
	struct objfile *f;
	struct objsec *pi;
	int ret = 0;

	if (objf_open(&f, path, err) < 0)
		return -1;
	pi = objf_sec_by_name(f, ".parainstructions");
	if (pi && (objf_sec_data(pi) < 0 || objf_sec_rels(pi) < 0)) {
		*err = f->err;
		ret = -1;
	}
	for (size_t i = 0; !ret && pi && pi->data && i < pi->nr_rels; i++) {
		const struct objrel *r = &pi->rels[i];
		struct objsec *sec;
		int64_t addr;

		if (r->type != ARCH_RELOC_ABS64 || r->offset + 10 > pi->size ||
		    !objf_rel_target(r, &sec, &addr))
			continue;
		d->pv = ao_reallocarray(err, d->pv, d->nr_pv + 1, sizeof(*d->pv));
		if (!d->pv) {
			ret = -1;
			break;
		}
		/* The names must outlive f: keep a copy. */
		d->pv[d->nr_pv].sec = strdup(sec->name);
		d->pv[d->nr_pv].start = (uint64_t)addr;
		d->pv[d->nr_pv].len = pi->data[r->offset + 9];
		if (!d->pv[d->nr_pv].sec)
			ret = ao_fail(err, AO_ERR_NOMEM, "out of memory");
		d->nr_pv++;
	}
	objf_close(f);
	return ret;
}

/* Strictly inside a paravirt site of section sec (site+1 .. site+len-1)? */
static bool orc_in_pv_site(const struct orc_diff *d, const char *sec, uint64_t x)
{
	for (size_t i = 0; i < d->nr_pv; i++)
		if (x > d->pv[i].start && x < d->pv[i].start + d->pv[i].len &&
		    d->pv[i].sec && !strcmp(d->pv[i].sec, sec))
			return true;
	return false;
}

static int orc_point_cmp(const void *pa, const void *pb)
{
	const struct orc_point *a = pa, *b = pb;

	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	/* Keep table order among equal offsets (a stable sort). */
	return a->row < b->row ? -1 : a->row > b->row;
}

/* The entries of side s in the section named sec, sorted by offset. */
static struct orc_point *orc_points(const struct orc_side *s, const char *sec, size_t *nr,
				    struct ao_error *err)
{
	struct orc_point *p = ao_calloc(err, s->t.nr ? s->t.nr : 1, sizeof(*p));

	*nr = 0;
	if (!p)
		return NULL;
	for (size_t i = 0; i < s->t.nr; i++)
		if (!strcmp(s->t.rows[i].sec->name, sec))
			p[(*nr)++] = (struct orc_point){ s->t.rows[i].offset, i };
	qsort(p, *nr, sizeof(*p), orc_point_cmp);
	return p;
}

/* Row a lookup at x finds: the last entry at or below x; -1 when none. */
static long orc_lookup(const struct orc_point *p, size_t nr, uint64_t x)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].offset <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? (long)p[lo - 1].row : -1;
}

/* Does some entry start exactly at x? */
static bool orc_has_point(const struct orc_point *p, size_t nr, uint64_t x)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].offset < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && p[lo].offset == x;
}

static void orc_entry_text(const struct orc_side *s, long row, char *buf, size_t size)
{
	if (row < 0)
		snprintf(buf, size, "(none)");
	else
		orc_format_entry(s->fmt, &s->t.rows[row].entry, buf, size);
}

/* " (func+0x12)" from A's symbols (B's when A lacks the section), or "". */
static void orc_func_text(const struct orc_diff *d, const char *sec, uint64_t x, char *buf,
			  size_t size)
{
	struct objsec *s = objf_sec_by_name(d->a.f, sec);
	struct objsym *fn = s ? objf_func_at(s, x) : NULL;

	if (!s) {
		s = objf_sec_by_name(d->b.f, sec);
		fn = s ? objf_func_at(s, x) : NULL;
	}
	if (fn)
		snprintf(buf, size, " (%s+0x%llx)", fn->name,
			 (unsigned long long)(x - fn->offset));
	else
		buf[0] = '\0';
}

static bool orc_same(const struct orc_diff *d, long ra, long rb)
{
	if (ra < 0 || rb < 0)
		return ra < 0 && rb < 0;
	return !memcmp(d->a.raw + ra * ORC_ENTRY_SIZE, d->b.raw + rb * ORC_ENTRY_SIZE,
		       ORC_ENTRY_SIZE);
}

static void orc_report(const struct orc_diff *d, const char *sec, uint64_t x, long ra, long rb)
{
	char fn[300], ta[160], tb[160];

	orc_func_text(d, sec, x, fn, sizeof(fn));
	orc_entry_text(&d->a, ra, ta, sizeof(ta));
	orc_entry_text(&d->b, rb, tb, sizeof(tb));
	printf("%s+0x%llx%s: A %s / B %s\n", sec, (unsigned long long)x, fn, ta, tb);
}

/* Compare one section at every offset where A or B starts an entry. */
static int orc_diff_section(struct orc_diff *d, const char *sec, struct ao_error *err)
{
	size_t na, nb, i = 0, j = 0;
	struct orc_point *pa = orc_points(&d->a, sec, &na, err);
	struct orc_point *pb = pa ? orc_points(&d->b, sec, &nb, err) : NULL;

	if (!pb) {
		free(pa);
		return -1;
	}
	while (i < na || j < nb) {
		uint64_t x = (j >= nb || (i < na && pa[i].offset <= pb[j].offset)) ?
			     pa[i].offset : pb[j].offset;
		long ra, rb;

		while (i < na && pa[i].offset == x)
			i++;
		while (j < nb && pb[j].offset == x)
			j++;
		if (orc_in_pv_site(d, sec, x)) {
			d->extras += orc_has_point(pb, nb, x);
			continue;
		}
		d->points++;
		ra = orc_lookup(pa, na, x);
		rb = orc_lookup(pb, nb, x);
		if (!orc_same(d, ra, rb)) {
			d->mismatches++;
			orc_report(d, sec, x, ra, rb);
		}
	}
	free(pa);
	free(pb);
	return 0;
}

static int orc_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct names of the sections either table points into, sorted. */
static const char **orc_section_names(const struct orc_diff *d, size_t *nr,
				      struct ao_error *err)
{
	size_t total = d->a.t.nr + d->b.t.nr, n = 0;
	const char **names = ao_calloc(err, total ? total : 1, sizeof(*names));

	if (!names)
		return NULL;
	for (size_t i = 0; i < d->a.t.nr; i++)
		names[n++] = d->a.t.rows[i].sec->name;
	for (size_t i = 0; i < d->b.t.nr; i++)
		names[n++] = d->b.t.rows[i].sec->name;
	qsort(names, n, sizeof(*names), orc_name_cmp);
	*nr = 0;
	for (size_t i = 0; i < n; i++)
		if (!*nr || strcmp(names[*nr - 1], names[i]))
			names[(*nr)++] = names[i];
	return names;
}

static int orc_diff_run(struct orc_diff *d, struct ao_error *err)
{
	size_t nr;
	const char **names = orc_section_names(d, &nr, err);
	int ret = 0;

	if (!names)
		return -1;
	for (size_t i = 0; i < nr && !ret; i++)
		ret = orc_diff_section(d, names[i], err);
	free(names);
	return ret;
}

static int orc_cmd_diff(const struct orc_opts *o)
{
	struct ao_error err = { 0 };
	struct orc_diff d;
	int ret;

	memset(&d, 0, sizeof(d));
	ret = orc_side_open(&d.a, o->files[0], o->fmt, &err);
	if (!ret)
		ret = orc_side_open(&d.b, o->files[1], o->fmt, &err);
	if (!ret && o->pv_pre)
		ret = orc_read_pv(&d, o->pv_pre, &err);
	if (!ret)
		ret = orc_diff_run(&d, &err);
	if (!ret)
		printf("%zu of %zu points differ%s", d.mismatches, d.points,
		       d.extras ? "" : "\n");
	if (!ret && d.extras)
		printf(", %zu pv extras\n", d.extras);
	orc_side_close(&d.a);
	orc_side_close(&d.b);
	for (size_t i = 0; i < d.nr_pv; i++)
		free((char *)d.pv[i].sec);
	free(d.pv);
	if (ret)
		return orc_fail_exit(&err);
	return d.mismatches ? EXIT_FINDINGS : 0;
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
