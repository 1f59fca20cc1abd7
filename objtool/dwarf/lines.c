// SPDX-License-Identifier: GPL-2.0
/*
 * Source file and line of an address, from .debug_line through libdwarf.
 * The rows of every sequence become half-open address ranges (a row holds
 * until the next row's address); rows sharing one address leave only the
 * last, the one the line-table state machine ends on there.
 */
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "dwarf_lines.h"

struct line_range {
	struct objsec *sec;
	uint64_t lo, hi;         /* section offsets */
	uint32_t line;
	uint32_t file;           /* index into files */
};

struct dwarf_lines {
	struct line_range *ranges;
	size_t nr, cap;
	char **files;
	size_t nr_files, cap_files;
};

/* Index of name in l->files (added when new).  Rows mostly repeat the previous file. */
static long dl_file_index(struct dwarf_lines *l, const char *name)
{
	for (size_t i = l->nr_files; i-- > 0;)
		if (!strcmp(l->files[i], name))
			return (long)i;
	if (AO_GROW(NULL, l->files, l->cap_files, l->nr_files + 1, 256))
		return -1;
	l->files[l->nr_files] = strdup(name);
	if (!l->files[l->nr_files])
		return -1;
	return (long)l->nr_files++;
}

struct dl_row {
	Dwarf_Addr addr;
	Dwarf_Unsigned line;
	Dwarf_Bool end;
	char *src;
};

