// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ELF layer (objtool/objfile.c, objtool/elf/write.c)
 * on tests/fixtures/elf_basic.S.  Expected values were read off
 * `readelf -SsrW` of the assembled fixture and the comments in the .S.
 * Malformed inputs are made by patching bytes of a copy at test time.
 */
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objfile.h"
#include "unit.h"

/* ---- file helpers ------------------------------------------------------- */

static void spill(const char *path, const void *buf, size_t size)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "cannot create %s", path);
	ck_assert(fwrite(buf, 1, size, fp) == size);
	fclose(fp);
}

/* Copy src to unit_tmpdir()/name (inside a subdirectory of its own). */
static const char *copy_as(const char *src, const char *name)
{
	static char paths[8][PATH_MAX];
	static int slot;
	char *out = paths[slot++ % 8];
	char dir[PATH_MAX / 2];
	size_t size;
	void *buf = unit_read_file(src, &size);

	/* Own directory per copy, so tests can count what a write leaves there. */
	snprintf(dir, sizeof(dir), "%s/%s.d", unit_tmpdir(), name);
	mkdir(dir, 0755);
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
	spill(out, buf, size);
	free(buf);
	return out;
}

static void patch_bytes(const char *path, uint64_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);

	ck_assert(fd >= 0);
	ck_assert(pwrite(fd, bytes, len, (off_t)off) == (ssize_t)len);
	close(fd);
}

static struct objfile *open_ok(const char *path)
{
	struct ao_error err = { 0 };
	struct objfile *f = NULL;

	ck_assert_msg(objf_open(&f, path, &err) == 0, "objf_open: %s", err.message);
	return f;
}

/* File offset of field `field_off` in the header of section `name`. */
static uint64_t shdr_field(const char *path, const char *name, size_t field_off)
{
	struct objfile *f = open_ok(path);
	struct objsec *sec = objf_sec_by_name(f, name);
	uint64_t off;

	ck_assert_msg(sec != NULL, "no section %s", name);
	off = f->ehdr.e_shoff + sec->index * f->ehdr.e_shentsize + field_off;
	objf_close(f);
	return off;
}

static void expect_open_error(const char *path, const char *needle)
{
	struct ao_error err = { 0 };
	struct objfile *f = (struct objfile *)1;

	ck_assert_int_eq(objf_open(&f, path, &err), -1);
	ck_assert(f == NULL);
	ck_assert_int_ne(err.status, AO_OK);
	ck_assert_msg(strstr(err.message, path) == err.message, "no file name: %s", err.message);
	ck_assert_msg(strstr(err.message, needle), "expected \"%s\" in: %s", needle, err.message);
}

/* ---- reading ----------------------------------------------------------------- */

START_TEST(test_sections_and_symbols)
{
	struct objfile *f = open_ok(unit_assemble("elf_basic"));
	struct objsec *text = objf_sec_by_name(f, ".text");
	struct objsec *helper_sec = objf_sec_by_name(f, ".text.helper");
	struct objsec *rela = objf_sec_by_name(f, ".rela.text");
	struct objsym *main_fn = NULL, *ext = NULL, *secsym = NULL;

	ck_assert(text && helper_sec && rela);
	ck_assert(text->is_exec && helper_sec->is_exec);
	ck_assert(!objf_sec_by_name(f, ".data")->is_exec);
	ck_assert(text->rela == rela && rela->base == text);
	ck_assert(objf_sec_by_name(f, ".text.helper")->rela == NULL);
	ck_assert(f->symtab == objf_sec_by_name(f, ".symtab"));
	ck_assert_uint_eq(f->nr_syms, 8);
	ck_assert_uint_eq(f->first_global, 5);
	for (size_t i = 0; i < f->nr_syms; i++) {
		if (!strcmp(f->syms[i].name, "main_fn"))
			main_fn = &f->syms[i];
		if (!strcmp(f->syms[i].name, "ext_func"))
			ext = &f->syms[i];
		if (f->syms[i].type == STT_SECTION)
			secsym = &f->syms[i];
	}
	ck_assert(main_fn && main_fn->sec == text && main_fn->type == STT_FUNC);
	ck_assert(main_fn->bind == STB_GLOBAL && main_fn->offset == 0 && main_fn->size == 0xd);
	ck_assert(ext && ext->sec == NULL && ext->shndx == SHN_UNDEF);
	/* The nameless section symbol is named after its section. */
	ck_assert(secsym && secsym->sec == helper_sec);
	ck_assert_str_eq(secsym->name, ".text.helper");
	/* .text holds main_fn and tail_fn, sorted by offset. */
	ck_assert_uint_eq(text->nr_syms, 2);
	ck_assert_str_eq(text->syms[0]->name, "main_fn");
	ck_assert_str_eq(text->syms[1]->name, "tail_fn");
	/* Lazy data: nothing read until asked. */
	ck_assert(!text->data_loaded && !text->rels_loaded);
	ck_assert_int_eq(objf_sec_data(text, NULL), 0);
	ck_assert_uint_eq(text->size, 0x11);
	ck_assert_uint_eq(text->data[0], 0x55); /* push %rbp */
	ck_assert_uint_eq(text->data[1], 0xe8); /* call */
	objf_close(f);
}
END_TEST

