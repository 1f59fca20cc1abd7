/* SPDX-License-Identifier: GPL-2.0 */
/*
 * objfile: the thin ELF layer over elfutils' libelf.
 *
 * Everything altorc knows about an object file comes through here: its
 * sections, its symbols and the RELA relocations of the sections a pass asks
 * for.  Relocations are loaded per section on demand, so sections that no
 * pass needs (DWARF above all) are never parsed.  x86-64 relocatable
 * objects (ET_REL: .o files and .ko modules) are accepted, and, for the
 * commands that only read tables (orc dump/diff, explain), linked images
 * (ET_EXEC: vmlinux) through objf_open_image().
 */
#ifndef ALTORC_OBJFILE_H
#define ALTORC_OBJFILE_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "ao_error.h"

struct objfile;
struct objsym;

struct objrel {
	uint64_t offset;         /* where it applies, within the patched section */
	uint32_t type;           /* R_X86_64_* */
	uint32_t sym_index;
	struct objsym *sym;      /* never NULL once loaded */
	int64_t addend;
};

struct objsec {
	struct objfile *file;
	size_t index;
	const char *name;
	GElf_Shdr shdr;
	Elf_Scn *scn;

	/* Bytes of the section; NULL for SHT_NOBITS.  See objf_sec_data(). */
	const uint8_t *data;
	uint64_t size;
	bool data_loaded;

	/* The SHT_RELA section that patches this one, if any. */
	struct objsec *rela;
	/* For a SHT_RELA section: the section it patches. */
	struct objsec *base;

	/* Relocations patching this section, sorted by offset; see objf_sec_rels(). */
	struct objrel *rels;
	size_t nr_rels;
	bool rels_loaded;
	/*
	 * rel_block[b]: the first relocation at or after offset b << 8, for
	 * b <= nr_rel_blocks (NULL when out of memory: lookups search it all).
	 */
	uint32_t *rel_block;
	size_t nr_rel_blocks;

	/* Symbols defined in this section, sorted by offset then size. */
	struct objsym **syms;
	size_t nr_syms;

	bool is_exec;            /* SHF_EXECINSTR */
};

struct objsym {
	size_t index;
	const char *name;
	uint8_t type;            /* STT_* */
	uint8_t bind;            /* STB_* */
	uint8_t other;
	uint32_t shndx;          /* resolved through SHT_SYMTAB_SHNDX when needed */
	struct objsec *sec;      /* NULL when undefined, absolute or common */
	uint64_t offset;         /* st_value; in a linked image, minus its section's sh_addr */
	uint64_t size;           /* st_size */
};

struct objfile {
	char *path;
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
	size_t shstrndx;

	struct objsec *secs;     /* indexed by section index; secs[0] is the null section */
	size_t nr_secs;

	struct objsec *symtab;
	struct objsym *syms;     /* indexed by symbol index */
	size_t nr_syms;
	size_t first_global;     /* symtab sh_info */
	bool linked;             /* ET_EXEC: addresses are final, symbols made section-relative */

	/* Edits waiting for the next write (objf_stage()); NULL when none. */
	const struct objf_edits *staged;
	/* Threads a write may use: 0 chooses by the amount of work (1 for modules). */
	unsigned threads;
};

/*
 * Open and index an object.  On failure *out is NULL and err says why,
 * naming the file.
 */
int objf_open(struct objfile **out, const char *path, struct ao_error *err);
void objf_close(struct objfile *f);
/*
 * For a process about to exit: only what exit would leave undone, an
 * unused early copy stopped and its temporary file removed.  The memory,
 * the mapping and the descriptor go back to the kernel with the process.
 */
void objf_close_for_exit(struct objfile *f);

/* objf_open(), also accepting a linked image (ET_EXEC; f->linked is then set). */
int objf_open_image(struct objfile **out, const char *path, struct ao_error *err);

/*
 * The section holding address addr in a linked image, with the offset into
 * it: a code section holding it, else a code section ending exactly at it,
 * else any allocated section holding it; NULL when none.
 */
struct objsec *objf_sec_at_addr(struct objfile *f, uint64_t addr, uint64_t *off);

struct objsec *objf_sec_by_name(struct objfile *f, const char *name);

/*
 * Section bytes, loaded on first use.  Returns -1 with err set on failure
 * (err may be NULL where the caller treats an unreadable section as absent).
 */
int objf_sec_data(struct objsec *sec, struct ao_error *err);

/* Relocations that patch sec, loaded on first use; -1 with err set on failure. */
int objf_sec_rels(struct objsec *sec, struct ao_error *err);

/*
 * The relocation at exactly offset (first one if several), or NULL.  Loads
 * rels; a table that cannot be read has none (load it with objf_sec_rels()
 * first where that must be an error).
 */
const struct objrel *objf_rel_at(struct objsec *sec, uint64_t offset);

/* The first relocation whose offset lies in [start, end), or NULL.  Loads rels as objf_rel_at(). */
const struct objrel *objf_rel_in(struct objsec *sec, uint64_t start, uint64_t end);

/*
 * Where a relocation points: the symbol's section and st_value + addend.
 * Returns false for undefined, absolute or common symbols.
 */
bool objf_rel_target(const struct objrel *rel, struct objsec **sec, int64_t *offset);

/*
 * Symbols by name, in symbol-table order: the first one called name, then
 * the next one with the same name (NULL at the end).  The index is built on
 * the first call; NULL also when it cannot be allocated.
 */
