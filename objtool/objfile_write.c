// SPDX-License-Identifier: GPL-2.0
/*
 * objfile: writing side of the ELF layer (see objf_write() in
 * include/objfile.h).
 *
 * The original is never opened for writing.  We copy it to a temporary
 * file in the same directory (so rename(2) stays within one filesystem and
 * is atomic), edit the copy through libelf, flush it to disk and only then
 * rename it over the original.  Any failure before the rename unlinks the
 * copy, so the original stays byte for byte what it was.
 *
 * Relocations of new sections refer to the target section's STT_SECTION
 * symbol.  When the assembler left one out (binutils 2.36+ omits unused
 * ones) we add it; being local it must precede the globals, so the first
 * global moves to the end of the table and every reference to it is
 * renumbered.  Requested new symbols (objf_write_edits) go the same way
 * when local and are appended when global.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objfile.h"
#include "objfile_priv.h"

/* Everything one write needs; freed in one place whatever the outcome. */
struct objw {
	struct objfile *f;
	struct ao_error *err;
	char tmp_path[PATH_MAX];
	int fd;
	Elf *elf;

	/* Buffers handed to libelf as Elf_Data; must outlive elf_update(). */
	void **bufs;
	size_t nr_bufs;

	/* Symbol renumbering: final index of every original symbol. */
	size_t *sym_map;
	size_t nr_syms;          /* after insertions */
	bool syms_moved;

	/* STT_SECTION symbol (final index) for each section index; 0 = none yet. */
	size_t *sec_sym;

	size_t shstrtab_size;
	size_t strtab_size;      /* of the symbol name table, as it grows */
};

/*
 * The symbol table while symbols are inserted: original entries are edited
 * in place, everything past them lives in one appended block.  tail_owner
 * names the original symbol now sitting in a tail slot (SIZE_MAX: a new one).
 */
struct symtab_edit {
	Elf64_Sym *old, *tail;
	Elf32_Word *xold, *xtail;    /* extended section indexes, when the file has them */
	size_t nr_old, nr_tail, cap_tail;
	size_t *tail_owner;
	size_t first_global;
};

/* ---- small helpers ----------------------------------------------------------- */

static int w_io_fail(struct objw *w, const char *what)
{
	return ao_fail(w->err, AO_ERR_IO, "%s: %s: %s", w->f->path, what, strerror(errno));
}

static int w_elf_fail(struct objw *w, const char *what)
{
	return ao_fail(w->err, AO_ERR_FORMAT, "%s: writing: %s: %s", w->f->path, what,
		       elf_errmsg(-1));
}

/* Allocate a buffer that libelf will reference until the write is over. */
static void *w_alloc(struct objw *w, size_t n, size_t size)
{
	void **bufs = ao_reallocarray(w->err, w->bufs, w->nr_bufs + 1, sizeof(*bufs));
	void *p;

	if (!bufs)
		return NULL;
	w->bufs = bufs;
	p = ao_calloc(w->err, n, size);
	if (p)
		w->bufs[w->nr_bufs++] = p;
	return p;
}

/* Append a data block to a section; libelf lays it out after the others. */
static Elf_Data *w_add_data(struct objw *w, Elf_Scn *scn, void *buf, size_t size,
			    Elf_Type type, size_t align)
{
	Elf_Data *d;

	/*
	 * libelf wants the existing data of an old section read before more
	 * is appended; on a new section elf_getdata() would add an empty,
	 * versionless block that elf_update() then rejects.
	 */
	if (elf_ndxscn(scn) < w->f->nr_secs && !elf_getdata(scn, NULL) && elf_errno() != 0) {
		ao_fail(w->err, AO_ERR_FORMAT, "%s: writing: reading section data: %s",
			w->f->path, elf_errmsg(elf_errno()));
		return NULL;
	}
	d = elf_newdata(scn);
	if (!d) {
		w_elf_fail(w, "adding section data");
		return NULL;
	}
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = type;
	d->d_align = align;
	d->d_version = EV_CURRENT;
	return d;
}

/* ---- checks done before touching the disk ------------------------------------ */