static int dl_row_read(Dwarf_Debug dbg, Dwarf_Line ln, struct dl_row *r)
{
	Dwarf_Error e = NULL;

	r->src = NULL;
	if (dwarf_lineaddr(ln, &r->addr, &e) != DW_DLV_OK ||
	    dwarf_lineno(ln, &r->line, &e) != DW_DLV_OK ||
	    dwarf_lineendsequence(ln, &r->end, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(dbg, e, DW_DLA_ERROR);
		return -1;
	}
	if (!r->end && dwarf_linesrc(ln, &r->src, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(dbg, e, DW_DLA_ERROR);
		r->src = NULL;   /* a row without a file name still ends the previous range */
	}
	return 0;
}

/* Close the range opened by prev at the address of cur. */
static int dl_add_range(struct dwarf_lines *l, const struct dwarf_obj *d, const struct dl_row *prev,
			long file, Dwarf_Addr end)
{
	struct objsec *sec;
	uint64_t off;
	struct line_range *r;

	if (end <= prev->addr || file < 0 || !dwarf_obj_locate(d, prev->addr, &sec, &off))
		return 0;
	if (AO_GROW(NULL, l->ranges, l->cap, l->nr + 1, 256))
		return -1;
	r = &l->ranges[l->nr++];
	r->sec = sec;
	r->lo = off;
	r->hi = off + (end - prev->addr);
	r->line = (uint32_t)prev->line;
	r->file = (uint32_t)file;
	return 0;
}

static int dl_read_table(struct dwarf_lines *l, const struct dwarf_obj *d, Dwarf_Line *lines,
			 Dwarf_Signed count)
{
	Dwarf_Debug dbg = dwarf_obj_debug(d);
	struct dl_row prev = { 0 };
	bool open = false;
	long file = -1;
	int ret = 0;

	for (Dwarf_Signed i = 0; i < count && !ret; i++) {
		struct dl_row cur;

		if (dl_row_read(dbg, lines[i], &cur))
			continue;
		if (open)
			ret = dl_add_range(l, d, &prev, file, cur.addr);
		open = !cur.end;
		if (cur.src) {
			file = dl_file_index(l, cur.src);
			dwarf_dealloc(dbg, cur.src, DW_DLA_STRING);
			if (file < 0)
				ret = -1;
		}
		prev = cur;
	}
	return ret;
}

static int dl_read_cu(struct dwarf_lines *l, struct objfile *f, const struct dwarf_obj *d,
		      struct ao_error *err)
{
	Dwarf_Debug dbg = dwarf_obj_debug(d);
	Dwarf_Line_Context ctx = NULL;
	Dwarf_Unsigned version;
	Dwarf_Small tables;
	Dwarf_Line *lines;
	Dwarf_Signed count;
	Dwarf_Error e = NULL;
	Dwarf_Die die = NULL;
	bool oom = false;
	int ret;

	ret = dwarf_siblingof_b(dbg, NULL, true, &die, &e);
	if (ret == DW_DLV_ERROR)
		return dwarf_obj_fail(d, e, err, "compilation unit");
	if (ret == DW_DLV_NO_ENTRY)
		return 0;
	ret = dwarf_srclines_b(die, &version, &tables, &ctx, &e);
	if (ret == DW_DLV_OK) {
		ret = dwarf_srclines_from_linecontext(ctx, &lines, &count, &e);
		oom = ret == DW_DLV_OK && dl_read_table(l, d, lines, count);
		dwarf_srclines_dealloc_b(ctx);
	}
	dwarf_dealloc(dbg, die, DW_DLA_DIE);
	if (ret == DW_DLV_ERROR)
		return dwarf_obj_fail(d, e, err, "line table");
	if (oom)
		return objf_fail(f, err, NULL, 0, "out of memory reading lines");
	return 0;
}

static int dl_range_cmp(const void *a, const void *b)
{
	const struct line_range *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec->index < y->sec->index ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int dl_read_all(struct dwarf_lines *l, struct objfile *f, const struct dwarf_obj *d,
		       struct ao_error *err)
{
	Dwarf_Debug dbg = dwarf_obj_debug(d);

	for (;;) {
		Dwarf_Unsigned len, toff, next;
		Dwarf_Half ver, asz, lsz, esz, type;
		Dwarf_Off abbrev;
		Dwarf_Sig8 sig;
		Dwarf_Error e = NULL;
		int ret = dwarf_next_cu_header_d(dbg, true, &len, &ver, &abbrev, &asz, &lsz, &esz,
						 &sig, &toff, &next, &type, &e);

		if (ret == DW_DLV_NO_ENTRY)
			return 0;
		if (ret != DW_DLV_OK)
			return dwarf_obj_fail(d, e, err, "compilation unit header");
		if (dl_read_cu(l, f, d, err))
			return -1;
	}
}

int dwarf_lines_load(struct objfile *f, struct dwarf_lines **out, struct ao_error *err)
{
	struct dwarf_obj *d;
	struct dwarf_lines *l;
	int ret = dwarf_obj_open(f, &d, err);

	*out = NULL;
	if (ret)
		return ret < 0 ? -1 : 0;
	l = calloc(1, sizeof(*l));
	if (!l) {
		dwarf_obj_close(d);
		return objf_fail(f, err, NULL, 0, "out of memory reading lines");
	}
	ret = dl_read_all(l, f, d, err);
	dwarf_obj_close(d);
	if (ret || !l->nr) {
		dwarf_lines_free(l);
		return ret;
	}
	qsort(l->ranges, l->nr, sizeof(*l->ranges), dl_range_cmp);
	*out = l;
	return 0;
}

void dwarf_lines_free(struct dwarf_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr_files; i++)
		free(l->files[i]);
	free(l->files);
	free(l->ranges);
	free(l);
}

bool dwarf_lines_find(const struct dwarf_lines *l, const struct objsec *sec, uint64_t off,
		      const char **file, unsigned *line)
{
	struct line_range key = { .sec = (struct objsec *)sec, .lo = off };
	size_t lo = 0, hi;

	if (!l || !sec)
		return false;
	/* Greatest range starting at or before off in sec. */
	hi = l->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dl_range_cmp(&l->ranges[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || l->ranges[lo - 1].sec != sec || off >= l->ranges[lo - 1].hi)
		return false;
	*file = l->files[l->ranges[lo - 1].file];
	*line = l->ranges[lo - 1].line;
	return true;
}
