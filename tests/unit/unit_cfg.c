// SPDX-License-Identifier: GPL-2.0
/* See unit_cfg.h. */
#include <string.h>

#include "unit.h"
#include "unit_cfg.h"

static int build(struct unit_cfg *u, const char *fixture, enum unit_kernel k)
{
	struct cfg_options opts = { .kernel = kernel_rules_find(k == UNIT_6_12 ? "6.12" : "6.1") };
	const char *path = unit_assemble(fixture);

	memset(u, 0, sizeof(*u));
	ck_assert_msg(objf_open(&u->file, path, &u->err) == 0, "%s", u->err.message);
	findings_init(&u->fs, path, 0);
	return cfg_build(&u->cfg, u->file, &opts, &u->err);
}

void unit_cfg_open(struct unit_cfg *u, const char *fixture, enum unit_kernel k)
{
	ck_assert_msg(build(u, fixture, k) == 0, "%s: %s", fixture, u->err.message);
}

const char *unit_cfg_refused(struct unit_cfg *u, const char *fixture, enum unit_kernel k)
{
	ck_assert_msg(build(u, fixture, k) == -1, "%s: cfg_build() accepted it", fixture);
	return u->err.message;
}

int unit_cfg_validate(struct unit_cfg *u)
{
	static const struct validate_options none;
	int n = validate_run(&u->cfg, &u->fs, &none);

	ck_assert_msg(n >= 0, "validate_run: %s", u->err.message);
	return n;
}

void unit_cfg_close(struct unit_cfg *u)
{
	cfg_free(&u->cfg);
	objf_close(u->file);
	findings_free(&u->fs);
	memset(u, 0, sizeof(*u));
}

struct objsym *unit_sym(struct unit_cfg *u, const char *name)
{
	struct objsym *s = objf_sym_by_name(u->file, name);

	ck_assert_msg(s != NULL, "no symbol %s", name);
	return s;
}

struct code_section *unit_csec(struct unit_cfg *u, const char *name)
{
	struct objsec *sec = objf_sec_by_name(u->file, name);

	ck_assert_msg(sec != NULL, "no section %s", name);
	ck_assert_msg(u->cfg.csecs[sec->index].sec == sec, "%s was not decoded", name);
	return &u->cfg.csecs[sec->index];
}

struct instr *unit_insn(struct unit_cfg *u, const char *sym, uint64_t off)
{
	struct objsec *sec = objf_sec_by_name(u->file, sym);
	struct instr *insn;
	uint64_t base = 0;

	if (!sec) {
		struct objsym *s = unit_sym(u, sym);

		sec = s->sec;
		base = s->offset;
	}
	insn = cfg_find(&u->cfg, sec, base + off);
	ck_assert_msg(insn != NULL, "no instruction at %s+0x%llx", sym, (unsigned long long)off);
	return insn;
}

void unit_expect_finding(const struct unit_cfg *u, size_t i, const char *kind, const char *loc,
			 const char *msg)
{
	const struct finding *f;

	ck_assert_msg(i < u->fs.nr, "finding %zu expected, %zu found", i, u->fs.nr);
	f = &u->fs.items[i];
	ck_assert_str_eq(f->kind, kind);
	if (loc)
		ck_assert_str_eq(f->location, loc);
	else
		ck_assert_ptr_null(f->location);
	ck_assert_msg(!strncmp(f->message, msg, strlen(msg)), "finding %zu: \"%s\", expected \"%s\"",
		      i, f->message, msg);
}
