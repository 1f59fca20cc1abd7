// SPDX-License-Identifier: GPL-2.0
/*
 * ORC entries on disk: the two 6-byte encodings, the reference dump's text
 * form, telling the encodings apart, and reading an object's ORC table.
 *
 * Both encodings are s16 sp_offset, s16 bp_offset, then a little-endian u16:
 *
 *   bit      0-3     4-7     8-9    10     11      12-15
 *   v1 6.1   sp_reg  bp_reg  type   end    -       -        type 0 CALL, 1 REGS, 2 REGS_PARTIAL
 *   v2 6.3+  sp_reg  bp_reg  type (8-10)   signal  -        type 0 UNDEFINED, 1 END_OF_STACK,
 *                                                            2 CALL, 3 REGS, 4 REGS_PARTIAL
 *
 * (checked against arch/x86/include/asm/orc_types.h of 6.1 and 6.12 and
 * against the raw bytes of the corpus' .post.o files).
 *
 * v1 has no "undefined" type: an entry without a CFA has sp_reg UNDEFINED
 * (type CALL), and the bottom of the stack sets the end bit.  Decoding keeps
 * each format's own view (a v1 entry decodes to CALL/REGS/REGS_PARTIAL with
 * its end bit); encoding a format-independent UNDEFINED or END_OF_STACK entry
 * as v1 writes the form 6.1's objtool writes for those states.
 *
 * See Documentation/orc-format-detection.md for the detection rule.
 */
#include <stdlib.h>
#include <string.h>

#include "orc.h"

#define ORC_ENTRY_SIZE 6

/* The u16 after the two offsets. */
#define BITS_SP_REG(b)   ((b) & 0xf)
#define BITS_BP_REG(b)   (((b) >> 4) & 0xf)
#define V1_TYPE(b)       (((b) >> 8) & 0x3)
#define V1_END           (1u << 10)
#define V1_UNUSED        0xf800u
#define V2_TYPE(b)       (((b) >> 8) & 0x7)
#define V2_SIGNAL        (1u << 11)
#define V2_UNUSED        0xf000u

/* v1's type numbers. */
enum { V1_CALL = 0, V1_REGS = 1, V1_REGS_PARTIAL = 2 };

/* v2's type numbers equal enum orc_type's, which was laid out after them. */
#define V2_MAX_TYPE ORC_T_REGS_PARTIAL

/* The SHA-1 that 6.4+ modules carry in .orc_header for the v2 layout (6.12's). */
static const uint8_t v2_header_hash[20] = {
	0xfe, 0x5d, 0x32, 0xbf, 0x58, 0x1b, 0xd6, 0x3b, 0x2c, 0xa9,
	0xa5, 0xc6, 0x5b, 0xa5, 0xa6, 0x25, 0xea, 0xb3, 0xfe, 0x24,
};

struct raw_entry {
	int16_t sp_offset;
	int16_t bp_offset;
	uint16_t bits;
};

static struct raw_entry raw_load(const uint8_t in[6])
{
	struct raw_entry r;

	r.sp_offset = (int16_t)(uint16_t)(in[0] | in[1] << 8);
	r.bp_offset = (int16_t)(uint16_t)(in[2] | in[3] << 8);
	r.bits = (uint16_t)(in[4] | in[5] << 8);
	return r;
}

static void raw_store(const struct raw_entry *r, uint8_t out[6])
{
	uint16_t sp = (uint16_t)r->sp_offset, bp = (uint16_t)r->bp_offset;

	out[0] = sp & 0xff;
	out[1] = sp >> 8;
	out[2] = bp & 0xff;
	out[3] = bp >> 8;
	out[4] = r->bits & 0xff;
	out[5] = r->bits >> 8;
}

/* ---- encode / decode ------------------------------------------------ */

static unsigned int v1_type_bits(uint8_t type)
{
	switch (type) {
	case ORC_T_CALL:         return V1_CALL;
	case ORC_T_REGS:         return V1_REGS;
	case ORC_T_REGS_PARTIAL: return V1_REGS_PARTIAL;
	}
	/* Only the UNKNOWN_BASE values remain: give back the raw bits. */
	return (type - ORC_T_UNKNOWN_BASE) & 0x3;
}