START_TEST(test_relocations)
{
	struct objfile *f = open_ok(unit_assemble("elf_basic"));
	struct objsec *text = objf_sec_by_name(f, ".text");
	struct objsec *data = objf_sec_by_name(f, ".data");
	struct objsec *helper_sec = objf_sec_by_name(f, ".text.helper");
	const struct objrel *rel;
	struct objsec *tsec = NULL;
	int64_t toff = 0;

	ck_assert_int_eq(objf_sec_rels(text, NULL), 0);
	ck_assert_uint_eq(text->nr_rels, 2);
	/* call helper at +1: PC32 .text.helper+0, i.e. helper (at +4) minus 4. */
	rel = objf_rel_at(text, 2);
	ck_assert(rel && rel->type == R_X86_64_PC32);
	ck_assert(objf_rel_target(rel, &tsec, &toff));
	ck_assert(tsec == helper_sec);
	ck_assert_int_eq(toff + 4, 4);
	ck_assert_ptr_eq(objf_func_at(tsec, toff + 4), objf_sym_at(helper_sec, 4));
	/* call ext_func at +6: undefined target. */
	rel = objf_rel_at(text, 7);
	ck_assert(rel && rel->type == R_X86_64_PLT32);
	ck_assert(rel->sym && rel->sym->sec == NULL);
	ck_assert_str_eq(rel->sym->name, "ext_func");
	ck_assert(!objf_rel_target(rel, &tsec, &toff));
	/* Lookups by range. */
	ck_assert(objf_rel_at(text, 3) == NULL);
	ck_assert(objf_rel_in(text, 1, 6) == objf_rel_at(text, 2));
	ck_assert(objf_rel_in(text, 3, 7) == NULL);
	ck_assert(objf_rel_in(text, 3, 8) == objf_rel_at(text, 7));
	ck_assert(objf_rel_in(text, 8, 0x11) == NULL);
	/* .data: R_X86_64_64 to main_fn+2 and PC32 to helper exactly. */
	rel = objf_rel_at(data, 0);
	ck_assert(rel && rel->type == R_X86_64_64 && objf_rel_target(rel, &tsec, &toff));
	ck_assert(tsec == text && toff == 2);
	rel = objf_rel_at(data, 8);
	ck_assert(rel && objf_rel_target(rel, &tsec, &toff));
	ck_assert(tsec == helper_sec && toff == 4);
	/* A section nothing patches. */
	ck_assert_int_eq(objf_sec_rels(helper_sec, NULL), 0);
	ck_assert_uint_eq(helper_sec->nr_rels, 0);
	ck_assert(objf_rel_at(helper_sec, 0) == NULL);
	objf_close(f);
}
END_TEST

