// SPDX-License-Identifier: GPL-2.0
/*
 * Comparing two objects' ORC as an unwinder sees it (include/orc_diff.h):
 * per code section (by name), at every offset where either table starts an
 * entry, the entry a lookup finds (greatest ip at or below the offset) must
 * have the same six bytes.  Table order and repeated offsets do not matter;
 * of several entries at one offset the one later in the table wins, as a
 * stable sort followed by an upper-bound search picks it.  The semantics
 * are the corpus' orc-compare script's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "arch/elf.h"
#include "orc_diff.h"
#include "orc_lookup.h"

#define ORC_ENTRY_SIZE 6

/* An entry of one section of one side, for sorting by offset. */
struct orc_point {
	uint64_t offset;
	size_t row;
	/*
	 * A terminator that gives way to a real entry at its offset, as in the
	 * kernel's sorted table: for a linked image (sorttable's order, which
	 * an image not yet sorted gets here) and for object rows placed into
	 * one.  Objects compared with objects keep table order alone.
	 */
	bool weak;
};

static int side_open(struct orc_side *s, const char *path, enum orc_format forced,
		     struct ao_error *err)
{
	struct objsec *un;

	if (objf_open_image(&s->f, path, err) < 0)
		return -1;
	s->fmt = orc_choose_format(s->f, forced, &s->guessed);
	if (orc_read_table(s->f, s->fmt, &s->t, err) < 0)
		return -1;
	un = objf_sec_by_name(s->f, ".orc_unwind");
	s->raw = s->t.nr ? un->data : NULL;
	return 0;
}

static void side_close(struct orc_side *s)
{
	orc_free_table(&s->t);
	free(s->raw_copy);
	if (s->f)
		objf_close(s->f);
}

/*
 * .parainstructions of PRE.o, 16 bytes per site: an R_X86_64_64 pointer to
 * the site at +0 and its length byte at +9, as orc-compare reads them.
 */
int orc_diff_read_pv(struct orc_diff *d, const char *path, struct ao_error *err)
{
	struct objfile *f;
	struct objsec *pi;
	int ret = 0;

	if (objf_open(&f, path, err) < 0)
		return -1;
	pi = objf_sec_by_name(f, ".parainstructions");
	if (pi && (objf_sec_data(pi, err) < 0 || objf_sec_rels(pi, err) < 0))
		ret = -1;
	for (size_t i = 0; !ret && pi && pi->data && i < pi->nr_rels; i++) {
		const struct objrel *r = &pi->rels[i];
		struct objsec *sec;
		int64_t addr;

		if (r->type != ARCH_RELOC_ABS64 || r->offset + 10 > pi->size ||
		    !objf_rel_target(r, &sec, &addr))
			continue;
		/* out of memory: d->pv stays as it was, for orc_diff_free() to release */
		if (AO_GROW(err, d->pv, d->cap_pv, d->nr_pv + 1, 64)) {
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
	/* A terminator first, so a lookup finds the real entry (sorttable's order). */
	if (a->weak != b->weak)
		return a->weak ? -1 : 1;
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
			p[(*nr)++] = (struct orc_point){
				s->t.rows[i].offset, i,
				(s->placed || s->f->linked) &&
				orc_entry_is_weak(s->fmt, &s->t.rows[i].entry) };
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

/*
 * " (func+0x12)" from A's symbols (B's when A lacks the section), or "".
 * When B is the linked image and A an object, the sections are B's.
 */
static void orc_func_text(const struct orc_diff *d, const char *sec, uint64_t x, char *buf,
			  size_t size)
{
	struct objfile *first = d->a.f, *second = d->b.f;
	struct objsec *s;
	struct objsym *fn;

	if (d->a.placed)
		first = second = d->b.f;
	else if (d->b.placed)
		first = second = d->a.f;
	s = objf_sec_by_name(first, sec);
	fn = s ? objf_func_at(s, x) : NULL;
	if (!s) {
		s = objf_sec_by_name(second, sec);
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

static void report(const struct orc_diff *d, const char *sec, uint64_t x, long ra, long rb,
		   orc_diff_report_fn fn, void *ctx)
{
	char func[300], ta[160], tb[160];
	struct orc_difference diff = { sec, x, func, ta, tb, 0 };
	struct objfile *image = d->a.f->linked ? d->a.f : d->b.f->linked ? d->b.f : NULL;
	struct objsec *s = image ? objf_sec_by_name(image, sec) : NULL;

	if (s)
		diff.addr = s->shdr.sh_addr + x;
	orc_func_text(d, sec, x, func, sizeof(func));
	orc_entry_text(&d->a, ra, ta, sizeof(ta));
	orc_entry_text(&d->b, rb, tb, sizeof(tb));
	fn(ctx, &diff);
}

/* Compare one section at every offset where A or B starts an entry. */
static int diff_section(struct orc_diff *d, const char *sec, orc_diff_report_fn fn, void *ctx,
			struct ao_error *err)
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
			report(d, sec, x, ra, rb, fn, ctx);
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

/* An object against a linked image: carry the object's rows into the image first. */
static int place_object_side(struct orc_diff *d, struct ao_error *err)
{
	if (d->a.f->linked == d->b.f->linked)
		return 0;
	if (d->a.f->linked)
		return orc_side_place(&d->b, d->a.f, &d->unplaced, err);
	return orc_side_place(&d->a, d->b.f, &d->unplaced, err);
}

int orc_diff_run(struct orc_diff *d, orc_diff_report_fn fn, void *ctx, struct ao_error *err)
{
	size_t nr;
	const char **names;
	int ret = 0;

	if (place_object_side(d, err))
		return -1;
	names = orc_section_names(d, &nr, err);
	if (!names)
		return -1;
	for (size_t i = 0; i < nr && !ret; i++)
		ret = diff_section(d, names[i], fn, ctx, err);
	free(names);
	return ret;
}


void orc_diff_init(struct orc_diff *d)
{
	memset(d, 0, sizeof(*d));
}

int orc_diff_open_side(struct orc_diff *d, int which, const char *path, enum orc_format forced,
		       struct ao_error *err)
{
	return side_open(which ? &d->b : &d->a, path, forced, err);
}

void orc_diff_free(struct orc_diff *d)
{
	side_close(&d->a);
	side_close(&d->b);
	for (size_t i = 0; i < d->nr_pv; i++)
		free((char *)d->pv[i].sec);
	free(d->pv);
	memset(d, 0, sizeof(*d));
}