static void encode_v1(const struct orc_entry *e, struct raw_entry *r)
{
	/*
	 * 6.1 writes "no CFA" as an all-zero entry, with the end bit for the
	 * bottom of the stack; the offsets and bp of such a state mean nothing.
	 */
	if (e->type == ORC_T_UNDEFINED || e->type == ORC_T_END_OF_STACK) {
		r->sp_offset = 0;
		r->bp_offset = 0;
		r->bits = e->type == ORC_T_END_OF_STACK ? V1_END : 0;
		return;
	}
	r->sp_offset = e->sp_offset;
	r->bp_offset = e->bp_offset;
	r->bits = (uint16_t)((e->sp_reg & 0xf) | (e->bp_reg & 0xf) << 4 |
			     v1_type_bits(e->type) << 8 | (e->end ? V1_END : 0));
}

static void encode_v2(const struct orc_entry *e, struct raw_entry *r)
{
	unsigned int type = e->type <= V2_MAX_TYPE ? e->type
				: (unsigned int)(e->type - ORC_T_UNKNOWN_BASE) & 0x7;

	r->sp_offset = e->sp_offset;
	r->bp_offset = e->bp_offset;
	r->bits = (uint16_t)((e->sp_reg & 0xf) | (e->bp_reg & 0xf) << 4 | type << 8 |
			     (e->signal ? V2_SIGNAL : 0));
}

/* AUTO encodes as v2, the layout of every kernel since 6.3. */
void orc_encode(enum orc_format fmt, const struct orc_entry *e, uint8_t out[6])
{
	struct raw_entry r;

	if (fmt == ORC_FORMAT_V1)
		encode_v1(e, &r);
	else
		encode_v2(e, &r);
	raw_store(&r, out);
}

static uint8_t v1_type_decode(unsigned int raw)
{
	switch (raw) {
	case V1_CALL:         return ORC_T_CALL;
	case V1_REGS:         return ORC_T_REGS;
	case V1_REGS_PARTIAL: return ORC_T_REGS_PARTIAL;
	}
	return (uint8_t)(ORC_T_UNKNOWN_BASE + raw);
}

void orc_decode(enum orc_format fmt, const uint8_t in[6], struct orc_entry *e)
{
	struct raw_entry r = raw_load(in);

	memset(e, 0, sizeof(*e));
	e->sp_offset = r.sp_offset;
	e->bp_offset = r.bp_offset;
	e->sp_reg = BITS_SP_REG(r.bits);
	e->bp_reg = BITS_BP_REG(r.bits);
	if (fmt == ORC_FORMAT_V1) {
		e->type = v1_type_decode(V1_TYPE(r.bits));
		e->end = r.bits & V1_END;
	} else {
		unsigned int t = V2_TYPE(r.bits);

		e->type = (uint8_t)(t <= V2_MAX_TYPE ? t : ORC_T_UNKNOWN_BASE + t);
		e->signal = r.bits & V2_SIGNAL;
	}
}

/* ---- the reference dump's text -------------------------------------- */

static const char *reg_name(unsigned int reg)
{
	static const char *const names[] = {
		[ORC_REG_PREV_SP] = "prevsp", [ORC_REG_DX] = "dx", [ORC_REG_DI] = "di",
		[ORC_REG_BP] = "bp", [ORC_REG_SP] = "sp", [ORC_REG_R10] = "r10",
		[ORC_REG_R13] = "r13", [ORC_REG_BP_INDIRECT] = "bp(ind)",
		[ORC_REG_SP_INDIRECT] = "sp(ind)",
	};

	if (reg < sizeof(names) / sizeof(names[0]) && names[reg])
		return names[reg];
	return "?";
}

/* One "sp:"/"bp:" operand; offsets always carry their sign ("+8", "-16"). */
static void reg_text(char *buf, size_t size, unsigned int reg, int offset)
{
	if (reg == ORC_REG_UNDEFINED)
		snprintf(buf, size, "(und)");
	else if (reg == ORC_REG_BP_INDIRECT)
		snprintf(buf, size, "(bp%+d)", offset);
	else if (reg == ORC_REG_SP_INDIRECT)
		snprintf(buf, size, "(sp)%+d", offset);
	else
		snprintf(buf, size, "%s%+d", reg_name(reg), offset);
}

