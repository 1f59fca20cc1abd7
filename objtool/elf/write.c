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
 * The copy comes from elf/copy.c, which starts its writeback as it goes.
 * altorc objtool has it made on a thread while the analysis runs
 * (objf_copy_start()); other writers get it made here, in the same way.
 * Either way, by the flush (libelf's msync of the whole mapping in
 * elf_update, then our fsync) most of the copy is already on disk and only
 * the pages edited since remain (6.12 vmlinux.o, 840 MB: msync 0.07 s,
 * where it took 0.4 to 1.2 s with the whole copy still to write).
 *
 * Most of a kernel object is DWARF we never change, so the copy is edited
 * in place: libelf maps it (ELF_C_RDWR_MMAP) and we do the layout
 * ourselves (ELF_F_LAYOUT).  A section whose size stays keeps its file
 * offset, and unless we read it (to patch or renumber it) its pages are
 * never touched.  Sections that grow (.symtab, .strtab, .shstrtab,
 * .symtab_shndx) and new ones go after everything that stays, then the
 * section header table.  libelf 0.188 cannot grow a mapped file (it calls
 * mremap without MREMAP_MAYMOVE, which fails whenever the next pages are
 * taken), so every size is planned from the request before the copy is
 * mapped, the copy is extended to its final size first, and the sizes
 * actually appended are checked against the plan before anything is
 * written.  (Plain ELF_C_RDWR is no cheaper: libelf then reads every
 * section into memory before writing, the whole file for a vmlinux.o, and
 * writes back every section it holds.)
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ao_grow.h"
#include "ao_threads.h"
#include "objfile.h"
#include "elf_priv.h"

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
	/*
	 * The original indexes [moved_lo, moved_hi] hold every symbol that
	 * moved (the first globals, a few): a relocation outside them keeps
	 * its symbol without a look at sym_map, which for a vmlinux.o is
	 * 1.6 MB read at random across 395 MB of relocations.
	 */
	size_t moved_lo, moved_hi;

	/* STT_SECTION symbol (final index) for each section index; 0 = none yet. */
	size_t *sec_sym;

	/* Sections without a STT_SECTION symbol that new relocations target. */
	bool *missing;
	size_t nr_missing;

	/* Layout, indexed by final section index (old ones, then the new). */
	struct w_sec *lay;
	size_t nr_final;
	uint64_t tail_start;     /* where moved and new sections begin */
	uint64_t shoff;          /* section header table */
	uint64_t file_size;
	off_t orig_size;
};

/*
 * One section of the output.  planned comes from the request before the
 * copy is opened; size counts what is appended while editing and must end
 * equal to it.  Existing sections start at their sh_size for both.
 */
struct w_sec {
	uint64_t planned;
	uint64_t size;
	uint64_t align;
	uint64_t offset;         /* final sh_offset */
	bool moves;              /* grows, or is new: placed after what stays */
	bool nobits;
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

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return align > 1 ? (v + align - 1) & ~(align - 1) : v;
}

/* Room for size bytes aligned to align at the end of a section of *end bytes. */
static uint64_t lay_append(uint64_t *end, uint64_t size, uint64_t align)
{
	uint64_t off = align_up(*end, align);

	*end = off + size;
	return off;
}

/*
 * Append a data block to a section, at the offset within it that the plan
 * (plan_grow) reserved: with ELF_F_LAYOUT, d_off is ours to set.
 */
static Elf_Data *w_add_data(struct objw *w, Elf_Scn *scn, void *buf, size_t size,
			    Elf_Type type, size_t align)
{
	size_t idx = elf_ndxscn(scn);
	Elf_Data *d;

	if (idx == 0 || idx >= w->nr_final) {
		ao_fail(w->err, AO_ERR_ANALYSIS, "%s: writing: section %zu was not planned",
			w->f->path, idx);
		return NULL;
	}

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
	d->d_off = (int64_t)lay_append(&w->lay[idx].size, size, align);
	return d;
}