START_TEST(test_lookups_and_format)
{
	struct objfile *f = open_ok(unit_assemble("elf_basic"));
	struct objsec *text = objf_sec_by_name(f, ".text");
	struct objsec *hs = objf_sec_by_name(f, ".text.helper");
	char buf[128];

	ck_assert_str_eq(objf_func_at(text, 0)->name, "main_fn");
	ck_assert_str_eq(objf_func_at(text, 0xc)->name, "main_fn");
	ck_assert_str_eq(objf_func_at(text, 0xd)->name, "tail_fn");
	ck_assert(objf_func_at(text, 0xf) == NULL);     /* int3 padding */
	ck_assert(objf_func_at(hs, 3) == NULL);
	ck_assert_str_eq(objf_func_at(hs, 6)->name, "helper"); /* past inner_label */
	ck_assert(objf_func_at(hs, 7) == NULL);
	ck_assert_str_eq(objf_sym_at(hs, 6)->name, "inner_label");
	ck_assert_str_eq(objf_sym_at(hs, 4)->name, "helper");
	/* At 0 only the section symbol starts. */
	ck_assert_int_eq(objf_sym_at(hs, 0)->type, STT_SECTION);
	ck_assert(objf_sym_at(hs, 5) == NULL);
	ck_assert_str_eq(objf_format_loc(buf, sizeof(buf), text, 3), "main_fn+0x3");
	ck_assert_str_eq(objf_format_loc(buf, sizeof(buf), text, 0xe), "tail_fn+0x1");
	ck_assert_str_eq(objf_format_loc(buf, sizeof(buf), text, 0x10), ".text+0x10");
	ck_assert_str_eq(objf_format_loc(buf, sizeof(buf), hs, 6), "helper+0x2");
	ck_assert_str_eq(objf_format_loc(buf, sizeof(buf), hs, 1), ".text.helper+0x1");
	objf_close(f);
}
END_TEST

START_TEST(test_fail_message)
{
	struct objfile *f = open_ok(unit_assemble("elf_basic"));
	struct ao_error err = { 0 };
	char want[PATH_MAX + 64];

	ck_assert_int_eq(objf_fail(f, &err, objf_sec_by_name(f, ".data"), 0x1f, "bad %s", "thing"), -1);
	snprintf(want, sizeof(want), "%s: .data+0x1f: bad thing", f->path);
	ck_assert_str_eq(err.message, want);
	ck_assert_int_eq(err.status, AO_ERR_FORMAT);
	objf_close(f);
}
END_TEST

/* ---- malformed input ----------------------------------------------------------- */

START_TEST(test_not_elf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/not-elf.o", unit_tmpdir());
	spill(path, "hello, this is text\n", 20);
	expect_open_error(path, "not an ELF file");
	snprintf(path, sizeof(path), "%s/no-such-file.o", unit_tmpdir());
	expect_open_error(path, "No such file");
}
END_TEST

START_TEST(test_et_exec)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "exec.o");
	uint16_t type = ET_EXEC;

	patch_bytes(path, 16, &type, 2); /* e_type */
	expect_open_error(path, "not a relocatable object (ET_EXEC)");
}
END_TEST

/*
 * The image opener takes it, and marks it linked; an object stays an
 * object there.  (The fixture's sections sit at address 0, so its symbols
 * keep their offsets; fixture-linked.sh checks a real link.)
 */
START_TEST(test_et_exec_image)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "image.o");
	uint16_t type = ET_EXEC;
	struct ao_error err = { 0 };
	struct objfile *f;
	uint64_t off;

	ck_assert_int_eq(objf_open_image(&f, path, &err), 0);
	ck_assert(!f->linked);
	objf_close(f);
	patch_bytes(path, 16, &type, 2); /* e_type */
	ck_assert_int_eq(objf_open_image(&f, path, &err), 0);
	ck_assert(f->linked);
	ck_assert_ptr_eq(objf_sec_at_addr(f, 0, &off), objf_sec_by_name(f, ".text"));
	ck_assert(off == 0);
	objf_close(f);
}
END_TEST

START_TEST(test_truncated)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "trunc.o");
	struct stat st;

	/* Cut the file in half: the section header table is gone. */
	ck_assert(stat(path, &st) == 0);
	ck_assert(truncate(path, st.st_size / 2) == 0);
	expect_open_error(path, "");
	/* Cut to a few bytes: not even an ELF header. */
	ck_assert(truncate(path, 10) == 0);
	expect_open_error(path, "");
}
END_TEST

