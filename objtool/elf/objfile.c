// SPDX-License-Identifier: GPL-2.0
/*
 * objfile: reading side of the ELF layer (see include/objfile.h).
 *
 * objf_open() indexes section headers and the symbol table only; section
 * bytes and relocations are fetched from libelf the first time a pass asks
 * for them, because kernel objects carry megabytes of DWARF and its
 * relocations that no pass ever reads.
 *
 * Every offset and index read from the file is checked before use, so a
 * truncated or hostile object ends in one error message, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objfile.h"
#include "elf_priv.h"

/* ---- errors ---------------------------------------------------------- */

int objf_fail(struct objfile *f, struct ao_error *err, const struct objsec *sec,
	      uint64_t off, const char *fmt, ...)
{
	char msg[AO_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sec)
		return ao_fail(err, AO_ERR_FORMAT, "%s: %s+0x%" PRIx64 ": %s", f->path,
			       sec->name ? sec->name : "?", off, msg);
	return ao_fail(err, AO_ERR_FORMAT, "%s: %s", f->path, msg);
}

/* A libelf call failed: say which step and what libelf thinks. */
static int elf_fail(struct objfile *f, struct ao_error *err, const char *what)
{
	return ao_fail(err, AO_ERR_FORMAT, "%s: %s: %s", f->path, what, elf_errmsg(-1));
}

/* ---- open: header checks --------------------------------------------- */

static const char *etype_name(unsigned int type)
{
	switch (type) {
	case ET_NONE: return "ET_NONE";
	case ET_EXEC: return "ET_EXEC";
	case ET_DYN:  return "ET_DYN";
	case ET_CORE: return "ET_CORE";
	}
	return "unknown e_type";
}

static int check_header(struct objfile *f, bool accept_linked, struct ao_error *err)
{
	if (elf_kind(f->elf) != ELF_K_ELF)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: not an ELF file", f->path);
	if (gelf_getclass(f->elf) != ELFCLASS64)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: not a 64-bit ELF file", f->path);
	if (!gelf_getehdr(f->elf, &f->ehdr))
		return elf_fail(f, err, "reading the ELF header");
	if (f->ehdr.e_ident[EI_DATA] != ELFDATA2LSB)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: not a little-endian ELF file", f->path);
	if (f->ehdr.e_machine != EM_X86_64)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: not an x86-64 object (e_machine %u)",
			       f->path, f->ehdr.e_machine);
	f->linked = accept_linked && f->ehdr.e_type == ET_EXEC;
	if (f->ehdr.e_type != ET_REL && !f->linked)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: not a relocatable object (%s)",
			       f->path, etype_name(f->ehdr.e_type));
	return 0;
}

/* ---- open: sections --------------------------------------------------- */

/* Section bytes must lie inside the file, or libelf would read past the mapping. */
static int check_sec_bounds(struct objfile *f, struct objsec *sec, uint64_t file_size,
			    struct ao_error *err)
{
	const GElf_Shdr *sh = &sec->shdr;

	if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL)
		return 0;
	if (sh->sh_offset > file_size || sh->sh_size > file_size - sh->sh_offset) {
		uint64_t cut = sh->sh_offset > file_size ? 0 : file_size - sh->sh_offset;

		return objf_fail(f, err, sec, cut,
				 "section data (file offset 0x%" PRIx64 ", size 0x%" PRIx64
				 ") extends past the end of the file (0x%" PRIx64 " bytes): truncated file?",
				 (uint64_t)sh->sh_offset, (uint64_t)sh->sh_size, file_size);
	}
	return 0;
}

/*
 * Writing lets libelf lay the file out again, padding each section to its
 * sh_addralign: an absurd alignment (fuzzing found 2^43) makes it write
 * terabytes of padding.  Kernel objects use at most PMD_SIZE (2 MiB).
 */
#define OBJF_MAX_ALIGN ((uint64_t)2 << 20)

static int check_sec_align(struct objfile *f, struct objsec *sec, struct ao_error *err)
{
	uint64_t a = sec->shdr.sh_addralign;

	if (a > OBJF_MAX_ALIGN || (a & (a - 1)))
		return objf_fail(f, err, sec, 0,
				 "bad alignment 0x%" PRIx64 ": must be a power of two, at most 2 MiB", a);
	return 0;
}