/* ---- checks done before touching the disk ------------------------------------ */

/* A relocation of a new section must patch bytes inside it. */
static int check_rel_offset(struct objw *w, const struct objf_new_sec *ns, uint64_t offset)
{
	if (offset < ns->size)
		return 0;
	return ao_fail(w->err, AO_ERR_USAGE,
		       "%s: %s+0x%" PRIx64 ": relocation beyond the section (0x%zx bytes)",
		       w->f->path, ns->name, offset, ns->size);
}

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
			if (check_rel_offset(w, ns, r->offset))
				return -1;
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
		if (check_rel_offset(w, ns, r->offset))
			return -1;
	}
	return 0;
}

/* ---- temporary copy ------------------------------------------------------------ */

/* The copy (elf/copy.c), extended to the planned size and opened through libelf. */
static int copy_to_temp(struct objw *w)
{
	if (objf_copy_take(w->f, &w->fd, w->tmp_path, &w->orig_size, w->err))
		return -1;
	/*
	 * The final size now, with its blocks allocated: libelf maps the file
	 * once and cannot grow the mapping, and a full disk must be an error
	 * here rather than SIGBUS on a store into the mapping.  When the file
	 * ends up smaller (bytes after the old header table), elf_update
	 * truncates it.
	 */
	if ((uint64_t)w->orig_size < w->file_size) {
		int e = posix_fallocate(w->fd, w->orig_size, (off_t)(w->file_size - w->orig_size));

		if (e) {
			errno = e;
			return w_io_fail(w, "extending the temporary file");
		}
	}
	w->elf = elf_begin(w->fd, ELF_C_RDWR_MMAP, NULL);
	if (!w->elf)
		return w_elf_fail(w, "reopening the copy");
	/*
	 * libelf (0.188) loses track of existing section headers read after
	 * elf_newscn() on a read-write handle; read them all now.
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

/* Index of the extended index table of the symbol table; 0 when there is none. */
static size_t shndx_index(const struct objfile *f)
{
	for (size_t i = 1; i < f->nr_secs; i++)
		if (f->secs[i].shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    f->secs[i].shdr.sh_link == f->symtab->index)
			return i;
	return 0;
}

/* The extended index table of the copy, if the file has one. */
static Elf_Scn *find_shndx_scn(struct objw *w)
{
	size_t i = shndx_index(w->f);

	return i ? elf_getscn(w->elf, i) : NULL;
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
			if (!w->syms_moved || owner < w->moved_lo)
				w->moved_lo = owner;
			if (!w->syms_moved || owner > w->moved_hi)
				w->moved_hi = owner;
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

static bool has_name(const struct objf_new_sym *ns)
{
	return ns->name && ns->name[0];
}

/* add_symbols() adds the requested locals first (pass 0), then the globals (pass 1). */
static bool in_pass(const struct objf_new_sym *ns, int pass)
{
	return (GELF_ST_BIND(ns->info) == STB_LOCAL) == (pass == 0);
}

/*
 * The names of the new symbols, appended to the symbol string table as one
 * block in the order add_symbols() adds the symbols; *next gets the offset
 * of the first.  One block, not one per name: a 6.12 vmlinux.o gets some
 * 52,000 __pfx_ symbols, and libelf walks every block of a section.
 */
static int add_sym_names(struct objw *w, const struct objf_new_sym *syms, size_t nr,
			 Elf64_Word *next)
{
	size_t strndx = w->f->symtab->shdr.sh_link, total = 0, at = 0;
	Elf_Scn *scn;
	Elf_Data *d;
	char *buf;

	for (size_t i = 0; i < nr; i++)
		if (has_name(&syms[i]))
			total += strlen(syms[i].name) + 1;
	if (!total)
		return 0;
	buf = w_alloc(w, total, 1);
	if (!buf)
		return -1;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nr; i++)
			if (in_pass(&syms[i], pass) && has_name(&syms[i])) {
				size_t len = strlen(syms[i].name) + 1;

				memcpy(buf + at, syms[i].name, len);
				at += len;
			}
	scn = elf_getscn(w->elf, strndx);
	d = scn ? w_add_data(w, scn, buf, total, ELF_T_BYTE, 1) : NULL;
	if (!d)
		return w_elf_fail(w, "extending the symbol name table");
	if ((uint64_t)d->d_off + total > (uint64_t)UINT32_MAX + 1)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED, "%s: symbol name table too large",
			       w->f->path);
	*next = (Elf64_Word)d->d_off;
	return 0;
}