START_TEST(test_data_past_eof)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "past.o");
	uint64_t off = 0x100000;

	/* Point .text's bytes a megabyte into a file of a few hundred bytes. */
	patch_bytes(path, shdr_field(path, ".text", offsetof(Elf64_Shdr, sh_offset)), &off, 8);
	expect_open_error(path, ".text+0x0: section data");
}
END_TEST

START_TEST(test_symtab_cut_short)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "shortsym.o");
	uint64_t size = 3 * sizeof(Elf64_Sym);

	/* Three symbols left, but sh_info still says the globals start at 5. */
	patch_bytes(path, shdr_field(path, ".symtab", offsetof(Elf64_Shdr, sh_size)), &size, 8);
	expect_open_error(path, "cut short");
}
END_TEST

START_TEST(test_symbol_shndx_out_of_range)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "badshndx.o");
	uint64_t symtab = shdr_field(path, ".symtab", offsetof(Elf64_Shdr, sh_offset));
	uint64_t symtab_off;
	uint16_t shndx = 99;
	size_t size;
	uint8_t *buf = unit_read_file(path, &size);

	memcpy(&symtab_off, buf + symtab, 8);
	free(buf);
	/* Symbol 5 (main_fn) claims section 99 of 10. */
	patch_bytes(path, symtab_off + 5 * sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_shndx), &shndx, 2);
	expect_open_error(path, ".symtab+0x78: symbol 5 (main_fn): section index 99 out of range");
}
END_TEST

START_TEST(test_reloc_symbol_out_of_range)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "badrel.o");
	uint64_t rela = shdr_field(path, ".rela.text", offsetof(Elf64_Shdr, sh_offset));
	uint64_t rela_off, info = ELF64_R_INFO(9999, R_X86_64_PLT32);
	struct objfile *f;
	struct ao_error err = { 0 };
	size_t size;
	uint8_t *buf = unit_read_file(path, &size);

	memcpy(&rela_off, buf + rela, 8);
	free(buf);
	/* Second entry (file offset +0x18) names symbol 9999. */
	patch_bytes(path, rela_off + sizeof(Elf64_Rela) + offsetof(Elf64_Rela, r_info), &info, 8);
	f = open_ok(path); /* relocations are lazy */
	ck_assert_int_eq(objf_sec_rels(objf_sec_by_name(f, ".text"), &err), -1);
	ck_assert_msg(strstr(err.message, ".rela.text+0x18: relocation symbol index 9999 out of range"),
		      "%s", err.message);
	ck_assert(objf_rel_at(objf_sec_by_name(f, ".text"), 2) == NULL);
	objf_close(f);
}
END_TEST

START_TEST(test_reloc_offset_out_of_range)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "badreloff.o");
	uint64_t rela = shdr_field(path, ".rela.data", offsetof(Elf64_Shdr, sh_offset));
	uint64_t rela_off, where = 0x40;
	struct objfile *f;
	struct ao_error err = { 0 };
	size_t size;
	uint8_t *buf = unit_read_file(path, &size);

	memcpy(&rela_off, buf + rela, 8);
	free(buf);
	patch_bytes(path, rela_off, &where, 8); /* .data is 12 bytes */
	f = open_ok(path);
	ck_assert_int_eq(objf_sec_rels(objf_sec_by_name(f, ".data"), &err), -1);
	ck_assert_msg(strstr(err.message, ".rela.data+0x0: relocation offset 0x40 beyond .data"),
		      "%s", err.message);
	objf_close(f);
}
END_TEST

START_TEST(test_rela_info_out_of_range)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "badinfo.o");
	uint32_t info = 77;

	patch_bytes(path, shdr_field(path, ".rela.data", offsetof(Elf64_Shdr, sh_info)), &info, 4);
	expect_open_error(path, ".rela.data+0x0: sh_info 77");
}
END_TEST

/* ---- writing ------------------------------------------------------------------- */

/* name -> (section name, offset) of where a relocation points, for comparison. */
struct rel_view {
	char sec[64];
	uint64_t offset;
	uint32_t type;
	char sym[64];
	int64_t addend_target;
};