static int check_request(struct objw *w, const struct objf_new_sec *secs, size_t nr_secs)
{
	struct objfile *f = w->f;

	for (size_t i = 0; i < nr_secs; i++) {
		const struct objf_new_sec *ns = &secs[i];

		if (!ns->name || !ns->name[0])
			return ao_fail(w->err, AO_ERR_USAGE, "%s: new section %zu has no name",
				       f->path, i);
		if (ns->size && !ns->data && ns->type != SHT_NOBITS)
			return ao_fail(w->err, AO_ERR_USAGE, "%s: new section %s has no data",
				       f->path, ns->name);
		for (size_t j = 0; j < ns->nr_rels; j++) {
			const struct objf_new_rel *r = &ns->rels[j];

			if (!r->target || r->target->file != f || r->target->index == 0)
				return ao_fail(w->err, AO_ERR_USAGE,
					       "%s: %s+0x%" PRIx64 ": relocation target is not a section of this file",
					       f->path, ns->name, r->offset);
			if (r->offset >= ns->size)
				return ao_fail(w->err, AO_ERR_USAGE,
					       "%s: %s+0x%" PRIx64 ": relocation beyond the section (0x%zx bytes)",
					       f->path, ns->name, r->offset, ns->size);
		}
	}
	return 0;
}

static int check_sym_rels(struct objw *w, const struct objf_edits *e)
{
	struct objfile *f = w->f;

	for (size_t i = 0; i < e->nr_sym_rels; i++) {
		const struct objf_sym_rel *r = &e->sym_rels[i];
		const struct objf_new_sec *ns = NULL;

		for (size_t j = 0; r->sec_name && j < e->nr_secs && !ns; j++)
			if (!strcmp(e->secs[j].name, r->sec_name))
				ns = &e->secs[j];
		if (!ns)
			return ao_fail(w->err, AO_ERR_USAGE, "%s: symbol relocation %zu: no new section '%s'",
				       f->path, i, r->sec_name ? r->sec_name : "(null)");
		if (!r->sym || r->sym->index >= f->nr_syms || &f->syms[r->sym->index] != r->sym)
			return ao_fail(w->err, AO_ERR_USAGE,
				       "%s: %s+0x%" PRIx64 ": relocation symbol is not one of this file",
				       f->path, ns->name, r->offset);
		if (r->offset >= ns->size)
			return ao_fail(w->err, AO_ERR_USAGE,
				       "%s: %s+0x%" PRIx64 ": relocation beyond the section (0x%zx bytes)",
				       f->path, ns->name, r->offset, ns->size);
	}
	return 0;
}

/* ---- temporary copy ------------------------------------------------------------ */

static int copy_to_temp(struct objw *w)
{
	struct objfile *f = w->f;
	const char *slash = strrchr(f->path, '/');
	int dir_len = slash ? (int)(slash - f->path + 1) : 0;
	const char *base = slash ? slash + 1 : f->path;
	struct stat st;
	char buf[1 << 16];
	off_t pos = 0;

	if (snprintf(w->tmp_path, sizeof(w->tmp_path), "%.*s.%s.XXXXXX", dir_len, f->path, base) >=
	    (int)sizeof(w->tmp_path))
		return ao_fail(w->err, AO_ERR_IO, "%s: path too long", f->path);
	w->fd = mkstemp(w->tmp_path);
	if (w->fd < 0) {
		w->tmp_path[0] = '\0';
		return w_io_fail(w, "creating a temporary file");
	}
	/* Same permissions as the original; mkstemp made it 0600. */
	if (fstat(f->fd, &st) || fchmod(w->fd, st.st_mode & 07777))
		return w_io_fail(w, "copying permissions");
	for (;;) {
		ssize_t n = pread(f->fd, buf, sizeof(buf), pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return w_io_fail(w, "reading");
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t m = write(w->fd, buf + done, n - done);

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0)
				return w_io_fail(w, "writing the temporary file");
			done += m;
		}
		pos += n;
	}
	w->elf = elf_begin(w->fd, ELF_C_RDWR, NULL);
	if (!w->elf)
		return w_elf_fail(w, "reopening the copy");
	/*
	 * libelf (0.188) loses track of existing section headers read after
	 * elf_newscn() on an ELF_C_RDWR handle; read them all now.
	 */
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(w->elf, scn));) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return w_elf_fail(w, "reading section headers of the copy");
	}
	return 0;
}

/* ---- byte patches ------------------------------------------------------------- */

