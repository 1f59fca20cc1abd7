// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the linked-image side: explain's LOCATION forms (as an
 * oops, a call trace or a person writes them) and what the kernel's
 * unwinder does with an entry, worked out by hand from
 * arch/x86/kernel/unwind_orc.c of 6.1 and 6.12 (unwind_next_frame).
 */
#include <string.h>

#include "../../objtool/cmd/cmd_priv.h"
#include "orc_lookup.h"
#include "unit.h"

static void parse_ok(const char *s, const char *name, uint64_t off, bool has_len, uint64_t len)
{
	struct ao_error err = { 0 };
	struct cmd_location loc;

	ck_assert_msg(cmd_location_parse(s, &loc, &err) == 0, "%s: %s", s, err.message);
	ck_assert_str_eq(loc.name, name);
	ck_assert_msg(loc.off == off, "%s: off 0x%llx", s, (unsigned long long)loc.off);
	ck_assert_int_eq(loc.has_len, has_len);
	if (has_len)
		ck_assert_msg(loc.len == len, "%s: len 0x%llx", s, (unsigned long long)loc.len);
}

START_TEST(test_location_forms)
{
	struct ao_error err = { 0 };
	struct cmd_location loc;

	parse_ok("RIP: 0010:schedule+0x1c/0xd0", "schedule", 0x1c, true, 0xd0);
	parse_ok("schedule+0x1c/0xd0 [drbd]", "schedule", 0x1c, true, 0xd0);
	parse_ok("foo.cold+1c", "foo.cold", 0x1c, false, 0);
	parse_ok("0xffffffff81a52dec", "", 0xffffffff81a52decull, false, 0);
	parse_ok("ffffffff81a52dec", "", 0xffffffff81a52decull, false, 0);
	/* A name that starts with hex digits is still a name. */
	parse_ok("demo_save_flags", "demo_save_flags", 0, false, 0);
	parse_ok(".text+0x45", ".text", 0x45, false, 0);
	ck_assert_int_eq(cmd_location_parse("foo+0xzz", &loc, &err), -1);
	ck_assert_int_eq(cmd_location_parse("foo+0x10/", &loc, &err), -1);
	ck_assert_int_eq(cmd_location_parse("+0x10", &loc, &err), -1);
}
END_TEST

static struct orc_entry entry(uint8_t sp_reg, int16_t sp, uint8_t bp_reg, int16_t bp, uint8_t type)
{
	struct orc_entry e = { .sp_reg = sp_reg, .sp_offset = sp, .bp_reg = bp_reg,
			       .bp_offset = bp, .type = type };
	return e;
}

START_TEST(test_frame_call)
{
	struct orc_entry e = entry(ORC_REG_SP, 24, ORC_REG_PREV_SP, -16, ORC_T_CALL);
	struct orc_frame_text t;

	orc_frame_describe(ORC_FORMAT_V1, &e, &t);
	ck_assert_str_eq(t.verdict, "continues to the caller");
	ck_assert_str_eq(t.cfa, "rsp+24");
	ck_assert_str_eq(t.ip, "return address at CFA-8; the caller's rsp is the CFA");
	ck_assert_str_eq(t.bp, "saved at CFA-16");
	ck_assert_ptr_nonnull(strstr(t.next, "return address - 1"));
}
END_TEST

START_TEST(test_frame_stops)
{
	struct orc_entry und = entry(ORC_REG_UNDEFINED, 0, ORC_REG_UNDEFINED, 0, ORC_T_CALL);
	struct orc_entry end = und, v2end = entry(0, 0, 0, 0, ORC_T_END_OF_STACK);
	struct orc_entry v2und = entry(0, 0, 0, 0, ORC_T_UNDEFINED);
	struct orc_frame_text t;

	end.end = true;
	orc_frame_describe(ORC_FORMAT_V1, &und, &t);
	ck_assert_ptr_nonnull(strstr(t.verdict, "undefined"));
	ck_assert_str_eq(t.cfa, "");
	orc_frame_describe(ORC_FORMAT_V1, &end, &t);
	ck_assert_ptr_nonnull(strstr(t.verdict, "end of the stack"));
	orc_frame_describe(ORC_FORMAT_V2, &v2end, &t);
	ck_assert_ptr_nonnull(strstr(t.verdict, "end of the stack"));
	orc_frame_describe(ORC_FORMAT_V2, &v2und, &t);
	ck_assert_ptr_nonnull(strstr(t.verdict, "undefined"));
	/* Terminators are the weak entries sorttable puts first; the end of the stack is not. */
	ck_assert(orc_entry_is_weak(ORC_FORMAT_V1, &und));
	ck_assert(!orc_entry_is_weak(ORC_FORMAT_V1, &end));
	ck_assert(orc_entry_is_weak(ORC_FORMAT_V2, &v2und));
	ck_assert(!orc_entry_is_weak(ORC_FORMAT_V2, &v2end));
}
END_TEST

START_TEST(test_frame_regs_and_signal)
{
	struct orc_entry regs = entry(ORC_REG_SP, 0, ORC_REG_UNDEFINED, 0, ORC_T_REGS);
	struct orc_entry iret = entry(ORC_REG_SP_INDIRECT, 8, ORC_REG_BP, -8, ORC_T_REGS_PARTIAL);
	struct orc_entry call = entry(ORC_REG_R10, 0, ORC_REG_UNDEFINED, 0, ORC_T_CALL);
	struct orc_frame_text t;

	/* pt_regs: ip is the 17th word (0x80), sp the 20th (0x98). */
	orc_frame_describe(ORC_FORMAT_V1, &regs, &t);
	ck_assert_ptr_nonnull(strstr(t.ip, "rip from CFA+0x80, rsp from CFA+0x98"));
	/* 6.1 treats a regs frame as a signal frame: the next lookup is at the rip itself. */
	ck_assert_ptr_nonnull(strstr(t.next, "rip itself"));
	/* 6.3+ decides by the signal bit alone. */
	orc_frame_describe(ORC_FORMAT_V2, &regs, &t);
	ck_assert_ptr_nonnull(strstr(t.next, "return address - 1"));
	regs.signal = true;
	orc_frame_describe(ORC_FORMAT_V2, &regs, &t);
	ck_assert_ptr_nonnull(strstr(t.next, "rip itself"));
	/* SP_INDIRECT dereferences rsp, then adds the offset; an IRET frame has sp at +0x18. */
	orc_frame_describe(ORC_FORMAT_V1, &iret, &t);
	ck_assert_ptr_nonnull(strstr(t.cfa, "[rsp]+8"));
	ck_assert_ptr_nonnull(strstr(t.ip, "rsp from CFA+0x18"));
	ck_assert_str_eq(t.bp, "saved at rbp-8");
	orc_frame_describe(ORC_FORMAT_V1, &call, &t);
	ck_assert_ptr_nonnull(strstr(t.cfa, "r10 as saved in the pt_regs"));
}
END_TEST

UNIT_SUITE(linked_suite)

static Suite *linked_suite(void)
{
	Suite *s = suite_create("linked");
	TCase *tc = tcase_create("linked");

	tcase_add_test(tc, test_location_forms);
	tcase_add_test(tc, test_frame_call);
	tcase_add_test(tc, test_frame_stops);
	tcase_add_test(tc, test_frame_regs_and_signal);
	suite_add_tcase(s, tc);
	return s;
}