/* Add one requested symbol; its name is the next in add_sym_names()' block, at *next. */
static int add_one_sym(struct objw *w, struct symtab_edit *t, const struct objf_new_sym *ns,
		       Elf64_Word *next)
{
	bool local = GELF_ST_BIND(ns->info) == STB_LOCAL;
	size_t pos = local ? st_insert_local(w, t) : st_append_global(t);
	Elf64_Sym *sym = st_slot(t, pos);

	if (!ns->sec || ns->sec->file != w->f || ns->sec->index == 0)
		return ao_fail(w->err, AO_ERR_USAGE, "%s: new symbol %s: not in a section of this file",
			       w->f->path, ns->name ? ns->name : "(null)");
	if (has_name(ns)) {
		sym->st_name = *next;
		*next += (Elf64_Word)(strlen(ns->name) + 1);
	}
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
		/* Entries past the last symbol would put the new ones out of step. */
		(*xd)->d_size = f->nr_syms * sizeof(Elf32_Word);
		w->lay[elf_ndxscn(*xscn)].size = (*xd)->d_size;
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
	Elf64_Word next_name = 0;

	if (open_symtab_edit(w, &t, nr_missing + nr_syms, &scn, &d, &xscn, &xd))
		return -1;
	if (!gelf_getshdr(scn, &sh))
		return w_elf_fail(w, "reading the symbol table header");
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
	if (add_sym_names(w, syms, nr_syms, &next_name))
		return -1;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nr_syms; i++)
			if (in_pass(&syms[i], pass) && add_one_sym(w, &t, &syms[i], &next_name))
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

/*
 * Relocation tables are handed back in stretches of RELEASE_CHUNK bytes as
 * they are scanned; tables under RELEASE_MIN bytes are not worth a system
 * call each (a fuzzed object may have 65,000 of them).  Only where there is
 * much to scan (RELEASE_TOTAL_MIN: a whole kernel's 395 MB, not a module's
 * 20): the system calls cost a module more CPU than the memory is worth
 * (6.12 xfs.o: 4 ms, 3% of the run, for 7 MB of peak RSS).
 */
#define RELEASE_CHUNK ((size_t)1 << 20)
#define RELEASE_MIN ((size_t)64 << 10)
#define RELEASE_TOTAL_MIN ((size_t)64 << 20)

/*
 * Hand back the pages of bytes [from, to) of d once scanned.  Renumbering
 * reads every relocation table, DWARF's included (19 MB of
 * .rela.debug_info in xfs.o), through libelf's mapping of the copy;
 * without this all of it would stay in our resident set until the write
 * ends.  MADV_PAGEOUT is a hint that never changes contents: mapped file
 * pages leave our page tables (dirty ones stay in the page cache and reach
 * the disk with the file); kernels before 5.4 ignore it.  Only data libelf
 * maps in place qualifies (its address agrees with its file offset within
 * a page), and only whole pages unless the table ends there.
 */
static void release_scanned(const Elf_Data *d, uint64_t file_off, size_t from, size_t to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo, hi;

	if (page == (uintptr_t)-1 || page & (page - 1) ||
	    ((uintptr_t)d->d_buf & (page - 1)) != (file_off & (page - 1)))
		return;
	lo = ((uintptr_t)d->d_buf + from) & ~(page - 1);
	hi = (uintptr_t)d->d_buf + to;
	hi = to == d->d_size ? (hi + page - 1) & ~(page - 1) : hi & ~(page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_PAGEOUT);
}