static int apply_patches(struct objw *w, const struct objf_patch *patches, size_t nr)
{
	struct objfile *f = w->f;

	for (size_t i = 0; i < nr; i++) {
		const struct objf_patch *p = &patches[i];
		Elf_Scn *scn;
		Elf_Data *d;

		if (!p->sec || p->sec->file != f || p->sec->index == 0)
			return ao_fail(w->err, AO_ERR_USAGE, "%s: patch %zu: not a section of this file",
				       f->path, i);
		scn = elf_getscn(w->elf, p->sec->index);
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d || !d->d_buf || p->offset > d->d_size || p->len > d->d_size - p->offset)
			return objf_fail(f, w->err, p->sec, p->offset,
					 "patch of %zu bytes does not fit in the section", p->len);
		memcpy((uint8_t *)d->d_buf + p->offset, p->bytes, p->len);
		if (!elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY))
			return w_elf_fail(w, "marking patched data");
	}
	return 0;
}

/* ---- section symbols ------------------------------------------------------------ */

/* Record the section symbols that already exist. */
static int find_sec_syms(struct objw *w)
{
	struct objfile *f = w->f;

	w->sec_sym = ao_calloc(w->err, f->nr_secs, sizeof(*w->sec_sym));
	w->sym_map = ao_calloc(w->err, f->nr_syms, sizeof(*w->sym_map));
	if (!w->sec_sym || !w->sym_map)
		return -1;
	for (size_t i = 0; i < f->nr_syms; i++) {
		const struct objsym *sym = &f->syms[i];

		w->sym_map[i] = i;
		if (sym->type == STT_SECTION && sym->sec && !w->sec_sym[sym->sec->index] &&
		    sym->bind == STB_LOCAL)
			w->sec_sym[sym->sec->index] = i;
	}
	w->nr_syms = f->nr_syms;
	return 0;
}

/* Sections that new relocations point at but that lack a section symbol. */
static size_t count_missing(struct objw *w, const struct objf_new_sec *secs, size_t nr_secs,
			    bool *missing)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_secs; i++)
		for (size_t j = 0; j < secs[i].nr_rels; j++) {
			size_t idx;

			idx = secs[i].rels[j].target->index;
			if (!w->sec_sym[idx] && !missing[idx]) {
				missing[idx] = true;
				n++;
			}
		}
	return n;
}

static Elf_Data *symtab_data(struct objw *w, Elf_Scn **scn)
{
	*scn = elf_getscn(w->elf, w->f->symtab->index);
	return *scn ? elf_getdata(*scn, NULL) : NULL;
}

/* The extended index table of the copy, if the file has one. */
static Elf_Scn *find_shndx_scn(struct objw *w)
{
	for (size_t i = 1; i < w->f->nr_secs; i++)
		if (w->f->secs[i].shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    w->f->secs[i].shdr.sh_link == w->f->symtab->index)
			return elf_getscn(w->elf, i);
	return NULL;
}

static Elf64_Sym *st_slot(struct symtab_edit *t, size_t pos)
{
	return pos < t->nr_old ? &t->old[pos] : &t->tail[pos - t->nr_old];
}

static Elf32_Word *st_xslot(struct symtab_edit *t, size_t pos)
{
	if (!t->xold)
		return NULL;
	return pos < t->nr_old ? &t->xold[pos] : &t->xtail[pos - t->nr_old];
}

/* Fill a symbol entry's section index, through the extended table when needed. */
static int st_set_shndx(struct objw *w, struct symtab_edit *t, Elf64_Sym *sym, size_t pos,
			size_t idx)
{
	Elf32_Word *x = st_xslot(t, pos);

	if (idx >= SHN_LORESERVE && !x)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED,
			       "%s: section %zu needs an extended index table the file lacks",
			       w->f->path, idx);
	sym->st_shndx = idx < SHN_LORESERVE ? (Elf64_Half)idx : SHN_XINDEX;
	if (x)
		*x = idx < SHN_LORESERVE ? 0 : (Elf32_Word)idx;
	return 0;
}

/*
 * Insert a local symbol at the first global's slot; that global moves to
 * the end (whether it is still in the original table or was moved before),
 * and its references are renumbered later.  Returns the new symbol's index.
 */
