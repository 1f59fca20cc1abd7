// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing an object's kernel rules (objtool/kernel/detect.c): one test per
 * kind of evidence, the order they are trusted in, and each refusal.  Check
 * runs every test in its own process, so the environment and working
 * directory changes stay inside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel.h"
#include "unit.h"

/*
 * Choose for the object at path (an assembled fixture); returns the row's
 * name, or NULL with the message in msg.
 */
static const char *choose_at(const char *path, const struct kernel_hints *h, char *msg,
			     size_t size)
{
	struct ao_error open_err = { 0 };
	struct objfile *f;
	struct kernel_choice c;
	struct ao_error err = { 0 };
	int r;

	ck_assert_msg(objf_open(&f, path, &open_err) == 0, "%s", open_err.message);
	r = kernel_choose(f, h, &c, &err);
	objf_close(f);
	snprintf(msg, size, "%s", r ? err.message : c.reason);
	return r ? NULL : c.rules->name;
}

/* The same for fixture name, assembled now (the working directory is still tests/). */
static const char *choose(const char *name, const struct kernel_hints *h, char *msg, size_t size)
{
	return choose_at(unit_assemble(name), h, msg, size);
}

/* A kernel build folder: include/config/kernel.release saying release, made the cwd. */
static void enter_build_dir(const char *release)
{
	char dir[4096], path[4200];
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/kbuild-%d", unit_tmpdir(), (int)getpid());
	snprintf(path, sizeof(path), "%s/include", dir);
	ck_assert(mkdir(dir, 0755) == 0 && mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/include/config", dir);
	ck_assert(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/include/config/kernel.release", dir);
	fp = fopen(path, "w");
	ck_assert(fp != NULL);
	fprintf(fp, "%s\n", release);
	fclose(fp);
	ck_assert(chdir(dir) == 0);
}

/* The tests own the environment kbuild would set. */
static void clear_kbuild_env(void)
{
	unsetenv("KERNELRELEASE");
	unsetenv("VERSION");
	unsetenv("PATCHLEVEL");
}

START_TEST(test_forced)
{
	struct kernel_hints h = { .forced = "6.12", .build_dir = true, .must_decide = true };
	char msg[1024];

	clear_kbuild_env();
	setenv("KERNELRELEASE", "6.1.0", 1);   /* --kernel= outranks every other evidence */
	ck_assert_str_eq(choose("alt_v1", &h, msg, sizeof(msg)), "6.12");
	ck_assert_str_eq(msg, "--kernel=6.12");
	h.forced = "6.6";
	ck_assert_ptr_null(choose("alt_v1", &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "unknown kernel '6.6'"), "%s", msg);
}
END_TEST

START_TEST(test_environment)
{
	struct kernel_hints h = { .build_dir = true, .must_decide = true };
	char msg[1024];

	clear_kbuild_env();
	setenv("KERNELRELEASE", "6.12.117+deb12-amd64", 1);
	ck_assert_str_eq(choose("orc_none", &h, msg, sizeof(msg)), "6.12");
	ck_assert_msg(strstr(msg, "KERNELRELEASE=6.12.117+deb12-amd64"), "%s", msg);
	unsetenv("KERNELRELEASE");
	setenv("VERSION", "6", 1);
	setenv("PATCHLEVEL", "1", 1);
	ck_assert_str_eq(choose("orc_none", &h, msg, sizeof(msg)), "6.1");
	ck_assert_msg(strstr(msg, "VERSION.PATCHLEVEL=6.1"), "%s", msg);
	/* Without build_dir (a command not run by kbuild) the environment is not read. */
	h.build_dir = false;
	ck_assert_ptr_null(choose("orc_none", &h, msg, sizeof(msg)));
}
END_TEST

START_TEST(test_build_folder)
{
	struct kernel_hints h = { .build_dir = true, .must_decide = true };
	char msg[1024];

	const char *obj = unit_assemble("orc_none");

	clear_kbuild_env();
	enter_build_dir("6.1.192");
	ck_assert_str_eq(choose_at(obj, &h, msg, sizeof(msg)), "6.1");
	ck_assert_msg(strstr(msg, "include/config/kernel.release here says 6.1.192"), "%s", msg);
}
END_TEST

START_TEST(test_object_shapes)
{
	struct kernel_hints h = { .must_decide = true };
	char msg[1024];

	clear_kbuild_env();
	ck_assert_str_eq(choose("alt_v1", &h, msg, sizeof(msg)), "6.1");
	ck_assert_msg(strstr(msg, "12-byte entries"), "%s", msg);
	ck_assert_str_eq(choose("alt_v2", &h, msg, sizeof(msg)), "6.12");
	ck_assert_msg(strstr(msg, "14-byte entries"), "%s", msg);
	ck_assert_str_eq(choose("kernel_ksymtab", &h, msg, sizeof(msg)), "6.1");
	ck_assert_str_eq(choose("kernel_export_symbol", &h, msg, sizeof(msg)), "6.12");
}
END_TEST

START_TEST(test_arguments)
{
	struct kernel_hints h = { .must_decide = true, .prefix = true };
	char msg[1024];

	clear_kbuild_env();
	ck_assert_str_eq(choose("orc_none", &h, msg, sizeof(msg)), "6.12");
	h = (struct kernel_hints){ .must_decide = true, .skylake = true };
	ck_assert_str_eq(choose("orc_none", &h, msg, sizeof(msg)), "6.12");
	h = (struct kernel_hints){ .must_decide = true, .orc_version = 1 };
	ck_assert_str_eq(choose("orc_none", &h, msg, sizeof(msg)), "6.1");
}
END_TEST

START_TEST(test_conflict_refused)
{
	struct kernel_hints h = { .build_dir = true, .must_decide = true };
	char msg[1024];

	clear_kbuild_env();
	setenv("KERNELRELEASE", "6.1.192", 1);
	ck_assert_ptr_null(choose("alt_v2", &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "the kernel evidence disagrees") && strstr(msg, "14-byte") &&
		      strstr(msg, "KERNELRELEASE=6.1.192"), "%s", msg);
	/* The object against the arguments, with no build folder. */
	clear_kbuild_env();
	h = (struct kernel_hints){ .must_decide = false, .orc_version = 2 };
	ck_assert_ptr_null(choose("alt_v1", &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "disagrees"), "%s", msg);
	/* Evidence that agrees on a kernel no row is for (6.2 exactly). */
	h = (struct kernel_hints){ .must_decide = false, .prefix = true };
	ck_assert_ptr_null(choose("alt_v1", &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "none of the supported kernels (6.1, 6.12) fits"), "%s", msg);
}
END_TEST

START_TEST(test_unsupported_refused)
{
	struct kernel_hints h = { .build_dir = true, .must_decide = false };
	char msg[1024];

	clear_kbuild_env();
	setenv("KERNELRELEASE", "6.6.58", 1);
	ck_assert_ptr_null(choose("orc_none", &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "no rules for kernel 6.6") && strstr(msg, "6.1, 6.12"), "%s", msg);
}
END_TEST

START_TEST(test_absent)
{
	struct kernel_hints h = { .build_dir = true, .must_decide = true };
	const char *obj = unit_assemble("orc_none");
	char msg[1024];

	clear_kbuild_env();
	ck_assert(chdir(unit_tmpdir()) == 0);   /* no include/config/kernel.release here */
	ck_assert_ptr_null(choose_at(obj, &h, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "cannot tell which kernel's rules apply"), "%s", msg);
	/* A read-only command takes the default row and says so. */
	h.must_decide = false;
	ck_assert_str_eq(choose_at(obj, &h, msg, sizeof(msg)), kernel_rules_default()->name);
	ck_assert_msg(strstr(msg, "the default"), "%s", msg);
}
END_TEST

/*
 * Section roles for --noinstr, as each reference's check.c spells them:
 * noinstr text (its calls are checked, calls into it are fine) and the
 * sections --noinstr alone walks, in its order.
 */
START_TEST(test_noinstr_sections)
{
	const struct kernel_rules *k61 = kernel_rules_find("6.1"), *k612 = kernel_rules_find("6.12");

	ck_assert(k61 && k612);
	ck_assert(kernel_noinstr_section(k61, ".noinstr.text"));
	ck_assert(kernel_noinstr_section(k61, ".entry.text"));
	ck_assert(kernel_noinstr_section(k61, ".text..__x86.return_thunk"));
	ck_assert(!kernel_noinstr_section(k61, ".cpuidle.text"));
	ck_assert(kernel_noinstr_section(k612, ".cpuidle.text"));
	ck_assert(!kernel_noinstr_section(k612, ".text"));
	ck_assert(!kernel_noinstr_section(k612, ".init.text"));

	ck_assert_str_eq(kernel_noinstr_walked_section(k61, 0), ".noinstr.text");
	ck_assert_str_eq(kernel_noinstr_walked_section(k61, 1), ".entry.text");
	ck_assert_ptr_null(kernel_noinstr_walked_section(k61, 2));
	ck_assert_str_eq(kernel_noinstr_walked_section(k612, 2), ".cpuidle.text");
	ck_assert_ptr_null(kernel_noinstr_walked_section(k612, 3));
}
END_TEST

UNIT_SUITE(kernel_suite)

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("choose");

	tcase_add_test(tc, test_forced);
	tcase_add_test(tc, test_environment);
	tcase_add_test(tc, test_build_folder);
	tcase_add_test(tc, test_object_shapes);
	tcase_add_test(tc, test_arguments);
	tcase_add_test(tc, test_conflict_refused);
	tcase_add_test(tc, test_unsupported_refused);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_noinstr_sections);
	suite_add_tcase(s, tc);
	return s;
}