static size_t collect_rels(struct objfile *f, struct rel_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *sec = &f->secs[i];

		if (!sec->rela || !strncmp(sec->name, ".orc", 4))
			continue;
		ck_assert_int_eq(objf_sec_rels(sec, NULL), 0);
		for (size_t j = 0; j < sec->nr_rels && n < max; j++, n++) {
			struct objsec *ts = NULL;
			int64_t to = 0;

			snprintf(out[n].sec, sizeof(out[n].sec), "%s", sec->name);
			out[n].offset = sec->rels[j].offset;
			out[n].type = sec->rels[j].type;
			snprintf(out[n].sym, sizeof(out[n].sym), "%s", sec->rels[j].sym->name);
			out[n].addend_target = objf_rel_target(&sec->rels[j], &ts, &to) ? to : -1;
		}
	}
	return n;
}

START_TEST(test_write_adds_sections)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "write.o");
	struct objfile *f = open_ok(path);
	struct objsec *text = objf_sec_by_name(f, ".text");
	struct objsec *hs = objf_sec_by_name(f, ".text.helper");
	struct rel_view before[16], after[16];
	size_t nb = collect_rels(f, before, 16), na;
	struct objf_new_rel rels[] = {
		{ 0, R_X86_64_PC32, text, 0 },
		{ 4, R_X86_64_PC32, hs, 4 },
		{ 8, R_X86_64_PC32, text, 0x11 },
	};
	static const char *const target_names[] = { ".text", ".text.helper", ".text" };
	uint8_t ip[12] = { 0 }, orc[18];
	struct objf_new_sec secs[] = {
		{ ".orc_unwind", SHT_PROGBITS, SHF_ALLOC, 1, 6, orc, sizeof(orc), NULL, 0 },
		{ ".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, 1, 4, ip, sizeof(ip), rels, 3 },
	};
	static const uint8_t nops[2] = { 0x66, 0x90 };
	struct objf_patch patch = { hs, 4, nops, 2 };
	struct ao_error err = { 0 };
	struct objsec *u, *uip, *rip;
	struct objsym *text_sym;
	size_t first_global;
	struct stat st;

	for (size_t i = 0; i < sizeof(orc); i++)
		orc[i] = (uint8_t)(i * 7);
	ck_assert(chmod(path, 0640) == 0);
	ck_assert_msg(objf_write(f, secs, 2, &patch, 1, &err) == 0, "%s", err.message);
	first_global = f->first_global;
	objf_close(f);

	ck_assert(stat(path, &st) == 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	f = open_ok(path);
	u = objf_sec_by_name(f, ".orc_unwind");
	uip = objf_sec_by_name(f, ".orc_unwind_ip");
	rip = objf_sec_by_name(f, ".rela.orc_unwind_ip");
	ck_assert(u && uip && rip);
	/* Header attributes as the reference objtool 6.1 gives them (af_key.post.o). */
	ck_assert(u->shdr.sh_flags == SHF_ALLOC && u->shdr.sh_entsize == 6 && u->shdr.sh_addralign == 1);
	ck_assert(uip->shdr.sh_entsize == 4 && uip->index == u->index + 1);
	ck_assert(rip->index == uip->index + 1 && rip->base == uip && uip->rela == rip);
	ck_assert(rip->shdr.sh_flags == SHF_INFO_LINK && rip->shdr.sh_addralign == 8);
	ck_assert(rip->shdr.sh_entsize == sizeof(Elf64_Rela) && rip->shdr.sh_link == f->symtab->index);
	ck_assert(u->rela == NULL);
	ck_assert_int_eq(objf_sec_data(u, NULL), 0);
	ck_assert_uint_eq(u->size, sizeof(orc));
	ck_assert(memcmp(u->data, orc, sizeof(orc)) == 0);
	/* The patch landed. */
	ck_assert_int_eq(objf_sec_data(objf_sec_by_name(f, ".text.helper"), NULL), 0);
	ck_assert(memcmp(objf_sec_by_name(f, ".text.helper")->data + 4, nops, 2) == 0);
	/* Relocations point where asked, through section symbols. */
	ck_assert_int_eq(objf_sec_rels(uip, NULL), 0);
	ck_assert_uint_eq(uip->nr_rels, 3);
	for (size_t i = 0; i < 3; i++) {
		struct objsec *ts;
		int64_t to;

		ck_assert_uint_eq(uip->rels[i].offset, rels[i].offset);
		ck_assert_uint_eq(uip->rels[i].type, R_X86_64_PC32);
		ck_assert_int_eq(uip->rels[i].sym->type, STT_SECTION);
		ck_assert(objf_rel_target(&uip->rels[i], &ts, &to));
		ck_assert_str_eq(ts->name, target_names[i]); /* rels[] point into the closed f */
		ck_assert_int_eq(to, (int64_t)rels[i].target_offset);
	}
	/* .text had no section symbol: one was added among the locals. */
	text_sym = uip->rels[0].sym;
	ck_assert_str_eq(text_sym->name, ".text");
	ck_assert_uint_eq(text_sym->bind, STB_LOCAL);
	ck_assert_uint_eq(f->first_global, first_global + 1);
	ck_assert_uint_lt(text_sym->index, f->first_global);
	ck_assert_uint_eq(f->nr_syms, 9);
	for (size_t i = 1; i < f->nr_syms; i++)
		ck_assert_msg((f->syms[i].bind == STB_LOCAL) == (i < f->first_global),
			      "symbol %zu (%s) on the wrong side of sh_info", i, f->syms[i].name);
	/* main_fn, the displaced first global, went to the end. */
	ck_assert_str_eq(f->syms[f->nr_syms - 1].name, "main_fn");
	/* Every old relocation still names the same symbol and target. */
	na = collect_rels(f, after, 16);
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		ck_assert_str_eq(after[i].sec, before[i].sec);
		ck_assert_uint_eq(after[i].offset, before[i].offset);
		ck_assert_uint_eq(after[i].type, before[i].type);
		ck_assert_str_eq(after[i].sym, before[i].sym);
		ck_assert_int_eq(after[i].addend_target, before[i].addend_target);
	}
	objf_close(f);
}
END_TEST

