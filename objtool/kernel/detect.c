// SPDX-License-Identifier: GPL-2.0
/*
 * Which kernel's rules an object gets (include/kernel.h, kernel_choose()).
 *
 * Every piece of evidence is a range of kernel versions it is true for:
 * the build folder names one series exactly, an object or argument shape
 * bounds it from one side (14-byte .altinstructions entries: 6.3 or later).
 * The ranges must overlap, and exactly one row may lie in what is left;
 * anything else is refused with the evidence spelled out, because the
 * wrong row writes ORC in an encoding the kernel cannot read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "special.h"

#define KV(major, minor) ((major) * 256u + (minor))
#define KV_MIN 0u
#define KV_MAX 0xffffu

struct evidence {
	unsigned lo, hi;           /* versions it allows, inclusive */
	char text[256];
};

struct evidence_set {
	struct evidence v[12];
	size_t nr;
	bool exact;                /* some evidence names one series */
};

static void add(struct evidence_set *s, unsigned lo, unsigned hi, const char *fmt, const char *arg)
{
	struct evidence *e;

	if (s->nr == sizeof(s->v) / sizeof(*s->v))
		return;
	e = &s->v[s->nr++];
	e->lo = lo;
	e->hi = hi;
	snprintf(e->text, sizeof(e->text), fmt, arg);
	if (lo == hi)
		s->exact = true;
}

static void version_text(unsigned v, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u", v / 256, v % 256);
}

/* "6.12.117+deb12-amd64" -> KV(6, 12); 0 when it does not start with N.N. */
static unsigned parse_release(const char *s)
{
	char *end;
	unsigned long major, minor;

	major = strtoul(s, &end, 10);
	if (end == s || *end != '.' || major > 255)
		return 0;
	s = end + 1;
	minor = strtoul(s, &end, 10);
	if (end == s || minor > 255)
		return 0;
	return KV(major, minor);
}

/* The kernel build kbuild runs objtool in: its exported variables, then its folder. */
static void build_dir_evidence(struct evidence_set *s)
{
	const char *rel = getenv("KERNELRELEASE");
	const char *ver = getenv("VERSION"), *pl = getenv("PATCHLEVEL");
	char buf[64], line[64];
	unsigned v;
	FILE *fp;

	if (rel && (v = parse_release(rel))) {
		add(s, v, v, "KERNELRELEASE=%s in the environment (kbuild's)", rel);
	} else if (ver && pl) {
		snprintf(buf, sizeof(buf), "%s.%s", ver, pl);
		if ((v = parse_release(buf)))
			add(s, v, v, "VERSION.PATCHLEVEL=%s in the environment (kbuild's)", buf);
	}
	fp = fopen("include/config/kernel.release", "r");
	if (!fp)
		return;
	if (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if ((v = parse_release(line)))
			add(s, v, v, "include/config/kernel.release here says %s", line);
	}
	fclose(fp);
}

static bool has_section_prefixed(struct objfile *f, const char *prefix)
{
	for (size_t i = 1; i < f->nr_secs; i++)
		if (!strncmp(f->secs[i].name, prefix, strlen(prefix)))
			return true;
	return false;
}

/* Shapes only some kernels' objects have. */
static int object_evidence(struct objfile *f, struct evidence_set *s, struct ao_error *err)
{
	enum alt_layout layout;

	if (special_alt_layout(f, &layout, err) < 0)
		return -1;
	if (layout == ALT_LAYOUT_V1)
		add(s, KV_MIN, KV(6, 2), "%s", "the object's .altinstructions has 12-byte entries (6.2 or older)");
	else if (layout == ALT_LAYOUT_V2)
		add(s, KV(6, 3), KV_MAX, "%s", "the object's .altinstructions has 14-byte entries (6.3 or later)");
	if (objf_sec_by_name(f, ".orc_header"))
		add(s, KV(6, 4), KV_MAX, "%s", "the object has .orc_header (6.4 or later)");
	if (objf_sec_by_name(f, ".export_symbol"))
		add(s, KV(6, 5), KV_MAX, "%s", "the object exports through .export_symbol (6.5 or later)");
	if (has_section_prefixed(f, "___ksymtab+") || has_section_prefixed(f, "___ksymtab_gpl+"))
		add(s, KV_MIN, KV(6, 4), "%s", "the object exports through ___ksymtab+ sections (6.4 or older)");
	return 0;
}

