// SPDX-License-Identifier: GPL-2.0
/*
 * `altorc check --format=sarif`: a SARIF 2.1.0 log, one run, one rule per
 * finding kind that occurs, one result per finding.
 *
 * A code-scanning UI shows a result on a source line only through a
 * physical location with a text region, so when DWARF gives the finding's
 * file:line that is the location.  Otherwise the result points into the
 * object itself: the object as artifact, the section offset as an address,
 * and "func+0xoff" as a logical location, so it still names a place; its
 * region is the instruction's first byte in the file (or the whole file when
 * the finding has no address), since validators and viewers want a region.
 * Objects that could not be analysed become tool execution notifications.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* The distinct rules found, in order of first appearance: rule i is rules[i]. */
struct rules {
	const struct finding_rule **rules;
	size_t nr;
};

static long rule_index(const struct rules *r, const struct finding_rule *rule)
{
	for (size_t i = 0; i < r->nr; i++)
		if (r->rules[i] == rule)
			return (long)i;
	return -1;
}

static int collect_rules(struct rules *r, const struct report_file *files, size_t nr)
{
	size_t total = 0;

	for (size_t i = 0; i < nr; i++)
		total += files[i].fs.nr;
	r->nr = 0;
	r->rules = calloc(total ? total : 1, sizeof(*r->rules));
	if (!r->rules)
		return -1;
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < files[i].fs.nr; k++) {
			const struct finding_rule *rule = findings_rule(files[i].fs.items[k].kind);

			if (rule_index(r, rule) < 0)
				r->rules[r->nr++] = rule;
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
		const struct finding_rule *rule = r->rules[i];

		json_begin_object(w);
		json_kv_string(w, "id", rule->id);
		json_kv_string(w, "name", rule->name);
		json_text(w, "shortDescription", rule->summary);
		json_text(w, "fullDescription", rule->description);
		json_kv_string(w, "helpUri", rule->help_uri);
		json_key(w, "defaultConfiguration");
		json_begin_object(w);
		json_kv_string(w, "level", rule->level);
		json_end_object(w);
		json_key(w, "properties");
		json_begin_object(w);
		json_kv_bool(w, "reportedByReferenceObjtool", rule->in_reference);
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

/* Where in the object's bytes: the instruction's first byte, or the whole file. */
static void byte_region(struct json_writer *w, const char *path, const struct finding *f)
{
	struct stat st = { 0 };

	if (f->file_offset < 0 && (stat(path, &st) || st.st_size <= 0))
		return;
	json_key(w, "region");
	json_begin_object(w);
	json_kv_uint(w, "byteOffset", f->file_offset < 0 ? 0 : (uint64_t)f->file_offset);
	json_kv_uint(w, "byteLength", f->file_offset < 0 ? (uint64_t)st.st_size : 1);
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
		byte_region(w, rf->path, f);
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
	const struct finding_rule *rule = findings_rule(f->kind);
	char msg[2048];

	if (f->location)
		snprintf(msg, sizeof(msg), "%s: %s", f->location, f->message ? f->message : "");
	else
		snprintf(msg, sizeof(msg), "%s", f->message ? f->message : "");
	json_begin_object(w);
	json_kv_string(w, "ruleId", rule->id);
	json_kv_int(w, "ruleIndex", rule_index(r, rule));
	json_kv_string(w, "level", rule->level);
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
	json_kv_string(&w, "version", altorc_version());
	json_kv_string(&w, "semanticVersion", altorc_version());
	json_kv_string(&w, "informationUri", "https://docs.kernel.org/arch/x86/orc-unwinder.html");
	sarif_rules(&w, &r);
	json_key(&w, "properties");
	json_begin_object(&w);
	json_kv_string(&w, "commit", altorc_commit());
	json_end_object(&w);
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
	free(r.rules);
	return json_finish(&w);
}
