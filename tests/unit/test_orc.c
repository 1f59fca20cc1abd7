// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ORC encodings, the dump text, format detection, table
 * reading (objtool/orc/format.c) and `altorc orc dump|diff`
 * (objtool/cmd/orc.c).
 *
 * Where expected text comes from: the reference objtool binaries run by hand,
 *   /usr/src/linux-headers-6.1.0-56-amd64/tools/objtool/objtool --dump=orc X
 *   SRCARCH=x86 /usr/src/linux-headers-6.12.117+deb12-amd64/tools/objtool/objtool --dump=orc X
 * on the corpus object net/key af_key.post.o (raw .orc_unwind bytes read
 * with `objcopy -O binary --only-section=.orc_unwind` and xxd) and on the
 * assembled fixtures tests/fixtures/orc_*.S.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "orc.h"
#include "unit.h"

/* ---- helpers --------------------------------------------------------- */

static struct objfile *open_fixture(const char *name)
{
	struct ao_error err = { 0 };
	struct objfile *f = NULL;
	const char *path = unit_assemble(name);

	ck_assert_msg(objf_open(&f, path, &err) == 0, "%s: %s", path, err.message);
	return f;
}

/* orc_dump() of a fixture into a string (caller frees). */
static char *dump_text(const char *name, enum orc_format fmt, int *ret)
{
	struct ao_error err = { 0 };
	struct objfile *f = open_fixture(name);
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	ck_assert(mem != NULL);
	*ret = orc_dump(f, fmt, mem, &err);
	fclose(mem);
	objf_close(f);
	return buf;
}

static void entry_text(enum orc_format fmt, const uint8_t raw[6], char *buf, size_t size)
{
	struct orc_entry e;

	orc_decode(fmt, raw, &e);
	orc_format_entry(fmt, &e, buf, size);
}

/*
 * Run cmd_orc() with stdout going to a file; returns its exit status and
 * the output (static buffer).
 */
