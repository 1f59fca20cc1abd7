// SPDX-License-Identifier: GPL-2.0
/* The findings list: see include/findings.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ao_grow.h"
#include "findings.h"

void findings_init(struct findings *fs, const char *file, int echo)
{
	memset(fs, 0, sizeof(*fs));
	fs->file = file;
	fs->echo = echo;
	fs->tool_name = "objtool";
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->nr; i++) {
		free(fs->items[i].section);
		free(fs->items[i].location);
		free(fs->items[i].function);
		free(fs->items[i].message);
	}
	free(fs->items);
	free(fs->per_func);
	fs->items = NULL;
	fs->per_func = NULL;
	fs->nr = fs->cap = fs->nr_per_func = 0;
}

unsigned findings_count_in_func(const struct findings *fs, const struct objsym *fn)
{
	unsigned n = fs->base ? findings_count_in_func(fs->base, fn) : 0;

	return n + (fn && fn->index < fs->nr_per_func ? fs->per_func[fn->index] : 0);
}

void *findings_echo_stream(const struct findings *fs)
{
	return fs->echo_stream ? fs->echo_stream : stderr;
}

/* Count f against its function (out of memory: not counted, so never suppressed). */
static void count_in_func(struct findings *fs, size_t nr_syms, const struct finding *f)
{
	if (!f->function)
		return;
	if (!fs->per_func) {
		fs->per_func = calloc(nr_syms ? nr_syms : 1, sizeof(*fs->per_func));
		if (!fs->per_func)
			return;
		fs->nr_per_func = nr_syms;
	}
	if (f->func_index < fs->nr_per_func)
		fs->per_func[f->func_index]++;
}

void findings_drop_last(struct findings *fs)
{
	struct finding *f;

	if (!fs->nr)
		return;
	f = &fs->items[--fs->nr];
	if (f->function && f->func_index < fs->nr_per_func)
		fs->per_func[f->func_index]--;
	free(f->section); free(f->location); free(f->function); free(f->message);
}

/* The reference's one-line shape: drop altorc's detail lines after the first. */
static void print_first_line(const struct findings *fs, const struct finding *f)
{
	struct finding one = *f;
	char *nl = f->message ? strchr(f->message, '\n') : NULL;
	char *first = nl ? strndup(f->message, (size_t)(nl - f->message)) : NULL;

	if (first)
		one.message = first;
	findings_print_text(fs, &one, findings_echo_stream(fs));
	free(first);
}

void findings_print_text(const struct findings *fs, const struct finding *f, void *stream)
{
	if (f->location)
		fprintf(stream, "%s: warning: %s: %s: %s\n", fs->file, fs->tool_name, f->location, f->message);
	else
		fprintf(stream, "%s: warning: %s: %s\n", fs->file, fs->tool_name, f->message);
}

void findings_add(struct findings *fs, const char *kind, struct objsec *sec, uint64_t off,
		  const char *fmt, ...)
{
	struct finding f = { .kind = kind, .offset = off, .file_offset = -1 };
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f.message = strdup(buf);
	if (sec) {
		struct objsym *func = objf_func_at(sec, off);

		f.section = strdup(sec->name);
		if (sec->shdr.sh_type != SHT_NOBITS && off < sec->shdr.sh_size)
			f.file_offset = (int64_t)(sec->shdr.sh_offset + off);
		objf_format_warn_loc(buf, sizeof(buf), sec, off);
		f.location = strdup(buf);
		f.function = func ? strdup(func->name) : NULL;
		f.func_index = func ? func->index : 0;
	}
	if (fs->echo && !fs->reference_only)
		findings_print_text(fs, &f, findings_echo_stream(fs));
	else if (fs->echo && findings_kind_in_reference(kind))
		print_first_line(fs, &f);
	if (AO_GROW(NULL, fs->items, fs->cap, fs->nr + 1, 16)) {
		free(f.message); free(f.section); free(f.location); free(f.function);
		return;   /* already printed when echoing; nothing else to do */
	}
	if (sec)
		count_in_func(fs, sec->file->nr_syms, &f);
	fs->items[fs->nr++] = f;
}

void findings_take(struct findings *dst, struct findings *src)
{
	for (size_t i = 0; i < src->nr; i++) {
		struct finding *f = &src->items[i];

		if (AO_GROW(NULL, dst->items, dst->cap, dst->nr + 1, 16)) {
			/* as findings_add(): printed already, dropped */
			free(f->message); free(f->section); free(f->location); free(f->function);
			continue;
		}
		/* src counted it, so src's table is as wide as the symbol table */
		if (dst->per_func || src->nr_per_func)
			count_in_func(dst, src->nr_per_func, f);
		dst->items[dst->nr++] = *f;
	}
	src->nr = 0;
}