static const char *v1_type_name(unsigned int raw)
{
	static const char *const names[] = { "call", "regs", "regs (partial)" };

	return raw < 3 ? names[raw] : "?";
}

static const char *v2_type_name(unsigned int raw)
{
	static const char *const names[] = { "(und)", "end", "call", "regs", "regs (partial)" };

	return raw <= V2_MAX_TYPE ? names[raw] : "?";
}

/*
 * The text after "LOCATION:" on a reference dump line.  6.1 puts a space
 * after the colon ("sp:sp+8 bp:(und) type:call end:0"); 6.12 does not
 * ("type:call sp:sp+8 bp:(und) signal:0"), so the caller adds 6.1's space.
 * The entry is printed from its encoding, so what is printed is what would
 * be written.
 */
void orc_format_entry(enum orc_format fmt, const struct orc_entry *e, char *buf, size_t size)
{
	uint8_t bytes[ORC_ENTRY_SIZE];
	struct raw_entry r;
	char sp[32], bp[32];

	orc_encode(fmt, e, bytes);
	r = raw_load(bytes);
	reg_text(sp, sizeof(sp), BITS_SP_REG(r.bits), r.sp_offset);
	reg_text(bp, sizeof(bp), BITS_BP_REG(r.bits), r.bp_offset);
	if (fmt == ORC_FORMAT_V1)
		snprintf(buf, size, "sp:%s bp:%s type:%s end:%d", sp, bp,
			 v1_type_name(V1_TYPE(r.bits)), !!(r.bits & V1_END));
	else
		snprintf(buf, size, "type:%s sp:%s bp:%s signal:%d",
			 v2_type_name(V2_TYPE(r.bits)), sp, bp, !!(r.bits & V2_SIGNAL));
}

bool orc_format_parse(const char *s, enum orc_format *out)
{
	if (!strcmp(s, "v1"))
		*out = ORC_FORMAT_V1;
	else if (!strcmp(s, "v2"))
		*out = ORC_FORMAT_V2;
	else
		return false;
	return true;
}

const char *orc_format_name(enum orc_format fmt)
{
	switch (fmt) {
	case ORC_FORMAT_V1: return "v1";
	case ORC_FORMAT_V2: return "v2";
	case ORC_FORMAT_AUTO: break;
	}
	return "auto";
}

/* ---- format detection ----------------------------------------------- */

/*
 * Could the reference objtool of 6.1 have written this entry?  It never sets
 * bits 11-15 or type 3, and it writes a state without a CFA (sp_reg
 * UNDEFINED) as zeros apart from the end bit.
 */
static bool could_be_v1(const struct raw_entry *r)
{
	if (r->bits & V1_UNUSED || V1_TYPE(r->bits) == 3)
		return false;
	if (BITS_SP_REG(r->bits) == ORC_REG_UNDEFINED)
		return BITS_BP_REG(r->bits) == 0 && V1_TYPE(r->bits) == V1_CALL &&
		       !r->sp_offset && !r->bp_offset;
	return true;
}

/*
 * Could 6.3+'s objtool have written it?  Types go up to 4, bits 12-15 stay
 * clear, UNDEFINED and END_OF_STACK entries are zeros apart from the type,
 * and every other type has a CFA register.
 */
static bool could_be_v2(const struct raw_entry *r)
{
	unsigned int t = V2_TYPE(r->bits);

	if (r->bits & V2_UNUSED || t > V2_MAX_TYPE)
		return false;
	if (t == ORC_T_UNDEFINED || t == ORC_T_END_OF_STACK)
		return (r->bits & ~(0x7u << 8)) == 0 && !r->sp_offset && !r->bp_offset;
	return BITS_SP_REG(r->bits) != ORC_REG_UNDEFINED;
}