/* Point n relocations at their symbols' new indexes; true when one changed. */
static bool renumber_stretch(const struct objw *w, Elf64_Rela *r, size_t n)
{
	const size_t lo = w->moved_lo, span = w->moved_hi - w->moved_lo;
	bool changed = false;

	for (size_t j = 0; j < n; j++) {
		size_t s = ELF64_R_SYM(r[j].r_info);

		/* unsigned: below lo wraps round to above span */
		if (s - lo <= span && w->sym_map[s] != s) {
			r[j].r_info = ELF64_R_INFO(w->sym_map[s], ELF64_R_TYPE(r[j].r_info));
			changed = true;
		}
	}
	return changed;
}

/*
 * Renumbering by stretches of RELEASE_CHUNK bytes, on threads when there is
 * much of it: a 6.12 vmlinux.o has 395 MB of relocations (340 MB of them
 * .rela.debug_info) to scan at the very end of the run, where nothing else
 * is left to do in parallel.  Each stretch is its own job, so the bytes
 * written do not depend on the thread count.
 */
#define RENUMBER_THREADS_MIN ((size_t)64 << 20)

struct renumber_job {
	Elf_Data *d;
	uint64_t file_off;       /* of the table, for release_scanned() */
	size_t from, to;         /* relocation indexes */
	bool release;            /* worth a system call, if js->bytes is large enough */
	bool changed;            /* set by the job */
};

struct renumber_jobs {
	const struct objw *w;
	struct renumber_job *v;
	size_t nr, cap;
	size_t bytes;
};

static void renumber_job(void *ctx, size_t i)
{
	struct renumber_jobs *js = ctx;
	struct renumber_job *j = &js->v[i];

	j->changed = renumber_stretch(js->w, (Elf64_Rela *)j->d->d_buf + j->from, j->to - j->from);
	if (j->release && js->bytes >= RELEASE_TOTAL_MIN)
		release_scanned(j->d, j->file_off, j->from * sizeof(Elf64_Rela),
				j->to * sizeof(Elf64_Rela));
}

/* Cut one relocation table into jobs. */
static int add_renumber_jobs(struct objw *w, struct renumber_jobs *js, Elf_Data *d,
			     uint64_t file_off)
{
	size_t n = d->d_size / sizeof(Elf64_Rela);

	for (size_t j = 0; j < n;) {
		size_t stop = j + RELEASE_CHUNK / sizeof(Elf64_Rela);
		struct renumber_job *job;

		if (stop > n)
			stop = n;
		if (AO_GROW(w->err, js->v, js->cap, js->nr + 1, 64))
			return -1;
		job = &js->v[js->nr++];
		*job = (struct renumber_job){ .d = d, .file_off = file_off, .from = j, .to = stop,
					      .release = stop < n || d->d_size >= RELEASE_MIN };
		j = stop;
	}
	js->bytes += d->d_size;
	return 0;
}

/* A group's signature symbol is named by sh_info. */
static int renumber_group(struct objw *w, Elf_Scn *scn)
{
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return w_elf_fail(w, "reading a group header");
	if (sh.sh_info < w->f->nr_syms && w->sym_map[sh.sh_info] != sh.sh_info) {
		sh.sh_info = w->sym_map[sh.sh_info];
		if (!gelf_update_shdr(scn, &sh))
			return w_elf_fail(w, "updating a group header");
	}
	return 0;
}

