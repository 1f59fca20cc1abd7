// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reporting side: JSON and SARIF rendering of findings
 * (report/json.c, report/sarif.c), DWARF source lines (dwarf/lines.c,
 * dwarf/access.c) and the CFI cross-check (validate/cfi_check.c).
 *
 * Where expected values come from: the fixtures' own arithmetic, written
 * down in tests/fixtures/ux_findings.S and ux_cfi.S; line numbers are found
 * by reading the .S file here, not taken from altorc's output.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cfi_check.h"
#include "dwarf_lines.h"
#include "report.h"
#include "unit.h"
#include "version.h"

/* Assemble a fixture with -g, so gas writes a line table. */
static const char *assemble_g(const char *name)
{
	static char path[PATH_MAX];
	char cmd[3 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s-g.o", unit_tmpdir(), name);
	snprintf(cmd, sizeof(cmd), "gcc -g -c -Ifixtures -o '%s' 'fixtures/%s.S'", path, name);
	ck_assert_msg(system(cmd) == 0, "assembling fixtures/%s.S with -g failed", name);
	return path;
}

/* The 1-based line of fixtures/NAME.S that equals text. */
static unsigned line_of(const char *name, const char *text)
{
	char path[PATH_MAX], buf[512];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "fixtures/%s.S", name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		buf[strcspn(buf, "\n")] = 0;
		if (!strcmp(buf, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	ck_abort_msg("no line '%s' in %s", text, path);
	return 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Render with fn into a string (caller frees). */
static char *render(int (*fn)(FILE *, const struct report_file *, size_t),
		    const struct report_file *files, size_t nr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(fn(m, files, nr), 0);
	fclose(m);
	return buf;
}

/* Two files: one with three findings of two kinds, one unusable. */
static void sample_files(struct report_file rf[2], struct objfile **f)
{
	struct ao_error err = { 0 };
	const char *path = unit_assemble("demo_pushf");
	struct objsec *text;

	ck_assert_int_eq(objf_open(f, path, &err), 0);
	text = objf_sec_by_name(*f, ".text");
	memset(rf, 0, 2 * sizeof(*rf));
	rf[0].path = path;
	findings_init(&rf[0].fs, path, 0);
	findings_add(&rf[0].fs, "stack-state-mismatch", text, 5, "first %s", "message");
	findings_add(&rf[0].fs, "paravirt-table", NULL, 0, "no location");
	findings_add(&rf[0].fs, "stack-state-mismatch", text, 0x10, "quote \" and backslash \\");
	rf[0].result = 3;
	rf[1].path = "/no/such file.o";
	findings_init(&rf[1].fs, rf[1].path, 0);
	rf[1].result = -1;
	rf[1].error = strdup("/no/such file.o: cannot open");
}

START_TEST(json_findings)
{
	struct report_file rf[2];
	struct objfile *f;
	char *out, want[256];

	sample_files(rf, &f);
	out = render(report_json, rf, 2);
	ck_assert_uint_eq(count(out, "\"kind\": "), 3);
	ck_assert_uint_eq(count(out, "\"kind\": \"stack-state-mismatch\""), 2);
	snprintf(want, sizeof(want), "\"tool\": \"altorc\",\n  \"version\": \"%s\",\n  \"commit\": \"%s\"",
		 altorc_version(), altorc_commit());
	ck_assert_ptr_nonnull(strstr(out, want));
	ck_assert_ptr_nonnull(strstr(out, "\"location\": \"demo_save_flags+0x5\""));
	ck_assert_ptr_nonnull(strstr(out, "\"function\": \"demo_framed\""));   /* .text+0x10 */
	ck_assert_ptr_nonnull(strstr(out, "\"message\": \"quote \\\" and backslash \\\\\""));
	ck_assert_ptr_nonnull(strstr(out, "\"status\": \"unusable\""));
	free(out);
	report_file_free(&rf[0]);
	report_file_free(&rf[1]);
	objf_close(f);
}
END_TEST

START_TEST(sarif_rules_and_results)
{
	struct report_file rf[2];
	struct objfile *f;
	char *out, *b, want[128];
	uint64_t text_file_offset;

	sample_files(rf, &f);
	text_file_offset = objf_sec_by_name(f, ".text")->shdr.sh_offset;
	out = render(report_sarif, rf, 2);
	ck_assert_ptr_nonnull(strstr(out, "\"version\": \"2.1.0\""));
	ck_assert_ptr_nonnull(strstr(out, "\"$schema\": "));
	/*
	 * One rule per kind, in order of first appearance, under the opaque ids of
	 * finding_rules.c (stack-state-mismatch AO1001, paravirt-table AO2003) with
	 * the readable kind as the name.
	 */
	ck_assert_uint_eq(count(out, "\"id\": \"AO"), 2);
	ck_assert_uint_eq(count(out, "\"id\": \"AO1001\",\n              \"name\": \"stack-state-mismatch\""), 1);
	ck_assert_uint_eq(count(out, "\"id\": \"AO2003\",\n              \"name\": \"paravirt-table\""), 1);
	ck_assert_uint_eq(count(out, "\"ruleId\": \"AO1001\",\n          \"ruleIndex\": 0"), 2);
	ck_assert_uint_eq(count(out, "\"ruleId\": \"AO2003\",\n          \"ruleIndex\": 1"), 1);
	ck_assert_uint_eq(count(out, "\"fullDescription\": "), 2);
	ck_assert_uint_eq(count(out, "\"helpUri\": \"https://"), 2);
	/* The build's version, as --version prints it. */
	ck_assert_ptr_nonnull(strstr(out, "\"semanticVersion\": \""));
	ck_assert_ptr_nonnull(strstr(out, altorc_version()));
	ck_assert_uint_eq(count(out, "\"locations\": "), 4);   /* 3 results + 1 notification */
	/*
	 * Without DWARF the object is the artifact, the section offset the address,
	 * and the region the instruction's first byte in the file (.text's file
	 * offset plus 5).
	 */
	ck_assert_ptr_nonnull(strstr(out, "\"relativeAddress\": 5"));
	snprintf(want, sizeof(want), "\"byteOffset\": %llu,\n                  \"byteLength\": 1",
		 (unsigned long long)text_file_offset + 5);
	ck_assert_ptr_nonnull(strstr(out, want));
	/* The unusable file fails the invocation, and its path is a valid URI. */
	ck_assert_ptr_nonnull(strstr(out, "\"executionSuccessful\": false"));
	ck_assert_ptr_nonnull(strstr(out, "\"uri\": \"file:///no/such%20file.o\""));
	b = strstr(out, "\"results\": [");
	ck_assert_ptr_nonnull(b);
	free(out);
	report_file_free(&rf[0]);
	report_file_free(&rf[1]);
	objf_close(f);
}
END_TEST

/* The rule table: ids AOnnnn, unique; names unique; every text filled in. */
START_TEST(rule_table)
{
	size_t nr;
	const struct finding_rule *r = findings_rules(&nr);

	ck_assert_uint_ge(nr, 25);
	for (size_t i = 0; i < nr; i++) {
		ck_assert_uint_eq(strlen(r[i].id), 6);
		ck_assert(!strncmp(r[i].id, "AO", 2) && strspn(r[i].id + 2, "0123456789") == 4);
		/* AO1xxx: the reference reports it too; AO2xxx: altorc only. */
		ck_assert_int_eq(r[i].id[2] == '1', r[i].in_reference);
		ck_assert(!strcmp(r[i].level, "error") || !strcmp(r[i].level, "warning") ||
			  !strcmp(r[i].level, "note"));
		ck_assert_uint_gt(strlen(r[i].summary), 10);
		ck_assert_uint_gt(strlen(r[i].description), strlen(r[i].summary));
		ck_assert(!strncmp(r[i].help_uri, "https://", 8));
		for (size_t k = 0; k < i; k++) {
			ck_assert_str_ne(r[i].id, r[k].id);
			ck_assert_str_ne(r[i].name, r[k].name);
		}
		ck_assert_ptr_eq(findings_rule(r[i].name), &r[i]);
	}
	/* Published ids never move. */
	ck_assert_str_eq(findings_rule("stack-state-mismatch")->id, "AO1001");
	ck_assert_str_eq(findings_rule("alternative-exit-state")->id, "AO2001");
	/* Unknown kinds become "internal", which the reference prints too (as its BUG lines). */
	ck_assert_str_eq(findings_rule("no-such-kind")->name, "internal");
	ck_assert_str_eq(findings_rule(NULL)->name, "internal");
	ck_assert(findings_kind_in_reference("stack-state-mismatch"));
	ck_assert(!findings_kind_in_reference("paravirt-stack"));
	ck_assert(!findings_kind_in_reference("cfi-mismatch"));
}
END_TEST

START_TEST(dwarf_source_lines)
{
	struct ao_error err = { 0 };
	struct objfile *f;
	struct dwarf_lines *l = NULL;
	struct objsec *text;
	const char *file;
	unsigned line;

	ck_assert_int_eq(objf_open(&f, assemble_g("ux_findings"), &err), 0);
	ck_assert_int_eq(dwarf_lines_load(f, &l, &err), 0);
	ck_assert_ptr_nonnull(l);
	text = objf_sec_by_name(f, ".text");
	/* ux_uneven: push(1) test(2) je(2) pop(1): the ret is at +6. */
	ck_assert(dwarf_lines_find(l, text, 6, &file, &line));
	ck_assert_uint_eq(line, line_of("ux_findings", "1:\tret"));
	ck_assert_ptr_nonnull(strstr(file, "ux_findings.S"));
	ck_assert(dwarf_lines_find(l, text, 0, &file, &line));
	ck_assert_uint_eq(line, line_of("ux_findings", "\tpush\t%rbx"));
	ck_assert(!dwarf_lines_find(l, text, 0x1000, &file, &line));
	dwarf_lines_free(l);
	objf_close(f);

	/* Without -g there is no line table: no error, no table. */
	ck_assert_int_eq(objf_open(&f, unit_assemble("ux_findings"), &err), 0);
	ck_assert_int_eq(dwarf_lines_load(f, &l, &err), 0);
	ck_assert_ptr_null(l);
	objf_close(f);
}
END_TEST

START_TEST(cfi_planted)
{
	struct analyze_options a = { 0 };
	struct ao_error err = { 0 };
	struct cfi_summary sum;
	struct findings fs;
	struct analysis an;

	findings_init(&fs, "ux_cfi", 0);
	ck_assert_int_ge(analyze_open(unit_assemble("ux_cfi"), &a, &fs, &an, &err), 0);
	ck_assert_int_eq(cfi_check(&an.cfg, &fs, &sum, &err), 2);
	ck_assert_str_eq(sum.frame_section, ".eh_frame");
	ck_assert_uint_eq(sum.fdes, 2);
	ck_assert_uint_eq(sum.compared, 9);
	ck_assert_uint_eq(sum.by_class[CFI_AGREE], 7);
	ck_assert_uint_eq(sum.by_class[CFI_CFA_OFFSET], 1);
	ck_assert_uint_eq(sum.by_class[CFI_CFA_REGISTER], 1);
	ck_assert_str_eq(fs.items[fs.nr - 2].location, "ux_cfi_planted+0x1");
	ck_assert_str_eq(fs.items[fs.nr - 1].location, "ux_cfi_planted+0x4");
	ck_assert_str_eq(fs.items[fs.nr - 1].kind, "cfi-mismatch");
	analyze_close(&an);
	findings_free(&fs);

	/* An object without CFI compares nothing and finds nothing. */
	findings_init(&fs, "demo", 0);
	ck_assert_int_ge(analyze_open(unit_assemble("demo_pushf"), &a, &fs, &an, &err), 0);
	ck_assert_int_eq(cfi_check(&an.cfg, &fs, &sum, &err), 0);
	ck_assert_ptr_null(sum.frame_section);
	ck_assert_uint_eq(sum.compared, 0);
	analyze_close(&an);
	findings_free(&fs);
}
END_TEST

START_TEST(orc_names_as_the_dump)
{
	struct orc_entry e = { .sp_reg = ORC_REG_SP, .sp_offset = 24, .bp_reg = ORC_REG_UNDEFINED,
			       .type = ORC_T_CALL };

	ck_assert_str_eq(report_orc_reg_name(ORC_REG_SP), "sp");
	ck_assert_str_eq(report_orc_reg_name(ORC_REG_BP), "bp");
	ck_assert_str_eq(report_orc_reg_name(ORC_REG_UNDEFINED), "undefined");
	ck_assert_str_eq(report_orc_reg_name(ORC_REG_SP_INDIRECT), "sp(ind)");
	ck_assert_str_eq(report_orc_reg_name(200), "?");
	ck_assert_str_eq(report_orc_type_name(ORC_FORMAT_V1, &e), "call");
	e.type = ORC_T_REGS_PARTIAL;
	ck_assert_str_eq(report_orc_type_name(ORC_FORMAT_V2, &e), "regs (partial)");
}
END_TEST

UNIT_SUITE(report_suite)
static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, json_findings);
	tcase_add_test(tc, sarif_rules_and_results);
	tcase_add_test(tc, rule_table);
	tcase_add_test(tc, dwarf_source_lines);
	tcase_add_test(tc, cfi_planted);
	tcase_add_test(tc, orc_names_as_the_dump);
	suite_add_tcase(s, tc);
	return s;
}