static int read_shdrs(struct objfile *f, uint64_t file_size, struct ao_error *err)
{
	static char unnamed[] = "(unnamed)";

	if (elf_getshdrnum(f->elf, &f->nr_secs))
		return elf_fail(f, err, "reading the section count");
	if (elf_getshdrstrndx(f->elf, &f->shstrndx))
		return elf_fail(f, err, "reading the section name table index");
	if (f->nr_secs == 0)
		return ao_fail(err, AO_ERR_FORMAT, "%s: no section headers", f->path);
	if (f->shstrndx >= f->nr_secs)
		return ao_fail(err, AO_ERR_FORMAT, "%s: section name table index %zu out of range (%zu sections)",
			       f->path, f->shstrndx, f->nr_secs);
	f->secs = ao_calloc(err, f->nr_secs, sizeof(*f->secs));
	if (!f->secs)
		return -1;

	for (size_t i = 0; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];

		sec->file = f;
		sec->index = i;
		sec->name = unnamed;
		sec->scn = elf_getscn(f->elf, i);
		if (!sec->scn || !gelf_getshdr(sec->scn, &sec->shdr))
			return ao_fail(err, AO_ERR_FORMAT, "%s: section header %zu: %s",
				       f->path, i, elf_errmsg(-1));
		sec->size = sec->shdr.sh_size;
		sec->is_exec = sec->shdr.sh_flags & SHF_EXECINSTR;
	}
	/* Names come from .shstrtab, so check that one's bounds first. */
	if (check_sec_bounds(f, &f->secs[f->shstrndx], file_size, err))
		return -1;
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];
		const char *name = elf_strptr(f->elf, f->shstrndx, sec->shdr.sh_name);

		if (!name)
			return ao_fail(err, AO_ERR_FORMAT,
				       "%s: section %zu: name offset 0x%x outside the section name table: %s",
				       f->path, i, sec->shdr.sh_name, elf_errmsg(-1));
		sec->name = name;
	}
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];

		if (check_sec_bounds(f, sec, file_size, err) || check_sec_align(f, sec, err))
			return -1;
		if (sec->shdr.sh_link >= f->nr_secs)
			return objf_fail(f, err, sec, 0, "sh_link %u out of range (%zu sections)",
					 sec->shdr.sh_link, f->nr_secs);
	}
	return 0;
}

/* Pair every SHT_RELA section with the section it patches. */
static int link_relas(struct objfile *f, struct ao_error *err)
{
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *rela = &f->secs[i];
		struct objsec *base;

		/* x86-64 uses RELA only; a REL table would silently drop its relocations. */
		if (rela->shdr.sh_type == SHT_REL)
			return objf_fail(f, err, rela, 0, "SHT_REL relocation table (x86-64 objects use SHT_RELA)");
		if (rela->shdr.sh_type != SHT_RELA)
			continue;
		if (rela->shdr.sh_info == 0 || rela->shdr.sh_info >= f->nr_secs)
			return objf_fail(f, err, rela, 0, "sh_info %u is not a valid section index (%zu sections)",
					 rela->shdr.sh_info, f->nr_secs);
		if (!f->symtab || rela->shdr.sh_link != f->symtab->index)
			return objf_fail(f, err, rela, 0, "sh_link %u is not the symbol table",
					 rela->shdr.sh_link);
		if (rela->shdr.sh_entsize != sizeof(Elf64_Rela) ||
		    rela->shdr.sh_size % sizeof(Elf64_Rela))
			return objf_fail(f, err, rela, 0,
					 "bad relocation table geometry (entsize 0x%" PRIx64 ", size 0x%" PRIx64 ")",
					 (uint64_t)rela->shdr.sh_entsize, (uint64_t)rela->shdr.sh_size);
		base = &f->secs[rela->shdr.sh_info];
		rela->base = base;
		/* Two tables for one section never come out of gcc/as; keep the first. */
		if (!base->rela)
			base->rela = rela;
	}
	return 0;
}

/* ---- open: symbols ----------------------------------------------------- */

