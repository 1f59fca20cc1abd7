/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for the commands' --json output.
 *
 * The writer tracks nesting so callers never place commas themselves:
 * open an object or array, add members (json_key() before each value inside
 * an object), close it.  Output goes to a stdio stream; pretty-printed with
 * two-space indentation so diffs of the output stay readable.
 */
#ifndef ALTORC_JSON_WRITER_H
#define ALTORC_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	/* Per level: has a member been written yet (so the next needs a comma)? */
	bool has_member[JSON_MAX_DEPTH];
	bool in_object[JSON_MAX_DEPTH];
	bool after_key;     /* a key was written; the value follows on the same line */
	bool failed;        /* nesting misuse or too deep; output is not valid JSON */
};

void json_init(struct json_writer *w, FILE *out);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* Member name inside an object; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);   /* NULL writes null */
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Shorthands for "key": value inside an object. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

/*
 * Finish: writes the final newline.  Returns 0, or -1 when the document
 * was misnested or the stream reported an error.
 */
int json_finish(struct json_writer *w);

#endif
