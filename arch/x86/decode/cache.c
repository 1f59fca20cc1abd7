// SPDX-License-Identifier: GPL-2.0
/*
 * A memo of decoded instructions, keyed by their bytes.
 *
 * Zydis costs some 800 machine instructions per decode, more than the rest
 * of altorc's work on an instruction, while a module repeats the same
 * encodings over and over: in a relocatable object every call, jump to
 * another section and RIP-relative access has zeroes where the relocation
 * goes, and frame setup, register saves and stack slots recur.  In xfs.ko
 * one instruction in seven is a new encoding.
 *
 * The decoder's result depends only on the bytes it consumed and on the
 * objtool version it imitates, so an entry is its instruction's bytes
 * (at most 15) and the result, and a lookup matches an entry whose bytes
 * begin the buffer; a memo holds the results of one version (the first it
 * is given).  The length is not known before decoding, so an instruction of
 * three bytes or more is filed in a set picked by its first three bytes,
 * four entries to a set, replaced in turn; one- and two-byte instructions
 * have tables of their own, keyed by exactly their bytes, so that they are
 * found again whatever follows them.  Buffers with fewer than 16 readable
 * bytes (a section's last instruction) bypass the memo.
 *
 * Most of what the byte memo misses differs from an earlier instruction
 * only in its displacement or immediate: a jump to another label, a field
 * at another offset, another constant.  The decoder settles everything but
 * those values from the bytes before them (prefixes, opcode, ModRM, SIB),
 * so a second table, the shape memo, keeps Zydis' whole decoded
 * instruction keyed by just those fixed bytes; a hit copies it and reads
 * the displacement and immediates from the new bytes at the offsets Zydis
 * recorded, and the classifier runs on that as on a fresh decode.
 */
#include <stdlib.h>
#include <string.h>

#include "decoder_internal.h"

#define CACHE_MAX_SET_BITS 12
#define CACHE_MIN_SET_BITS 4
#define CACHE_WAYS     4
/*
 * A shape entry per four sets: a shape stands for many encodings, and its
 * entries are large (Zydis' whole decode), so a table as large as the byte
 * memo's only costs page faults (6.12 f2fs.o: 630 more than without it).
 */
#define SHAPE_SHIFT    2

/*
 * A set's tags, apart from the results: a lookup compares four entries'
 * bytes within one cache line and touches a result only on a hit (an
 * entry's result is 120 bytes; with tags and results side by side a miss
 * read nine lines of a table larger than the cache).
 */
struct cache_tags {
	uint64_t lo[CACHE_WAYS], hi[CACHE_WAYS];   /* the bytes, zero past each length */
};

/* Per set: each way's instruction length (0: empty) and the way a store replaces next. */
struct cache_meta {
	uint8_t len[CACHE_WAYS];
	uint8_t oldest;
};

/* A two-byte instruction, filed by its own two bytes. */
struct cache_pair {
	uint16_t bytes;
	struct insn_decoded out;  /* len 0: empty */
};

/*
 * The shape memo's entry: an instruction with a displacement or immediate,
 * keyed by its bytes before the first of them (at most eight).
 */
struct shape_entry {
	uint64_t key;              /* the fixed bytes, zero past them */
	uint8_t fixed;             /* how many; 0: empty */
	ZydisDecodedInstruction zi;
};

struct arch_decode_cache {
	unsigned bits;                          /* 1 << bits sets and pairs, a quarter as many shapes */
	struct cache_tags *tags;                /* per set, cache-line aligned */
	struct cache_meta *meta;                /* per set */
	struct insn_decoded (*out)[CACHE_WAYS];  /* per set: each way's result */
	struct cache_pair *pair;
	struct shape_entry *shape;
	/* per first byte: bit n-1 set when a shape with n fixed bytes starts with it */
	uint8_t shape_lens[256];
	struct insn_decoded single[256];        /* one-byte instructions, by their byte */
	/* the objtool version of every entry; set by the first store */
	uint8_t version;
	bool has_version;
};

