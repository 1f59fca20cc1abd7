// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the non-ORC output of `altorc objtool` (objtool/sites_*.c
 * and the writer's new-symbol / relocation-type support) on
 * tests/fixtures/sites_basic.S.  Every expected value is the hand-worked
 * table in the fixture's header comment, which the 6.12 reference objtool
 * reproduces entry for entry with the same flags (checked with readelf -rsW
 * and objdump -dr on its output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "objfile.h"
#include "unit.h"

#define ARGS_6_12 "--hacks=jump_label", "--hacks=noinstr", "--hacks=skylake", "--ibt", "--link", \
		  "--orc", "--prefix=16", "--retpoline", "--rethunk", "--sls", "--static-call", \
		  "--uaccess", "--module"
#define ARGS_6_1  "--hacks=jump_label", "--hacks=noinstr", "--orc", "--retpoline", "--rethunk", \
		  "--sls", "--static-call", "--uaccess", "--module", "--kernel=6.1"

/* A fresh copy of an assembled fixture under a per-test name. */
static const char *fresh_copy_of(const char *fixture, const char *tag)
{
	static char path[4096];
	const char *obj = unit_assemble(fixture);
	size_t n;
	char *buf = unit_read_file(obj, &n);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/sites_%s.o", unit_tmpdir(), tag);
	fp = fopen(path, "wb");
	ck_assert(fp && fwrite(buf, 1, n, fp) == n);
	fclose(fp);
	free(buf);
	return path;
}

static const char *fresh_copy(const char *tag)
{
	return fresh_copy_of("sites_basic", tag);
}

static int run_objtool(const char *file, const char *const *flags, int nr_flags)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"objtool";
	for (int i = 0; i < nr_flags; i++)
		argv[argc++] = (char *)flags[i];
	argv[argc++] = (char *)file;
	return cmd_objtool(argc, argv);
}

static struct objfile *processed(const char *tag, bool v6_12)
{
	static const char *const f612[] = { ARGS_6_12 };
	static const char *const f61[] = { ARGS_6_1 };
	const char *path = fresh_copy(tag);
	struct ao_error err = { 0 };
	struct objfile *f;

	if (v6_12)
		ck_assert_int_eq(run_objtool(path, f612, sizeof(f612) / sizeof(*f612)), 0);
	else
		ck_assert_int_eq(run_objtool(path, f61, sizeof(f61) / sizeof(*f61)), 0);
	ck_assert_msg(objf_open(&f, path, &err) == 0, "%s", err.message);
	return f;
}

/* Entry i of sec must point at target+off (its relocation at i * entsize). */
static void expect_entry(struct objsec *sec, size_t i, const char *target, uint64_t off)
{
	const struct objrel *rel = objf_rel_at(sec, i * sec->shdr.sh_entsize);
	struct objsec *tsec;
	int64_t toff;

	ck_assert_msg(rel != NULL, "%s: no relocation for entry %zu", sec->name, i);
	ck_assert_int_eq(rel->type, R_X86_64_PC32);
	ck_assert_msg(objf_rel_target(rel, &tsec, &toff), "%s: entry %zu: undefined target",
		      sec->name, i);
	ck_assert_str_eq(tsec->name, target);
	ck_assert_msg((uint64_t)toff == off, "%s: entry %zu: %s+0x%llx, expected +0x%llx",
		      sec->name, i, tsec->name, (unsigned long long)toff, (unsigned long long)off);
}

static struct objsec *site_sec(struct objfile *f, const char *name, uint64_t flags,
			       uint64_t entsize, size_t nr)
{
	struct objsec *sec = objf_sec_by_name(f, name);

	ck_assert_msg(sec != NULL, "no %s", name);
	ck_assert_int_eq(sec->shdr.sh_flags, flags);
	ck_assert_int_eq(sec->shdr.sh_entsize, entsize);
	ck_assert_int_eq(sec->shdr.sh_addralign, 1);
	ck_assert_int_eq(sec->size, nr * entsize);
	ck_assert_int_eq(objf_sec_rels(sec, NULL), 0);
	return sec;
}

