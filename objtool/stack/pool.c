// SPDX-License-Identifier: GPL-2.0
/*
 * Interning of stack states.  Nearly every instruction of a function shares
 * its state with a neighbour, so instructions hold a pointer to one pooled
 * copy: memory grows with the number of distinct states, not with code size.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stack_priv.h"
#include "stack_state.h"

struct pool_node {
	struct pool_node *next;
	uint64_t hash;
	/* This state's copy in the top pool: itself there, set on demand in a child pool. */
	const struct stack_state *canon;
	struct stack_state state;
};

struct stack_state_pool {
	struct pool_node **buckets;
	size_t nr_buckets;   /* power of two */
	size_t count;
	/*
	 * A child pool (one per validation thread) looks in its parent first
	 * and adds only what the parent lacks; the parent is read-only while
	 * children exist, so threads share it without locks.
	 */
	const struct stack_state_pool *parent;
};

static uint64_t mix(uint64_t h, int64_t v)
{
	h ^= (uint64_t)v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

/*
 * The register tables are hashed as stack_priv.h's run of masked words, two
 * lanes a step: no branch per register.  Every field stack_state_equal()
 * compares may feed the hash; equal states still hash alike.
 */
static uint64_t hash_reg_locs(uint64_t h, const struct stack_state *s)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t a = h, b = ~h;

	for (unsigned i = 0; i < NR_REG_LOC_WORDS; i += 2) {
		uint64_t w[2];

		reg_loc_words(s, i, w);
		a = (a ^ (w[0] & REG_LOC_MASK)) * k;
		b = (b ^ (w[1] & REG_LOC_MASK)) * k;
	}
	a ^= b + (a >> 29);
	return a ^ (a >> 31);
}

static uint64_t state_hash(const struct stack_state *s)
{
	uint64_t h = 0;

	h = mix(h, s->cfa.base);
	h = mix(h, s->cfa.offset);
	h = mix(h, s->stack_size);
	h = mix(h, s->type | s->drap << 8 | s->end << 9 | s->signal << 10 | s->bp_scratch << 11);
	h = mix(h, s->drap_reg);
	h = mix(h, s->drap_offset);
	return hash_reg_locs(h, s);
}

struct stack_state_pool *stack_pool_new(void)
{
	struct stack_state_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->nr_buckets = 1024;
	p->buckets = calloc(p->nr_buckets, sizeof(*p->buckets));
	if (!p->buckets) {
		free(p);
		return NULL;
	}
	return p;
}

void stack_pool_free(struct stack_state_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nr_buckets; i++) {
		struct pool_node *n = p->buckets[i];
		while (n) {
			struct pool_node *next = n->next;
			free(n);
			n = next;
		}
	}
	free(p->buckets);
	free(p);
}

/* Keep chains short: double the table when it is as full as it is wide. */
static void grow(struct stack_state_pool *p)
{
	size_t nb = p->nr_buckets * 2;
	struct pool_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return;   /* longer chains, still correct */
	for (size_t i = 0; i < p->nr_buckets; i++) {
		struct pool_node *n = p->buckets[i];
		while (n) {
			struct pool_node *next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
			n = next;
		}
	}
	free(p->buckets);
	p->buckets = b;
	p->nr_buckets = nb;
}

struct stack_state_pool *stack_pool_new_child(const struct stack_state_pool *parent)
{
	struct stack_state_pool *p = stack_pool_new();

	if (p)
		p->parent = parent;
	return p;
}

static struct pool_node *lookup(const struct stack_state_pool *p, uint64_t h,
				const struct stack_state *s)
{
	for (struct pool_node *n = p->buckets[h & (p->nr_buckets - 1)]; n; n = n->next)
		if (n->hash == h && stack_state_equal(&n->state, s))
			return n;
	return NULL;
}

const struct stack_state *stack_pool_intern(struct stack_state_pool *p, const struct stack_state *s)
{
	uint64_t h = state_hash(s);
	struct pool_node *n;

	for (const struct stack_state_pool *q = p; q; q = q->parent) {
		n = lookup(q, h, s);
		if (n)
			return &n->state;
	}

	n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	n->hash = h;
	n->state = *s;
	n->canon = p->parent ? NULL : &n->state;
	n->next = p->buckets[h & (p->nr_buckets - 1)];
	p->buckets[h & (p->nr_buckets - 1)] = n;
	if (++p->count > p->nr_buckets)
		grow(p);
	return &n->state;
}

const struct stack_state *stack_pool_canon(struct stack_state_pool *top, const struct stack_state *s)
{
	struct pool_node *n;

	if (!s)
		return NULL;
	n = (struct pool_node *)((char *)s - offsetof(struct pool_node, state));
	if (!n->canon)
		n->canon = stack_pool_intern(top, s);
	return n->canon;
}

size_t stack_pool_count(const struct stack_state_pool *p)
{
	return p->count;
}
