// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the special-section readers (objtool/special_*.c), the
 * objdump-style printer (arch/x86/decode/format.c) and the JSON writer.
 *
 * Fixtures are tests/fixtures/alt_*.S and pv_*.S, whose metadata entries are
 * written by hand; the expected offsets are derived by hand in each file's
 * header comment and were checked against `readelf -rW` and `objdump -d`
 * of the assembled objects.  The expected disassembly was checked against
 * objdump 2.40.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_decode.h"
#include "json_writer.h"
#include "special.h"
#include "unit.h"

static struct objfile *open_fixture(const char *name)
{
	struct objfile *f = NULL;
	struct ao_error err;

	ao_error_clear(&err);
	ck_assert_msg(objf_open(&f, unit_assemble(name), &err) == 0, "%s", err.message);
	return f;
}

/* ---- .altinstructions ------------------------------------------------------ */

START_TEST(test_alt_v1_layout)
{
	struct objfile *f = open_fixture("alt_v1");
	struct alt_table t;
	struct ao_error err;
	const struct alt_entry *e;

	ao_error_clear(&err);
	ck_assert_msg(special_read_alternatives(f, ALT_LAYOUT_AUTO, &t, &err) == 0, "%s",
		      err.message);
	ck_assert_int_eq(t.layout, ALT_LAYOUT_V1);
	ck_assert_uint_eq(t.nr, 4);

	e = &t.entries[0];
	ck_assert_uint_eq(e->entry_offset, 0);
	ck_assert_str_eq(e->orig_sec->name, ".text");
	ck_assert_uint_eq(e->orig_off, 0x1);
	ck_assert_uint_eq(e->orig_len, 6);
	ck_assert_str_eq(e->repl_sec->name, ".altinstr_replacement");
	ck_assert_uint_eq(e->repl_off, 0);
	ck_assert_uint_eq(e->repl_len, 2);
	ck_assert_uint_eq(e->feature, 8 * 32 + 16);
	ck_assert_uint_eq(e->flags, ALT_FLAG_NOT);

	/* Empty replacement whose pointer is relocated. */
	e = &t.entries[1];
	ck_assert_uint_eq(e->entry_offset, 0xc);
	ck_assert_uint_eq(e->orig_off, 0x7);
	ck_assert_uint_eq(e->orig_len, 4);
	ck_assert_uint_eq(e->repl_len, 0);
	ck_assert_uint_eq(e->feature, 3 * 32 + 4);
	ck_assert_uint_eq(e->flags, 0);

	/* Site given as a global symbol plus addend, not a section symbol. */
	e = &t.entries[2];
	ck_assert_uint_eq(e->orig_off, 0xb);
	ck_assert_uint_eq(e->orig_len, 5);
	ck_assert_uint_eq(e->repl_off, 0x2);
	ck_assert_uint_eq(e->repl_len, 5);
	ck_assert_uint_eq(e->feature, 11 * 32 + 12);

	/* Empty replacement without any relocation. */
	e = &t.entries[3];
	ck_assert_uint_eq(e->entry_offset, 0x24);
	ck_assert_uint_eq(e->orig_off, 0x10);
	ck_assert_uint_eq(e->repl_len, 0);
	ck_assert_ptr_null(e->repl_sec);
	ck_assert_uint_eq(e->feature, 7);

	special_free_alternatives(&t);
	objf_close(f);
}
END_TEST