static size_t st_insert_local(struct objw *w, struct symtab_edit *t)
{
	size_t pos = t->first_global, end = t->nr_old + t->nr_tail;

	if (pos < end) {
		size_t owner = pos < t->nr_old ? pos : t->tail_owner[pos - t->nr_old];
		Elf32_Word *x = st_xslot(t, pos);

		t->tail[t->nr_tail] = *st_slot(t, pos);
		if (x)
			t->xtail[t->nr_tail] = *x;
		t->tail_owner[t->nr_tail] = owner;
		if (owner != SIZE_MAX) {
			w->sym_map[owner] = end;
			w->syms_moved = true;
		}
	}
	t->nr_tail++;
	if (pos >= t->nr_old)
		t->tail_owner[pos - t->nr_old] = SIZE_MAX;
	memset(st_slot(t, pos), 0, sizeof(Elf64_Sym));
	t->first_global++;
	return pos;
}

static size_t st_append_global(struct symtab_edit *t)
{
	size_t pos = t->nr_old + t->nr_tail;

	t->tail_owner[t->nr_tail++] = SIZE_MAX;
	memset(st_slot(t, pos), 0, sizeof(Elf64_Sym));
	return pos;
}

/* Append a symbol name to the symbol string table; its offset goes to *off. */
static int add_sym_name(struct objw *w, const char *name, Elf64_Word *off)
{
	size_t strndx = w->f->symtab->shdr.sh_link, len = strlen(name) + 1;
	Elf_Scn *scn = elf_getscn(w->elf, strndx);
	char *buf = w_alloc(w, len, 1);

	if (!buf)
		return -1;
	memcpy(buf, name, len);
	if (!scn || !w_add_data(w, scn, buf, len, ELF_T_BYTE, 1))
		return w_elf_fail(w, "extending the symbol name table");
	if (w->strtab_size > UINT32_MAX)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED, "%s: symbol name table too large",
			       w->f->path);
	*off = (Elf64_Word)w->strtab_size;
	w->strtab_size += len;
	return 0;
}

static int add_one_sym(struct objw *w, struct symtab_edit *t, const struct objf_new_sym *ns)
{
	bool local = GELF_ST_BIND(ns->info) == STB_LOCAL;
	size_t pos = local ? st_insert_local(w, t) : st_append_global(t);
	Elf64_Sym *sym = st_slot(t, pos);

	if (!ns->sec || ns->sec->file != w->f || ns->sec->index == 0)
		return ao_fail(w->err, AO_ERR_USAGE, "%s: new symbol %s: not in a section of this file",
			       w->f->path, ns->name ? ns->name : "(null)");
	if (ns->name && ns->name[0] && add_sym_name(w, ns->name, &sym->st_name))
		return -1;
	sym->st_info = ns->info;
	sym->st_other = ns->other;
	sym->st_value = ns->value;
	sym->st_size = ns->size;
	return st_set_shndx(w, t, sym, pos, ns->sec->index);
}

static int open_symtab_edit(struct objw *w, struct symtab_edit *t, size_t nr_new,
			    Elf_Scn **scn, Elf_Data **d, Elf_Scn **xscn, Elf_Data **xd)
{
	struct objfile *f = w->f;

	*xscn = find_shndx_scn(w);
	*d = symtab_data(w, scn);
	*xd = NULL;
	if (!*d || (*d)->d_size != f->nr_syms * sizeof(Elf64_Sym))
		return w_elf_fail(w, "reading the symbol table");
	if (*xscn) {
		*xd = elf_getdata(*xscn, NULL);
		if (!*xd || (*xd)->d_size < f->nr_syms * sizeof(Elf32_Word))
			return w_elf_fail(w, "reading the extended index table");
		t->xold = (*xd)->d_buf;
	}
	t->old = (*d)->d_buf;
	t->nr_old = f->nr_syms;
	t->cap_tail = nr_new;
	t->first_global = f->first_global;
	t->tail = w_alloc(w, nr_new, sizeof(*t->tail));
	t->tail_owner = w_alloc(w, nr_new, sizeof(*t->tail_owner));
	if (!t->tail || !t->tail_owner || (*xd && !(t->xtail = w_alloc(w, nr_new, sizeof(*t->xtail)))))
		return -1;
	return 0;
}

