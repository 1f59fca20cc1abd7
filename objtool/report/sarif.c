// SPDX-License-Identifier: GPL-2.0
/*
 * `altorc check --format=sarif`: a SARIF 2.1.0 log, one run, one rule per
 * finding kind that occurs, one result per finding.
 *
 * A code-scanning UI shows a result on a source line only through a
 * physical location with a text region, so when DWARF gives the finding's
 * file:line that is the location.  Otherwise the result points into the
 * object itself: the object as artifact, the section offset as an address,
 * and "func+0xoff" as a logical location, so it still names a place.
 * Objects that could not be analysed become tool execution notifications.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

struct rule_text {
	const char *kind;
	const char *text;
};

/* What each kind of finding means, for the rule's short description. */
static const struct rule_text rule_texts[] = {
	{ "stack-state-mismatch", "Two paths reach an instruction with different stack states" },
	{ "alternative-stack-conflict",
	  "The sides of an alternative disagree on the stack layout at one site offset" },
	{ "alternative-exit-state", "A replacement leaves its site in another stack state" },
	{ "cfi-missing", "No stack state is known for an instruction of an alternative" },
	{ "cfi-mismatch", "altorc's CFA disagrees with the compiler's DWARF call-frame information" },
	{ "unreachable", "Instruction no path reaches" },
	{ "fallthrough", "Control falls off the end of a function" },
	{ "end-of-section", "Control runs past the end of the section" },
	{ "missing-noreturn", "A call to a function that does not return is not marked so" },
	{ "missing-size", "A function symbol without a size" },
	{ "paravirt-stack", "A paravirt site changes the stack" },
	{ "paravirt-table", "A malformed paravirt patch site" },
	{ "bp-scratch", "The frame pointer is used as a scratch register" },
	{ "call-without-frame", "A call before the frame pointer is set up" },
	{ "context-switch", "An unsupported context switch inside a function" },
	{ "direction-flag", "The direction flag is set across a call or return" },
	{ "return-modified-frame", "A return with a modified stack frame" },
	{ "sibling-call-modified-frame", "A sibling call with a modified stack frame" },
	{ "stack-op", "An unsupported stack operation" },
	{ "uaccess", "User access enabled where it must not be" },
	{ "unwind-hint", "An unwind hint that cannot apply" },
	{ "internal", "altorc could not model this code" },
};

static const char *rule_description(const char *kind)
{
	for (size_t i = 0; i < sizeof(rule_texts) / sizeof(rule_texts[0]); i++)
		if (!strcmp(rule_texts[i].kind, kind))
			return rule_texts[i].text;
	return "Stack validation finding";
}

/* The distinct kinds, in order of first appearance: rule i is kinds[i]. */
struct rules {
	const char **kinds;
	size_t nr;
};

static long rule_index(const struct rules *r, const char *kind)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->kinds[i], kind))
			return (long)i;
	return -1;
}

static int collect_rules(struct rules *r, const struct report_file *files, size_t nr)
{
	size_t total = 0;

	for (size_t i = 0; i < nr; i++)
		total += files[i].fs.nr;
	r->nr = 0;
	r->kinds = calloc(total ? total : 1, sizeof(*r->kinds));
	if (!r->kinds)
		return -1;
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < files[i].fs.nr; k++) {
			const char *kind = files[i].fs.items[k].kind ? files[i].fs.items[k].kind : "internal";

			if (rule_index(r, kind) < 0)
				r->kinds[r->nr++] = kind;
		}
	return 0;
}