START_TEST(test_call_site_sections)
{
	struct objfile *f = processed("sections", true);
	struct objsec *sec;

	/* Jump sites come before call sites: the reference files them in that order. */
	sec = site_sec(f, ".retpoline_sites", SHF_ALLOC, 4, 2);
	expect_entry(sec, 0, ".text", 0x2b);
	expect_entry(sec, 1, ".text", 0x14);
	sec = site_sec(f, ".return_sites", SHF_ALLOC, 4, 2);
	expect_entry(sec, 0, ".text", 0x35);
	expect_entry(sec, 1, ".text", 0x55);
	sec = site_sec(f, ".call_sites", SHF_ALLOC, 4, 1);
	expect_entry(sec, 0, ".text", 0x1e);
	sec = site_sec(f, ".ibt_endbr_seal", SHF_ALLOC, 4, 1);
	expect_entry(sec, 0, ".text", 0x50);
	objf_close(f);
}
END_TEST

START_TEST(test_static_call_keys)
{
	struct objfile *f = processed("static_call", true);
	struct objsec *sec = site_sec(f, ".static_call_sites", SHF_ALLOC | SHF_WRITE, 8, 2);
	const struct objrel *key;

	ck_assert_int_eq(sec->nr_rels, 4);
	/* The tail call: address, then key __SCK__tp_b with the tail bit. */
	expect_entry(sec, 0, ".text", 0x30);
	key = objf_rel_at(sec, 4);
	ck_assert(key != NULL);
	ck_assert_str_eq(key->sym->name, "__SCK__tp_b");
	ck_assert_int_eq(key->addend, 1);
	/* The call: no key symbol in this module, so the trampoline stands in. */
	expect_entry(sec, 1, ".text", 0x19);
	key = objf_rel_at(sec, 12);
	ck_assert(key != NULL);
	ck_assert_str_eq(key->sym->name, "__SCT__tp_a");
	ck_assert_int_eq(key->addend, 0);
	objf_close(f);
}
END_TEST

/*
 * A missing key of a jump site is reported before one of a call site at a
 * lower address: the order the reference meets them in (the fixture says
 * what it prints).  As the 6.12 reference, the run ends there with exit 0;
 * unlike it, the object is left byte for byte as it was (the reference
 * writes a .static_call_sites whose unfilled entries are empty relocations).
 * stderr goes to a file for the duration.
 */
START_TEST(test_static_call_key_order)
{
	static const char *const flags[] = { "--static-call", "--orc", "--link", "--kernel=6.12" };
	const char *path = fresh_copy_of("sites_key_order", "key_order");
	char log[4096];
	int fd, saved, rc;
	size_t n, n_before, n_after;
	char *text, *before, *after;

	before = unit_read_file(path, &n_before);
	snprintf(log, sizeof(log), "%s/sites_key_order.err", unit_tmpdir());
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert(saved >= 0 && dup2(fd, 2) == 2);
	rc = run_objtool(path, flags, sizeof(flags) / sizeof(*flags));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = unit_read_file(log, &n);
	after = unit_read_file(path, &n_after);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(text, ": warning: objtool: static_call: can't find static_call_key "
			       "symbol: __SCK__tp_b\n") && !strstr(text, "__SCK__tp_a"),
		      "stderr: %s", text);
	ck_assert(n_before == n_after && !memcmp(before, after, n_before));
	free(text);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_rewrites)
{
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const uint8_t ret5[] = { 0xc3, 0xcc, 0x0f, 0x1f, 0x00 };
	static const uint8_t jmp2[] = { 0xeb, 0x00 };
	struct objfile *f = processed("rewrites", true);
	struct objsec *text = objf_sec_by_name(f, ".text");
	struct objsec *ni = objf_sec_by_name(f, ".noinstr.text");

	ck_assert(text && ni && !objf_sec_data(text, NULL) && !objf_sec_data(ni, NULL));
	/* Key addend bit 1 (initially off): the 5-byte jump becomes a NOP... */
	ck_assert(!memcmp(text->data + 0x23, nop5, 5));
	/* ...bit 0 only: the jump stays. */
	ck_assert(!memcmp(text->data + 0x28, jmp2, 2));
	/* Profiling call in noinstr text: NOP; tail call: RET, INT3, NOP. */
	ck_assert(!memcmp(ni->data, nop5, 5));
	ck_assert(!memcmp(ni->data + 5, ret5, 5));
	ck_assert_int_eq(objf_sec_rels(ni, NULL), 0);
	ck_assert_int_eq(objf_rel_at(ni, 1)->type, R_X86_64_NONE);
	ck_assert_int_eq(objf_rel_at(ni, 6)->type, R_X86_64_NONE);
	/* The symbol is kept; only the type changes. */
	ck_assert_str_eq(objf_rel_at(ni, 6)->sym->name, "__sanitizer_cov_trace_pc");
	objf_close(f);
}
END_TEST