struct objsym *objf_sym_by_name(struct objfile *f, const char *name);
struct objsym *objf_sym_next_same_name(struct objfile *f, const struct objsym *sym);
/*
 * Build the index objf_sym_by_name() uses now rather than at the first
 * lookup, so that threads may look names up at once: 0, or -1 when out of
 * memory (lookups then try again).
 */
int objf_index_names(struct objfile *f);

/* The STT_FUNC symbol whose [offset, offset+size) holds off, or NULL. */
struct objsym *objf_func_at(struct objsec *sec, uint64_t off);

/* A symbol starting exactly at off in sec (functions first), or NULL. */
struct objsym *objf_sym_at(struct objsec *sec, uint64_t off);

/*
 * Format a location the way objtool does: "func+0x12" when a function
 * holds it, else "section+0x12".  Returns buf.
 */
char *objf_format_loc(char *buf, size_t size, struct objsec *sec, uint64_t off);

/*
 * The location the reference's warnings name: the function holding off (in
 * code sections), else any sized, non-section symbol holding it, else the
 * section.  Returns buf.
 */
char *objf_format_warn_loc(char *buf, size_t size, struct objsec *sec, uint64_t off);

/*
 * Record a format error that names file, section and offset:
 * "FILE: SECTION+0xOFF: message".  sec may be NULL.  Always returns -1.
 */
int objf_fail(struct objfile *f, struct ao_error *err, const struct objsec *sec,
	      uint64_t off, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- writing -------------------------------------------------------- */

/* A relocation for a section being added; the writer chooses the symbol. */
struct objf_new_rel {
	uint64_t offset;             /* in the new section */
	uint32_t type;               /* R_X86_64_* */
	struct objsec *target;       /* section of the address referred to */
	uint64_t target_offset;      /* address referred to, within target */
};

struct objf_new_sec {
	const char *name;
	uint32_t type;               /* SHT_PROGBITS, ... */
	uint64_t flags;
	uint64_t align;
	uint64_t entsize;
	const void *data;
	size_t size;
	const struct objf_new_rel *rels;   /* a .rela<name> section is added when nr_rels */
	size_t nr_rels;
};

/* A byte patch to an existing section (e.g. a jump turned into a NOP). */
struct objf_patch {
	struct objsec *sec;
	uint64_t offset;
	const uint8_t *bytes;
	size_t len;
};

/* A symbol to add (e.g. kbuild's __pfx_<function>); its name goes into .strtab. */
struct objf_new_sym {
	const char *name;
	struct objsec *sec;          /* defining section */
	uint64_t value;
	uint64_t size;
	uint8_t info;                /* GELF_ST_INFO(bind, type) */
	uint8_t other;
};

/* A change of an existing relocation's type (e.g. to R_X86_64_NONE). */
struct objf_rel_type {
	struct objsec *sec;          /* the section the relocation patches */
	uint64_t offset;             /* its r_offset (the first one there is changed) */
	uint32_t type;
};

/*
 * A relocation of a section added in the same write that names an existing
 * symbol with an addend (an address outside this object, such as an
 * undefined static-call key).  Merged by offset with that section's rels.
 */
struct objf_sym_rel {
	const char *sec_name;        /* the new section it belongs to */
	uint64_t offset;
	uint32_t type;
	struct objsym *sym;
	int64_t addend;
};

/* Everything one write changes; any array may be empty. */
struct objf_edits {
	const struct objf_new_sec *secs;
	size_t nr_secs;
	const struct objf_patch *patches;
	size_t nr_patches;
	const struct objf_new_sym *syms;
	size_t nr_syms;
	const struct objf_rel_type *rel_types;
	size_t nr_rel_types;
	const struct objf_sym_rel *sym_rels;
	size_t nr_sym_rels;
};

/*
 * Apply all of e in one write, with objf_write()'s guarantees.  Local new
 * symbols go before the first global (which moves to the end, references
 * renumbered); global ones are appended.
 */
int objf_write_edits(struct objfile *f, const struct objf_edits *e, struct ao_error *err);

/*
 * Stage edits to ride along with the next objf_write()/objf_write_edits()
 * on f (their sections placed before that call's own), so that a later pass
 * that writes (ORC) carries them into the same atomic rewrite.  e and all
 * it points to must stay valid until then; NULL unstages.
 */
void objf_stage(struct objfile *f, const struct objf_edits *e);

/*
 * The temporary copy a write edits, made ahead of time.  A command that
 * knows it will write path (altorc objtool --orc) starts it before the
 * analysis: a thread copies the original beside it and has the kernel write
 * the copy back as it goes, so that the write finds it made and mostly on
 * disk.  objf_copy_attach() gives it to the objfile opened from path (a
 * write uses it only if the file is still the one copied; objf_close()
 * discards it if unused); objf_copy_discard() stops the thread and removes
 * the temporary file, whatever the state of the copy.  Starting fails only
 * when the temporary file cannot be created; a copy that fails later says
 * why when the write takes it.
 */
struct objf_copy;
int objf_copy_start(struct objf_copy **out, const char *path, struct ao_error *err);
void objf_copy_attach(struct objfile *f, struct objf_copy *c);
void objf_copy_discard(struct objf_copy *c);

/*
 * Write f's file back with the given sections added and patches applied,
 * through a temporary file in the same directory and an atomic rename(2).
 * On any failure the original file is left exactly as it was.
 * Relocations refer to the target section's STT_SECTION symbol (created
 * when missing) with the target offset as addend.
 */
int objf_write(struct objfile *f, const struct objf_new_sec *secs, size_t nr_secs,
	       const struct objf_patch *patches, size_t nr_patches, struct ao_error *err);

#endif
