// SPDX-License-Identifier: GPL-2.0
/*
 * Putting an object's ORC rows where a linked image has them, so that
 * `orc diff vmlinux vmlinux.o` compares like with like (include/orc_diff.h).
 *
 * ld copies each input section whole into an output section, so one
 * offset, the section's base address, carries every row of an object
 * section into the image.  The base comes from functions both files name
 * once, with the same size: image address minus object offset.  They vote,
 * and the most common base wins (they agree unless the image was linked
 * from something else).  A section no function places (discarded at link,
 * or without functions) keeps its rows out of the comparison; they are
 * counted.
 */
#include <stdlib.h>
#include <string.h>

#include "orc_diff.h"

#define PLACE_VOTES 32

static bool plain_func(const struct objsym *s)
{
	return s->sec && s->type == STT_FUNC && s->size && s->name && s->name[0];
}

/* The one function called name in f, or NULL when there is none or several. */
static struct objsym *only_func(struct objfile *f, const char *name)
{
	struct objsym *found = NULL;

	for (struct objsym *s = objf_sym_by_name(f, name); s; s = objf_sym_next_same_name(f, s)) {
		if (!plain_func(s))
			continue;
		if (found)
			return NULL;
		found = s;
	}
	return found;
}

/* The base address of obj's section sec in image; false when no function tells. */
static bool section_base(struct objfile *obj, struct objsec *sec, struct objfile *image,
			 uint64_t *base)
{
	uint64_t cand[PLACE_VOTES];
	size_t n = 0, best = 0;

	for (size_t i = 0; i < sec->nr_syms && n < PLACE_VOTES; i++) {
		struct objsym *s = sec->syms[i], *t;

		if (!plain_func(s) || only_func(obj, s->name) != s)
			continue;
		t = only_func(image, s->name);
		if (t && t->size == s->size)
			cand[n++] = t->sec->shdr.sh_addr + t->offset - s->offset;
	}
	for (size_t i = 0; i < n; i++) {
		size_t votes = 0;

		for (size_t j = 0; j < n; j++)
			votes += cand[j] == cand[i];
		if (votes > best) {
			best = votes;
			*base = cand[i];
		}
	}
	return best > 0;
}

struct placed {
	struct objsec *sec;
	bool found;
	uint64_t base;
};

/* The placement of row's section, computed once per section. */
static struct placed *placement(struct placed *p, struct objfile *obj, struct objsec *sec,
				struct objfile *image)
{
	struct placed *e = &p[sec->index];

	if (!e->sec) {
		e->sec = sec;
		e->found = section_base(obj, sec, image, &e->base);
	}
	return e;
}

int orc_side_place(struct orc_side *s, struct objfile *image, size_t *unplaced,
		   struct ao_error *err)
{
	struct placed *p = ao_calloc(err, s->f->nr_secs, sizeof(*p));
	size_t kept = 0;

	if (!p)
		return -1;
	if (!s->raw_copy && s->t.nr) {
		s->raw_copy = ao_calloc(err, s->t.nr, 6);
		if (!s->raw_copy) {
			free(p);
			return -1;
		}
		memcpy(s->raw_copy, s->raw, s->t.nr * 6);
		s->raw = s->raw_copy;
	}
	*unplaced = 0;
	for (size_t i = 0; i < s->t.nr; i++) {
		struct orc_row row = s->t.rows[i];
		struct placed *e = placement(p, s->f, row.sec, image);

		row.addr = e->base + row.offset;
		row.sec = e->found ? objf_sec_at_addr(image, row.addr, &row.offset) : NULL;
		if (!row.sec) {
			(*unplaced)++;
			continue;
		}
		/* Keep the raw entry beside its row: compact both alike. */
		memmove(s->raw_copy + kept * 6, s->raw_copy + i * 6, 6);
		s->t.rows[kept++] = row;
	}
	s->t.nr = kept;
	s->placed = true;
	free(p);
	return 0;
}