START_TEST(test_alt_v2_layout)
{
	struct objfile *f = open_fixture("alt_v2");
	struct alt_table t;
	struct ao_error err;

	ao_error_clear(&err);
	ck_assert_msg(special_read_alternatives(f, ALT_LAYOUT_AUTO, &t, &err) == 0, "%s",
		      err.message);
	ck_assert_int_eq(t.layout, ALT_LAYOUT_V2);
	ck_assert_uint_eq(t.nr, 2);
	ck_assert_uint_eq(t.entries[0].orig_off, 0);
	ck_assert_uint_eq(t.entries[0].orig_len, 5);
	ck_assert_uint_eq(t.entries[0].repl_len, 3);
	ck_assert_uint_eq(t.entries[0].feature, 9 * 32 + 20);
	ck_assert_uint_eq(t.entries[0].flags, ALT_FLAG_NOT);
	ck_assert_uint_eq(t.entries[1].entry_offset, 14);
	ck_assert_uint_eq(t.entries[1].orig_off, 5);
	ck_assert_uint_eq(t.entries[1].orig_len, 6);
	ck_assert_uint_eq(t.entries[1].repl_off, 3);
	ck_assert_uint_eq(t.entries[1].repl_len, 5);
	ck_assert_uint_eq(t.entries[1].feature, 18 * 32 + 1);
	ck_assert_uint_eq(t.entries[1].flags, ALT_FLAG_DIRECT_CALL);
	special_free_alternatives(&t);
	objf_close(f);
}
END_TEST