static void argument_evidence(const struct kernel_hints *h, struct evidence_set *s)
{
	if (h->prefix)
		add(s, KV(6, 2), KV_MAX, "%s", "--prefix= was given (objtool 6.2 or later)");
	if (h->skylake)
		add(s, KV(6, 2), KV_MAX, "%s", "--hacks=skylake was given (objtool 6.2 or later)");
	if (h->orc_version == 1)
		add(s, KV_MIN, KV(6, 2), "%s", "--orc-format=v1 was given (6.2 or older)");
	else if (h->orc_version == 2)
		add(s, KV(6, 3), KV_MAX, "%s", "--orc-format=v2 was given (6.3 or later)");
}

/* "a; b; c" of every piece of evidence. */
static void list_evidence(const struct evidence_set *s, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nr && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "; " : "", s->v[i].text);
}

static void known_rows(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < kernel_rules_count() && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
				      kernel_rules_at(i)->name);
}

/* The one row inside [lo, hi], else NULL with *count rows found. */
static const struct kernel_rules *row_within(unsigned lo, unsigned hi, size_t *count)
{
	const struct kernel_rules *found = NULL;

	*count = 0;
	for (size_t i = 0; i < kernel_rules_count(); i++) {
		const struct kernel_rules *r = kernel_rules_at(i);
		unsigned v = KV(r->major, r->minor);

		if (v >= lo && v <= hi) {
			found = r;
			(*count)++;
		}
	}
	return *count == 1 ? found : NULL;
}

static int decide(struct objfile *f, const struct kernel_hints *h, const struct evidence_set *s,
		  struct kernel_choice *out, struct ao_error *err)
{
	char ev[600], rows[64], a[16], b[16];
	unsigned lo = KV_MIN, hi = KV_MAX;
	size_t count;

	for (size_t i = 0; i < s->nr; i++) {
		lo = s->v[i].lo > lo ? s->v[i].lo : lo;
		hi = s->v[i].hi < hi ? s->v[i].hi : hi;
	}
	list_evidence(s, ev, sizeof(ev));
	known_rows(rows, sizeof(rows));
	if (lo > hi)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: the kernel evidence disagrees (%s); "
			       "pass --kernel=NAME (one of %s)", f->path, ev, rows);
	out->rules = row_within(lo, hi, &count);
	if (out->rules) {
		snprintf(out->reason, sizeof(out->reason), "%s", ev);
		return 0;
	}
	version_text(lo, a, sizeof(a));
	version_text(hi, b, sizeof(b));
	if (s->exact)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: no rules for kernel %s (%s); altorc "
			       "knows %s", f->path, a, ev, rows);
	if (!count)
		return ao_fail(err, AO_ERR_UNSUPPORTED, "%s: none of the supported kernels (%s) "
			       "fits the evidence (%s)", f->path, rows, ev);
	if (h->must_decide)
		return ao_fail(err, AO_ERR_USAGE, "%s: cannot tell which kernel's rules apply "
			       "(%s); run it from the kernel build folder as kbuild does, or pass "
			       "--kernel=NAME (one of %s)", f->path,
			       s->nr ? ev : "no kernel build folder here, and nothing in the object "
			       "or the arguments that only one kernel shows", rows);
	out->rules = kernel_rules_default();
	snprintf(out->reason, sizeof(out->reason), "the default, since nothing decides (%s)",
		 s->nr ? ev : "no evidence");
	return 0;
}

int kernel_choose(struct objfile *f, const struct kernel_hints *h, struct kernel_choice *out,
		  struct ao_error *err)
{
	struct evidence_set s = { .nr = 0 };

	out->rules = NULL;
	out->reason[0] = '\0';
	if (h->forced) {
		out->rules = kernel_rules_find(h->forced);
		if (!out->rules)
			return ao_fail(err, AO_ERR_USAGE, "unknown kernel '%s'", h->forced);
		snprintf(out->reason, sizeof(out->reason), "--kernel=%s", h->forced);
		return 0;
	}
	if (h->build_dir)
		build_dir_evidence(&s);
	if (object_evidence(f, &s, err) < 0)
		return -1;
	argument_evidence(h, &s);
	return decide(f, h, &s, out, err);
}