/* The relocation tables to scan, cut into jobs; group headers renumbered on the way. */
static int plan_renumber(struct objw *w, struct renumber_jobs *js)
{
	struct objfile *f = w->f;

	for (size_t i = 1; i < f->nr_secs; i++) {
		const struct objsec *sec = &f->secs[i];
		Elf_Scn *scn = elf_getscn(w->elf, i);
		Elf_Data *d;

		if (sec->shdr.sh_type == SHT_GROUP && sec->shdr.sh_link == f->symtab->index) {
			if (renumber_group(w, scn))
				return -1;
			continue;
		}
		if (sec->shdr.sh_type == SHT_REL)
			return objf_fail(f, w->err, sec, 0, "SHT_REL sections are not supported");
		if (sec->shdr.sh_type != SHT_RELA)
			continue;
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d && sec->shdr.sh_size)
			return w_elf_fail(w, "reading relocations");
		if (d && add_renumber_jobs(w, js, d, sec->shdr.sh_offset))
			return -1;
	}
	return 0;
}

/* Rewrite every symbol reference of the copy after globals moved. */
static int renumber_refs(struct objw *w)
{
	struct renumber_jobs js = { .w = w };
	int ret = plan_renumber(w, &js);

	if (!ret) {
		ao_run_jobs(ao_auto_threads(w->f->threads, js.bytes >= RENUMBER_THREADS_MIN), 0,
			    js.nr, renumber_job, &js);
		/* libelf flags are not for threads: marked here, table by table */
		for (size_t i = 0; !ret && i < js.nr; i++)
			if (js.v[i].changed && !elf_flagdata(js.v[i].d, ELF_C_SET, ELF_F_DIRTY))
				ret = w_elf_fail(w, "marking relocations");
	}
	free(js.v);
	return ret;
}