static int find_symtab(struct objfile *f, struct ao_error *err)
{
	for (size_t i = 1; i < f->nr_secs; i++) {
		if (f->secs[i].shdr.sh_type != SHT_SYMTAB)
			continue;
		if (f->symtab)
			return objf_fail(f, err, &f->secs[i], 0, "second symbol table");
		f->symtab = &f->secs[i];
	}
	if (!f->symtab)
		return ao_fail(err, AO_ERR_FORMAT, "%s: no symbol table", f->path);
	if (f->symtab->shdr.sh_entsize != sizeof(Elf64_Sym) ||
	    f->symtab->shdr.sh_size % sizeof(Elf64_Sym))
		return objf_fail(f, err, f->symtab, 0,
				 "bad symbol table geometry (entsize 0x%" PRIx64 ", size 0x%" PRIx64 ")",
				 (uint64_t)f->symtab->shdr.sh_entsize, (uint64_t)f->symtab->shdr.sh_size);
	if (f->secs[f->symtab->shdr.sh_link].shdr.sh_type != SHT_STRTAB)
		return objf_fail(f, err, f->symtab, 0, "sh_link %u is not a string table",
				 f->symtab->shdr.sh_link);
	return 0;
}

/* The extended section index table belonging to the symbol table, if any. */
static int find_shndx(struct objfile *f, Elf_Data **out, struct ao_error *err)
{
	*out = NULL;
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];

		if (sec->shdr.sh_type != SHT_SYMTAB_SHNDX || sec->shdr.sh_link != f->symtab->index)
			continue;
		*out = elf_getdata(sec->scn, NULL);
		if (!*out)
			return objf_fail(f, err, sec, 0, "cannot read: %s", elf_errmsg(-1));
		if ((*out)->d_size / sizeof(Elf32_Word) < f->nr_syms)
			return objf_fail(f, err, sec, (*out)->d_size,
					 "extended index table shorter than the symbol table");
	}
	return 0;
}

/* Resolve st_shndx (through the extended table when needed) to a section. */
static int resolve_sym_sec(struct objfile *f, struct objsym *sym, const GElf_Sym *gs,
			   Elf32_Word xndx, bool has_xndx, struct ao_error *err)
{
	uint32_t shndx = gs->st_shndx;

	sym->sec = NULL;
	if (gs->st_shndx == SHN_XINDEX) {
		if (!has_xndx)
			return objf_fail(f, err, f->symtab, sym->index * sizeof(Elf64_Sym),
					 "symbol %zu (%s): SHN_XINDEX without an extended index table",
					 sym->index, sym->name);
		shndx = xndx;
	} else if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE) {
		/* Undefined, SHN_ABS, SHN_COMMON...: no section. */
		sym->shndx = shndx;
		return 0;
	}
	sym->shndx = shndx;
	if (shndx >= f->nr_secs)
		return objf_fail(f, err, f->symtab, sym->index * sizeof(Elf64_Sym),
				 "symbol %zu (%s): section index %u out of range (%zu sections)",
				 sym->index, sym->name, shndx, f->nr_secs);
	sym->sec = &f->secs[shndx];
	return 0;
}

/*
 * A linked image's st_value is an address; every layer above works in
 * section offsets, as in a relocatable object, so turn it into one.  A
 * symbol placed before its section's start (never seen from ld) keeps its
 * value and loses its section rather than wrap around.
 */
static void linked_sym_offset(struct objfile *f, struct objsym *sym)
{
	if (!f->linked || !sym->sec)
		return;
	if (sym->offset < sym->sec->shdr.sh_addr) {
		sym->sec = NULL;
		return;
	}
	sym->offset -= sym->sec->shdr.sh_addr;
}

