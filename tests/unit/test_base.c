// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of objtool/base: growing arrays (base/grow.c).
 *
 * Expected capacities follow from the rule in include/ao_grow.h: first
 * elements, then twice the capacity, or exactly what is asked when that is
 * more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ao_error.h"
#include "ao_grow.h"
#include "ao_threads.h"
#include "unit.h"

/* ASan rejects a huge malloc with a report instead of returning NULL. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct elem {
	uint64_t a;
	uint32_t b;
};

START_TEST(grow_doubles_and_keeps_contents)
{
	static const size_t caps[] = { 4, 4, 4, 4, 8, 8, 8, 8, 16 };
	struct ao_error err = { 0 };
	struct elem *v = NULL;
	size_t nr = 0, cap = 0;

	for (size_t i = 0; i < 200; i++) {
		ck_assert_int_eq(AO_GROW(&err, v, cap, nr + 1, 4), 0);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_ge(cap, nr + 1);
		if (i < sizeof(caps) / sizeof(caps[0]))
			ck_assert_uint_eq(cap, caps[i]);
		v[nr++] = (struct elem){ i * 3 + 1, (uint32_t)i };
		for (size_t k = 0; k < nr; k++) {   /* nothing lost by the moves */
			ck_assert_uint_eq(v[k].a, k * 3 + 1);
			ck_assert_uint_eq(v[k].b, k);
		}
	}
	ck_assert_uint_eq(cap, 256);
	ck_assert_int_eq(err.status, AO_OK);
	free(v);
}
END_TEST

START_TEST(grow_to_need_and_not_when_room)
{
	int *v = NULL, *before;
	size_t cap = 0, none = 0;

	/* more than first, then more than twice the capacity: exactly need */
	ck_assert_int_eq(AO_GROW(NULL, v, cap, 10, 4), 0);
	ck_assert_uint_eq(cap, 10);
	for (int k = 0; k < 10; k++)
		v[k] = -k;
	ck_assert_int_eq(AO_GROW(NULL, v, cap, 11, 4), 0);
	ck_assert_uint_eq(cap, 20);
	ck_assert_int_eq(AO_GROW(NULL, v, cap, 100, 4), 0);
	ck_assert_uint_eq(cap, 100);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(v[k], -k);
	/* room already: neither the array nor the capacity moves */
	before = v;
	ck_assert_int_eq(AO_GROW(NULL, v, cap, 100, 4), 0);
	ck_assert_int_eq(AO_GROW(NULL, v, cap, none, 4), 0);
	ck_assert_ptr_eq(v, before);
	ck_assert_uint_eq(cap, 100);
	/* the function itself, as the macro calls it */
	ck_assert_ptr_eq(ao_grow(NULL, v, &cap, 50, sizeof(*v), 4), before);
	ck_assert_uint_eq(cap, 100);
	free(v);
}
END_TEST

/* A failed growth leaves v (the same pointer, the same contents) and cap as they were. */
static void check_unchanged(const struct elem *v, const struct elem *before, size_t cap)
{
	ck_assert_ptr_eq(v, before);
	ck_assert_uint_eq(cap, 8);
	for (size_t k = 0; k < 8; k++)
		ck_assert_uint_eq(v[k].a, 1000 + k);
}