/* The section symbols and new symbols that plan_sizes() counted. */
static int prepare_symbols(struct objw *w, const struct objf_edits *e)
{
	int ret = 0;

	if (w->nr_missing || e->nr_syms)
		ret = add_symbols(w, w->missing, w->nr_missing, e->syms, e->nr_syms);
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
	Elf_Data *d;

	if (!buf)
		return -1;
	snprintf(buf, len, "%s%s", prefix, name);
	d = scn ? w_add_data(w, scn, buf, len, ELF_T_BYTE, 1) : NULL;
	if (!d)
		return w_elf_fail(w, "extending the section name table");
	if ((uint64_t)d->d_off > UINT32_MAX)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED, "%s: section name table too large",
			       w->f->path);
	*off = (GElf_Word)d->d_off;
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

	for (size_t i = 0; i < nr_secs; i++) {
		const struct objf_new_sec *ns = &secs[i];
		GElf_Shdr sh = {
			.sh_type = ns->type,
			.sh_flags = ns->flags,
			.sh_addralign = ns->align ? ns->align : 1,
			.sh_entsize = ns->entsize,
		};
		Elf_Scn *scn = new_scn(w, "", ns->name, &sh);
		/*
		 * The caller's bytes as they are: they outlive the write, and libelf
		 * only copies from a block of bytes in our own byte order.
		 */
		void *buf = ns->type != SHT_NOBITS ? (void *)ns->data : NULL;

		if (!scn)
			return -1;
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

/* ---- layout ----------------------------------------------------------------------- */

/* Reserve size bytes at the end of existing section idx, which therefore moves. */
static int plan_grow(struct objw *w, size_t idx, uint64_t size, uint64_t align)
{
	struct w_sec *s = &w->lay[idx];

	if (idx == 0 || idx >= w->f->nr_secs || s->nobits)
		return ao_fail(w->err, AO_ERR_UNSUPPORTED,
			       "%s: section %zu cannot take the new names or symbols", w->f->path, idx);
	s->moves = true;
	lay_append(&s->planned, size, align);
	if (align > s->align)
		s->align = align;
	return 0;
}

static int plan_new(struct objw *w, size_t *idx, const char *name, uint64_t size,
		    uint64_t align, bool nobits)
{
	struct w_sec *s = &w->lay[(*idx)++];

	/* The bound objfile.c puts on existing sections, for the same reason. */
	if (align & (align - 1) || align > ((uint64_t)2 << 20))
		return ao_fail(w->err, AO_ERR_USAGE,
			       "%s: new section %s: alignment 0x%" PRIx64 " is not a power of two up to 2 MiB",
			       w->f->path, name, align);
	s->planned = size;
	s->align = align;
	s->moves = true;
	s->nobits = nobits;
	return 0;
}

/*
 * Final size of every section, from the request alone: each step mirrors
 * one w_add_data() the edits below will make (add_symbols, add_sym_name,
 * add_name, add_sections, add_rela_sec), in the same sections.
 */
static int plan_sizes(struct objw *w, const struct objf_edits *e)
{
	struct objfile *f = w->f;
	size_t nr_new = 0, nr_syms, idx, x = shndx_index(f);

	for (size_t i = 0; i < e->nr_secs; i++)
		nr_new += 1 + (e->secs[i].nr_rels || count_sym_rels(e, e->secs[i].name));
	w->nr_final = f->nr_secs + nr_new;
	w->lay = ao_calloc(w->err, w->nr_final, sizeof(*w->lay));
	w->missing = ao_calloc(w->err, f->nr_secs, sizeof(*w->missing));
	if (!w->lay || !w->missing || find_sec_syms(w))
		return -1;
	for (size_t i = 1; i < f->nr_secs; i++) {
		const GElf_Shdr *sh = &f->secs[i].shdr;

		w->lay[i].planned = w->lay[i].size = sh->sh_size;
		w->lay[i].align = sh->sh_addralign ? sh->sh_addralign : 1;
		w->lay[i].nobits = sh->sh_type == SHT_NOBITS;
	}
	w->nr_missing = count_missing(w, e->secs, e->nr_secs, w->missing);
	nr_syms = w->nr_missing + e->nr_syms;
	if (nr_syms && plan_grow(w, f->symtab->index, nr_syms * sizeof(Elf64_Sym), 8))
		return -1;
	if (nr_syms && x) {
		w->lay[x].planned = f->nr_syms * sizeof(Elf32_Word);   /* see open_symtab_edit */
		if (plan_grow(w, x, nr_syms * sizeof(Elf32_Word), 4))
			return -1;
	}
	for (size_t i = 0; i < e->nr_syms; i++)
		if (e->syms[i].name && e->syms[i].name[0] &&
		    plan_grow(w, f->symtab->shdr.sh_link, strlen(e->syms[i].name) + 1, 1))
			return -1;
	idx = f->nr_secs;
	for (size_t i = 0; i < e->nr_secs; i++) {
		const struct objf_new_sec *ns = &e->secs[i];
		size_t nr_rels = ns->nr_rels + count_sym_rels(e, ns->name);

		if (plan_grow(w, f->shstrndx, strlen(ns->name) + 1, 1) ||
		    plan_new(w, &idx, ns->name, ns->size, ns->align ? ns->align : 1,
			     ns->type == SHT_NOBITS))
			return -1;
		if (nr_rels && (plan_grow(w, f->shstrndx, strlen(".rela") + strlen(ns->name) + 1, 1) ||
				plan_new(w, &idx, ns->name, nr_rels * sizeof(Elf64_Rela), 8, false)))
			return -1;
	}
	return 0;
}

/*
 * Sections that keep their size keep their offset.  The others follow the
 * end of the last of those, in section index order (grown ones first, as
 * their indexes are lower), each at its alignment; then the header table.
 */
static void plan_offsets(struct objw *w)
{
	struct objfile *f = w->f;
	uint64_t tail = sizeof(Elf64_Ehdr);

	if (f->ehdr.e_phnum && f->ehdr.e_phoff + (uint64_t)f->ehdr.e_phnum * f->ehdr.e_phentsize > tail)
		tail = f->ehdr.e_phoff + (uint64_t)f->ehdr.e_phnum * f->ehdr.e_phentsize;
	for (size_t i = 1; i < f->nr_secs; i++) {
		const GElf_Shdr *sh = &f->secs[i].shdr;

		if (!w->lay[i].moves && !w->lay[i].nobits && sh->sh_offset + sh->sh_size > tail)
			tail = sh->sh_offset + sh->sh_size;
	}
	w->tail_start = tail;
	for (size_t i = 1; i < w->nr_final; i++) {
		struct w_sec *s = &w->lay[i];

		if (!s->moves)
			continue;
		s->offset = align_up(tail, s->align);
		if (!s->nobits)
			tail = s->offset + s->planned;
	}
	w->shoff = align_up(tail, 8);
	w->file_size = w->shoff + w->nr_final * sizeof(Elf64_Shdr);
}

/* Check what the edits appended against the plan and hand libelf the layout. */
static int apply_layout(struct objw *w)
{
	size_t shnum;
	GElf_Ehdr eh;

	if (elf_getshdrnum(w->elf, &shnum) || shnum != w->nr_final)
		return ao_fail(w->err, AO_ERR_ANALYSIS, "%s: writing: %zu sections, %zu planned",
			       w->f->path, shnum, w->nr_final);
	for (size_t i = 1; i < w->nr_final; i++) {
		struct w_sec *s = &w->lay[i];
		Elf_Scn *scn;
		GElf_Shdr sh;

		if (s->size != s->planned)
			return ao_fail(w->err, AO_ERR_ANALYSIS,
				       "%s: writing: section %zu has 0x%" PRIx64 " bytes, 0x%" PRIx64 " planned",
				       w->f->path, i, s->size, s->planned);
		if (!s->moves)
			continue;
		scn = elf_getscn(w->elf, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return w_elf_fail(w, "reading a section header");
		sh.sh_offset = s->offset;
		sh.sh_size = s->size;
		if (s->align > (sh.sh_addralign ? sh.sh_addralign : 1))
			sh.sh_addralign = s->align;
		if (!gelf_update_shdr(scn, &sh))
			return w_elf_fail(w, "placing a section");
	}
	if (!gelf_getehdr(w->elf, &eh))
		return w_elf_fail(w, "reading the ELF header");
	eh.e_shoff = w->shoff;
	if (!gelf_update_ehdr(w->elf, &eh))
		return w_elf_fail(w, "placing the section header table");
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Write zeros over [lo, hi) of the copy. */
static int zero_bytes(struct objw *w, uint64_t lo, uint64_t hi)
{
	static const char zeros[1 << 16];

	while (lo < hi) {
		size_t n = hi - lo < sizeof(zeros) ? (size_t)(hi - lo) : sizeof(zeros);
		ssize_t m = pwrite(w->fd, zeros, n, (off_t)lo);

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return w_io_fail(w, "clearing moved bytes");
		lo += (uint64_t)m;
	}
	return 0;
}

/*
 * Zero [lo, hi) except what a staying section still covers.  ranges:
 * the staying sections' [start, end), sorted by start.
 */
static int zero_gaps(struct objw *w, const uint64_t (*ranges)[2], size_t nr, uint64_t lo,
		     uint64_t hi)
{
	for (size_t i = 0; i < nr && ranges[i][0] < hi && lo < hi; i++) {
		if (ranges[i][1] <= lo)
			continue;
		if (ranges[i][0] > lo && zero_bytes(w, lo, ranges[i][0]))
			return -1;
		lo = ranges[i][1];
	}
	return lo < hi ? zero_bytes(w, lo, hi) : 0;
}

/*
 * What a section that moved (and the old header table) leaves behind below
 * the new tail is dead: zero it, so no stale copy of the old symbol table
 * stays in the file and the output does not depend on which of those bytes
 * libelf happened to pad over.  Everything from the tail on is written.
 */
static int zero_vacated(struct objw *w)
{
	struct objfile *f = w->f;
	uint64_t (*ranges)[2] = ao_calloc(w->err, f->nr_secs + 1, sizeof(*ranges));
	size_t nr = 0;
	int ret = 0;

	if (!ranges)
		return -1;
	for (size_t i = 1; i < f->nr_secs; i++)
		if (!w->lay[i].moves && !w->lay[i].nobits && f->secs[i].shdr.sh_size) {
			ranges[nr][0] = f->secs[i].shdr.sh_offset;
			ranges[nr++][1] = f->secs[i].shdr.sh_offset + f->secs[i].shdr.sh_size;
		}
	if (f->ehdr.e_phnum) {   /* not in ET_REL, but keep whatever is there */
		ranges[nr][0] = f->ehdr.e_phoff;
		ranges[nr++][1] = f->ehdr.e_phoff + (uint64_t)f->ehdr.e_phnum * f->ehdr.e_phentsize;
	}
	qsort(ranges, nr, sizeof(*ranges), cmp_range);
	for (size_t i = 0; !ret && i <= f->nr_secs; i++) {
		uint64_t lo, hi;

		if (i == f->nr_secs) {   /* the old header table */
			lo = f->ehdr.e_shoff;
			hi = lo + (uint64_t)f->nr_secs * sizeof(Elf64_Shdr);
		} else if (i && w->lay[i].moves && !w->lay[i].nobits) {
			lo = f->secs[i].shdr.sh_offset;
			hi = lo + f->secs[i].shdr.sh_size;
		} else {
			continue;
		}
		if (hi > w->tail_start)
			hi = w->tail_start;
		if (lo < sizeof(Elf64_Ehdr))
			lo = sizeof(Elf64_Ehdr);
		ret = zero_gaps(w, (const uint64_t (*)[2])ranges, nr, lo, hi);
	}
	free(ranges);
	return ret;
}

/* ---- commit ----------------------------------------------------------------------- */

static int finish(struct objw *w)
{
	int64_t size;

	if (apply_layout(w))
		return -1;
	/*
	 * Dirty as a whole, not just the parts we changed: libelf (0.188) writes
	 * a section header into the table at e_shoff only when that header or
	 * the Elf is dirty, and the table moves here, so the headers of the
	 * sections we left alone would be missing from it.  (Commit 4b8f2bb
	 * needed the same for the file-rewriting path, where a table that kept
	 * its place was copied from the array read, too short for the new
	 * sections.)  Untouched sections still cost nothing: libelf only copies
	 * sections it has data for, and in place that copy is a no-op.
	 */
	if (!elf_flagelf(w->elf, ELF_C_SET, ELF_F_LAYOUT | ELF_F_DIRTY))
		return w_elf_fail(w, "elf_flagelf");
	size = elf_update(w->elf, ELF_C_WRITE);
	if (size < 0)
		return w_elf_fail(w, "elf_update");
	if ((uint64_t)size != w->file_size)
		return ao_fail(w->err, AO_ERR_ANALYSIS, "%s: writing: 0x%" PRIx64
			       " bytes written, 0x%" PRIx64 " planned", w->f->path, (uint64_t)size,
			       w->file_size);
	if (zero_vacated(w))
		return -1;
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
	objf_copy_forget();
	return 0;
}

static void cleanup(struct objw *w)
{
	if (w->elf)
		elf_end(w->elf);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path[0]) {
		unlink(w->tmp_path);
		objf_copy_forget();
	}
	for (size_t i = 0; i < w->nr_bufs; i++)
		free(w->bufs[i]);
	free(w->bufs);
	free(w->sym_map);
	free(w->sec_sym);
	free(w->missing);
	free(w->lay);
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
	struct ao_error unused;
	struct objw w = { .f = f, .err = err ? err : &unused, .fd = -1 };
	struct objf_edits m;
	int ret;

	ret = merge_staged(f, e, &m, w.err);
	if (!ret)
		ret = check_request(&w, m.secs, m.nr_secs);
	if (!ret)
		ret = check_sym_rels(&w, &m);
	if (!ret)
		ret = plan_sizes(&w, &m);
	if (!ret) {
		plan_offsets(&w);
		ret = copy_to_temp(&w);
	}
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