/* An absolute path as a file:// URI (reserved characters escaped); others stay relative. */
static void uri_of(const char *path, char *buf, size_t size)
{
	size_t n = 0;

	if (path[0] == '/')
		n = (size_t)snprintf(buf, size, "file://");
	for (; *path && n + 4 < size; path++) {
		unsigned char c = (unsigned char)*path;

		if (c <= ' ' || c == '%' || c == '#' || c == '?' || c >= 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = 0;
}

static void json_text(struct json_writer *w, const char *key, const char *text)
{
	json_key(w, key);
	json_begin_object(w);
	json_kv_string(w, "text", text);
	json_end_object(w);
}

static void sarif_rules(struct json_writer *w, const struct rules *r)
{
	json_key(w, "rules");
	json_begin_array(w);
	for (size_t i = 0; i < r->nr; i++) {
		json_begin_object(w);
		json_kv_string(w, "id", r->kinds[i]);
		json_kv_string(w, "name", r->kinds[i]);
		json_text(w, "shortDescription", rule_description(r->kinds[i]));
		json_key(w, "defaultConfiguration");
		json_begin_object(w);
		json_kv_string(w, "level", "warning");
		json_end_object(w);
		json_end_object(w);
	}
	json_end_array(w);
}

static void artifact(struct json_writer *w, const char *path)
{
	char uri[4096];

	uri_of(path, uri, sizeof(uri));
	json_key(w, "artifactLocation");
	json_begin_object(w);
	json_kv_string(w, "uri", uri);
	json_end_object(w);
}

static void physical(struct json_writer *w, const struct report_file *rf, const struct finding *f,
		     const struct report_source *src)
{
	json_key(w, "physicalLocation");
	json_begin_object(w);
	if (src && src->file) {
		artifact(w, src->file);
		json_key(w, "region");
		json_begin_object(w);
		json_kv_uint(w, "startLine", src->line ? src->line : 1);
		json_end_object(w);
	} else {
		artifact(w, rf->path);
		if (f->section) {
			json_key(w, "address");
			json_begin_object(w);
			json_kv_uint(w, "relativeAddress", f->offset);
			json_kv_string(w, "name", f->section);
			json_kv_string(w, "fullyQualifiedName", f->location);
			json_kv_string(w, "kind", "instruction");
			json_end_object(w);
		}
	}
	json_end_object(w);
}

static void logical(struct json_writer *w, const struct report_file *rf, const struct finding *f)
{
	char fq[1024];

	if (!f->location)
		return;
	snprintf(fq, sizeof(fq), "%s:%s", rf->path, f->location);
	json_key(w, "logicalLocations");
	json_begin_array(w);
	json_begin_object(w);
	json_kv_string(w, "name", f->location);
	json_kv_string(w, "fullyQualifiedName", fq);
	json_kv_string(w, "kind", f->function ? "function" : "module");
	json_end_object(w);
	json_end_array(w);
}

static void sarif_result(struct json_writer *w, const struct rules *r,
			 const struct report_file *rf, size_t k)
{
	const struct finding *f = &rf->fs.items[k];
	const char *kind = f->kind ? f->kind : "internal";
	char msg[2048];

	if (f->location)
		snprintf(msg, sizeof(msg), "%s: %s", f->location, f->message ? f->message : "");
	else
		snprintf(msg, sizeof(msg), "%s", f->message ? f->message : "");
	json_begin_object(w);
	json_kv_string(w, "ruleId", kind);
	json_kv_int(w, "ruleIndex", rule_index(r, kind));
	json_kv_string(w, "level", "warning");
	json_text(w, "message", msg);
	json_key(w, "locations");
	json_begin_array(w);
	json_begin_object(w);
	physical(w, rf, f, rf->sources ? &rf->sources[k] : NULL);
	logical(w, rf, f);
	json_end_object(w);
	json_end_array(w);
	json_end_object(w);
}

/* Unusable inputs: the run did not fully succeed; say which file and why. */
static void sarif_invocation(struct json_writer *w, const struct report_file *files, size_t nr)
{
	bool ok = true;

	for (size_t i = 0; i < nr; i++)
		ok = ok && files[i].result >= 0;
	json_key(w, "invocations");
	json_begin_array(w);
	json_begin_object(w);
	json_kv_bool(w, "executionSuccessful", ok);
	json_key(w, "toolExecutionNotifications");
	json_begin_array(w);
	for (size_t i = 0; i < nr; i++) {
		if (files[i].result >= 0)
			continue;
		json_begin_object(w);
		json_kv_string(w, "level", "error");
		json_text(w, "message", files[i].error ? files[i].error : "unusable input");
		json_key(w, "locations");
		json_begin_array(w);
		json_begin_object(w);
		json_key(w, "physicalLocation");
		json_begin_object(w);
		artifact(w, files[i].path);
		json_end_object(w);
		json_end_object(w);
		json_end_array(w);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
	json_end_array(w);
}

int report_sarif(FILE *out, const struct report_file *files, size_t nr)
{
	struct json_writer w;
	struct rules r;

	if (collect_rules(&r, files, nr))
		return -1;
	json_init(&w, out);
	json_begin_object(&w);
	json_kv_string(&w, "$schema", SARIF_SCHEMA);
	json_kv_string(&w, "version", "2.1.0");
	json_key(&w, "runs");
	json_begin_array(&w);
	json_begin_object(&w);
	json_key(&w, "tool");
	json_begin_object(&w);
	json_key(&w, "driver");
	json_begin_object(&w);
	json_kv_string(&w, "name", "altorc");
	json_kv_string(&w, "informationUri", "https://www.kernel.org/doc/html/latest/x86/orc-unwinder.html");
	sarif_rules(&w, &r);
	json_end_object(&w);
	json_end_object(&w);
	sarif_invocation(&w, files, nr);
	json_key(&w, "results");
	json_begin_array(&w);
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < files[i].fs.nr; k++)
			sarif_result(&w, &r, &files[i], k);
	json_end_array(&w);
	json_end_object(&w);
	json_end_array(&w);
	json_end_object(&w);
	free(r.kinds);
	return json_finish(&w);
}