static int read_syms(struct objfile *f, struct ao_error *err)
{
	Elf_Data *data, *xdata;
	size_t strndx;

	data = elf_getdata(f->symtab->scn, NULL);
	if (!data)
		return objf_fail(f, err, f->symtab, 0, "cannot read: %s", elf_errmsg(-1));
	f->nr_syms = data->d_size / sizeof(Elf64_Sym);
	f->first_global = f->symtab->shdr.sh_info;
	if (f->first_global > f->nr_syms)
		return objf_fail(f, err, f->symtab, 0,
				 "sh_info %zu (first global) beyond the %zu symbols: table cut short?",
				 f->first_global, f->nr_syms);
	if (find_shndx(f, &xdata, err))
		return -1;
	f->syms = ao_calloc(err, f->nr_syms, sizeof(*f->syms));
	if (!f->syms)
		return -1;

	strndx = f->symtab->shdr.sh_link;
	for (size_t i = 0; i < f->nr_syms; i++) {
		struct objsym *sym = &f->syms[i];
		Elf32_Word xndx = 0;
		GElf_Sym gs;

		if (!gelf_getsymshndx(data, xdata, (int)i, &gs, &xndx))
			return objf_fail(f, err, f->symtab, i * sizeof(Elf64_Sym),
					 "symbol %zu: %s", i, elf_errmsg(-1));
		sym->index = i;
		sym->name = elf_strptr(f->elf, strndx, gs.st_name);
		if (!sym->name)
			return objf_fail(f, err, f->symtab, i * sizeof(Elf64_Sym),
					 "symbol %zu: name offset 0x%x outside the string table",
					 i, gs.st_name);
		sym->type = GELF_ST_TYPE(gs.st_info);
		sym->bind = GELF_ST_BIND(gs.st_info);
		sym->other = gs.st_other;
		sym->offset = gs.st_value;
		sym->size = gs.st_size;
		if (resolve_sym_sec(f, sym, &gs, xndx, xdata != NULL, err))
			return -1;
		linked_sym_offset(f, sym);
		/* Section symbols are nameless; messages read better with the section's name. */
		if (sym->type == STT_SECTION && !sym->name[0] && sym->sec)
			sym->name = sym->sec->name;
	}
	return 0;
}

/* ---- open: per-section symbol arrays ---------------------------------- */

