// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON output: see include/json_writer.h. */
#include <inttypes.h>

#include "json_writer.h"

void json_init(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){ .out = out };
}

static void json_indent(struct json_writer *w)
{
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Punctuation before any value: a comma and a new line, unless after a key. */
static void json_before_value(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		/* Inside an object every value needs its key first. */
		if (w->in_object[w->depth - 1])
			w->failed = true;
		if (w->has_member[w->depth - 1])
			fputc(',', w->out);
		w->has_member[w->depth - 1] = true;
		json_indent(w);
	}
}

static void json_open(struct json_writer *w, char c, bool object)
{
	json_before_value(w);
	fputc(c, w->out);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->in_object[w->depth] = object;
	w->has_member[w->depth] = false;
	w->depth++;
}

static void json_close(struct json_writer *w, char c, bool object)
{
	bool had;

	if (w->depth == 0 || w->in_object[w->depth - 1] != object || w->after_key) {
		w->failed = true;
		return;
	}
	had = w->has_member[w->depth - 1];
	w->depth--;
	if (had)
		json_indent(w);
	fputc(c, w->out);
}

void json_begin_object(struct json_writer *w) { json_open(w, '{', true); }
void json_end_object(struct json_writer *w) { json_close(w, '}', true); }
void json_begin_array(struct json_writer *w) { json_open(w, '[', false); }
void json_end_array(struct json_writer *w) { json_close(w, ']', false); }

/* A string literal with JSON escapes; bytes >= 0x80 pass through (UTF-8). */
static void json_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->depth == 0 || !w->in_object[w->depth - 1] || w->after_key) {
		w->failed = true;
		return;
	}
	if (w->has_member[w->depth - 1])
		fputc(',', w->out);
	w->has_member[w->depth - 1] = true;
	json_indent(w);
	json_quote(w->out, key);
	fputs(": ", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_before_value(w);
	json_quote(w->out, s);
}

void json_int(struct json_writer *w, int64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_bool(struct json_writer *w, bool v)
{
	json_before_value(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	json_before_value(w);
	fputs("null", w->out);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

int json_finish(struct json_writer *w)
{
	if (w->depth != 0 || w->after_key)
		w->failed = true;
	fputc('\n', w->out);
	if (fflush(w->out) != 0 || ferror(w->out))
		return -1;
	return w->failed ? -1 : 0;
}