/*
 * The rule (Documentation/orc-format-detection.md):
 *  1. An entry only one format can hold decides, unless entries exist that
 *     only the other can hold (then the table is contradictory: AUTO).
 *     In a real v1 table this is every plain CALL entry with a CFA (raw
 *     type 0, sp_reg set), which v2 reserves for UNDEFINED-with-zeros; in
 *     v2 it is a REGS entry (raw 3), a signal bit or END_OF_STACK.
 *  2. Otherwise an entry of raw type 2 with a CFA means v2: in v1 it would
 *     be REGS_PARTIAL, and a v1 table with code has CALL entries (every
 *     function starts in the CALL state), which step 1 would have seen.
 *  3. Otherwise (only all-zero "undefined" entries, which both formats
 *     write alike, or only v1 CALL+end / v2 REGS_PARTIAL entries): AUTO.
 */
enum orc_format orc_detect_entries(const uint8_t *raw, size_t nr)
{
	size_t only_v1 = 0, only_v2 = 0, v2_calls = 0;

	for (size_t i = 0; i < nr; i++) {
		struct raw_entry r = raw_load(raw + i * ORC_ENTRY_SIZE);
		bool v1 = could_be_v1(&r), v2 = could_be_v2(&r);

		if (v1 && !v2)
			only_v1++;
		else if (v2 && !v1)
			only_v2++;
		else if (v1 && v2 && V2_TYPE(r.bits) == ORC_T_CALL)
			v2_calls++;
	}
	if (only_v1 && !only_v2)
		return ORC_FORMAT_V1;
	if (only_v2 && !only_v1)
		return ORC_FORMAT_V2;
	if (!only_v1 && !only_v2 && v2_calls)
		return ORC_FORMAT_V2;
	return ORC_FORMAT_AUTO;
}

/*
 * .orc_header first: only 6.4+ modules have it, and it holds a hash of the
 * entry layout.  A hash we do not know (a future layout?) is not trusted;
 * the entries decide then.
 */
enum orc_format orc_detect_format(struct objfile *f)
{
	struct objsec *hdr = objf_sec_by_name(f, ".orc_header");
	struct objsec *un = objf_sec_by_name(f, ".orc_unwind");

	if (hdr && objf_sec_data(hdr, NULL) == 0 && hdr->data && hdr->size == sizeof(v2_header_hash) &&
	    !memcmp(hdr->data, v2_header_hash, sizeof(v2_header_hash)))
		return ORC_FORMAT_V2;
	if (!un || objf_sec_data(un, NULL) < 0 || !un->data)
		return ORC_FORMAT_AUTO;
	return orc_detect_entries(un->data, un->size / ORC_ENTRY_SIZE);
}

/* ---- reading a table ------------------------------------------------ */

/*
 * Both sections or neither; sizes that agree.  Sets *nr, or 0 with *ip and
 * *un NULL for an object without ORC.
 */
static int orc_locate(struct objfile *f, struct objsec **ip, struct objsec **un, size_t *nr,
		      struct ao_error *err)
{
	*ip = objf_sec_by_name(f, ".orc_unwind_ip");
	*un = objf_sec_by_name(f, ".orc_unwind");
	*nr = 0;
	if (!*ip && !*un)
		return 0;
	if (!*ip || !*un)
		return objf_fail(f, err, *ip ? *ip : *un, 0,
				 "only one of .orc_unwind_ip and .orc_unwind is present");
	if (objf_sec_data(*un, err) < 0 || objf_sec_data(*ip, err) < 0) {
		return -1;
	}
	if ((*un)->size % ORC_ENTRY_SIZE)
		return objf_fail(f, err, *un, 0, "size %llu is not a multiple of %d",
				 (unsigned long long)(*un)->size, ORC_ENTRY_SIZE);
	*nr = (*un)->size / ORC_ENTRY_SIZE;
	if ((*ip)->size < *nr * 4)
		return objf_fail(f, err, *ip, (*ip)->size,
				 "truncated: ends after %llu entries, .orc_unwind has %zu",
				 (unsigned long long)(*ip)->size / 4, *nr);
	if ((*ip)->size != *nr * 4)
		return objf_fail(f, err, *ip, *nr * 4, "%llu bytes for %zu .orc_unwind entries",
				 (unsigned long long)(*ip)->size, *nr);
	if (*nr && (!(*un)->data || !(*ip)->data))
		return objf_fail(f, err, *un, 0, "section has no bytes in the file");
	return 0;
}