static int cmp_sym_pos(const void *a, const void *b)
{
	const struct objsym *x = *(struct objsym *const *)a;
	const struct objsym *y = *(struct objsym *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	/* Keep the result independent of qsort's whims. */
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool sym_before(const struct objsym *x, const struct objsym *y)
{
	return cmp_sym_pos(&x, &y) < 0;
}

/* Merge the sorted runs v[a..b) and v[b..c) through tmp. */
static void merge_runs(struct objsym **v, struct objsym **tmp, size_t a, size_t b, size_t c)
{
	size_t i = a, j = b, k = 0;

	while (i < b && j < c)
		tmp[k++] = sym_before(v[j], v[i]) ? v[j++] : v[i++];
	while (i < b)
		tmp[k++] = v[i++];
	/* what is left of v[b..c) is in place already */
	memcpy(&v[a], tmp, k * sizeof(*v));
}

/*
 * Sort by cmp_sym_pos, a total order, so any correct sort gives the same
 * result.  A symbol table comes in a few sorted runs (locals, then globals,
 * each mostly in address order), so runs are found and merged pairwise:
 * about n compares per merge round, log(runs) rounds, where glibc's qsort
 * does n log n compares through a function pointer.  qsort() when out of
 * memory.
 */
static void sort_syms(struct objsym **v, size_t n)
{
	size_t *run, nr = 0;
	struct objsym **tmp;

	for (size_t i = 1; i < n; i++)
		if (sym_before(v[i], v[i - 1]))
			nr++;
	if (!nr)
		return;
	run = malloc((nr + 2) * sizeof(*run));
	tmp = malloc(n * sizeof(*tmp));
	if (!run || !tmp) {
		free(run);
		free(tmp);
		qsort(v, n, sizeof(*v), cmp_sym_pos);
		return;
	}
	/* run[k] is where run k starts; run[nr] == n */
	nr = 0;
	run[nr++] = 0;
	for (size_t i = 1; i < n; i++)
		if (sym_before(v[i], v[i - 1]))
			run[nr++] = i;
	run[nr] = n;
	while (nr > 1) {
		size_t out = 0;

		for (size_t k = 0; k < nr; k += 2) {
			if (k + 1 < nr)
				merge_runs(v, tmp, run[k], run[k + 1], run[k + 2]);
			run[out++] = run[k];
		}
		run[out] = n;
		nr = out;
	}
	free(run);
	free(tmp);
}

/*
 * Carve one pointer array into per-section slices (a counting sort by
 * section), then sort each slice.  Functions get a second, separate index
 * so objf_func_at() need not step over local labels.
 */
static int index_syms(struct objf_impl *impl, struct ao_error *err)
{
	struct objfile *f = &impl->pub;
	size_t nr_funcs = 0, pos = 0, fpos = 0;

	for (size_t i = 0; i < f->nr_syms; i++) {
		struct objsym *sym = &f->syms[i];

		if (!sym->sec)
			continue;
		sym->sec->nr_syms++;
		if (sym->type == STT_FUNC) {
			impl->x[sym->sec->index].nr_funcs++;
			nr_funcs++;
		}
	}
	impl->sym_ptrs = ao_calloc(err, f->nr_syms, sizeof(*impl->sym_ptrs));
	impl->func_ptrs = ao_calloc(err, nr_funcs, sizeof(*impl->func_ptrs));
	impl->func_ends = ao_calloc(err, nr_funcs, sizeof(*impl->func_ends));
	if (!impl->sym_ptrs || !impl->func_ptrs || !impl->func_ends)
		return -1;
	for (size_t i = 0; i < f->nr_secs; i++) {
		struct objf_secx *x = &impl->x[i];

		f->secs[i].syms = impl->sym_ptrs + pos;
		pos += f->secs[i].nr_syms;
		f->secs[i].nr_syms = 0;
		x->funcs = impl->func_ptrs + fpos;
		x->max_end = impl->func_ends + fpos;
		fpos += x->nr_funcs;
		x->nr_funcs = 0;
	}
	for (size_t i = 0; i < f->nr_syms; i++) {
		struct objsym *sym = &f->syms[i];

		if (!sym->sec)
			continue;
		sym->sec->syms[sym->sec->nr_syms++] = sym;
		if (sym->type == STT_FUNC) {
			struct objf_secx *x = &impl->x[sym->sec->index];

			x->funcs[x->nr_funcs++] = sym;
		}
	}
	for (size_t i = 0; i < f->nr_secs; i++) {
		struct objf_secx *x = &impl->x[i];
		uint64_t max_end = 0;

		sort_syms(f->secs[i].syms, f->secs[i].nr_syms);
		sort_syms(x->funcs, x->nr_funcs);
		/* Running maximum of end addresses bounds the backward search in func_at. */
		for (size_t j = 0; j < x->nr_funcs; j++) {
			uint64_t end = x->funcs[j]->offset + x->funcs[j]->size;

			if (end > max_end)
				max_end = end;
			x->max_end[j] = max_end;
		}
	}
	return 0;
}

/* ---- open/close --------------------------------------------------------- */

static int open_elf(struct objfile *f, bool accept_linked, struct ao_error *err)
{
	struct stat st;

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return ao_fail(err, AO_ERR_IO, "%s: %s", f->path, strerror(errno));
	if (fstat(f->fd, &st))
		return ao_fail(err, AO_ERR_IO, "%s: %s", f->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ao_fail(err, AO_ERR_IO, "%s: not a regular file", f->path);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "libelf: %s", elf_errmsg(-1));
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf)
		return elf_fail(f, err, "cannot read as ELF");
	if (check_header(f, accept_linked, err) || read_shdrs(f, (uint64_t)st.st_size, err) ||
	    find_symtab(f, err) || read_syms(f, err) || link_relas(f, err))
		return -1;
	return 0;
}

static int open_file(struct objfile **out, const char *path, bool accept_linked,
		     struct ao_error *err)
{
	struct objf_impl *impl;
	struct objfile *f;

	*out = NULL;
	impl = ao_calloc(err, 1, sizeof(*impl));
	if (!impl)
		return -1;
	f = &impl->pub;
	f->fd = -1;
	f->path = strdup(path);
	if (!f->path) {
		free(impl);
		return ao_fail(err, AO_ERR_NOMEM, "out of memory");
	}
	if (open_elf(f, accept_linked, err))
		goto fail;
	impl->x = ao_calloc(err, f->nr_secs, sizeof(*impl->x));
	if (!impl->x || index_syms(impl, err))
		goto fail;
	*out = f;
	return 0;
fail:
	objf_close(f);
	return -1;
}

int objf_open(struct objfile **out, const char *path, struct ao_error *err)
{
	return open_file(out, path, false, err);
}

int objf_open_image(struct objfile **out, const char *path, struct ao_error *err)
{
	return open_file(out, path, true, err);
}

/*
 * Is addr inside sec's run of addresses?  With at_end, its end address too:
 * the ORC terminator of a code section sits there.
 */
static bool sec_holds_addr(const struct objsec *sec, uint64_t addr, bool at_end)
{
	uint64_t start = sec->shdr.sh_addr, size = sec->shdr.sh_size;

	if (!(sec->shdr.sh_flags & SHF_ALLOC) || addr < start)
		return false;
	return addr - start < size || (at_end && addr - start == size);
}

/*
 * Code first: the kernel's per-CPU sections are linked at address 0 and
 * could otherwise claim small values.  Then a code section ending at addr
 * (an ORC terminator belongs to the code before it, not to data that
 * follows), then any allocated section.
 */
struct objsec *objf_sec_at_addr(struct objfile *f, uint64_t addr, uint64_t *off)
{
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 1; i < f->nr_secs; i++) {
			struct objsec *sec = &f->secs[i];

			if ((pass < 2 && !sec->is_exec) || !sec_holds_addr(sec, addr, pass == 1))
				continue;
			*off = addr - sec->shdr.sh_addr;
			return sec;
		}
	}
	return NULL;
}

