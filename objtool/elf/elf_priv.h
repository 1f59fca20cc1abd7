/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the ELF layer, shared by objfile.c and elf/write.c
 * only.  The public struct objfile is the first member of a larger
 * allocation, so lookup indexes can live here without widening the API.
 */
#ifndef ALTORC_OBJFILE_PRIV_H
#define ALTORC_OBJFILE_PRIV_H

#include <stddef.h>
#include <sys/types.h>

#include "objfile.h"

/* Per-section lookup index: the STT_FUNC symbols, sorted like sec->syms. */
struct objf_secx {
	struct objsym **funcs;
	uint64_t *max_end;      /* max of offset+size over funcs[0..i] */
	size_t nr_funcs;
};

struct objf_impl {
	struct objfile pub;     /* must stay first */
	struct objf_secx *x;    /* indexed by section index */
	struct objsym **sym_ptrs;   /* backing store of every sec->syms slice */
	struct objsym **func_ptrs;  /* backing store of every x->funcs slice */
	uint64_t *func_ends;
	/* Symbol-name index (elf/names.c), built on first lookup. */
	uint32_t *name_heads;       /* bucket -> first symbol index + 1 (0: empty) */
	uint32_t *name_next;        /* symbol index -> next index + 1 in its bucket */
	size_t nr_name_buckets;
	struct objf_copy *copy;     /* for the next write (elf/copy.c); NULL: none yet */
};

static inline struct objf_impl *objf_impl(struct objfile *f)
{
	return (struct objf_impl *)((char *)f - offsetof(struct objf_impl, pub));
}

/*
 * The finished copy of f's file for a write (elf/copy.c): the one attached
 * if it is still of that file, else one made now.  On success the write
 * owns *fd and the file named path (PATH_MAX bytes), *size bytes long; on
 * failure err says why and nothing is left behind.
 */
int objf_copy_take(struct objfile *f, int *fd, char *path, off_t *size, struct ao_error *err);

/* The copy taken is renamed or unlinked: a signal now has nothing to remove. */
void objf_copy_forget(void);

#endif