/*
 * Add the missing section symbols and the requested new symbols: locals
 * first (each displacing the current first global to the end), then the
 * globals appended.  The globals' relative order changes, which ELF allows.
 */
static int add_symbols(struct objw *w, const bool *missing, size_t nr_missing,
		       const struct objf_new_sym *syms, size_t nr_syms)
{
	struct objfile *f = w->f;
	struct symtab_edit t = { 0 };
	Elf_Scn *scn, *xscn;
	Elf_Data *d, *xd;
	GElf_Shdr sh;

	if (open_symtab_edit(w, &t, nr_missing + nr_syms, &scn, &d, &xscn, &xd))
		return -1;
	if (!gelf_getshdr(scn, &sh))
		return w_elf_fail(w, "reading the symbol table header");
	w->strtab_size = f->secs[f->symtab->shdr.sh_link].shdr.sh_size;
	for (size_t idx = 1; idx < f->nr_secs; idx++) {
		size_t pos;
		Elf64_Sym *sym;

		if (!missing[idx])
			continue;
		pos = st_insert_local(w, &t);
		sym = st_slot(&t, pos);
		sym->st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
		if (st_set_shndx(w, &t, sym, pos, idx))
			return -1;
		w->sec_sym[idx] = pos;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nr_syms; i++)
			if ((GELF_ST_BIND(syms[i].info) == STB_LOCAL) == (pass == 0) &&
			    add_one_sym(w, &t, &syms[i]))
				return -1;
	w->nr_syms = t.nr_old + t.nr_tail;
	if (!w_add_data(w, scn, t.tail, t.nr_tail * sizeof(*t.tail), ELF_T_SYM, 8) ||
	    (xd && !w_add_data(w, xscn, t.xtail, t.nr_tail * sizeof(*t.xtail), ELF_T_WORD, 4)))
		return -1;
	sh.sh_info = (GElf_Word)t.first_global;
	if (!gelf_update_shdr(scn, &sh) || !elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY) ||
	    (xd && !elf_flagdata(xd, ELF_C_SET, ELF_F_DIRTY)))
		return w_elf_fail(w, "updating the symbol table");
	return 0;
}

/* Rewrite every symbol reference of the copy after globals moved. */
static int renumber_refs(struct objw *w)
{
	struct objfile *f = w->f;

	for (size_t i = 1; i < f->nr_secs; i++) {
		const struct objsec *sec = &f->secs[i];
		Elf_Scn *scn = elf_getscn(w->elf, i);
		Elf_Data *d;
		bool dirty = false;

		if (sec->shdr.sh_type == SHT_GROUP && sec->shdr.sh_link == f->symtab->index) {
			GElf_Shdr sh;

			/* A group's signature symbol is named by sh_info. */
			if (!scn || !gelf_getshdr(scn, &sh))
				return w_elf_fail(w, "reading a group header");
			if (sh.sh_info < f->nr_syms && w->sym_map[sh.sh_info] != sh.sh_info) {
				sh.sh_info = w->sym_map[sh.sh_info];
				if (!gelf_update_shdr(scn, &sh))
					return w_elf_fail(w, "updating a group header");
			}
			continue;
		}
		if (sec->shdr.sh_type == SHT_REL)
			return objf_fail(f, w->err, sec, 0, "SHT_REL sections are not supported");
		if (sec->shdr.sh_type != SHT_RELA)
			continue;
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d && sec->shdr.sh_size)
			return w_elf_fail(w, "reading relocations");
		for (size_t j = 0; d && j < d->d_size / sizeof(Elf64_Rela); j++) {
			Elf64_Rela *r = (Elf64_Rela *)d->d_buf + j;
			size_t s = ELF64_R_SYM(r->r_info);

			if (s < f->nr_syms && w->sym_map[s] != s) {
				r->r_info = ELF64_R_INFO(w->sym_map[s], ELF64_R_TYPE(r->r_info));
				dirty = true;
			}
		}
		if (dirty && !elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY))
			return w_elf_fail(w, "marking relocations");
	}
	return 0;
}