/* Run cmd on path; true when it exits 0 and prints nothing on stderr. */
static bool tool_clean(const char *cmd, const char *path)
{
	char line[3 * PATH_MAX], errpath[PATH_MAX];
	struct stat st;
	int rc;

	snprintf(errpath, sizeof(errpath), "%s/tool.err", unit_tmpdir());
	snprintf(line, sizeof(line), "%s '%s' >/dev/null 2>'%s'", cmd, path, errpath);
	rc = system(line);
	return rc == 0 && stat(errpath, &st) == 0 && st.st_size == 0;
}

#define CORPUS_AF_KEY "/work/corpus-cache/6.1/net_key/af_key.pre.o"

/*
 * A real compiler object: add ORC-shaped sections whose relocations hit
 * .text and a section without a section symbol, then let binutils judge
 * the result and check every old relocation still resolves the same way.
 */
START_TEST(test_write_real_object)
{
	enum { MAX_RELS = 60000 };
	struct rel_view *before, *after;
	struct objf_new_rel rels[2];
	struct objf_new_sec secs[2];
	uint8_t ip[8] = { 0 }, orc[12] = { 0 };
	struct ao_error err = { 0 };
	struct objsec *nosym = NULL;
	struct objfile *f;
	const char *path;
	size_t nb, na;

	if (access(CORPUS_AF_KEY, R_OK)) {
		fprintf(stderr, "test_write_real_object: %s absent, skipped\n", CORPUS_AF_KEY);
		return;
	}
	path = copy_as(CORPUS_AF_KEY, "af_key.o");
	before = calloc(MAX_RELS, sizeof(*before));
	after = calloc(MAX_RELS, sizeof(*after));
	ck_assert(before && after);
	f = open_ok(path);
	nb = collect_rels(f, before, MAX_RELS);
	ck_assert_uint_lt(nb, MAX_RELS);
	/* Pick a section no STT_SECTION symbol refers to. */
	for (size_t i = 1; i < f->nr_secs && !nosym; i++) {
		bool has = false;

		for (size_t j = 0; j < f->nr_syms; j++)
			has |= f->syms[j].type == STT_SECTION && f->syms[j].sec == &f->secs[i];
		if (!has && f->secs[i].shdr.sh_type == SHT_PROGBITS && f->secs[i].size)
			nosym = &f->secs[i];
	}
	ck_assert(nosym != NULL);
	rels[0] = (struct objf_new_rel){ 0, R_X86_64_PC32, objf_sec_by_name(f, ".text"), 0x10 };
	rels[1] = (struct objf_new_rel){ 4, R_X86_64_PC32, nosym, 1 };
	secs[0] = (struct objf_new_sec){ ".orc_unwind", SHT_PROGBITS, SHF_ALLOC, 1, 6, orc, 12, NULL, 0 };
	secs[1] = (struct objf_new_sec){ ".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, 1, 4, ip, 8, rels, 2 };
	ck_assert_msg(objf_write(f, secs, 2, NULL, 0, &err) == 0, "%s", err.message);
	objf_close(f);

	ck_assert_msg(tool_clean("readelf -a -W", path), "readelf -a complains about %s", path);
	ck_assert_msg(tool_clean("objdump -dr", path), "objdump -dr complains about %s", path);
	f = open_ok(path);
	na = collect_rels(f, after, MAX_RELS);
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		ck_assert_str_eq(after[i].sym, before[i].sym);
		ck_assert_uint_eq(after[i].offset, before[i].offset);
		ck_assert_int_eq(after[i].addend_target, before[i].addend_target);
	}
	ck_assert_int_eq(objf_sec_rels(objf_sec_by_name(f, ".orc_unwind_ip"), NULL), 0);
	ck_assert_uint_eq(objf_sec_by_name(f, ".orc_unwind_ip")->nr_rels, 2);
	free(before);
	free(after);
	objf_close(f);
}
END_TEST