void objf_close_for_exit(struct objfile *f)
{
	struct objf_impl *impl;

	if (!f)
		return;
	impl = objf_impl(f);
	objf_copy_discard(impl->copy);
	impl->copy = NULL;
}

void objf_close(struct objfile *f)
{
	struct objf_impl *impl;

	if (!f)
		return;
	objf_close_for_exit(f);
	impl = objf_impl(f);
	for (size_t i = 0; f->secs && i < f->nr_secs; i++) {
		free(f->secs[i].rels);
		free(f->secs[i].rel_block);
	}
	free(impl->sym_ptrs);
	free(impl->func_ptrs);
	free(impl->func_ends);
	free(impl->name_heads);
	free(impl->name_next);
	free(impl->x);
	free(f->syms);
	free(f->secs);
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(impl);
}

struct objsec *objf_sec_by_name(struct objfile *f, const char *name)
{
	for (size_t i = 1; i < f->nr_secs; i++)
		if (!strcmp(f->secs[i].name, name))
			return &f->secs[i];
	return NULL;
}

/* ---- lazy loads ---------------------------------------------------------- */

int objf_sec_data(struct objsec *sec, struct ao_error *err)
{
	struct objfile *f = sec->file;
	Elf_Data *data;

	if (sec->data_loaded)
		return 0;
	if (sec->shdr.sh_type == SHT_NOBITS || sec->shdr.sh_type == SHT_NULL) {
		sec->data = NULL;
		sec->size = sec->shdr.sh_size;
		sec->data_loaded = true;
		return 0;
	}
	data = elf_getdata(sec->scn, NULL);
	if (!data && sec->shdr.sh_size)
		return objf_fail(f, err, sec, 0, "cannot read section data: %s", elf_errmsg(-1));
	if (data && data->d_size != sec->shdr.sh_size)
		return objf_fail(f, err, sec, data->d_size,
				 "libelf returned 0x%zx bytes for a section of 0x%" PRIx64,
				 data->d_size, (uint64_t)sec->shdr.sh_size);
	sec->data = data ? data->d_buf : NULL;
	sec->size = sec->shdr.sh_size;
	sec->data_loaded = true;
	return 0;
}

/*
 * Stable merge sort by offset: relocations at one offset keep their file
 * order, which qsort would not promise.  Runs only for unsorted tables.
 */
static void sort_rels(struct objrel *rels, struct objrel *tmp, size_t n)
{
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = rels[b].offset < rels[a].offset ? rels[b++] : rels[a++];
			while (a < mid)
				tmp[k++] = rels[a++];
			while (b < hi)
				tmp[k++] = rels[b++];
		}
		memcpy(rels, tmp, n * sizeof(*rels));
	}
}