static int prepare_symbols(struct objw *w, const struct objf_edits *e)
{
	bool *missing;
	size_t n;
	int ret = 0;

	if (find_sec_syms(w))
		return -1;
	missing = ao_calloc(w->err, w->f->nr_secs, sizeof(*missing));
	if (!missing)
		return -1;
	n = count_missing(w, e->secs, e->nr_secs, missing);
	if (n || e->nr_syms)
		ret = add_symbols(w, missing, n, e->syms, e->nr_syms);
	free(missing);
	if (!ret && w->syms_moved)
		ret = renumber_refs(w);
	return ret;
}

/* ---- relocation type changes ------------------------------------------------------ */

static int cmp_rel_type(const void *a, const void *b)
{
	const struct objf_rel_type *x = *(const struct objf_rel_type *const *)a;
	const struct objf_rel_type *y = *(const struct objf_rel_type *const *)b;

	if (x->sec->index != y->sec->index)
		return x->sec->index < y->sec->index ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Change the type of the first relocation at each requested offset; one scan per table. */
static int retype_in_table(struct objw *w, const struct objf_rel_type **req, size_t nr)
{
	struct objsec *base = req[0]->sec;
	Elf_Scn *scn = base->rela ? elf_getscn(w->elf, base->rela->index) : NULL;
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	bool *done = ao_calloc(w->err, nr, sizeof(*done));
	size_t nr_done = 0;

	if (!done)
		return -1;
	for (size_t j = 0; d && j < d->d_size / sizeof(Elf64_Rela); j++) {
		Elf64_Rela *r = (Elf64_Rela *)d->d_buf + j;
		size_t lo = 0, hi = nr;

		while (lo < hi) {   /* first request at or after r_offset */
			size_t mid = (lo + hi) / 2;

			if (req[mid]->offset < r->r_offset)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nr && req[lo]->offset == r->r_offset; lo++)
			if (!done[lo]) {
				r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), req[lo]->type);
				done[lo] = true;
				nr_done++;
				break;
			}
	}
	for (size_t i = 0; i < nr && nr_done < nr; i++)
		if (!done[i]) {
			free(done);
			return objf_fail(w->f, w->err, base, req[i]->offset,
					 "no relocation here to change the type of");
		}
	free(done);
	if (!elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY))
		return w_elf_fail(w, "marking relocations");
	return 0;
}

static int apply_rel_types(struct objw *w, const struct objf_rel_type *rt, size_t nr)
{
	const struct objf_rel_type **req;
	int ret = 0;

	if (!nr)
		return 0;
	for (size_t i = 0; i < nr; i++)
		if (!rt[i].sec || rt[i].sec->file != w->f || rt[i].sec->index == 0)
			return ao_fail(w->err, AO_ERR_USAGE,
				       "%s: relocation type change %zu: not a section of this file",
				       w->f->path, i);
	req = ao_calloc(w->err, nr, sizeof(*req));
	if (!req)
		return -1;
	for (size_t i = 0; i < nr; i++)
		req[i] = &rt[i];
	qsort(req, nr, sizeof(*req), cmp_rel_type);
	for (size_t i = 0, j; !ret && i < nr; i = j) {
		for (j = i + 1; j < nr && req[j]->sec == req[i]->sec; j++)
			;
		ret = retype_in_table(w, req + i, j - i);
	}
	free(req);
	return ret;
}

/* ---- new sections ----------------------------------------------------------------- */

/* Append name to .shstrtab and return its offset there. */
static int add_name(struct objw *w, const char *prefix, const char *name, GElf_Word *off)
{
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *buf = w_alloc(w, len, 1);
	Elf_Scn *scn = elf_getscn(w->elf, w->f->shstrndx);

	if (!buf)
		return -1;
	snprintf(buf, len, "%s%s", prefix, name);
	if (!scn || !w_add_data(w, scn, buf, len, ELF_T_BYTE, 1))
		return w_elf_fail(w, "extending the section name table");
	if (w->shstrtab_size > UINT32_MAX)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED, "%s: section name table too large",
			       w->f->path);
	*off = (GElf_Word)w->shstrtab_size;
	w->shstrtab_size += len;
	return 0;
}

static Elf_Scn *new_scn(struct objw *w, const char *prefix, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = elf_newscn(w->elf);

	if (!scn) {
		w_elf_fail(w, "adding a section");
		return NULL;
	}
	if (add_name(w, prefix, name, &sh->sh_name))
		return NULL;
	if (!gelf_update_shdr(scn, sh)) {
		w_elf_fail(w, "writing a section header");
		return NULL;
	}
	return scn;
}