/*
 * Extended section indexes on both sides: the highest sections sit past
 * SHN_LORESERVE, so their symbols go through SHT_SYMTAB_SHNDX, and a new
 * section symbol for one of them must be SHN_XINDEX with the table kept in
 * step while fn0 (referenced by 65300 relocations) moves to the end.
 */
START_TEST(test_extended_section_indexes)
{
	const char *path = copy_as(unit_assemble("elf_many_sections"), "many.o");
	struct objfile *f = open_ok(path);
	struct objsec *last = objf_sec_by_name(f, ".text.s65299");
	struct objsec *low = objf_sec_by_name(f, ".text.s5");
	struct objsym *fn = NULL;
	struct objf_new_rel rels[2];
	uint8_t ip[8] = { 0 };
	struct objf_new_sec sec = { ".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, 1, 4, ip, 8, rels, 2 };
	struct ao_error err = { 0 };
	struct objsec *uip;
	size_t moved = 0;

	ck_assert(last && low);
	ck_assert_uint_gt(last->index, SHN_LORESERVE);
	for (size_t i = 0; i < last->nr_syms; i++)
		if (last->syms[i]->type == STT_FUNC)
			fn = last->syms[i];
	ck_assert(fn && !strcmp(fn->name, "fn65299") && fn->shndx == last->index);
	ck_assert_str_eq(objf_func_at(last, 1)->name, "fn65299");
	rels[0] = (struct objf_new_rel){ 0, R_X86_64_PC32, last, 1 };
	rels[1] = (struct objf_new_rel){ 4, R_X86_64_PC32, low, 2 };
	ck_assert_msg(objf_write(f, &sec, 1, NULL, 0, &err) == 0, "%s", err.message);
	objf_close(f);
	ck_assert_msg(tool_clean("readelf -S -s -W", path), "readelf complains about %s", path);

	f = open_ok(path);
	uip = objf_sec_by_name(f, ".orc_unwind_ip");
	ck_assert(uip && objf_sec_rels(uip, NULL) == 0 && uip->nr_rels == 2);
	for (size_t i = 0; i < 2; i++) {
		struct objsec *ts;
		int64_t to;

		ck_assert_int_eq(uip->rels[i].sym->type, STT_SECTION);
		ck_assert_uint_lt(uip->rels[i].sym_index, f->first_global);
		ck_assert(objf_rel_target(&uip->rels[i], &ts, &to));
		ck_assert_str_eq(ts->name, i ? ".text.s5" : ".text.s65299");
		ck_assert_int_eq(to, i ? 2 : 1);
	}
	/* Every call still goes to fn0, wherever fn0 now sits. */
	for (size_t i = 1; i < f->nr_secs; i++) {
		struct objsec *s = &f->secs[i];

		if (!s->rela || s == uip)
			continue;
		ck_assert_int_eq(objf_sec_rels(s, NULL), 0);
		for (size_t j = 0; j < s->nr_rels; j++) {
			ck_assert_str_eq(s->rels[j].sym->name, "fn0");
			moved += s->rels[j].sym_index == f->nr_syms - 2;
		}
	}
	ck_assert_uint_eq(moved, 65300);
	objf_close(f);
}
END_TEST

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert(d != NULL);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, ".."); /* temp files start with '.' */
	closedir(d);
	return n;
}