START_TEST(test_alt_forced_layout)
{
	struct objfile *f = open_fixture("alt_v1");
	struct alt_table t;
	struct ao_error err;

	ao_error_clear(&err);
	ck_assert_int_eq(special_read_alternatives(f, ALT_LAYOUT_V1, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 4);
	special_free_alternatives(&t);
	/* 0x30 bytes are not a whole number of 14-byte entries. */
	ck_assert_int_eq(special_read_alternatives(f, ALT_LAYOUT_V2, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, ".altinstructions+0x0: "));
	ck_assert_ptr_nonnull(strstr(err.message, "not a multiple of the 14-byte"));
	ck_assert_uint_eq(t.nr, 0);
	objf_close(f);
}
END_TEST

/* A call leaving the replacement carries its own relocation there. */
START_TEST(test_alt_replacement_reloc)
{
	struct objfile *f = open_fixture("alt_v1");
	struct alt_table t;
	struct ao_error err;
	const struct alt_entry *e;
	const struct objrel *rel;

	ck_assert_int_eq(special_read_alternatives(f, ALT_LAYOUT_AUTO, &t, &err), 0);
	e = &t.entries[2];
	rel = objf_rel_in(e->repl_sec, e->repl_off, e->repl_off + e->repl_len);
	ck_assert_ptr_nonnull(rel);
	ck_assert_uint_eq(rel->offset, 0x3);
	ck_assert_str_eq(rel->sym->name, "ext_thunk");
	/* ...and the pushf/pop replacement has none. */
	e = &t.entries[0];
	ck_assert_ptr_null(objf_rel_in(e->repl_sec, e->repl_off, e->repl_off + e->repl_len));
	special_free_alternatives(&t);
	objf_close(f);
}
END_TEST

/* An object without the section reads as an empty table. */
START_TEST(test_alt_absent)
{
	struct objfile *f = open_fixture("pv_sites");
	struct alt_table t;
	struct jump_label_table j;
	struct ex_table x;
	struct ao_error err;

	ck_assert_int_eq(special_read_alternatives(f, ALT_LAYOUT_AUTO, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 0);
	ck_assert_int_eq(special_read_jump_labels(f, &j, &err), 0);
	ck_assert_uint_eq(j.nr, 0);
	ck_assert_int_eq(special_read_ex_table(f, &x, &err), 0);
	ck_assert_uint_eq(x.nr, 0);
	objf_close(f);
}
END_TEST

/* ---- malformed .altinstructions: one error naming file, table, entry ------- */

static void expect_alt_error(const char *fixture, const char *where, const char *what)
{
	const char *path = unit_assemble(fixture);
	struct objfile *f = NULL;
	struct alt_table t;
	struct ao_error err;
	char prefix[512];

	ao_error_clear(&err);
	ck_assert_int_eq(objf_open(&f, path, &err), 0);
	ck_assert_int_eq(special_read_alternatives(f, ALT_LAYOUT_AUTO, &t, &err), -1);
	ck_assert_int_eq(err.status, AO_ERR_FORMAT);
	snprintf(prefix, sizeof(prefix), "%s: %s: ", path, where);
	ck_assert_msg(!strncmp(err.message, prefix, strlen(prefix)),
		      "'%s' does not start with '%s'", err.message, prefix);
	ck_assert_msg(strstr(err.message, what), "'%s' lacks '%s'", err.message, what);
	ck_assert_ptr_null(strchr(err.message, '\n'));
	ck_assert_uint_eq(t.nr, 0);
	objf_close(f);
}

START_TEST(test_alt_bad_repl_len)
{
	expect_alt_error("alt_bad_repl_len", ".altinstructions+0xc",
			 "replacement .altinstr_replacement+0x1 length 5 runs past the section end (0x2)");
}
END_TEST

START_TEST(test_alt_bad_orig_len)
{
	expect_alt_error("alt_bad_orig_len", ".altinstructions+0xc",
			 "original instruction .text+0x6 length 32 runs past the section end (0xd)");
}
END_TEST

START_TEST(test_alt_bad_site)
{
	expect_alt_error("alt_bad_site", ".altinstructions+0xc",
			 ".text+0x106 lies outside its section (size 0xd)");
}
END_TEST

START_TEST(test_alt_bad_type)
{
	expect_alt_error("alt_bad_type", ".altinstructions+0xc",
			 "has type R_X86_64_32, expected R_X86_64_PC32");
}
END_TEST

START_TEST(test_alt_bad_missing)
{
	expect_alt_error("alt_bad_missing", ".altinstructions+0xc",
			 "no relocation for the original instruction");
}
END_TEST

START_TEST(test_alt_bad_missing_repl)
{
	expect_alt_error("alt_bad_missing_repl", ".altinstructions+0xc",
			 "no relocation for the replacement");
}
END_TEST

START_TEST(test_alt_bad_undef)
{
	expect_alt_error("alt_bad_undef", ".altinstructions+0xc",
			 "undefined symbol 'undefined_site'");
}
END_TEST

START_TEST(test_alt_bad_size)
{
	expect_alt_error("alt_bad_size", ".altinstructions+0x0",
			 "section size 0xd fits no entry layout");
}
END_TEST

/* ---- .parainstructions ------------------------------------------------------ */

START_TEST(test_pv_sites)
{
	struct objfile *f = open_fixture("pv_sites");
	struct pv_table t;
	struct ao_error err;

	ck_assert_int_eq(special_read_paravirt(f, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 2);
	ck_assert_str_eq(t.sites[0].sec->name, ".text");
	ck_assert_uint_eq(t.sites[0].off, 1);
	ck_assert_uint_eq(t.sites[0].type, 30);
	ck_assert_uint_eq(t.sites[0].len, 6);
	ck_assert_uint_eq(t.sites[1].entry_offset, 0x10);
	ck_assert_uint_eq(t.sites[1].off, 7);
	ck_assert_uint_eq(t.sites[1].type, 32);
	special_free_paravirt(&t);
	objf_close(f);
}
END_TEST

START_TEST(test_pv_bad_type)
{
	const char *path = unit_assemble("pv_bad_type");
	struct objfile *f = NULL;
	struct pv_table t;
	struct ao_error err;

	ck_assert_int_eq(objf_open(&f, path, &err), 0);
	ck_assert_int_eq(special_read_paravirt(f, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, ".parainstructions+0x0: "));
	ck_assert_ptr_nonnull(strstr(err.message, "has type R_X86_64_PC32, expected R_X86_64_64"));
	objf_close(f);
}
END_TEST

/* ---- __jump_table and __ex_table ------------------------------------------- */

START_TEST(test_jump_labels)
{
	struct objfile *f = open_fixture("alt_jump_table");
	struct jump_label_table t;
	struct ao_error err;

	ck_assert_int_eq(special_read_jump_labels(f, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 2);
	ck_assert_uint_eq(t.entries[0].code_off, 0);
	ck_assert_uint_eq(t.entries[0].target_off, 7);
	ck_assert_str_eq(t.entries[0].key->name, "jl_key");
	ck_assert_int_eq(t.entries[0].key_addend, 3);
	ck_assert_int_eq(t.entries[0].key_addend & 3, 3);
	ck_assert_uint_eq(t.entries[1].entry_offset, 0x10);
	ck_assert_uint_eq(t.entries[1].code_off, 5);
	ck_assert_uint_eq(t.entries[1].target_off, 8);
	/* A local key comes through its section's symbol: flags stay addend & 3. */
	ck_assert_ptr_nonnull(t.entries[1].key->sec);
	ck_assert_str_eq(t.entries[1].key->sec->name, ".data");
	ck_assert_int_eq(t.entries[1].key_addend, 8);
	ck_assert_int_eq(t.entries[1].key_addend & 3, 0);
	special_free_jump_labels(&t);
	objf_close(f);
}
END_TEST

START_TEST(test_ex_table)
{
	struct objfile *f = open_fixture("alt_ex_table");
	struct ex_table t;
	struct ao_error err;

	ck_assert_int_eq(special_read_ex_table(f, &t, &err), 0);
	ck_assert_uint_eq(t.nr, 2);
	ck_assert_str_eq(t.entries[0].insn_sec->name, ".text");
	ck_assert_uint_eq(t.entries[0].insn_off, 0);
	ck_assert_str_eq(t.entries[0].fixup_sec->name, ".fixup");
	ck_assert_uint_eq(t.entries[0].fixup_off, 0);
	ck_assert_int_eq(t.entries[0].data, 3);
	ck_assert_uint_eq(t.entries[1].entry_offset, 12);
	ck_assert_uint_eq(t.entries[1].insn_off, 3);
	/* The _ASM_EXTABLE_EX bias is stripped. */
	ck_assert_uint_eq(t.entries[1].fixup_off, 2);
	ck_assert_int_eq(t.entries[1].data, -1);
	special_free_ex_table(&t);
	objf_close(f);
}
END_TEST

/* ---- objdump-style printing --------------------------------------------------- */

static void expect_format(const struct arch_decoder *d, const uint8_t *bytes, size_t n,
			  uint64_t addr, const char *want)
{
	char text[128];

	ck_assert_int_eq(arch_format(d, bytes, n, addr, text, sizeof(text)), (int)n);
	ck_assert_str_eq(text, want);
}

START_TEST(test_format_objdump)
{
	struct arch_decoder *d = arch_decoder_new();
	static const uint8_t call_pv[] = { 0xff, 0x15, 0, 0, 0, 0 };
	static const uint8_t pushf[] = { 0x9c }, pop_rax[] = { 0x58 };
	static const uint8_t nopl[] = { 0x0f, 0x1f, 0x40, 0x00 };
	static const uint8_t nopw[] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const uint8_t call_rel[] = { 0xe8, 0, 0, 0, 0 };
	static const uint8_t add_rsp[] = { 0x48, 0x83, 0xc4, 0x80 };
	static const uint8_t jne[] = { 0x75, 0x1e };
	static const uint8_t movq_imm[] = { 0x48, 0xc7, 0x44, 0x24, 0x08, 0, 0, 0, 0 };
	static const uint8_t jmp_rax[] = { 0xff, 0xe0 };
	static const uint8_t movzbl[] = { 0x0f, 0xb6, 0x07 };
	static const uint8_t xchg[] = { 0x66, 0x90 };
	static const uint8_t mov_neg[] = { 0x48, 0x8b, 0x55, 0xf8 };
	char text[64];

	ck_assert_ptr_nonnull(d);
	expect_format(d, call_pv, sizeof(call_pv), 0, "call   *0x0(%rip)");
	expect_format(d, pushf, 1, 0, "pushf");
	expect_format(d, pop_rax, 1, 0, "pop    %rax");
	expect_format(d, nopl, sizeof(nopl), 0, "nopl   0x0(%rax)");
	expect_format(d, nopw, sizeof(nopw), 0, "nopw   0x0(%rax,%rax,1)");
	expect_format(d, call_rel, sizeof(call_rel), 0xb, "call   0x10");
	expect_format(d, add_rsp, sizeof(add_rsp), 0, "add    $0xffffffffffffff80,%rsp");
	expect_format(d, jne, sizeof(jne), 0x66, "jne    0x86");
	expect_format(d, movq_imm, sizeof(movq_imm), 0, "movq   $0x0,0x8(%rsp)");
	expect_format(d, jmp_rax, sizeof(jmp_rax), 0, "jmp    *%rax");
	expect_format(d, movzbl, sizeof(movzbl), 0, "movzbl (%rdi),%eax");
	expect_format(d, xchg, sizeof(xchg), 0, "xchg   %ax,%ax");
	expect_format(d, mov_neg, sizeof(mov_neg), 0, "mov    -0x8(%rbp),%rdx");
	/* Truncated bytes do not decode. */
	ck_assert_int_eq(arch_format(d, call_pv, 3, 0, text, sizeof(text)), -1);
	ck_assert_str_eq(arch_reg_name(REG_BP), "rbp");
	ck_assert_str_eq(arch_reg_name(REG_R12), "r12");
	ck_assert_str_eq(arch_reg_name(REG_RA), "ra");
	arch_decoder_free(d);
}
END_TEST

/* ---- JSON writer -------------------------------------------------------------- */

START_TEST(test_json_writer)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	struct json_writer w;

	ck_assert_ptr_nonnull(out);
	json_init(&w, out);
	json_begin_array(&w);
	json_begin_object(&w);
	json_kv_string(&w, "s", "a\"b\\c\n\x01");
	json_kv_int(&w, "i", -5);
	json_kv_uint(&w, "u", 18446744073709551615ull);
	json_kv_bool(&w, "b", true);
	json_key(&w, "n");
	json_string(&w, NULL);
	json_key(&w, "e");
	json_begin_array(&w);
	json_end_array(&w);
	json_end_object(&w);
	json_int(&w, 7);
	json_end_array(&w);
	ck_assert_int_eq(json_finish(&w), 0);
	fclose(out);
	ck_assert_str_eq(buf,
			 "[\n  {\n    \"s\": \"a\\\"b\\\\c\\n\\u0001\",\n    \"i\": -5,\n"
			 "    \"u\": 18446744073709551615,\n    \"b\": true,\n    \"n\": null,\n"
			 "    \"e\": []\n  },\n  7\n]\n");
	free(buf);

	/* Misnesting is reported, not silently accepted. */
	out = open_memstream(&buf, &size);
	json_init(&w, out);
	json_begin_object(&w);
	json_int(&w, 1);          /* a value without a key */
	json_end_object(&w);
	ck_assert_int_eq(json_finish(&w), -1);
	fclose(out);
	free(buf);
}
END_TEST

UNIT_SUITE(special_suite)

static Suite *special_suite(void)
{
	Suite *s = suite_create("special");
	TCase *tc = tcase_create("readers");

	tcase_add_test(tc, test_alt_v1_layout);
	tcase_add_test(tc, test_alt_v2_layout);
	tcase_add_test(tc, test_alt_forced_layout);
	tcase_add_test(tc, test_alt_replacement_reloc);
	tcase_add_test(tc, test_alt_absent);
	tcase_add_test(tc, test_alt_bad_repl_len);
	tcase_add_test(tc, test_alt_bad_orig_len);
	tcase_add_test(tc, test_alt_bad_site);
	tcase_add_test(tc, test_alt_bad_type);
	tcase_add_test(tc, test_alt_bad_missing);
	tcase_add_test(tc, test_alt_bad_missing_repl);
	tcase_add_test(tc, test_alt_bad_undef);
	tcase_add_test(tc, test_alt_bad_size);
	tcase_add_test(tc, test_pv_sites);
	tcase_add_test(tc, test_pv_bad_type);
	tcase_add_test(tc, test_jump_labels);
	tcase_add_test(tc, test_ex_table);
	tcase_add_test(tc, test_format_objdump);
	tcase_add_test(tc, test_json_writer);
	suite_add_tcase(s, tc);
	return s;
}