/* The address .orc_unwind_ip entry i of a linked image encodes: its own address plus its value. */
uint64_t orc_ip_addr(const struct objsec *ip, size_t i)
{
	const uint8_t *p = ip->data + i * 4;
	int32_t rel = (int32_t)(uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);

	return ip->shdr.sh_addr + i * 4 + (uint64_t)(int64_t)rel;
}

/*
 * In a linked image the entries are resolved already: PC-relative values
 * without relocations.  The section is the one holding the address (or
 * ending at it, for a section's terminator).
 */
static int orc_row_linked(struct objfile *f, struct objsec *ip, size_t i, struct orc_row *row,
			  struct ao_error *err)
{
	row->addr = orc_ip_addr(ip, i);
	row->sec = objf_sec_at_addr(f, row->addr, &row->offset);
	if (!row->sec)
		return objf_fail(f, err, ip, i * 4,
				 "ORC entry %zu points to 0x%llx, outside every section", i,
				 (unsigned long long)row->addr);
	return 0;
}

/* Where .orc_unwind_ip entry i points: the relocation's target. */
static int orc_row_ip(struct objfile *f, struct objsec *ip, size_t i, struct orc_row *row,
		      struct ao_error *err)
{
	const struct objrel *rel;
	int64_t off;

	if (f->linked)
		return orc_row_linked(f, ip, i, row, err);
	rel = objf_rel_at(ip, i * 4);

	if (!rel)
		return objf_fail(f, err, ip, i * 4, "ORC entry %zu has no relocation", i);
	if (!objf_rel_target(rel, &row->sec, &off) || !row->sec)
		return objf_fail(f, err, ip, i * 4,
				 "ORC entry %zu refers to a symbol without a section", i);
	if (off < 0)
		return objf_fail(f, err, ip, i * 4, "ORC entry %zu points before its section",
				 i);
	row->offset = (uint64_t)off;
	return 0;
}

/*
 * fmt AUTO: detected; when undecidable, v2 (the format of every kernel
 * since 6.3).  Rows stay in .orc_unwind_ip order, row i for entry i.
 */
int orc_read_table(struct objfile *f, enum orc_format fmt, struct orc_table *out,
		   struct ao_error *err)
{
	struct objsec *ip, *un;
	size_t nr;

	out->rows = NULL;
	out->nr = 0;
	if (orc_locate(f, &ip, &un, &nr, err) < 0)
		return -1;
	if (!nr)
		return 0;
	if (fmt == ORC_FORMAT_AUTO)
		fmt = orc_detect_format(f);
	if (fmt == ORC_FORMAT_AUTO)
		fmt = ORC_FORMAT_V2;
	if (!f->linked && objf_sec_rels(ip, err) < 0) {
		return -1;
	}
	out->rows = ao_calloc(err, nr, sizeof(*out->rows));
	if (!out->rows)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		if (orc_row_ip(f, ip, i, &out->rows[i], err) < 0) {
			orc_free_table(out);
			return -1;
		}
		orc_decode(fmt, un->data + i * ORC_ENTRY_SIZE, &out->rows[i].entry);
	}
	out->nr = nr;
	return 0;
}

void orc_free_table(struct orc_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nr = 0;
}

/* ---- the whole dump ------------------------------------------------- */

/*
 * How the reference names entry i: from the i-th record of
 * .rela.orc_unwind_ip in file order (not by offset), "SECTION+hex" for a
 * section symbol, else "SYMBOL+hex", the addend in bare hex.  Without
 * relocations it prints the absolute address the entry encodes.
 */
static int dump_location(struct objfile *f, struct objsec *rsec, Elf_Data *rela,
			 struct objsec *ip, size_t i, FILE *out, struct ao_error *err)
{
	GElf_Rela r;
	const struct objsym *sym;
	const char *name;