/*
 * Sized by the code it will see: about one set per 128 bytes (a module has
 * a new encoding every 25-30 bytes of code, four to a set), from 16 to
 * 4096 sets.  Lookups land on random sets, so every page of a table too
 * large for the code would be faulted in for nothing: a small module's
 * memo was costing more system time than its decoding saved.
 */
struct arch_decode_cache *arch_decode_cache_new(size_t code_bytes)
{
	const size_t line = 64;
	unsigned bits = CACHE_MIN_SET_BITS;
	size_t sets, size;
	struct arch_decode_cache *c;
	uintptr_t tags;

	while (bits < CACHE_MAX_SET_BITS && ((size_t)128 << bits) < code_bytes)
		bits++;
	sets = (size_t)1 << bits;
	size = sizeof(*c) + line + sets * (sizeof(*c->tags) + sizeof(*c->out) + sizeof(*c->pair) +
					  sizeof(*c->meta)) +
	       (sets >> SHAPE_SHIFT) * sizeof(*c->shape);
	c = calloc(1, size);
	if (!c)
		return NULL;
	c->bits = bits;
	tags = ((uintptr_t)(c + 1) + line - 1) & ~(uintptr_t)(line - 1);
	c->tags = (struct cache_tags *)tags;
	c->out = (void *)(c->tags + sets);
	c->shape = (void *)(c->out + sets);
	c->pair = (void *)(c->shape + (sets >> SHAPE_SHIFT));
	c->meta = (void *)(c->pair + sets);
	return c;
}

void arch_decode_cache_free(struct arch_decode_cache *c)
{
	free(c);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The bytes below n of a little-endian word, as a mask; n may be 0 or 8. */
static uint64_t low_bytes(unsigned n)
{
	return n >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * n)) - 1;
}

/* The bytes from 8 to n of an instruction, as a mask of its second word. */
static uint64_t high_bytes(unsigned n)
{
	return n > 8 ? low_bytes(n - 8) : 0;
}

static uint32_t set_index(const struct arch_decode_cache *c, uint64_t lo)
{
	uint32_t key = (uint32_t)(lo & 0xffffff);

	return (key * 0x9e3779b1u) >> (32 - c->bits);
}

static uint32_t pair_index(const struct arch_decode_cache *c, uint16_t bytes)
{
	return ((uint32_t)bytes * 0x9e3779b1u) >> (32 - c->bits);
}

/*
 * Instructions of three bytes or more are filed under their first three,
 * whatever follows; shorter ones under their own bytes only (one table of
 * 256 for one byte, a hashed one for two), so that they are found again
 * whatever follows them.  A lookup tries the one-byte table, the sets, then
 * the two-byte table.
 */
bool x86_cache_lookup(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		      size_t avail, struct insn_decoded *out)
{
	uint64_t lo, hi;
	uint32_t set;
	const struct cache_tags *t;
	const struct cache_meta *m;
	const struct cache_pair *p;

	if (!c || avail < 16 || !c->has_version || c->version != version)
		return false;
	if (c->single[buf[0]].len) {
		*out = c->single[buf[0]];
		return true;
	}
	lo = load64(buf);
	hi = load64(buf + 8);
	set = set_index(c, lo);
	t = &c->tags[set];
	m = &c->meta[set];
	for (unsigned w = 0; w < CACHE_WAYS; w++) {
		unsigned len = m->len[w];

		if (len && (lo & low_bytes(len)) == t->lo[w] &&
		    (hi & high_bytes(len)) == t->hi[w]) {
			*out = c->out[set][w];
			return true;
		}
	}
	p = &c->pair[pair_index(c, (uint16_t)lo)];
	if (p->out.len && p->bytes == (uint16_t)lo) {
		*out = p->out;
		return true;
	}
	return false;
}