static struct objsym *sym_named(struct objfile *f, const char *name)
{
	for (size_t i = 1; i < f->nr_syms; i++)
		if (!strcmp(f->syms[i].name, name))
			return &f->syms[i];
	return NULL;
}

START_TEST(test_prefix_symbols)
{
	struct objfile *f = processed("prefix", true);
	struct objsym *pf1 = sym_named(f, "__pfx_f1"), *ph = sym_named(f, "__pfx_helper");
	size_t n = 0;

	ck_assert(pf1 && ph);
	ck_assert_int_eq(pf1->bind, STB_GLOBAL);
	ck_assert_int_eq(pf1->type, STT_FUNC);
	ck_assert_int_eq(pf1->offset, 0);
	ck_assert_int_eq(pf1->size, 16);
	ck_assert_int_eq(ph->bind, STB_LOCAL);
	ck_assert_int_eq(ph->offset, 0x40);
	ck_assert_int_eq(ph->size, 16);
	ck_assert_str_eq(ph->sec->name, ".text");
	/* No padding before nf, so no symbol for it. */
	ck_assert(sym_named(f, "__pfx_nf") == NULL);
	/* The inserted local keeps locals before globals. */
	for (size_t i = 1; i < f->nr_syms; i++) {
		ck_assert_msg((f->syms[i].bind == STB_LOCAL) == (i < f->first_global),
			      "symbol %zu (%s) on the wrong side of sh_info %zu", i, f->syms[i].name,
			      f->first_global);
		n += !strncmp(f->syms[i].name, "__pfx_", 6);
	}
	ck_assert_int_eq(n, 2);
	objf_close(f);
}
END_TEST

START_TEST(test_6_1_flags)
{
	struct objfile *f = processed("v61", false);

	/* No --hacks=skylake, --ibt or --prefix in 6.1's kbuild. */
	ck_assert(objf_sec_by_name(f, ".call_sites") == NULL);
	ck_assert(objf_sec_by_name(f, ".ibt_endbr_seal") == NULL);
	ck_assert(sym_named(f, "__pfx_f1") == NULL);
	ck_assert(objf_sec_by_name(f, ".retpoline_sites") != NULL);
	ck_assert(objf_sec_by_name(f, ".static_call_sites") != NULL);
	objf_close(f);
}
END_TEST

START_TEST(test_second_run_refused)
{
	static const char *const flags[] = { ARGS_6_12 };
	const char *path = fresh_copy("twice");
	size_t n1, n2;
	char *before, *after;

	ck_assert_int_eq(run_objtool(path, flags, sizeof(flags) / sizeof(*flags)), 0);
	before = unit_read_file(path, &n1);
	ck_assert_int_eq(run_objtool(path, flags, sizeof(flags) / sizeof(*flags)), EXIT_UNUSABLE);
	after = unit_read_file(path, &n2);
	ck_assert(n1 == n2 && !memcmp(before, after, n1));
	/* Without --orc, the site sections alone are enough to refuse. */
	ck_assert_int_eq(run_objtool(path, flags + 7, 1), EXIT_UNUSABLE);   /* --retpoline */
	free(before);
	free(after);
}
END_TEST