	if (!rela) {
		fprintf(out, "%llx:", (unsigned long long)orc_ip_addr(ip, i));
		return 0;
	}
	if (!gelf_getrela(rela, (int)i, &r))
		return objf_fail(f, err, rsec, i * sizeof(Elf64_Rela),
				 "no relocation record for ORC entry %zu", i);
	if (GELF_R_SYM(r.r_info) >= f->nr_syms)
		return objf_fail(f, err, rsec, i * sizeof(Elf64_Rela),
				 "symbol index %llu out of range",
				 (unsigned long long)GELF_R_SYM(r.r_info));
	sym = &f->syms[GELF_R_SYM(r.r_info)];
	if (sym->type == STT_SECTION) {
		if (!sym->sec)
			return objf_fail(f, err, rsec, i * sizeof(Elf64_Rela),
					 "section symbol %zu has no section", sym->index);
		name = sym->sec->name;
	} else {
		name = sym->name;
	}
	fprintf(out, "%s+%llx:", name ? name : "", (unsigned long long)r.r_addend);
	return 0;
}

/*
 * Like the reference: nothing at all unless .symtab, .strtab, a non-empty
 * .orc_unwind and .orc_unwind_ip all exist.
 */
int orc_dump(struct objfile *f, enum orc_format fmt, FILE *out, struct ao_error *err)
{
	struct objsec *ip = objf_sec_by_name(f, ".orc_unwind_ip");
	struct objsec *un = objf_sec_by_name(f, ".orc_unwind");
	struct objsec *rsec = objf_sec_by_name(f, ".rela.orc_unwind_ip");
	Elf_Data *rela = NULL;
	size_t nr;

	if (!objf_sec_by_name(f, ".symtab") || !objf_sec_by_name(f, ".strtab") || !ip || !un)
		return 0;
	if (objf_sec_data(un, err) < 0 || objf_sec_data(ip, err) < 0) {
		return -1;
	}
	if (!un->data || !ip->data)
		return 0;
	if (un->size % ORC_ENTRY_SIZE)
		return objf_fail(f, err, un, 0, "bad section size %llu (not a multiple of %d)",
				 (unsigned long long)un->size, ORC_ENTRY_SIZE);
	nr = un->size / ORC_ENTRY_SIZE;
	if (ip->size < nr * 4)
		return objf_fail(f, err, ip, ip->size,
				 "truncated: ends after %llu entries, .orc_unwind has %zu",
				 (unsigned long long)ip->size / 4, nr);
	/*
	 * A linked image may keep ld's --emit-relocs copy of
	 * .rela.orc_unwind_ip (Debian's debug vmlinux does), but sorttable
	 * reordered the entries after the link and not the relocations: the
	 * reference then names entry i by another entry's address.  The
	 * PC-relative values are what the kernel reads; print those, as the
	 * reference does for an image without relocations.
	 */
	if (f->linked)
		rsec = NULL;
	if (rsec) {
		rela = elf_getdata(rsec->scn, NULL);
		if (!rela)
			return objf_fail(f, err, rsec, 0, "cannot read relocations: %s",
					 elf_errmsg(-1));
	}
	for (size_t i = 0; i < nr; i++) {
		struct orc_entry e;
		char text[160];

		if (dump_location(f, rsec, rela, ip, i, out, err) < 0)
			return -1;
		orc_decode(fmt, un->data + i * ORC_ENTRY_SIZE, &e);
		orc_format_entry(fmt, &e, text, sizeof(text));
		fprintf(out, "%s%s\n", fmt == ORC_FORMAT_V1 ? " " : "", text);
	}
	return 0;
}

enum orc_format orc_choose_format(struct objfile *f, enum orc_format forced, bool *guessed)
{
	struct objsec *un;
	enum orc_format fmt;

	*guessed = false;
	if (forced != ORC_FORMAT_AUTO)
		return forced;
	fmt = orc_detect_format(f);
	if (fmt != ORC_FORMAT_AUTO)
		return fmt;
	un = objf_sec_by_name(f, ".orc_unwind");
	*guessed = un && un->shdr.sh_size >= 6;
	return ORC_FORMAT_V2;
}