static int run_orc(char **argv, int argc, const char **out)
{
	static char text[16384];
	char path[512];
	int saved, ret;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/orc-cmd.out", unit_tmpdir());
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert(saved >= 0);
	ck_assert(freopen(path, "w", stdout) != NULL);
	ret = cmd_orc(argc, argv);
	fflush(stdout);
	ck_assert(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	fp = fopen(path, "r");
	ck_assert(fp != NULL);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	*out = text;
	return ret;
}

/* ---- encodings ------------------------------------------------------- */

/*
 * The first entries of af_key.post.o: 6.1 stores "sp:sp+8 bp:(und)
 * type:call" as 08 00 00 00 05 00, 6.12 the same state as 08 00 00 00 05 02;
 * ".text+116: sp:sp+16 bp:prevsp-16" (6.1) is 10 00 f0 ff 15 00.
 */
START_TEST(test_encode_known_bytes)
{
	struct orc_entry e = { .sp_offset = 8, .sp_reg = ORC_REG_SP, .type = ORC_T_CALL };
	static const uint8_t v1_call[6] = { 0x08, 0, 0, 0, 0x05, 0x00 };
	static const uint8_t v2_call[6] = { 0x08, 0, 0, 0, 0x05, 0x02 };
	static const uint8_t v1_frame[6] = { 0x10, 0, 0xf0, 0xff, 0x15, 0x00 };
	uint8_t out[6];

	orc_encode(ORC_FORMAT_V1, &e, out);
	ck_assert_mem_eq(out, v1_call, 6);
	orc_encode(ORC_FORMAT_V2, &e, out);
	ck_assert_mem_eq(out, v2_call, 6);

	e = (struct orc_entry){ .sp_offset = 16, .bp_offset = -16, .sp_reg = ORC_REG_SP,
				.bp_reg = ORC_REG_PREV_SP, .type = ORC_T_CALL };
	orc_encode(ORC_FORMAT_V1, &e, out);
	ck_assert_mem_eq(out, v1_frame, 6);
}
END_TEST

/*
 * 6.1 writes a state without a CFA as zeros (end bit for the stack's
 * bottom; tools/objtool/orc_gen.c of 6.1), 6.12 as type 0 / type 1.
 */
START_TEST(test_encode_undefined_and_end)
{
	struct orc_entry und = { .sp_offset = 99, .type = ORC_T_UNDEFINED };
	struct orc_entry eos = { .type = ORC_T_END_OF_STACK };
	static const uint8_t zero[6] = { 0 };
	static const uint8_t v1_end[6] = { 0, 0, 0, 0, 0, 0x04 };
	static const uint8_t v2_end[6] = { 0, 0, 0, 0, 0, 0x01 };
	uint8_t out[6];

	orc_encode(ORC_FORMAT_V1, &und, out);
	ck_assert_mem_eq(out, zero, 6);
	orc_encode(ORC_FORMAT_V1, &eos, out);
	ck_assert_mem_eq(out, v1_end, 6);
	orc_encode(ORC_FORMAT_V2, &eos, out);
	ck_assert_mem_eq(out, v2_end, 6);
}
END_TEST

/* Every bit pattern a format defines survives decode + encode unchanged. */
START_TEST(test_roundtrip_raw)
{
	static const int16_t offs[] = { 0, 8, -16, 32767, -32768 };

	for (unsigned int bits = 0; bits < 0x10000; bits++) {
		for (int fmt = ORC_FORMAT_V1; fmt <= ORC_FORMAT_V2; fmt++) {
			unsigned int unused = fmt == ORC_FORMAT_V1 ? 0xf800 : 0xf000;
			uint8_t raw[6], back[6];
			struct orc_entry e;
			int16_t sp = offs[bits % 5], bp = offs[(bits / 5) % 5];

			if (bits & unused)
				continue;
			raw[0] = (uint16_t)sp & 0xff;
			raw[1] = (uint16_t)sp >> 8;
			raw[2] = (uint16_t)bp & 0xff;
			raw[3] = (uint16_t)bp >> 8;
			raw[4] = bits & 0xff;
			raw[5] = bits >> 8;
			orc_decode(fmt, raw, &e);
			/* v1's CALL/UNDEFINED through sp_reg: no v2-only types appear. */
			if (fmt == ORC_FORMAT_V1)
				ck_assert(e.type != ORC_T_UNDEFINED && e.type != ORC_T_END_OF_STACK);
			orc_encode(fmt, &e, back);
			ck_assert_msg(!memcmp(raw, back, 6), "fmt %d bits %#x", fmt, bits);
		}
	}
}
END_TEST

/* Decoded fields: v2's signal and types, v1's end bit, unknown types kept. */
START_TEST(test_decode_fields)
{
	static const uint8_t v2_signal_regs[6] = { 0xf8, 0xff, 0x10, 0, 0x49, 0x0b };
	static const uint8_t v1_end_regs[6] = { 0, 0, 0, 0, 0x05, 0x05 };
	static const uint8_t v1_type3[6] = { 0, 0, 0, 0, 0x05, 0x03 };
	static const uint8_t v2_type7[6] = { 0, 0, 0, 0, 0x05, 0x07 };
	struct orc_entry e;

	orc_decode(ORC_FORMAT_V2, v2_signal_regs, &e);
	ck_assert_int_eq(e.sp_offset, -8);
	ck_assert_int_eq(e.bp_offset, 16);
	ck_assert_int_eq(e.sp_reg, ORC_REG_SP_INDIRECT);
	ck_assert_int_eq(e.bp_reg, ORC_REG_BP);
	ck_assert_int_eq(e.type, ORC_T_REGS);
	ck_assert(e.signal);
	ck_assert(!e.end);

	orc_decode(ORC_FORMAT_V1, v1_end_regs, &e);
	ck_assert_int_eq(e.type, ORC_T_REGS);
	ck_assert(e.end);
	ck_assert(!e.signal);

	orc_decode(ORC_FORMAT_V1, v1_type3, &e);
	ck_assert_int_eq(e.type, ORC_T_UNKNOWN_BASE + 3);
	orc_decode(ORC_FORMAT_V2, v2_type7, &e);
	ck_assert_int_eq(e.type, ORC_T_UNKNOWN_BASE + 7);
}
END_TEST

/* ---- dump text -------------------------------------------------------- */

/* Lines of the reference dumps of af_key.post.o, with their raw bytes. */
START_TEST(test_format_af_key_lines)
{
	static const uint8_t call8_v1[6] = { 0x08, 0, 0, 0, 0x05, 0x00 };
	static const uint8_t call8_v2[6] = { 0x08, 0, 0, 0, 0x05, 0x02 };
	static const uint8_t zero[6] = { 0 };
	static const uint8_t frame24_v2[6] = { 0x18, 0, 0xf0, 0xff, 0x15, 0x02 };
	char buf[128];

	/* 6.1 ".text+0: sp:sp+8 bp:(und) type:call end:0" */
	entry_text(ORC_FORMAT_V1, call8_v1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sp:sp+8 bp:(und) type:call end:0");
	/* 6.1 ".text+f: sp:(und) bp:(und) type:call end:0" */
	entry_text(ORC_FORMAT_V1, zero, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sp:(und) bp:(und) type:call end:0");
	/* 6.12 ".text+0:type:call sp:sp+8 bp:(und) signal:0" */
	entry_text(ORC_FORMAT_V2, call8_v2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type:call sp:sp+8 bp:(und) signal:0");
	/* 6.12 ".text+23:type:(und) sp:(und) bp:(und) signal:0" */
	entry_text(ORC_FORMAT_V2, zero, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type:(und) sp:(und) bp:(und) signal:0");
	/* 6.12 ".text+16b:type:call sp:sp+24 bp:prevsp-16 signal:0" */
	entry_text(ORC_FORMAT_V2, frame24_v2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type:call sp:sp+24 bp:prevsp-16 signal:0");
}
END_TEST

/* The whole reference dumps of tests/fixtures/orc_cases.S, every odd case. */
static const char orc_cases_v1[] =
	"gfunc+0: sp:sp+8 bp:(und) type:call end:0\n"
	"gfunc+1: sp:sp+16 bp:prevsp-16 type:regs (partial) end:0\n"
	"gfunc+4: sp:bp+16 bp:prevsp-16 type:call end:0\n"
	"gfunc+fffffffffffffffe: sp:(bp-8) bp:bp+0 type:call end:0\n"
	".text+6: sp:(sp)+0 bp:(und) type:? end:0\n"
	".text+7: sp:r10+32 bp:(und) type:call end:0\n"
	".text+8: sp:r13-32768 bp:bp+32767 type:call end:0\n"
	".text+9: sp:dx+1 bp:dx-1 type:call end:0\n"
	".text+a: sp:di+24 bp:dx+8 type:regs end:0\n"
	".text+b: sp:?+5 bp:?+6 type:call end:0\n"
	".text+c: sp:(und) bp:(und) type:call end:1\n"
	".text+d: sp:sp+8 bp:(und) type:regs end:1\n"
	".text+e: sp:sp+8 bp:(und) type:regs (partial) end:1\n"
	".text+f: sp:sp+8 bp:(und) type:? end:1\n"
	".text+10: sp:sp+8 bp:(und) type:regs (partial) end:0\n"
	".text+11: sp:sp+8 bp:(und) type:regs (partial) end:0\n"
	".text+12: sp:(und) bp:(und) type:call end:0\n"
	".text+13: sp:(und) bp:(und) type:regs end:0\n"
	".text+2f: sp:(und) bp:(und) type:call end:0\n"
	".text.unlikely+0: sp:sp+48 bp:prevsp-32 type:call end:0\n"
	".text.unlikely+8: sp:(und) bp:(und) type:call end:0\n";

static const char orc_cases_v2[] =
	"gfunc+0:type:(und) sp:sp+8 bp:(und) signal:0\n"
	"gfunc+1:type:call sp:sp+16 bp:prevsp-16 signal:0\n"
	"gfunc+4:type:(und) sp:bp+16 bp:prevsp-16 signal:0\n"
	"gfunc+fffffffffffffffe:type:(und) sp:(bp-8) bp:bp+0 signal:0\n"
	".text+6:type:regs sp:(sp)+0 bp:(und) signal:0\n"
	".text+7:type:(und) sp:r10+32 bp:(und) signal:0\n"
	".text+8:type:(und) sp:r13-32768 bp:bp+32767 signal:0\n"
	".text+9:type:(und) sp:dx+1 bp:dx-1 signal:0\n"
	".text+a:type:end sp:di+24 bp:dx+8 signal:0\n"
	".text+b:type:(und) sp:?+5 bp:?+6 signal:0\n"
	".text+c:type:regs (partial) sp:(und) bp:(und) signal:0\n"
	".text+d:type:? sp:sp+8 bp:(und) signal:0\n"
	".text+e:type:? sp:sp+8 bp:(und) signal:0\n"
	".text+f:type:? sp:sp+8 bp:(und) signal:0\n"
	".text+10:type:call sp:sp+8 bp:(und) signal:1\n"
	".text+11:type:call sp:sp+8 bp:(und) signal:0\n"
	".text+12:type:(und) sp:(und) bp:(und) signal:0\n"
	".text+13:type:end sp:(und) bp:(und) signal:0\n"
	".text+2f:type:(und) sp:(und) bp:(und) signal:0\n"
	".text.unlikely+0:type:(und) sp:sp+48 bp:prevsp-32 signal:0\n"
	".text.unlikely+8:type:(und) sp:(und) bp:(und) signal:0\n";

START_TEST(test_dump_cases)
{
	int ret;
	char *v1 = dump_text("orc_cases", ORC_FORMAT_V1, &ret);

	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(v1, orc_cases_v1);
	free(v1);
	v1 = dump_text("orc_cases", ORC_FORMAT_V2, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(v1, orc_cases_v2);
	free(v1);
}
END_TEST

/* Without relocations the reference prints addresses: sh_addr + 4i + value. */
START_TEST(test_dump_without_relocations)
{
	int ret;
	char *text = dump_text("orc_norela", ORC_FORMAT_V1, &ret);

	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(text, "10: sp:sp+8 bp:(und) type:call end:0\n"
			       "fffffffffffffffc: sp:(und) bp:(und) type:call end:0\n");
	free(text);
}
END_TEST

/* No ORC, or only half of it: the reference prints nothing and succeeds. */
START_TEST(test_dump_nothing)
{
	int ret;
	char *text = dump_text("orc_none", ORC_FORMAT_V2, &ret);

	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(text, "");
	free(text);
	text = dump_text("orc_half", ORC_FORMAT_V1, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

/* ---- detection -------------------------------------------------------- */

static enum orc_format detect_fixture(const char *name)
{
	struct objfile *f = open_fixture(name);
	enum orc_format fmt = orc_detect_format(f);

	objf_close(f);
	return fmt;
}

START_TEST(test_detect_fixtures)
{
	ck_assert_int_eq(detect_fixture("orc_v1"), ORC_FORMAT_V1);
	ck_assert_int_eq(detect_fixture("orc_v2"), ORC_FORMAT_V2);
	/* Zeros only: both formats write them alike. */
	ck_assert_int_eq(detect_fixture("orc_zero"), ORC_FORMAT_AUTO);
	/* The .orc_header hash wins over a v1-looking entry. */
	ck_assert_int_eq(detect_fixture("orc_header"), ORC_FORMAT_V2);
	/* Entries only v1 could hold beside entries only v2 could hold. */
	ck_assert_int_eq(detect_fixture("orc_cases"), ORC_FORMAT_AUTO);
	ck_assert_int_eq(detect_fixture("orc_none"), ORC_FORMAT_AUTO);
}
END_TEST

START_TEST(test_detect_entries)
{
	/* A lone v2 REGS entry (raw type 3, which v1 lacks). */
	static const uint8_t regs_v2[6] = { 0, 0, 0, 0, 0x09, 0x03 };
	/* v2 CALL + signal (bit 11, unused in v1). */
	static const uint8_t signal_v2[6] = { 8, 0, 0, 0, 0x05, 0x0a };
	/* v1 end-of-stack (end bit, no CFA): v2 would be REGS_PARTIAL without a CFA. */
	static const uint8_t end_v1[6] = { 0, 0, 0, 0, 0, 0x04 };
	/* v1 CALL with the end bit and a CFA: v2 REGS_PARTIAL; both possible. */
	static const uint8_t call_end_v1[6] = { 8, 0, 0, 0, 0x05, 0x04 };
	uint8_t mixed[12];

	ck_assert_int_eq(orc_detect_entries(regs_v2, 1), ORC_FORMAT_V2);
	ck_assert_int_eq(orc_detect_entries(signal_v2, 1), ORC_FORMAT_V2);
	ck_assert_int_eq(orc_detect_entries(end_v1, 1), ORC_FORMAT_V1);
	ck_assert_int_eq(orc_detect_entries(call_end_v1, 1), ORC_FORMAT_AUTO);
	ck_assert_int_eq(orc_detect_entries(NULL, 0), ORC_FORMAT_AUTO);
	memcpy(mixed, regs_v2, 6);
	memcpy(mixed + 6, end_v1, 6);
	ck_assert_int_eq(orc_detect_entries(mixed, 2), ORC_FORMAT_AUTO);
}
END_TEST

/* ---- tables ----------------------------------------------------------- */

START_TEST(test_read_table)
{
	struct ao_error err = { 0 };
	struct objfile *f = open_fixture("orc_v1");
	struct orc_table t;

	ck_assert_msg(orc_read_table(f, ORC_FORMAT_AUTO, &t, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(t.nr, 7);
	/* The reference dump: "f2+0: sp:sp+8 ..." and ".text+11: sp:(und) ..." */
	ck_assert_str_eq(t.rows[5].sec->name, ".text");
	ck_assert_uint_eq(t.rows[5].offset, 0x10);
	ck_assert_int_eq(t.rows[5].entry.sp_offset, 8);
	ck_assert_int_eq(t.rows[5].entry.sp_reg, ORC_REG_SP);
	ck_assert_int_eq(t.rows[5].entry.type, ORC_T_CALL);
	ck_assert_uint_eq(t.rows[6].offset, 0x11);
	ck_assert_int_eq(t.rows[6].entry.sp_reg, ORC_REG_UNDEFINED);
	ck_assert_int_eq(t.rows[1].entry.bp_reg, ORC_REG_PREV_SP);
	ck_assert_int_eq(t.rows[1].entry.bp_offset, -16);
	orc_free_table(&t);
	objf_close(f);
}
END_TEST

START_TEST(test_read_table_errors)
{
	struct ao_error err = { 0 };
	struct objfile *f = open_fixture("orc_half");
	struct orc_table t;

	ck_assert_int_eq(orc_read_table(f, ORC_FORMAT_V1, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "only one of"));
	ck_assert_ptr_nonnull(strstr(err.message, "orc_half.o"));
	objf_close(f);

	f = open_fixture("orc_norela");
	ck_assert_int_eq(orc_read_table(f, ORC_FORMAT_V1, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "no relocation"));
	ck_assert_ptr_nonnull(strstr(err.message, ".orc_unwind_ip+0x0"));
	objf_close(f);

	f = open_fixture("orc_none");
	ck_assert_int_eq(orc_read_table(f, ORC_FORMAT_V1, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 0);
	objf_close(f);
}
END_TEST

/* ---- the command ------------------------------------------------------ */

START_TEST(test_cmd_diff_equal_despite_order)
{
	char a[512], b[512];
	const char *out;

	snprintf(a, sizeof(a), "%s", unit_assemble("orc_v1"));
	snprintf(b, sizeof(b), "%s", unit_assemble("orc_v1_shuffled"));
	{
		char *argv[] = { "orc", "diff", a, b, NULL };

		/* 8 offsets: the 7 of orc_v1 and the redundant f1+2. */
		ck_assert_int_eq(run_orc(argv, 4, &out), 0);
		ck_assert_str_eq(out, "0 of 8 points differ\n");
	}
}
END_TEST

START_TEST(test_cmd_diff_different)
{
	char a[512], b[512];
	const char *out;

	snprintf(a, sizeof(a), "%s", unit_assemble("orc_v1"));
	snprintf(b, sizeof(b), "%s", unit_assemble("orc_none"));
	{
		char *argv[] = { "orc", "diff", a, b, NULL };

		ck_assert_int_eq(run_orc(argv, 4, &out), EXIT_FINDINGS);
		ck_assert_ptr_nonnull(strstr(out,
			".text+0x4 (f1+0x4): A sp:bp+16 bp:prevsp-16 type:call end:0 / B (none)\n"));
		ck_assert_ptr_nonnull(strstr(out, ".text+0x11: A sp:(und) bp:(und) type:call end:0"));
		ck_assert_ptr_nonnull(strstr(out, "7 of 7 points differ\n"));
	}
	snprintf(b, sizeof(b), "%s", unit_assemble("orc_half"));
	{
		char *argv[] = { "orc", "diff", a, b, NULL };

		ck_assert_int_eq(run_orc(argv, 4, &out), EXIT_UNUSABLE);
	}
}
END_TEST

START_TEST(test_cmd_dump_forced_format)
{
	char a[512];
	const char *out;

	snprintf(a, sizeof(a), "%s", unit_assemble("orc_v1"));
	{
		char *argv[] = { "orc", "dump", "--orc-format=v2", a, NULL };

		ck_assert_int_eq(run_orc(argv, 4, &out), 0);
		/* The 6.12 reference's dump of the same object starts so. */
		ck_assert_ptr_eq(strstr(out, ".text+0:type:(und) sp:sp+8 bp:(und) signal:0\n"), out);
	}
	{
		char *argv[] = { "orc", "dump", "--orc-format=v3", a, NULL };

		ck_assert_int_eq(run_orc(argv, 4, &out), EXIT_UNUSABLE);
	}
}
END_TEST

UNIT_SUITE(orc_suite)

static Suite *orc_suite(void)
{
	Suite *s = suite_create("orc");
	TCase *tc = tcase_create("orc");

	tcase_add_test(tc, test_encode_known_bytes);
	tcase_add_test(tc, test_encode_undefined_and_end);
	tcase_add_test(tc, test_roundtrip_raw);
	tcase_add_test(tc, test_decode_fields);
	tcase_add_test(tc, test_format_af_key_lines);
	tcase_add_test(tc, test_dump_cases);
	tcase_add_test(tc, test_dump_without_relocations);
	tcase_add_test(tc, test_dump_nothing);
	tcase_add_test(tc, test_detect_fixtures);
	tcase_add_test(tc, test_detect_entries);
	tcase_add_test(tc, test_read_table);
	tcase_add_test(tc, test_read_table_errors);
	tcase_add_test(tc, test_cmd_diff_equal_despite_order);
	tcase_add_test(tc, test_cmd_diff_different);
	tcase_add_test(tc, test_cmd_dump_forced_format);
	suite_add_tcase(s, tc);
	return s;
}