START_TEST(test_failed_write_leaves_original)
{
	const char *path = copy_as(unit_assemble("elf_basic"), "fail.o");
	struct objfile *f = open_ok(path);
	struct objsec *hs = objf_sec_by_name(f, ".text.helper");
	static const uint8_t bytes[4] = { 0x90, 0x90, 0x90, 0x90 };
	struct objf_patch patches[] = { { hs, 0, bytes, 2 }, { hs, 5, bytes, 4 } };
	uint8_t ip[4] = { 0 };
	struct objf_new_rel rel = { 0, R_X86_64_PC32, hs, 0 };
	struct objf_new_sec sec = { ".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, 1, 4, ip, 4, &rel, 1 };
	struct ao_error err = { 0 };
	char dir[PATH_MAX];
	size_t size0, size1;
	void *orig = unit_read_file(path, &size0), *now;

	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	ck_assert_uint_eq(count_entries(dir), 1);
	/* The second patch runs past .text.helper (7 bytes): fails after the copy was made. */
	ck_assert_int_eq(objf_write(f, &sec, 1, patches, 2, &err), -1);
	ck_assert_msg(strstr(err.message, ".text.helper+0x5: patch of 4 bytes"), "%s", err.message);
	now = unit_read_file(path, &size1);
	ck_assert_uint_eq(size0, size1);
	ck_assert(memcmp(orig, now, size0) == 0);
	ck_assert_uint_eq(count_entries(dir), 1); /* no temporary left behind */
	free(now);
	/* A relocation outside the new section is refused up front. */
	rel.offset = 4;
	ck_assert_int_eq(objf_write(f, &sec, 1, NULL, 0, &err), -1);
	now = unit_read_file(path, &size1);
	ck_assert(size0 == size1 && memcmp(orig, now, size0) == 0);
	ck_assert_uint_eq(count_entries(dir), 1);
	free(now);
	free(orig);
	objf_close(f);
}
END_TEST

UNIT_SUITE(objfile_suite)

static Suite *objfile_suite(void)
{
	Suite *s = suite_create("objfile");
	TCase *read = tcase_create("read");
	TCase *bad = tcase_create("malformed");
	TCase *write = tcase_create("write");

	tcase_add_test(read, test_sections_and_symbols);
	tcase_add_test(read, test_relocations);
	tcase_add_test(read, test_lookups_and_format);
	tcase_add_test(read, test_fail_message);
	tcase_add_test(bad, test_not_elf);
	tcase_add_test(bad, test_et_exec);
	tcase_add_test(bad, test_et_exec_image);
	tcase_add_test(bad, test_truncated);
	tcase_add_test(bad, test_data_past_eof);
	tcase_add_test(bad, test_symtab_cut_short);
	tcase_add_test(bad, test_symbol_shndx_out_of_range);
	tcase_add_test(bad, test_reloc_symbol_out_of_range);
	tcase_add_test(bad, test_reloc_offset_out_of_range);
	tcase_add_test(bad, test_rela_info_out_of_range);
	tcase_add_test(write, test_write_adds_sections);
	tcase_add_test(write, test_failed_write_leaves_original);
	tcase_add_test(write, test_write_real_object);
	tcase_add_test(write, test_extended_section_indexes);
	tcase_set_timeout(write, 30);
	suite_add_tcase(s, read);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, write);
	return s;
}