/* Convert and check one table; the caller sorts. */
static int load_rels(struct objsec *sec, const Elf64_Rela *raw, size_t n, bool *sorted,
		     struct ao_error *err)
{
	struct objfile *f = sec->file;
	struct objsec *rela = sec->rela;

	*sorted = true;
	for (size_t i = 0; i < n; i++) {
		struct objrel *rel = &sec->rels[i];
		uint64_t sym_index = ELF64_R_SYM(raw[i].r_info);

		rel->offset = raw[i].r_offset;
		rel->type = ELF64_R_TYPE(raw[i].r_info);
		rel->addend = raw[i].r_addend;
		if (sym_index >= f->nr_syms)
			return objf_fail(f, err, rela, i * sizeof(Elf64_Rela),
					 "relocation symbol index %" PRIu64 " out of range (%zu symbols)",
					 sym_index, f->nr_syms);
		if (sec->shdr.sh_type != SHT_NOBITS && rel->offset >= sec->shdr.sh_size)
			return objf_fail(f, err, rela, i * sizeof(Elf64_Rela),
					 "relocation offset 0x%" PRIx64 " beyond %s (size 0x%" PRIx64 ")",
					 rel->offset, sec->name, (uint64_t)sec->shdr.sh_size);
		rel->sym_index = (uint32_t)sym_index;
		rel->sym = &f->syms[sym_index];
		if (i && rel->offset < sec->rels[i - 1].offset)
			*sorted = false;
	}
	return 0;
}

/*
 * Lookups by offset (rel_lower_bound()) start from the relocations of a
 * 256-byte stretch: the branch resolution and site passes ask once per
 * instruction with a relocation, and a binary search over the whole table
 * cost more than all the rest of objf_rel_in().  A table past 4G entries or
 * an allocation failure leaves the index out, which only costs time.
 */
#define REL_BLOCK_SHIFT 8

static void index_rels(struct objsec *sec)
{
	size_t nb = (sec->shdr.sh_size >> REL_BLOCK_SHIFT) + 1, r = 0;

	if (sec->nr_rels > UINT32_MAX)
		return;
	sec->rel_block = calloc(nb + 1, sizeof(*sec->rel_block));
	if (!sec->rel_block)
		return;
	for (size_t b = 0; b <= nb; b++) {
		while (r < sec->nr_rels && sec->rels[r].offset < (uint64_t)b << REL_BLOCK_SHIFT)
			r++;
		sec->rel_block[b] = (uint32_t)r;
	}
	sec->nr_rel_blocks = nb;
}

int objf_sec_rels(struct objsec *sec, struct ao_error *err)
{
	struct objfile *f = sec->file;
	Elf_Data *data;
	size_t n;
	bool sorted;

	if (sec->rels_loaded)
		return 0;
	if (!sec->rela) {
		sec->rels_loaded = true;
		return 0;
	}
	data = elf_getdata(sec->rela->scn, NULL);
	if (!data)
		return objf_fail(f, err, sec->rela, 0, "cannot read relocations: %s", elf_errmsg(-1));
	if (data->d_type != ELF_T_RELA || data->d_size % sizeof(Elf64_Rela))
		return objf_fail(f, err, sec->rela, 0, "relocation data has an unexpected layout");
	n = data->d_size / sizeof(Elf64_Rela);
	sec->rels = ao_calloc(err, n, sizeof(*sec->rels));
	if (!sec->rels)
		return -1;
	/* libelf hands out native-layout Elf64_Rela for an ELFCLASS64 object. */
	if (load_rels(sec, data->d_buf, n, &sorted, err)) {
		free(sec->rels);
		sec->rels = NULL;
		return -1;
	}
	/* Assemblers emit tables in offset order; sort only when not. */
	if (!sorted) {
		struct objrel *tmp = ao_calloc(err, n, sizeof(*tmp));

		if (!tmp) {
			free(sec->rels);
			sec->rels = NULL;
			return -1;
		}
		sort_rels(sec->rels, tmp, n);
		free(tmp);
	}
	sec->nr_rels = n;
	sec->rels_loaded = true;
	index_rels(sec);
	return 0;
}

/* ---- lookups -------------------------------------------------------------- */

