/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growing a heap array that is appended to, in one place: the passes kept
 * an array, its count and its capacity, and each spelled out the doubling,
 * the overflow check and the care not to lose the array when realloc fails.
 */
#ifndef AO_GROW_H
#define AO_GROW_H

#include <stddef.h>

struct ao_error;

/*
 * Room for at least need elements of size bytes: v itself when *cap is
 * enough, else v reallocated to first elements, or twice *cap, or need when
 * more, with *cap set to the new capacity.  When out of memory or when need
 * elements overflow a size_t, v is returned as it was, *cap is unchanged and
 * err (may be NULL) holds AO_ERR_NOMEM.  Use AO_GROW() rather than this.
 */
void *ao_grow(struct ao_error *err, void *v, size_t *cap, size_t need, size_t size,
	      size_t first);

/*
 * The same on an array pointer v (any object pointer, not void *) and its
 * size_t capacity cap, both lvalues: 0, or -1 when out of memory (v and cap
 * then unchanged).  The pointer is assigned back, not written through a
 * void **, which C does not allow for a typed pointer.  v, cap and need are
 * evaluated more than once: no side effects in them.  The common case, room
 * already, is a comparison with no call.
 */
#define AO_GROW(err, v, cap, need, first)						\
	((need) <= (cap) ? 0 :								\
	 ((v) = ao_grow((err), (v), &(cap), (need), sizeof(*(v)), (first)),		\
	  (need) <= (cap) ? 0 : -1))

#endif
