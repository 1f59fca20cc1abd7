// SPDX-License-Identifier: GPL-2.0
/* Runs every registered Check suite; see unit.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define MAX_SUITES 64

static unit_suite_fn suites[MAX_SUITES];
static int nr_suites;
static char tmpdir[PATH_MAX];

void unit_register(unit_suite_fn fn)
{
	if (nr_suites < MAX_SUITES)
		suites[nr_suites++] = fn;
}

const char *unit_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/altorc-unit-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

void *unit_read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert(fseek(fp, 0, SEEK_END) == 0);
	n = ftell(fp);
	ck_assert(n >= 0 && fseek(fp, 0, SEEK_SET) == 0);
	buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert(fread(buf, 1, (size_t)n, fp) == (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*size = (size_t)n;
	return buf;
}

const char *unit_assemble(const char *name)
{
	static char paths[16][PATH_MAX];
	static int slot;
	char cmd[3 * PATH_MAX];
	char *out = paths[slot++ % 16];

	/* Checked, not ignored: with _FORTIFY_SOURCE (package builds) GCC insists. */
	ck_assert(snprintf(out, PATH_MAX, "%s/%s.o", unit_tmpdir(), name) < PATH_MAX);
	ck_assert(snprintf(cmd, sizeof(cmd), "gcc -c -Ifixtures -o '%s' 'fixtures/%s.S'", out, name) <
		  (int)sizeof(cmd));
	ck_assert_msg(system(cmd) == 0, "assembling fixtures/%s.S failed", name);
	return out;
}

int main(void)
{
	SRunner *sr = NULL;
	int failed;

	for (int i = 0; i < nr_suites; i++) {
		/* Check itself filters with CK_RUN_SUITE=name / CK_RUN_CASE=name. */
		Suite *s = suites[i]();

		if (!sr)
			sr = srunner_create(s);
		else
			srunner_add_suite(sr, s);
	}
	if (!sr) {
		fprintf(stderr, "unit-tests: no suite selected\n");
		return 1;
	}
	/*
	 * Check runs each test in a forked child: make the scratch folder here,
	 * in the parent, so every child shares it and it is removed below.
	 */
	unit_tmpdir();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (tmpdir[0]) {
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "unit-tests: could not remove %s\n", tmpdir);
	}
	return failed ? 1 : 0;
}