START_TEST(grow_fails_cleanly)
{
	struct ao_error err = { 0 };
	struct elem *v = NULL, *before;
	size_t cap = 0, max = SIZE_MAX / sizeof(*v);

	ck_assert_int_eq(AO_GROW(&err, v, cap, 8, 8), 0);
	for (size_t k = 0; k < 8; k++)
		v[k] = (struct elem){ 1000 + k, 0 };
	before = v;

	/* need elements overflow a size_t: never asked of malloc */
	ck_assert_int_eq(AO_GROW(&err, v, cap, max + 1, 8), -1);
	check_unchanged(v, before, cap);
	ck_assert_int_eq(err.status, AO_ERR_NOMEM);
	ck_assert_ptr_nonnull(strstr(err.message, "overflows"));
	ck_assert_int_eq(AO_GROW(NULL, v, cap, SIZE_MAX, 8), -1);
	check_unchanged(v, before, cap);
	ck_assert_ptr_eq(ao_grow(NULL, v, &cap, SIZE_MAX, sizeof(*v), 8), before);
	check_unchanged(v, before, cap);

#ifndef UNDER_ASAN
	/* no overflow, but far more than any machine has: realloc itself fails */
	ao_error_clear(&err);
	ck_assert_int_eq(AO_GROW(&err, v, cap, max / 2, 8), -1);
	check_unchanged(v, before, cap);
	ck_assert_int_eq(err.status, AO_ERR_NOMEM);
	ck_assert_ptr_nonnull(strstr(err.message, "out of memory"));
#endif

	/* the array is still good for growing */
	ck_assert_int_eq(AO_GROW(&err, v, cap, 9, 8), 0);
	ck_assert_uint_eq(cap, 16);
	v[8] = (struct elem){ 1008, 0 };
	for (size_t k = 0; k < 9; k++)
		ck_assert_uint_eq(v[k].a, 1000 + k);
	free(v);
}
END_TEST

/*
 * ao_call_on_big_stack(): depth far past the 8 MiB a main thread gets
 * (about 64 MiB of frames here), the argument in and the result out, and a
 * call made from inside another.
 */
#define DEEP_LEVELS 65536

static unsigned long deep(unsigned long n)
{
	volatile unsigned char frame[1000];

	frame[n % sizeof(frame)] = (unsigned char)n;
	if (n == 0)
		return frame[0];
	return deep(n - 1) + frame[n % sizeof(frame)] + 1;
}

static int run_deep(void *arg)
{
	unsigned long *levels = arg;

	*levels = deep(*levels);
	return 7;
}

/* What deep(DEEP_LEVELS) returns: (n % 256) + 1 for each level n above 0. */
static unsigned long deep_want(void)
{
	unsigned long want = 0;

	for (unsigned long n = 1; n <= DEEP_LEVELS; n++)
		want += (n & 0xff) + 1;
	return want;
}

START_TEST(big_stack_runs_deep_recursion)
{
	unsigned long levels = DEEP_LEVELS;

	ck_assert_int_eq(ao_call_on_big_stack(run_deep, &levels, AO_DEEP_STACK), 7);
	ck_assert_uint_eq(levels, deep_want());
}
END_TEST

static void deep_job(void *ctx, size_t i)
{
	unsigned long *results = ctx;

	results[i] = deep(DEEP_LEVELS);
}

/* One thread asked for: the jobs run on the caller, still on a stack of the size asked. */
START_TEST(jobs_on_caller_get_the_stack)
{
	unsigned long results[2] = { 0, 0 };

	ao_run_jobs(1, AO_DEEP_STACK, 2, deep_job, results);
	ck_assert_uint_eq(results[0], deep_want());
	ck_assert_uint_eq(results[1], deep_want());
}
END_TEST

static int run_inner(void *arg)
{
	int *depth = arg;

	return ++*depth < 3 ? ao_call_on_big_stack(run_inner, arg, (size_t)1 << 20) + 10 : 100;
}

START_TEST(big_stack_nests)
{
	int depth = 0;

	ck_assert_int_eq(ao_call_on_big_stack(run_inner, &depth, (size_t)1 << 20), 120);
	ck_assert_int_eq(depth, 3);
}
END_TEST

UNIT_SUITE(base_suite)
static Suite *base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("grow");

	tcase_add_test(tc, grow_doubles_and_keeps_contents);
	tcase_add_test(tc, grow_to_need_and_not_when_room);
	tcase_add_test(tc, grow_fails_cleanly);
	suite_add_tcase(s, tc);
	tc = tcase_create("big stack");
	tcase_add_test(tc, big_stack_runs_deep_recursion);
	tcase_add_test(tc, big_stack_nests);
	tcase_add_test(tc, jobs_on_caller_get_the_stack);
	suite_add_tcase(s, tc);
	return s;
}