void x86_cache_store(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		     size_t avail, const struct insn_decoded *out)
{
	uint32_t set;
	struct cache_meta *m;
	unsigned w;

	if (!c || avail < 16 || !out->len || out->len > 15)
		return;
	if (!c->has_version) {
		c->version = version;
		c->has_version = true;
	}
	if (c->version != version)
		return;
	if (out->len == 1) {
		c->single[buf[0]] = *out;
		return;
	}
	if (out->len == 2) {
		struct cache_pair *p = &c->pair[pair_index(c, (uint16_t)load64(buf))];

		p->bytes = (uint16_t)load64(buf);
		p->out = *out;
		return;
	}
	/* first in, first out: the ways of a set are replaced in turn */
	set = set_index(c, load64(buf));
	m = &c->meta[set];
	w = m->oldest;
	m->oldest = (uint8_t)((w + 1) % CACHE_WAYS);
	m->len[w] = out->len;
	c->tags[set].lo[w] = load64(buf) & low_bytes(out->len);
	c->tags[set].hi[w] = load64(buf + 8) & high_bytes(out->len);
	c->out[set][w] = *out;
}

/* ---- the shape memo ------------------------------------------------------- */

static uint32_t shape_index(const struct arch_decode_cache *c, uint64_t key, unsigned fixed)
{
	uint64_t h = (key ^ fixed) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> (64 - (c->bits - SHAPE_SHIFT)));
}

/* How many bytes come before the first displacement or immediate byte. */
static unsigned fixed_bytes(const ZydisDecodedInstruction *zi)
{
	unsigned n = zi->length;

	if (zi->raw.disp.size && zi->raw.disp.offset < n)
		n = zi->raw.disp.offset;
	for (unsigned i = 0; i < 2; i++)
		if (zi->raw.imm[i].size && zi->raw.imm[i].offset < n)
			n = zi->raw.imm[i].offset;
	return n;
}

/* bits (8 to 64) little-endian bits at p, zero- or sign-extended. */
static uint64_t read_value(const uint8_t *p, unsigned bits, bool is_signed)
{
	uint64_t v = 0;

	memcpy(&v, p, bits / 8);
	if (is_signed && bits < 64 && (v >> (bits - 1) & 1))
		v |= ~(uint64_t)0 << bits;
	return v;
}

/* The displacement and immediates of zi, read afresh from buf as Zydis reads them. */
static void reread_values(ZydisDecodedInstruction *zi, const uint8_t *buf)
{
	if (zi->raw.disp.size)
		zi->raw.disp.value = (ZyanI64)read_value(buf + zi->raw.disp.offset,
							 zi->raw.disp.size, true);
	for (unsigned i = 0; i < 2; i++)
		if (zi->raw.imm[i].size)
			zi->raw.imm[i].value.u = read_value(buf + zi->raw.imm[i].offset,
							    zi->raw.imm[i].size,
							    zi->raw.imm[i].is_signed);
}

bool x86_shape_lookup(struct arch_decode_cache *c, const uint8_t *buf, size_t avail,
		      ZydisDecodedInstruction *zi)
{
	unsigned lens;
	uint64_t lo;

	if (!c || avail < 16)
		return false;
	lens = c->shape_lens[buf[0]];
	lo = load64(buf);
	for (unsigned n = 1; lens; n++, lens >>= 1) {
		uint64_t key = lo & low_bytes(n);
		const struct shape_entry *e;

		if (!(lens & 1))
			continue;
		e = &c->shape[shape_index(c, key, n)];
		if (e->fixed == n && e->key == key) {
			*zi = e->zi;
			reread_values(zi, buf);
			return true;
		}
	}
	return false;
}

void x86_shape_store(struct arch_decode_cache *c, const uint8_t *buf, size_t avail,
		     const ZydisDecodedInstruction *zi)
{
	unsigned n = fixed_bytes(zi);
	struct shape_entry *e;
	uint64_t key;

	/* no values to reread, or more fixed bytes than a key holds: the byte memo's */
	if (!c || avail < 16 || n >= zi->length || n == 0 || n > 8 ||
	    zi->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
		return;
	key = load64(buf) & low_bytes(n);
	e = &c->shape[shape_index(c, key, n)];
	e->key = key;
	e->fixed = (uint8_t)n;
	e->zi = *zi;
	c->shape_lens[buf[0]] |= (uint8_t)(1u << (n - 1));
}