/* Index of the first relocation with offset >= off. */
static size_t rel_lower_bound(const struct objsec *sec, uint64_t off)
{
	size_t lo = 0, hi = sec->nr_rels;

	/* all of block b's relocations lie in [rel_block[b], rel_block[b + 1]) */
	if (sec->rel_block && (off >> REL_BLOCK_SHIFT) < sec->nr_rel_blocks) {
		lo = sec->rel_block[off >> REL_BLOCK_SHIFT];
		hi = sec->rel_block[(off >> REL_BLOCK_SHIFT) + 1];
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->rels[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct objrel *objf_rel_at(struct objsec *sec, uint64_t offset)
{
	size_t i;

	if (objf_sec_rels(sec, NULL))
		return NULL;
	i = rel_lower_bound(sec, offset);
	if (i < sec->nr_rels && sec->rels[i].offset == offset)
		return &sec->rels[i];
	return NULL;
}

const struct objrel *objf_rel_in(struct objsec *sec, uint64_t start, uint64_t end)
{
	size_t i;

	if (objf_sec_rels(sec, NULL))
		return NULL;
	i = rel_lower_bound(sec, start);
	if (i < sec->nr_rels && sec->rels[i].offset < end)
		return &sec->rels[i];
	return NULL;
}

bool objf_rel_target(const struct objrel *rel, struct objsec **sec, int64_t *offset)
{
	if (!rel || !rel->sym || !rel->sym->sec)
		return false;
	*sec = rel->sym->sec;
	*offset = (int64_t)(rel->sym->offset + (uint64_t)rel->addend);
	return true;
}

/* Number of symbols in arr[0..n) whose offset is <= off. */
static size_t sym_upper_bound(struct objsym *const *arr, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (arr[mid]->offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct objsym *objf_func_at(struct objsec *sec, uint64_t off)
{
	const struct objf_secx *x;
	size_t i;

	if (!sec || !sec->file)
		return NULL;
	x = &objf_impl(sec->file)->x[sec->index];
	i = sym_upper_bound(x->funcs, x->nr_funcs, off);
	/*
	 * Walk back from the last function starting at or before off; once no
	 * earlier function reaches past off (running max of ends), stop.
	 */
	while (i > 0 && x->max_end[i - 1] > off) {
		struct objsym *fn = x->funcs[--i];

		if (off < fn->offset + fn->size)
			return fn;
	}
	return NULL;
}

static int sym_rank(const struct objsym *sym)
{
	if (sym->type == STT_FUNC)
		return 0;
	if (sym->type == STT_SECTION)
		return 2;
	return 1;
}

struct objsym *objf_sym_at(struct objsec *sec, uint64_t off)
{
	struct objsym *best = NULL;
	size_t i;

	if (!sec)
		return NULL;
	i = sym_upper_bound(sec->syms, sec->nr_syms, off);
	while (i > 0 && sec->syms[i - 1]->offset == off) {
		struct objsym *sym = sec->syms[--i];

		/* Prefer functions, then named symbols, then the section symbol;
		 * among equals the lowest index (the first one defined). */
		if (!best || sym_rank(sym) < sym_rank(best) ||
		    (sym_rank(sym) == sym_rank(best) && sym->index < best->index))
			best = sym;
	}
	return best;
}

char *objf_format_warn_loc(char *buf, size_t size, struct objsec *sec, uint64_t off)
{
	const struct objsym *sym = sec->is_exec ? objf_func_at(sec, off) : NULL;

	for (size_t i = 0; !sym && i < sec->nr_syms; i++) {
		const struct objsym *s = sec->syms[i];

		if (s->type != STT_SECTION && off >= s->offset && off < s->offset + s->size)
			sym = s;
	}
	if (sym)
		snprintf(buf, size, "%s+0x%" PRIx64, sym->name, off - sym->offset);
	else
		snprintf(buf, size, "%s+0x%" PRIx64, sec->name, off);
	return buf;
}

char *objf_format_loc(char *buf, size_t size, struct objsec *sec, uint64_t off)
{
	struct objsym *fn = objf_func_at(sec, off);

	if (fn)
		snprintf(buf, size, "%s+0x%" PRIx64, fn->name, off - fn->offset);
	else
		snprintf(buf, size, "%s+0x%" PRIx64, sec ? sec->name : "?", off);
	return buf;
}