static int cmp_rela_offset(const void *a, const void *b)
{
	const Elf64_Rela *x = a, *y = b;

	return x->r_offset < y->r_offset ? -1 : x->r_offset > y->r_offset;
}

static size_t count_sym_rels(const struct objf_edits *e, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nr_sym_rels; i++)
		n += !strcmp(e->sym_rels[i].sec_name, name);
	return n;
}

/* The relocation table of new section ns: its own rels, then its symbol rels, by offset. */
static int add_rela_sec(struct objw *w, const struct objf_new_sec *ns, size_t nr_sym_rels,
			const struct objf_edits *e, size_t base_index)
{
	size_t n = ns->nr_rels + nr_sym_rels, k = 0;
	Elf64_Rela *rels = w_alloc(w, n, sizeof(*rels));
	GElf_Shdr sh = {
		.sh_type = SHT_RELA,
		.sh_flags = SHF_INFO_LINK,
		.sh_link = (GElf_Word)w->f->symtab->index,
		.sh_info = (GElf_Word)base_index,
		.sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Rela),
	};
	Elf_Scn *scn;

	if (!rels)
		return -1;
	for (size_t i = 0; i < ns->nr_rels; i++, k++) {
		const struct objf_new_rel *r = &ns->rels[i];

		rels[k].r_offset = r->offset;
		rels[k].r_info = ELF64_R_INFO(w->sec_sym[r->target->index], r->type);
		rels[k].r_addend = (Elf64_Sxword)r->target_offset;
	}
	for (size_t i = 0; nr_sym_rels && i < e->nr_sym_rels; i++) {
		const struct objf_sym_rel *r = &e->sym_rels[i];

		if (strcmp(r->sec_name, ns->name))
			continue;
		rels[k].r_offset = r->offset;
		rels[k].r_info = ELF64_R_INFO(w->sym_map[r->sym->index], r->type);
		rels[k].r_addend = r->addend;
		k++;
	}
	/* Entries in address order, as a table with two relocations per entry expects. */
	if (nr_sym_rels)
		qsort(rels, n, sizeof(*rels), cmp_rela_offset);
	scn = new_scn(w, ".rela", ns->name, &sh);
	if (!scn || !w_add_data(w, scn, rels, n * sizeof(*rels), ELF_T_RELA, 8))
		return -1;
	return 0;
}

static int add_sections(struct objw *w, const struct objf_edits *e)
{
	const struct objf_new_sec *secs = e->secs;
	size_t nr_secs = e->nr_secs;

	w->shstrtab_size = w->f->secs[w->f->shstrndx].shdr.sh_size;
	for (size_t i = 0; i < nr_secs; i++) {
		const struct objf_new_sec *ns = &secs[i];
		GElf_Shdr sh = {
			.sh_type = ns->type,
			.sh_flags = ns->flags,
			.sh_addralign = ns->align ? ns->align : 1,
			.sh_entsize = ns->entsize,
		};
		Elf_Scn *scn = new_scn(w, "", ns->name, &sh);
		void *buf = NULL;

		if (!scn)
			return -1;
		if (ns->size && ns->type != SHT_NOBITS) {
			buf = w_alloc(w, ns->size, 1);
			if (!buf)
				return -1;
			memcpy(buf, ns->data, ns->size);
		}
		if (!w_add_data(w, scn, buf, ns->size, ELF_T_BYTE, sh.sh_addralign))
			return -1;
		/* The relocation table follows its section, as objtool lays them out. */
		size_t nr_sym_rels = count_sym_rels(e, ns->name);

		if ((ns->nr_rels || nr_sym_rels) &&
		    add_rela_sec(w, ns, nr_sym_rels, e, elf_ndxscn(scn)))
			return -1;
	}
	return 0;
}

/* ---- commit ----------------------------------------------------------------------- */

