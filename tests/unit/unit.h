/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit-test registry: each tests/unit/test_*.c registers its Check suite
 * with UNIT_SUITE(name), so adding a test file needs no edit elsewhere.
 * Tests run from the tests/ directory; fixtures are assembled at test time
 * with unit_assemble().
 */
#ifndef ALTORC_UNIT_H
#define ALTORC_UNIT_H

#include <check.h>

typedef Suite *(*unit_suite_fn)(void);
void unit_register(unit_suite_fn fn);

#define UNIT_SUITE(fn) \
	static Suite *fn(void); \
	__attribute__((constructor)) static void register_##fn(void) { unit_register(fn); }

/*
 * Assemble tests/fixtures/NAME.S (with the C preprocessor, -Ifixtures) into
 * a fresh object and return its path (static buffer per call slot); aborts
 * the test when the assembler fails.
 */
const char *unit_assemble(const char *name);

/* The whole of a file (NUL-terminated, size without it); aborts the test when unreadable. */
void *unit_read_file(const char *path, size_t *size);

/* A scratch directory for this test run. */
const char *unit_tmpdir(void);

#endif
