/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the ELF layer, shared by objfile.c and elf/write.c
 * only.  The public struct objfile is the first member of a larger
 * allocation, so lookup indexes can live here without widening the API.
 */
#ifndef ALTORC_OBJFILE_PRIV_H
#define ALTORC_OBJFILE_PRIV_H

#include <stddef.h>

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
};

static inline struct objf_impl *objf_impl(struct objfile *f)
{
	return (struct objf_impl *)((char *)f - offsetof(struct objf_impl, pub));
}

#endif