static struct objfile *mcount_run(const char *tag, const char *const *flags, int nr)
{
	const char *path = fresh_copy_of("sites_mcount", tag);
	struct ao_error err = { 0 };
	struct objfile *f;

	ck_assert_int_eq(run_objtool(path, flags, nr), 0);
	ck_assert_msg(objf_open(&f, path, &err) == 0, "%s", err.message);
	return f;
}

static void expect_mcount(struct objfile *f, uint64_t align, bool nopped)
{
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	struct objsec *sec = objf_sec_by_name(f, "__mcount_loc");
	struct objsec *text = objf_sec_by_name(f, ".text");
	const struct objrel *rel;

	ck_assert(sec && text && !objf_sec_rels(sec, NULL) && !objf_sec_data(text, NULL));
	ck_assert_int_eq(sec->shdr.sh_entsize, 8);
	ck_assert_int_eq(sec->shdr.sh_addralign, align);
	ck_assert_int_eq(sec->size, 16);
	for (size_t i = 0; i < 2; i++) {
		struct objsec *t;
		int64_t off;

		rel = objf_rel_at(sec, 8 * i);
		ck_assert(rel && rel->type == R_X86_64_64 && objf_rel_target(rel, &t, &off));
		ck_assert_str_eq(t->name, ".text");
		ck_assert_int_eq(off, i ? 0x18 : 0);
	}
	ck_assert_int_eq(!memcmp(text->data, nop5, 5), nopped);
	ck_assert_int_eq(!memcmp(text->data + 0x18, nop5, 5), nopped);
	ck_assert_int_eq(objf_sec_rels(text, NULL), 0);
	ck_assert_int_eq(objf_rel_at(text, 1)->type == R_X86_64_NONE, nopped);
}

START_TEST(test_mcount_6_1)
{
	static const char *const flags[] = { "--mcount", "--orc", "--kernel=6.1" };
	struct objfile *f = mcount_run("mcount61", flags, 3);

	expect_mcount(f, 1, true);
	objf_close(f);
}
END_TEST

START_TEST(test_mcount_cfi_6_12)
{
	static const char *const flags[] = { "--mcount", "--orc", "--cfi", "--kernel=6.12" };
	static const char *const mnop[] = { "--mcount", "--mnop", "--orc", "--kernel=6.12" };
	struct objfile *f = mcount_run("mcount612", flags, 4);
	struct objsec *cfi = objf_sec_by_name(f, ".cfi_sites");

	expect_mcount(f, 8, false);   /* 6.12 NOPs them only with --mnop */
	ck_assert(cfi && !objf_sec_rels(cfi, NULL));
	ck_assert_int_eq(cfi->size, 4);
	expect_entry(cfi, 0, ".text", 0x08);
	objf_close(f);
	f = mcount_run("mnop612", mnop, 4);
	expect_mcount(f, 8, true);
	objf_close(f);
}
END_TEST

UNIT_SUITE(sites_suite)
static Suite *sites_suite(void)
{
	Suite *s = suite_create("sites");
	TCase *tc = tcase_create("sites");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_call_site_sections);
	tcase_add_test(tc, test_static_call_keys);
	tcase_add_test(tc, test_static_call_key_order);
	tcase_add_test(tc, test_rewrites);
	tcase_add_test(tc, test_prefix_symbols);
	tcase_add_test(tc, test_6_1_flags);
	tcase_add_test(tc, test_second_run_refused);
	tcase_add_test(tc, test_mcount_6_1);
	tcase_add_test(tc, test_mcount_cfi_6_12);
	suite_add_tcase(s, tc);
	return s;
}