static int finish(struct objw *w)
{
	/*
	 * libelf (0.188) writes the section header table straight from the array
	 * it read, with the new count, unless the Elf itself is dirty; when the
	 * new layout happens to keep e_shoff, nothing marks it so, and the added
	 * headers come from past that array (heap overflow, garbage headers;
	 * found by fuzzing).  Mark it dirty so the table is always rebuilt.
	 */
	if (!elf_flagelf(w->elf, ELF_C_SET, ELF_F_DIRTY))
		return w_elf_fail(w, "elf_flagelf");
	if (elf_update(w->elf, ELF_C_WRITE) < 0)
		return w_elf_fail(w, "elf_update");
	elf_end(w->elf);
	w->elf = NULL;
	if (fsync(w->fd))
		return w_io_fail(w, "fsync");
	if (close(w->fd)) {
		w->fd = -1;
		return w_io_fail(w, "close");
	}
	w->fd = -1;
	if (rename(w->tmp_path, w->f->path))
		return w_io_fail(w, "rename");
	w->tmp_path[0] = '\0';
	return 0;
}

static void cleanup(struct objw *w)
{
	if (w->elf)
		elf_end(w->elf);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path[0])
		unlink(w->tmp_path);
	for (size_t i = 0; i < w->nr_bufs; i++)
		free(w->bufs[i]);
	free(w->bufs);
	free(w->sym_map);
	free(w->sec_sym);
}

/* The staged edits followed by e's, in new arrays (freed by free_merged). */
static int merge_staged(struct objfile *f, const struct objf_edits *e, struct objf_edits *m,
			struct ao_error *err)
{
	const struct objf_edits *s = f->staged;

	*m = *e;
	if (!s)
		return 0;
#define MERGE(arr, nr)                                                                   \
	do {                                                                             \
		void *p = ao_calloc(err, s->nr + e->nr + 1, sizeof(*s->arr));            \
		if (!p)                                                                  \
			return -1;                                                       \
		if (s->nr)                                                               \
			memcpy(p, s->arr, s->nr * sizeof(*s->arr));                      \
		if (e->nr)                                                               \
			memcpy((char *)p + s->nr * sizeof(*s->arr), e->arr,              \
			       e->nr * sizeof(*e->arr));                                 \
		m->arr = p;                                                              \
		m->nr = s->nr + e->nr;                                                   \
	} while (0)
	MERGE(secs, nr_secs);
	MERGE(patches, nr_patches);
	MERGE(syms, nr_syms);
	MERGE(rel_types, nr_rel_types);
	MERGE(sym_rels, nr_sym_rels);
#undef MERGE
	return 0;
}

static void free_merged(struct objfile *f, const struct objf_edits *e, struct objf_edits *m)
{
	if (!f->staged)
		return;
	if (m->secs != e->secs)
		free((void *)m->secs);
	if (m->patches != e->patches)
		free((void *)m->patches);
	if (m->syms != e->syms)
		free((void *)m->syms);
	if (m->rel_types != e->rel_types)
		free((void *)m->rel_types);
	if (m->sym_rels != e->sym_rels)
		free((void *)m->sym_rels);
}

void objf_stage(struct objfile *f, const struct objf_edits *e)
{
	f->staged = e;
}

int objf_write_edits(struct objfile *f, const struct objf_edits *e, struct ao_error *err)
{
	struct objw w = { .f = f, .err = err ? err : &f->err, .fd = -1 };
	struct objf_edits m;
	int ret;

	ret = merge_staged(f, e, &m, w.err);
	if (!ret)
		ret = check_request(&w, m.secs, m.nr_secs);
	if (!ret)
		ret = check_sym_rels(&w, &m);
	if (!ret)
		ret = copy_to_temp(&w);
	if (!ret)
		ret = apply_patches(&w, m.patches, m.nr_patches);
	if (!ret)
		ret = apply_rel_types(&w, m.rel_types, m.nr_rel_types);
	if (!ret && (m.nr_secs || m.nr_syms))
		ret = prepare_symbols(&w, &m);
	if (!ret)
		ret = add_sections(&w, &m);
	if (!ret)
		ret = finish(&w);
	cleanup(&w);
	free_merged(f, e, &m);
	f->staged = NULL;   /* written or not, they belonged to this one attempt */
	return ret;
}

int objf_write(struct objfile *f, const struct objf_new_sec *secs, size_t nr_secs,
	       const struct objf_patch *patches, size_t nr_patches, struct ao_error *err)
{
	struct objf_edits e = { .secs = secs, .nr_secs = nr_secs, .patches = patches,
				.nr_patches = nr_patches };

	return objf_write_edits(f, &e, err);
}
