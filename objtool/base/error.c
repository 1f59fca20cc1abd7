// SPDX-License-Identifier: GPL-2.0
/* Error holders: see include/ao_error.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ao_error.h"

int ao_fail(struct ao_error *err, enum ao_status status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void ao_error_clear(struct ao_error *err)
{
	err->status = AO_OK;
	err->message[0] = '\0';
}

const char *ao_status_name(enum ao_status status)
{
	switch (status) {
	case AO_OK:              return "no error";
	case AO_ERR_IO:          return "I/O error";
	case AO_ERR_FORMAT:      return "format error";
	case AO_ERR_UNSUPPORTED: return "unsupported input";
	case AO_ERR_NOMEM:       return "out of memory";
	case AO_ERR_USAGE:       return "usage error";
	case AO_ERR_ANALYSIS:    return "analysis error";
	case AO_ERR_STOPPED:     return "analysis stopped";
	case AO_ERR_GAVE_UP:     return "analysis given up";
	}
	return "unknown error";
}

void *ao_calloc(struct ao_error *err, size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		ao_fail(err, AO_ERR_NOMEM, "out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void ao_advise_huge(void *p, size_t size)
{
	uintptr_t page = 4096, lo = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + size) & ~(page - 1);

	/* only worth it (and only possible) over whole 2 MiB huge pages */
	if (p && size >= (4u << 20) && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void *ao_reallocarray(struct ao_error *err, void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size) {
		ao_fail(err, AO_ERR_NOMEM, "allocation of %zu x %zu bytes overflows", nmemb, size);
		return NULL;
	}
	p = realloc(ptr, (nmemb && size) ? nmemb * size : 1);
	if (!p)
		ao_fail(err, AO_ERR_NOMEM, "out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void ao_report_error(const char *msg)
{
	fprintf(stderr, "altorc: %s\n", msg);
}
