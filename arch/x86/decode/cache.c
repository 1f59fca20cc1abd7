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
 * (at most 15), the version and the result; a lookup matches an entry
 * whose bytes begin the buffer.  The length is not known before decoding,
 * so a set is picked by the first three bytes of the buffer, whatever the
 * instruction's length: a shorter instruction is found again only when the
 * same bytes follow it, which costs hits, never a wrong answer, as the
 * compare covers exactly the entry's own bytes.  Four entries to a set,
 * replaced in turn; a miss costs one hash and four masked compares.  Buffers
 * with fewer than 16 readable bytes (a section's last instruction) bypass it.
 */
#include <stdlib.h>
#include <string.h>

#include "decoder_internal.h"

#define CACHE_SET_BITS 12
#define CACHE_WAYS     4

struct cache_entry {
	uint64_t lo, hi;          /* the instruction's bytes, zero past its length */
	uint64_t mlo, mhi;        /* which bytes of lo/hi belong to it */
	struct insn_decoded out;  /* len 0: empty */
	uint8_t version;
};

struct arch_decode_cache {
	struct cache_entry set[1u << CACHE_SET_BITS][CACHE_WAYS];
	uint8_t oldest[1u << CACHE_SET_BITS];   /* the way a store replaces next */
};

struct arch_decode_cache *arch_decode_cache_new(void)
{
	return calloc(1, sizeof(struct arch_decode_cache));
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

static uint32_t set_index(uint64_t lo)
{
	uint32_t key = (uint32_t)(lo & 0xffffff);

	return (key * 0x9e3779b1u) >> (32 - CACHE_SET_BITS);
}

bool x86_cache_lookup(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		      size_t avail, struct insn_decoded *out)
{
	uint64_t lo, hi;
	struct cache_entry *s;

	if (!c || avail < 16)
		return false;
	lo = load64(buf);
	hi = load64(buf + 8);
	s = c->set[set_index(lo)];
	for (unsigned w = 0; w < CACHE_WAYS; w++) {
		const struct cache_entry *e = &s[w];

		if (e->out.len && e->version == version && ((lo & e->mlo) == e->lo) &&
		    ((hi & e->mhi) == e->hi)) {
			*out = e->out;
			return true;
		}
	}
	return false;
}

void x86_cache_store(struct arch_decode_cache *c, uint8_t version, const uint8_t *buf,
		     size_t avail, const struct insn_decoded *out)
{
	uint32_t set;
	struct cache_entry *e;

	if (!c || avail < 16 || !out->len || out->len > 15)
		return;
	/* first in, first out: the ways of a set are replaced in turn */
	set = set_index(load64(buf));
	e = &c->set[set][c->oldest[set]];
	c->oldest[set] = (uint8_t)((c->oldest[set] + 1) % CACHE_WAYS);
	e->mlo = low_bytes(out->len);
	e->mhi = out->len > 8 ? low_bytes(out->len - 8u) : 0;
	e->lo = load64(buf) & e->mlo;
	e->hi = load64(buf + 8) & e->mhi;
	e->out = *out;
	e->version = version;
}
