// SPDX-License-Identifier: GPL-2.0
/* Growing arrays: see include/ao_grow.h. */
#include <stdint.h>

#include "ao_error.h"
#include "ao_grow.h"

void *ao_grow(struct ao_error *err, void *v, size_t *cap, size_t need, size_t size,
	      size_t first)
{
	size_t max = size ? SIZE_MAX / size : SIZE_MAX, n;
	void *p;

	if (need <= *cap)
		return v;
	n = !*cap ? first : *cap <= max / 2 ? 2 * *cap : max;
	if (n < need)
		n = need;   /* when need elements overflow, ao_reallocarray() says so */
	p = ao_reallocarray(err, v, n, size);
	if (!p)
		return v;
	*cap = n;
	return p;
}
